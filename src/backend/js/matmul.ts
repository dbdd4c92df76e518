import type { MatmulSpec, TypedArray } from '../types.js';

/** Scratch for packed operands, grown on demand and reused: no allocation per call. */
let packA = new Float64Array(0);
let packB = new Float64Array(0);

function scratch(buf: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/**
 * Batched matrix product with transpose flags. Both operands are first brought to a layout
 * where the shared dimension k is contiguous (A as [m,k], B as [n,k]; a copy of O(k·(m+n))
 * only when the flags need it), then a 2×4 tile of dot products runs with eight independent
 * accumulators, which keeps V8's scalar pipeline busy instead of waiting on one sum.
 */
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  if (spec.accumulate) {
    // The reference path: the product apart, then added (the wasm kernels add in their tiles).
    const product = new (out.constructor as new (n: number) => TypedArray)(out.length);
    matmul(a, b, product, { ...spec, accumulate: false });
    for (let i = 0; i < out.length; i++) out[i] += product[i];
    return;
  }
  const { batch, m, k, n, transA, transB, aBatchStride, bBatchStride } = spec;
  out.fill(0);
  if (out instanceof Int32Array) {
    intMatmul(a, b, out, spec);
    return;
  }
  for (let bt = 0; bt < batch; bt++) {
    const ao = bt * aBatchStride;
    const bo = bt * bBatchStride;
    let A: TypedArray = a;
    let aOff = ao;
    if (transA) {
      packA = scratch(packA, m * k);
      transposeInto(a, ao, k, m, packA);
      A = packA;
      aOff = 0;
    }
    let B: TypedArray = b;
    let bOff = bo;
    if (!transB) {
      packB = scratch(packB, n * k);
      transposeInto(b, bo, k, n, packB);
      B = packB;
      bOff = 0;
    }
    dotTiles(A, aOff, B, bOff, out, bt * m * n, m, k, n);
  }
}

/** dst[c·rows + r] = src[off + r·cols + c], in 32×32 blocks so both sides stay in cache. */
function transposeInto(src: TypedArray, off: number, rows: number, cols: number, dst: Float64Array): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(r0 + B, rows);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(c0 + B, cols);
      for (let r = r0; r < r1; r++) {
        const srow = off + r * cols;
        for (let c = c0; c < c1; c++) dst[c * rows + r] = src[srow + c];
      }
    }
  }
}

/** out[i, j] = Σ_p A[i, p]·B[j, p] with A [m,k] at aOff and B [n,k] at bOff, both row-major. */
function dotTiles(A: TypedArray, aOff: number, B: TypedArray, bOff: number, out: TypedArray, oOff: number, m: number, k: number, n: number): void {
  const m2 = m - (m % 2);
  const n4 = n - (n % 4);
  for (let i = 0; i < m2; i += 2) {
    const a0 = aOff + i * k;
    const a1 = a0 + k;
    const o = oOff + i * n;
    for (let j = 0; j < n4; j += 4) {
      const b0 = bOff + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0 + p];
        const x1 = A[a1 + p];
        const y0 = B[b0 + p];
        const y1 = B[b1 + p];
        const y2 = B[b2 + p];
        const y3 = B[b3 + p];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      out[o + j] = s00; out[o + j + 1] = s01; out[o + j + 2] = s02; out[o + j + 3] = s03;
      out[o + n + j] = s10; out[o + n + j + 1] = s11; out[o + n + j + 2] = s12; out[o + n + j + 3] = s13;
    }
    for (let j = n4; j < n; j++) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0;
      for (let p = 0; p < k; p++) {
        s0 += A[a0 + p] * B[b0 + p];
        s1 += A[a1 + p] * B[b0 + p];
      }
      out[o + j] = s0;
      out[o + n + j] = s1;
    }
  }
  for (let i = m2; i < m; i++) {
    const a0 = aOff + i * k;
    for (let j = 0; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += A[a0 + p] * B[b0 + p];
      out[oOff + i * n + j] = s;
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
