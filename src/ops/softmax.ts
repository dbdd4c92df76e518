import { normalizeAxis, type Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, output, record } from './core.js';

/** Softmax along axis (default last), computed with the max subtracted: finite for any finite input. */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', x);
  checkFloat('softmax', x);
  const a = normalizeAxis('softmax', axis, x.ndim);
  const [y, k] = output(x.shape, x.dtype);
  k.softmax(x.data, x.shape, a, false, y.data);
  // dx = y ⊙ (g − Σ g⊙y)
  return record(y, 'softmax', [x], (g) => [y.mul(g.sub(g.mul(y).sum(a, true)))]);
}

/** log(softmax(x)) along axis, as x − logsumexp(x): no log(0) even for very negative logits. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', x);
  checkFloat('logSoftmax', x);
  const a = normalizeAxis('logSoftmax', axis, x.ndim);
  const [y, k] = output(x.shape, x.dtype);
  k.softmax(x.data, x.shape, a, true, y.data);
  // dx = g − softmax ⊙ Σ g
  return record(y, 'logSoftmax', [x], (g) => [g.sub(y.exp().mul(g.sum(a, true)))]);
}
