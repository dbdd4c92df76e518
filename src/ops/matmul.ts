import { DTypeError, ShapeError, broadcastShapes, fmtShape, promote, sizeOf, Tensor } from '../tensor/index.js';
import { checkTensor, overwrittenOutput, record } from './core.js';

/**
 * The batched product op(A)·op(B) of 3-D operands [batch or 1, rows, cols]; the primitive
 * behind matmul. Its gradients are products of the same kind with other flags, so no
 * transpose is ever materialised.
 */
export function bmm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  checkTensor('bmm', a);
  checkTensor('bmm', b, 'second operand');
  if (a.ndim !== 3 || b.ndim !== 3) throw new ShapeError(`bmm: operands must be 3-D [batch, rows, cols], got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.dtype !== b.dtype) throw new DTypeError(`bmm: operands must share a dtype, got ${a.dtype} and ${b.dtype}`);
  const [ba, ra, ca] = a.shape;
  const [bb, rb, cb] = b.shape;
  const m = transA ? ca : ra;
  const k = transA ? ra : ca;
  const kb = transB ? cb : rb;
  const n = transB ? rb : cb;
  if (k !== kb) throw new ShapeError(`bmm: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned (${k} ≠ ${kb}) with transA=${transA}, transB=${transB}`);
  if (ba !== bb && ba !== 1 && bb !== 1) throw new ShapeError(`bmm: batch sizes ${ba} and ${bb} differ (one may be 1)`);
  const batch = ba === 0 || bb === 0 ? 0 : Math.max(ba, bb);
  const [y, kern] = overwrittenOutput([batch, m, n], a.dtype);
  kern.matmul(a.data, b.data, y.data, {
    batch, m, k, n, transA, transB,
    aBatchStride: ba === 1 ? 0 : m * k,
    bBatchStride: bb === 1 ? 0 : kb * n,
  });
  return record(y, 'matmul', [a, b], (g) => [
    a.requiresGrad ? (transA ? bmm(b, g, transB, true) : bmm(g, b, false, !transB)) : null,
    b.requiresGrad ? (transB ? bmm(g, a, true, transA) : bmm(a, g, !transA, false)) : null,
  ]);
}

/**
 * Matrix product with numpy semantics: 1-D operands are promoted to a row (left) or a
 * column (right) and the added axis removed; leading batch axes broadcast.
 * a [..., m, k] · b [..., k, n] → [..., m, n].
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', a);
  checkTensor('matmul', b, 'second operand');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must be at least 1-D, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (use mul for scalars)`);
  const common = promote(a.dtype, b.dtype);
  let A = a.dtype === common ? a : a.cast(common);
  let B = b.dtype === common ? b : b.cast(common);
  const aVec = A.ndim === 1;
  const bVec = B.ndim === 1;
  if (aVec) A = A.reshape([1, A.shape[0]]);
  if (bVec) B = B.reshape([B.shape[0], 1]);
  const [m, k] = A.shape.slice(-2);
  const [k2, n] = B.shape.slice(-2);
  if (k !== k2) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} are not aligned (${k} ≠ ${k2})`);
  }
  const batchA = A.shape.slice(0, -2);
  const batchB = B.shape.slice(0, -2);
  const batchShape = broadcastShapes('matmul', batchA, batchB);
  let out: Tensor;
  if (batchB.length === 0 || sizeOf(batchB) === 1 && batchA.length >= batchB.length) {
    // The common layer case: many rows against one matrix. Fold A's batch into its rows.
    out = bmm(A.reshape([1, sizeOf(batchA) * m, k]), B.reshape([1, k, n])).reshape([...batchShape, m, n]);
  } else {
    const nb = sizeOf(batchShape);
    const A3 = sizeOf(batchA) === 1 ? A.reshape([1, m, k]) : A.broadcastTo([...batchShape, m, k]).reshape([nb, m, k]);
    const B3 = sizeOf(batchB) === 1 ? B.reshape([1, k, n]) : B.broadcastTo([...batchShape, k, n]).reshape([nb, k, n]);
    out = bmm(A3, B3).reshape([...batchShape, m, n]);
  }
  if (aVec && bVec) return out.reshape(batchShape);
  if (aVec) return out.squeeze(-2);
  if (bVec) return out.squeeze(-1);
  return out;
}
