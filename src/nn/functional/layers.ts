/** Stateless forms of the layers: the modules call these with their parameters. */
import { noGrad } from '../../autograd/index.js';
import { bmm } from '../../ops/index.js';
import { ShapeError, ValueError, fmtShape, promote, rand, sizeOf, type Tensor } from '../../tensor/index.js';
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
  const dtype = promote(x.dtype, weight.dtype);
  const xs = x.dtype === dtype ? x : x.cast(dtype);
  const w = weight.dtype === dtype ? weight : weight.cast(dtype);
  const lead = x.shape.slice(0, -1);
  const rows = sizeOf(lead);
  const z = bmm(xs.reshape([1, rows, inFeatures]), w.reshape([1, outFeatures, inFeatures]), false, true).reshape([...lead, outFeatures]);
  return bias === null ? z : z.add(bias);
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

export interface BatchNormOptions {
  /** Scale γ [C] (none: 1). */
  weight?: Tensor | null;
  /** Shift β [C] (none: 0). */
  bias?: Tensor | null;
  /** Use (and update) the batch statistics; false: normalise with the running ones. */
  training?: boolean;
  /** Running-average factor (default 0.1); null: a cumulative average over numBatchesTracked. */
  momentum?: number | null;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Batches seen so far, for momentum null (the caller increments its own counter). */
  numBatchesTracked?: number;
}

/**
 * Batch normalisation over every axis but 1 (the channel / feature axis) of x [N, C, ...]:
 * y = (x − μ)/√(σ² + eps)·γ + β. In training μ and the biased σ² come from the batch and,
 * when running statistics are given, those are updated in place (outside the graph) with
 * the unbiased variance, as PyTorch does. Otherwise the running statistics normalise.
 * `name` is how errors refer to the caller.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
  name = 'batchNorm',
): Tensor {
  checkFloatInput(name, x);
  if (x.ndim < 2) throw new ShapeError(`${name}: input must be [N, C, ...], got ${fmtShape(x.shape)}`);
  const channels = x.shape[1];
  const eps = checkNumber(name, 'eps', options.eps ?? 1e-5, 0);
  const training = options.training ?? true;
  const momentum = options.momentum === undefined ? 0.1 : options.momentum;
  if (momentum !== null) checkNumber(name, 'momentum', momentum, 0, 1);
  for (const [what, t] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', options.weight], ['bias', options.bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== channels)) throw new ShapeError(`${name}: ${what} must be [${channels}], got ${fmtShape(t.shape)} (input ${fmtShape(x.shape)})`);
  }
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const perChannel = x.shape.map((d, i) => (i === 1 ? d : 1));
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const count = sizeOf(axes.map((a) => x.shape[a]));
    if (count <= 1) throw new ValueError(`${name}: training needs more than one value per channel to estimate a variance, got input ${fmtShape(x.shape)} (use eval() for single samples)`);
    mean = x.mean(axes, true);
    variance = x.var(axes, true, 0);
    if (runningMean && runningVar) {
      noGrad(() => {
        const factor = momentum ?? 1 / Math.max(1, options.numBatchesTracked ?? 1);
        const unbiased = variance.mul(count / (count - 1)).reshape([channels]);
        runningMean.assign(runningMean.mul(1 - factor).add(mean.reshape([channels]).mul(factor).cast(runningMean.dtype)));
        runningVar.assign(runningVar.mul(1 - factor).add(unbiased.mul(factor).cast(runningVar.dtype)));
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new ValueError(`${name}: evaluation mode needs running statistics (or pass training: true)`);
    mean = runningMean.detach().reshape(perChannel);
    variance = runningVar.detach().reshape(perChannel);
  }
  let y = x.sub(mean).div(variance.add(eps).sqrt());
  if (options.weight) y = y.mul(options.weight.reshape(perChannel));
  if (options.bias) y = y.add(options.bias.reshape(perChannel));
  return y;
}
