/**
 * Ops whose kernels write every element of their output skip zeroing large outputs
 * (allocateUnfilled). Here the fresh memory is filled with NaN bits first, so an element a
 * kernel forgot to write shows up as NaN against a reference computed in the test.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { allocateUnfilled } from '../../src/tensor/dtype.js';
import { backends, onBackend } from '../helpers.js';

/** 0xff bytes: every float32 and float64 is a NaN, every int32 is −1. */
function dirtyAllocations(): void {
  vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => Buffer.alloc(size, 0xff));
}

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

describe.each(backends)('outputs without zeroing, on %s', (backend) => {
  beforeEach(() => {
    onBackend(backend);
    dirtyAllocations();
  });
  afterEach(() => vi.restoreAllMocks());

  it('the allocation really is unfilled (the spy is used): large float32 arrays start as NaN', () => {
    const a = allocateUnfilled('float32', 1 << 16);
    expect(Number.isNaN(a[0]) && Number.isNaN(a[a.length - 1])).toBe(true);
    // Small arrays are zeroed as usual.
    expect(Array.from(allocateUnfilled('float32', 100)).every((v) => v === 0)).toBe(true);
  });

  it('matmul (and its transposed products in backward) write every element', () => {
    const [m, k, n] = [130, 70, 131]; // 17 030 outputs: 68 KB, past the unfilled threshold
    const a = nb.tensor(values(m * k, 1), { shape: [m, k], requiresGrad: true });
    const b = nb.tensor(values(k * n, 2), { shape: [k, n], requiresGrad: true });
    const c = a.matmul(b);
    const av = a.dataSync(), bv = b.dataSync(), cv = c.dataSync();
    for (let i = 0; i < m; i += 13) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += av[i * k + p] * bv[p * n + j];
        expect(Math.abs(cv[i * n + j] - sum)).toBeLessThan(1e-4);
      }
    }
    expect(cv.some(Number.isNaN)).toBe(false);
    c.sum().backward();
    // d(sum)/dA = 1·Bᵀ: row sums of B; d(sum)/dB = Aᵀ·1: column sums of A.
    const ga = a.grad!.dataSync(), gb = b.grad!.dataSync();
    for (let p = 0; p < k; p++) {
      let rowB = 0;
      for (let j = 0; j < n; j++) rowB += bv[p * n + j];
      for (let i = 0; i < m; i++) expect(Math.abs(ga[i * k + p] - rowB)).toBeLessThan(1e-4);
      let colA = 0;
      for (let i = 0; i < m; i++) colA += av[i * k + p];
      for (let j = 0; j < n; j++) expect(Math.abs(gb[p * n + j] - colA)).toBeLessThan(1e-4);
    }
  });

  it('indexSelect, binary and unary ops write every element', () => {
    const x = nb.tensor(values(200 * 100, 3), { shape: [200, 100] });
    const rows = Int32Array.from({ length: 180 }, (_, i) => (i * 7) % 200);
    const picked = x.indexSelect(0, rows).dataSync();
    const xv = x.dataSync();
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < 100; c++) expect(picked[r * 100 + c]).toBe(xv[rows[r] * 100 + c]);
    }
    const bias = nb.tensor(values(100, 4), { shape: [100] });
    const sum = x.add(bias).dataSync(); // broadcast binary
    const bv = bias.dataSync();
    for (let i = 0; i < xv.length; i++) expect(sum[i]).toBe(Math.fround(xv[i] + bv[i % 100]));
    const relu = x.relu().dataSync();
    for (let i = 0; i < xv.length; i++) expect(relu[i]).toBe(Math.max(xv[i], 0));
    const x64 = x.cast('float64');
    const neg = x64.neg().dataSync();
    for (let i = 0; i < xv.length; i++) expect(neg[i]).toBe(-xv[i]);
  });
});
