import type { MatmulSpec, TypedArray } from '../types.js';

/**
 * Batched matrix product with transpose flags. Loop orders keep the innermost loop on
 * contiguous memory for every flag combination (i-p-j for A·B, i-j-p for A·Bᵀ, p-i-j for Aᵀ·B).
 */
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  const { batch, m, k, n, transA, transB, aBatchStride, bBatchStride } = spec;
  out.fill(0);
  if (out instanceof Int32Array) {
    intMatmul(a, b, out, spec);
    return;
  }
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * aBatchStride;
    const bo = bt * bBatchStride;
    const oo = bt * m * n;
    if (!transA && !transB) {
      for (let i = 0; i < m; i++) {
        const orow = oo + i * n;
        const arow = ao + i * k;
        for (let p = 0; p < k; p++) {
          const av = a[arow + p];
          const brow = bo + p * n;
          for (let j = 0; j < n; j++) out[orow + j] += av * b[brow + j];
        }
      }
    } else if (!transA && transB) {
      for (let i = 0; i < m; i++) {
        const arow = ao + i * k;
        for (let j = 0; j < n; j++) {
          const brow = bo + j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a[arow + p] * b[brow + p];
          out[oo + i * n + j] = s;
        }
      }
    } else if (transA && !transB) {
      for (let p = 0; p < k; p++) {
        const arow = ao + p * m;
        const brow = bo + p * n;
        for (let i = 0; i < m; i++) {
          const av = a[arow + i];
          const orow = oo + i * n;
          for (let j = 0; j < n; j++) out[orow + j] += av * b[brow + j];
        }
      }
    } else {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[ao + p * m + i] * b[bo + j * k + p];
          out[oo + i * n + j] = s;
        }
      }
    }
  }
}

/** int32 products wrap like C: Math.imul keeps the low 32 bits that a double product would lose. */
function intMatmul(a: TypedArray, b: TypedArray, out: Int32Array, spec: MatmulSpec): void {
  const { batch, m, k, n, transA, transB, aBatchStride, bBatchStride } = spec;
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * aBatchStride;
    const bo = bt * bBatchStride;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = a[ao + (transA ? p * m + i : i * k + p)];
          const bv = b[bo + (transB ? j * k + p : p * n + j)];
          s = (s + Math.imul(av, bv)) | 0;
        }
        out[bt * m * n + i * n + j] = s;
      }
    }
  }
}
