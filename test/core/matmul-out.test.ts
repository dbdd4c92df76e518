/**
 * matmul's `out` option (PyTorch's out=): the product written into a given tensor, checked
 * against the ordinary product and a float64 reference written here.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, onBackend } from '../helpers.js';

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

/** The float64 product of row-major [m, k] and [k, n]. */
function reference(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

describe.each(backends)('matmul into out, on %s', (backend) => {
  beforeEach(() => onBackend(backend));

  it('writes the product into out and returns out itself (2-D, large enough for the wasm kernels)', () => {
    const [m, k, n] = [70, 90, 50];
    const a = nb.tensor(values(m * k, 1), { shape: [m, k] });
    const b = nb.tensor(values(k * n, 2), { shape: [k, n] });
    const out = nb.full([m, n], 7);
    const storage = out.data;
    const result = nb.matmul(a, b, { out });
    expect(result).toBe(out);
    expect(out.data).toBe(storage); // no new storage
    expectClose(out.dataSync(), reference(a.dataSync(), b.dataSync(), m, k, n), { atol: 1e-5, rtol: 1e-5 });
    expect(Array.from(out.dataSync())).toEqual(Array.from(a.matmul(b).dataSync()));
  });

  it('batched with broadcasting, and vector operands, give the shapes and values of matmul', () => {
    const a = nb.tensor(values(2 * 3 * 4, 3), { shape: [2, 3, 4] });
    const b = nb.tensor(values(4 * 5, 4), { shape: [4, 5] });
    const batched = nb.zeros([2, 3, 5]);
    nb.matmul(a, b, { out: batched });
    for (let i = 0; i < 2; i++) {
      const slice = Array.from(a.dataSync().subarray(i * 12, (i + 1) * 12));
      expectClose(Array.from(batched.dataSync().subarray(i * 15, (i + 1) * 15)), reference(slice, b.dataSync(), 3, 4, 5), { atol: 1e-6, rtol: 1e-6 });
    }
    const bb = nb.tensor(values(2 * 4 * 5, 5), { shape: [2, 4, 5] });
    const both = nb.zeros([2, 3, 5]);
    nb.matmul(a, bb, { out: both });
    expect(Array.from(both.dataSync())).toEqual(Array.from(a.matmul(bb).dataSync()));
    const v = nb.tensor([1, 2, 3, 4]);
    const rowOut = nb.zeros([5]);
    nb.matmul(v, b, { out: rowOut });
    expectClose(rowOut.dataSync(), reference([1, 2, 3, 4], b.dataSync(), 1, 4, 5), { atol: 1e-6, rtol: 1e-6 });
    const dot = nb.zeros([]);
    nb.matmul(v, v, { out: dot });
    expect(dot.item()).toBe(30);
  });

  it('a resident out is written where it lives (wasm memory on the wasm backend)', () => {
    const [m, k, n] = [64, 64, 64];
    const a = nb.tensor(values(m * k, 6), { shape: [m, k] });
    const b = nb.tensor(values(k * n, 7), { shape: [k, n] });
    const out = nb.zeros([m, n]);
    nb.makeResident(out);
    const storage = out.data;
    nb.matmul(a, b, { out });
    expect(out.data).toBe(storage);
    expectClose(out.dataSync(), reference(a.dataSync(), b.dataSync(), m, k, n), { atol: 1e-5, rtol: 1e-5 });
  });

  it('refuses a wrong shape or dtype, gradients, and an out that overlaps an operand', () => {
    const a = nb.tensor(values(6, 8), { shape: [2, 3] });
    const b = nb.tensor(values(12, 9), { shape: [3, 4] });
    expect(() => nb.matmul(a, b, { out: nb.zeros([4, 2]) })).toThrow(nb.ShapeError);
    expect(() => nb.matmul(a, b, { out: nb.zeros([4, 2]) })).toThrow('matmul: out has shape [4,2], the product of [2,3] and [3,4] is [2,4]');
    expect(() => nb.matmul(a, b, { out: nb.zeros([2, 4], { dtype: 'float64' }) })).toThrow(nb.DTypeError);
    const w = nb.tensor(values(6, 10), { shape: [2, 3], requiresGrad: true });
    expect(() => nb.matmul(w, b, { out: nb.zeros([2, 4]) })).toThrow(/records no gradient/);
    expect(() => nb.matmul(a, b, { out: nb.zeros([2, 4], { requiresGrad: true }) })).toThrow(/out requires a gradient/);
    expect(() => nb.noGrad(() => nb.matmul(a, b, { out: nb.zeros([2, 4], { requiresGrad: true }) }))).toThrow(nb.ValueError);
    // Without gradients it is allowed, and out has no history.
    const out = nb.zeros([2, 4]);
    nb.noGrad(() => nb.matmul(w, b, { out }));
    expect(out.requiresGrad).toBe(false);
    expectClose(out.dataSync(), reference(w.dataSync(), b.dataSync(), 2, 3, 4), { atol: 1e-6, rtol: 1e-6 });
    const square = nb.tensor(values(9, 11), { shape: [3, 3] });
    expect(() => nb.matmul(square, b, { out: square.matmul(b) })).not.toThrow();
    const s = nb.tensor(values(9, 12), { shape: [3, 3] });
    expect(() => nb.matmul(s, s, { out: s })).toThrow(/shares memory with the first operand/);
    expect(() => nb.matmul(square, s, { out: s })).toThrow(/shares memory with the second operand/);
    expect(() => nb.matmul(a, b, { out: [1, 2] as unknown as nb.Tensor })).toThrow(nb.ValueError);
  });
});
