/** Stateless forms of the layers: the modules call these with their parameters. */
import { noGrad } from '../../autograd/index.js';
import { linearMap } from '../../ops/index.js';
import { ShapeError, fmtShape, promote, rand, sizeOf, type Tensor } from '../../tensor/index.js';
import { checkFloatInput, checkNumber } from './checks.js';

/**
 * Affine map z = x·Wᵀ + b. x [..., in], weight [out, in] (the notes' Θ), bias [out] →
 * [..., out]. The product runs as one matrix multiply with a transpose flag: no transposed
 * copy of W is made, and every leading axis of x is folded into the rows. `name` is how
 * errors refer to the caller (a layer passes its description, e.g. 'Linear(784 → 128)').
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, name = 'linear'): Tensor {
  checkFloatInput(name, x);
  checkFloatInput(name, weight, 'weight');
  if (weight.ndim !== 2) throw new ShapeError(`${name}: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape;
  if (x.ndim === 0) throw new ShapeError(`${name}: input must have shape [..., ${inFeatures}], got a scalar`);
  const features = x.shape[x.ndim - 1];
  if (features !== inFeatures) throw new ShapeError(`${name}: input has ${features} features, expected ${inFeatures} (input shape ${fmtShape(x.shape)})`);
  if (bias !== null) {
    checkFloatInput(name, bias, 'bias');
    if (bias.ndim !== 1 || bias.shape[0] !== outFeatures) throw new ShapeError(`${name}: bias must be [${outFeatures}], got ${fmtShape(bias.shape)}`);
  }
  // As x·Wᵀ + b would promote: a float64 bias makes a float64 result.
  const dtype = promote(promote(x.dtype, weight.dtype), bias?.dtype ?? 'int32');
  const xs = x.dtype === dtype ? x : x.cast(dtype);
  const w = weight.dtype === dtype ? weight : weight.cast(dtype);
  const lead = x.shape.slice(0, -1);
  const rows = sizeOf(lead);
  const b = bias === null || bias.dtype === dtype ? bias : bias.cast(dtype);
  return linearMap(xs.reshape([rows, inFeatures]), w, b).reshape([...lead, outFeatures]);
}

/**
 * Inverted dropout: in training each element is zeroed with probability p (drawn from the
 * seeded global RNG) and the survivors are scaled by 1/(1 − p), so the expected value is
 * unchanged and evaluation needs no rescaling. Identity when not training or p = 0.
 * x [...] → same shape.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  checkFloatInput('dropout', x);
  checkNumber('dropout', 'p', p, 0, 1);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const scale = 1 / (1 - p);
  const mask = noGrad(() => rand(x.shape, { dtype: x.dtype }).ge(p).mul(scale));
  return x.mul(mask);
}

/** Merges axes startAxis..endAxis (inclusive; negatives count from the end) into one. */
export function flatten(x: Tensor, startAxis = 1, endAxis = -1): Tensor {
  checkFloatInput('flatten', x);
  return x.flatten(startAxis, endAxis);
}

/** Batch normalisation lives with the ops (one op, one place); PyTorch's F.batch_norm is the same function. */
export { batchNorm, type BatchNormOptions } from '../../ops/batchnorm.js';
