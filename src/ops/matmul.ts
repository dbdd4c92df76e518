import { isGradEnabled } from '../autograd/mode.js';
import { DTypeError, ShapeError, ValueError, broadcastShapes, fmtShape, kernelsFor, promote, shapesEqual, sizeOf, Tensor } from '../tensor/index.js';
import { checkTensor, overwrittenOutput, record } from './core.js';

/**
 * The batched product op(A)·op(B) of 3-D operands [batch or 1, rows, cols]; the primitive
 * behind matmul. Its gradients are products of the same kind with other flags, so no
 * transpose is ever materialised.
 */
export function bmm(a: Tensor, b: Tensor, transA = false, transB = false): Tensor {
  return bmmInto(a, b, transA, transB, null);
}

/**
 * bmm writing into `into` (already checked by the caller: the result's shape and dtype, no
 * gradient recorded) or a new tensor; with `accumulate` the product is added to into's contents.
 */
export function bmmInto(a: Tensor, b: Tensor, transA: boolean, transB: boolean, into: Tensor | null, accumulate = false): Tensor {
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
  const [y, kern] = into ? [into, kernelsFor(a.dtype)] : overwrittenOutput([batch, m, n], a.dtype);
  kern.matmul(a.data, b.data, y.data, {
    batch, m, k, n, transA, transB,
    aBatchStride: ba === 1 ? 0 : m * k,
    bBatchStride: bb === 1 ? 0 : kb * n,
    accumulate: into !== null && accumulate,
  });
  if (into) return into;
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
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
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
  const resultShape = [...batchShape, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
  const into = options.out ? checkOut(options.out, resultShape, common, a, b) : null;
  let out: Tensor;
  if (batchB.length === 0 || sizeOf(batchB) === 1 && batchA.length >= batchB.length) {
    // The common layer case: many rows against one matrix. Fold A's batch into its rows.
    const rows = sizeOf(batchA) * m;
    out = bmmInto(A.reshape([1, rows, k]), B.reshape([1, k, n]), false, false, into && into.reshape([1, rows, n])).reshape([...batchShape, m, n]);
  } else {
    const nb = sizeOf(batchShape);
    const A3 = sizeOf(batchA) === 1 ? A.reshape([1, m, k]) : A.broadcastTo([...batchShape, m, k]).reshape([nb, m, k]);
    const B3 = sizeOf(batchB) === 1 ? B.reshape([1, k, n]) : B.broadcastTo([...batchShape, k, n]).reshape([nb, k, n]);
    out = bmmInto(A3, B3, false, false, into && into.reshape([nb, m, n])).reshape([...batchShape, m, n]);
  }
  if (into) return into;
  if (aVec && bVec) return out.reshape(batchShape);
  if (aVec) return out.squeeze(-2);
  if (bVec) return out.squeeze(-1);
  return out;
}

/** Options of `matmul`. */
export interface MatmulOptions {
  /**
   * Write the product into this tensor (its shape and dtype must be the result's) and return
   * it, as PyTorch's `out=`: no new storage per call in a hot loop. No gradient is recorded,
   * so neither operand may require one while gradients are on (wrap the call in `nb.noGrad`).
   * A resident `out` (`nb.makeResident`) is written in place by the wasm kernels. As with
   * `assign`, overwriting a tensor that a recorded graph saved for backward makes that
   * graph's gradients wrong: give `out` a tensor of its own.
   */
  out?: Tensor;
}

/** Checks an `out` tensor for matmul; returns it. */
function checkOut(out: Tensor, shape: readonly number[], dtype: Tensor['dtype'], a: Tensor, b: Tensor): Tensor {
  if (!(out instanceof Tensor)) throw new ValueError('matmul: out must be a Tensor');
  if (out.dtype !== dtype) throw new DTypeError(`matmul: out has dtype ${out.dtype}, the product is ${dtype}`);
  if (!shapesEqual(out.shape, shape)) throw new ShapeError(`matmul: out has shape ${fmtShape(out.shape)}, the product of ${fmtShape(a.shape)} and ${fmtShape(b.shape)} is ${fmtShape(shape)}`);
  if (out.requiresGrad) throw new ValueError('matmul: out requires a gradient, but a product written into out records none (use an out without requiresGrad)');
  if (isGradEnabled() && (a.requiresGrad || b.requiresGrad)) {
    throw new ValueError('matmul: out= records no gradient, but an operand requires one (call it inside nb.noGrad, or drop out to get a differentiable product)');
  }
  for (const [x, name] of [[a, 'first operand'], [b, 'second operand']] as const) {
    if (overlaps(out.data, x.data)) throw new ValueError(`matmul: out shares memory with the ${name}; the product would read values it has already overwritten`);
  }
  return out;
}

/** True when two typed arrays view overlapping bytes of one buffer. */
function overlaps(x: ArrayBufferView, y: ArrayBufferView): boolean {
  return x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
}
