/**
 * The wasm GEMM skips the k steps where an A panel (MR rows) or a B panel (NR columns) holds
 * only zeros (assembly/microkernel.ts). These tests pin down that skipping changes nothing:
 * the bits of the ordered sum, every nonzero term counted once, NaN from 0·∞, accumulation,
 * and the thread split — on the private-packing path (one thread) and on the shared one.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import { initWasmBackend, setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { referenceProduct, rng, uniform, type ProductSpec } from './setup.js';


function spec(m: number, k: number, n: number, transA = false, transB = false, accumulate = false, batch = 1): ProductSpec {
  return { batch, m, k, n, transA, transB, aBatchStride: m * k, bBatchStride: k * n, accumulate };
}

/** A(i, p) and B(p, j) in either storage order. */
const aIndex = (s: ProductSpec, i: number, p: number): number => (s.transA ? p * s.m + i : i * s.k + p);
const bIndex = (s: ProductSpec, p: number, j: number): number => (s.transB ? j * s.k + p : p * s.n + j);

function product(a: Float32Array, b: Float32Array, s: ProductSpec, threads: number, init?: Float32Array): Float32Array {
  setNumThreads(threads);
  const out = init ? init.slice() : new Float32Array(s.batch * s.m * s.n).fill(NaN);
  wasmBackend.matmul(a, b, out, s);
  return out;
}

const sameBits = (x: Float32Array, y: Float32Array): boolean => Buffer.from(x.buffer).equals(Buffer.from(y.buffer));

/** Keeps the steps p with keep(p): A's columns and B's rows, in order (k' = their count). */
function dropSteps(a: Float32Array, b: Float32Array, s: ProductSpec, keep: (p: number) => boolean): [Float32Array, Float32Array, ProductSpec] {
  const kept = Array.from({ length: s.k }, (_, p) => p).filter(keep);
  const r = spec(s.m, kept.length, s.n, s.transA, s.transB);
  const a2 = new Float32Array(s.m * kept.length);
  const b2 = new Float32Array(kept.length * s.n);
  kept.forEach((p, q) => {
    for (let i = 0; i < s.m; i++) a2[aIndex(r, i, q)] = a[aIndex(s, i, p)];
    for (let j = 0; j < s.n; j++) b2[bIndex(r, q, j)] = b[bIndex(s, p, j)];
  });
  return [a2, b2, r];
}

// Shapes with edge tiles, k in one K slice (≤ 512, so dropping steps keeps the summation
// order), on 1 thread (each chunk packs its own B) and 2 (B packed once, shared).
const shapes: [number, number, number][] = [[37, 300, 45], [128, 300, 130], [130, 257, 67]];
const flags: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/**
 * The suite on one build (a test file each: a process loads one build). Their tiles differ
 * (2×16 with FMA, 4×8 plain), and so do their panels and lists.
 */
export function skippingSuite(build: 'relaxed-simd' | 'simd'): void {
  beforeAll(async () => {
    expect(await initWasmBackend({ relaxedSimd: build === 'relaxed-simd' })).toBe(true);
    expect(wasmInfo()?.variant).toBe(build);
    setNumThreads(2);
    await startWasmThreads();
  });

  describe(`wasm GEMM (${build} build): skipping all-zero steps`, () => {
    it.each(flags)('zero steps of A or of B give the bits of the product without them (transA %s, transB %s)', (transA, transB) => {
      for (const [m, k, n] of shapes) {
        const s = spec(m, k, n, transA, transB);
        const zero = (p: number): boolean => p % 3 === 1 || (p >= 100 && p < 160);
        for (const side of ['A', 'B'] as const) {
          const a = uniform(m * k, m + k);
          const b = uniform(k * n, k + n);
          // Zero every A(i, p) (or every B(p, j)) of the zero steps; the other operand keeps its values there.
          for (let p = 0; p < k; p++) {
            if (!zero(p)) continue;
            if (side === 'A') for (let i = 0; i < m; i++) a[aIndex(s, i, p)] = p % 2 ? 0 : -0;
            else for (let j = 0; j < n; j++) b[bIndex(s, p, j)] = p % 2 ? 0 : -0;
          }
          const [a2, b2, r] = dropSteps(a, b, s, (p) => !zero(p));
          for (const threads of [1, 2]) {
            const full = product(a, b, s, threads);
            const without = product(a2, b2, r, threads);
            expect(sameBits(full, without), `${side} zero, ${JSON.stringify([m, k, n])}, ${threads} threads`).toBe(true);
          }
        }
      }
    });

    it.each(flags)('scattered zeros (each panel its own steps) on every path: exact integer sums, and 2 threads give 1 thread\'s bits (transA %s, transB %s)', (transA, transB) => {
      // Small integers: every partial sum is exact in float32, so any dropped, repeated or
      // misplaced term shows. [batch, m, k, n, density], and the path on 2 threads
      // (src/backend/wasm/matmul.ts): from 2²⁰ multiply-adds the product is split.
      // Densities of A and B apart: a tile takes the shorter list, so a wrong B list shows
      // only where A's is longer (A dense).
      const cases: [number, number, number, number, number, number][] = [
        [1, 67, 700, 35, 0.2, 0.2], // two K slices, one thread
        [1, 128, 400, 128, 0.3, 1], // B packed once and shared, rows split; A's lists
        [1, 128, 400, 128, 1, 0.1], // the same with B's lists
        [1, 20, 300, 300, 1, 0.1], // B shared, columns split (chunks start past column 0); B's lists
        [1, 20, 300, 300, 0.2, 0.2], // the same, both lists
        [1, 2048, 16, 64, 0.3, 0.3], // each chunk packs B itself, rows split
        [1, 16, 64, 2100, 1, 0.1], // each chunk packs A itself, columns split, over two NC blocks
        [3, 40, 150, 120, 0.3, 0.3], // batches split
        [1, 130, 1, 260, 0.5, 0.5], // k = 1
        [1, 64, 96, 64, 0.9, 0.9], // too dense for lists: the dense loop
      ];
      const before = wasmInfo()?.workerChunks ?? 0;
      for (const [batch, m, k, n, densityA, densityB] of cases) {
        const s = spec(m, k, n, transA, transB, false, batch);
        const r = rng(m * 1000 + k);
        // Nonzero entries in −3..3 without 0, so a density of 1 is dense.
        const sparseInts = (len: number, density: number): Float32Array =>
          Float32Array.from({ length: len }, () => (r() < density ? (r() < 0.5 ? -1 : 1) * (1 + Math.floor(r() * 3)) : 0));
        const a = sparseInts(batch * m * k, densityA);
        const b = sparseInts(batch * k * n, densityB);
        // Sparse operands also get whole zero steps, where the lists skip most.
        for (let bt = 0; bt < batch; bt++) {
          if (densityB < 1) for (let p = 0; p < k; p += 5) for (let j = 0; j < n; j++) b[bt * k * n + bIndex(s, p, j)] = 0;
          if (densityA < 1) for (let p = 1; p < k; p += 4) for (let i = 0; i < m; i++) a[bt * m * k + aIndex(s, i, p)] = 0;
        }
        const { c } = referenceProduct(a, b, s);
        const label = JSON.stringify([batch, m, k, n]);
        const one = product(a, b, s, 1);
        for (let i = 0; i < c.length; i++) if (one[i] !== c[i]) expect.fail(`${label} element ${i}: ${one[i]}, exact ${c[i]}`);
        expect(sameBits(product(a, b, s, 2), one), label).toBe(true);
        // Accumulating adds the same product to C's contents.
        const init = uniform(c.length, 5).map((v) => Math.round(v * 100));
        const acc = product(a, b, { ...s, accumulate: true }, 2, init);
        for (let i = 0; i < c.length; i++) if (acc[i] !== init[i] + c[i]) expect.fail(`${label} accumulate, element ${i}: ${acc[i]}, exact ${init[i] + c[i]}`);
      }
      expect(wasmInfo()?.workerChunks ?? 0, 'a worker took part').toBeGreaterThan(before);
    });

    it('sums that round to −0 (products below 2⁻¹⁴⁹) store +0 whatever is skipped: the bits do not depend on the threads', () => {
      // Row 5 of A: one tiny value; B: one tiny row. With FMA, −10⁻²³·10⁻²³ on a +0 sum rounds
      // to −0; whether a later zero step is skipped (here it depends on the chunk: a NaN
      // in row 40 stops B's lists for the whole 64-row block on one thread) must not show.
      const [m, k, n] = [128, 300, 130];
      const s = spec(m, k, n);
      const a = Float32Array.from({ length: m * k }, (_, i) => 0.5 + (i % 7) * 0.125);
      for (let p = 1; p < k; p++) a[5 * k + p] = 0;
      a[5 * k] = -1e-23;
      a[40 * k + 1] = NaN;
      const b = new Float32Array(k * n);
      for (let j = 0; j < n; j++) b[j] = 1e-23;
      const one = product(a, b, s, 1);
      const two = product(a, b, s, 2);
      expect(Object.is(one[5 * n], 0) && Object.is(two[5 * n], 0)).toBe(true);
      expect(sameBits(one, two)).toBe(true);
      expect(Number.isNaN(one[40 * n])).toBe(true);
    });

    it.each([1, 2])('a zero step meeting ±∞ or NaN in the other operand still gives NaN (%i threads)', (threads) => {
      const [m, k, n] = [128, 300, 130];
      const s = spec(m, k, n);
      const a = uniform(m * k, 1);
      const b = uniform(k * n, 2);
      // Half of A's steps and a third of B's are all zero: enough for both operands' lists.
      for (let p = 0; p < k; p++) {
        if (p % 2 === 0) for (let i = 0; i < m; i++) a[aIndex(s, i, p)] = 0;
        if (p % 3 === 0) for (let j = 0; j < n; j++) b[bIndex(s, p, j)] = 0;
      }
      b[bIndex(s, 8, 20)] = Infinity; // step 8, all zero in A, meets ∞ in column 20
      b[bIndex(s, 10, 90)] = -Infinity; // step 10 meets −∞ in column 90
      a[aIndex(s, 40, 9)] = NaN; // step 9, all zero in B, meets NaN in row 40
      const out = product(a, b, s, threads);
      const viaJs = new Float32Array(m * n);
      jsBackend.matmul(a, b, viaJs, s);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const nan = i === 40 || j === 20 || j === 90;
          expect(Number.isNaN(out[i * n + j]), `element (${i}, ${j})`).toBe(nan);
          expect(Number.isNaN(viaJs[i * n + j])).toBe(nan);
        }
      }
    });

    it('an all-zero A or B gives +0 everywhere, and accumulating adds +0 (−0 becomes +0, as a dense sum does)', () => {
      const [m, k, n] = [64, 200, 48];
      const s = spec(m, k, n);
      for (const threads of [1, 2]) {
        const zeroA = product(new Float32Array(m * k), uniform(k * n, 3), s, threads);
        const zeroB = product(uniform(m * k, 4), new Float32Array(k * n), s, threads);
        for (const out of [zeroA, zeroB]) expect(out.every((v) => Object.is(v, 0))).toBe(true);
        const init = new Float32Array(m * n).fill(-0);
        init[5] = 2.5;
        const acc = product(new Float32Array(m * k), uniform(k * n, 3), { ...s, accumulate: true }, threads, init);
        expect(Object.is(acc[0], 0) && acc[5] === 2.5).toBe(true);
      }
    });
  });
}
