import { DTypeError, ShapeError, fmtShape, shapesEqual, type Tensor } from '../tensor/index.js';
import { checkTensor, overwrittenOutput, record } from './core.js';
import { bmm, bmmInto } from './matmul.js';

/**
 * The affine map of a dense layer in one op: x [rows, in], weight [out, in], bias [out] or null
 * → z [rows, out] = x·weightᵀ + bias. The bias is written first and the product added onto it
 * by the matmul kernel (its accumulate mode), so there is no separate broadcast add. In
 * backward, the weight gradient gᵀ·x goes into the buffer the engine offers for a gradient kept
 * by `zeroGrad({ setToNone: false })`: a training step allocates no new weight gradient.
 */
export function linearMap(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  checkTensor('linearMap', x);
  checkTensor('linearMap', weight, 'weight');
  if (x.ndim !== 2 || weight.ndim !== 2 || x.shape[1] !== weight.shape[1]) {
    throw new ShapeError(`linearMap: expected x [rows, in] and weight [out, in], got ${fmtShape(x.shape)} and ${fmtShape(weight.shape)}`);
  }
  const [rows, inFeatures] = x.shape;
  const outFeatures = weight.shape[0];
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`linearMap: bias must be [${outFeatures}], got ${fmtShape(bias.shape)}`);
  }
  if (weight.dtype !== x.dtype || (bias !== null && bias.dtype !== x.dtype)) {
    throw new DTypeError(`linearMap: x, weight and bias must share a dtype, got ${[x, weight, ...(bias ? [bias] : [])].map((t) => t.dtype).join(', ')}`);
  }
  const [z] = overwrittenOutput([rows, outFeatures], x.dtype);
  if (bias !== null) for (let r = 0; r < rows; r++) z.data.set(bias.data, r * outFeatures);
  const x3 = x.reshape([1, rows, inFeatures]);
  const w3 = weight.reshape([1, outFeatures, inFeatures]);
  bmmInto(x3, w3, false, true, z.reshape([1, rows, outFeatures]), bias !== null);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(z, 'linear', inputs, (g, into) => {
    const g3 = g.reshape([1, rows, outFeatures]);
    const dx = x.requiresGrad ? bmm(g3, w3).reshape(x.shape) : null;
    let dw: Tensor | null = null;
    const target = into?.[1];
    if (weight.requiresGrad && target && shapesEqual(target.grad.shape, weight.shape) && target.grad.dtype === g.dtype) {
      bmmInto(g3, x3, true, false, target.grad.reshape([1, outFeatures, inFeatures]));
      target.added = true;
    } else if (weight.requiresGrad) {
      dw = bmm(g3, x3, true, false).reshape(weight.shape);
    }
    const db = bias !== null && bias.requiresGrad ? g.sum(0) : null;
    return bias === null ? [dx, dw] : [dx, dw, db];
  });
}
