import { beforeAll, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { jsBackend } from '../../src/backend/js/index.js';
import { gemmKernelCeiling, setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { splitRange } from '../../src/backend/wasm/runtime.js';
import { expectClose } from '../helpers.js';
import { loadWasm, referenceProduct, uniform, type ProductSpec } from './setup.js';

beforeAll(loadWasm);

const workerChunks = (): number => wasmInfo()?.workerChunks ?? 0;

function spec(batch: number, m: number, k: number, n: number, transA = false, transB = false, shareA = false, shareB = false): ProductSpec {
  return { batch, m, k, n, transA, transB, aBatchStride: shareA ? 0 : m * k, bBatchStride: shareB ? 0 : k * n };
}

function operands(s: ProductSpec, seed: number): [Float32Array, Float32Array] {
  const aLen = (s.aBatchStride === 0 ? 1 : s.batch) * s.m * s.k;
  const bLen = (s.bBatchStride === 0 ? 1 : s.batch) * s.k * s.n;
  return [uniform(aLen, seed), uniform(bLen, seed + 1)];
}

/**
 * The wasm product agrees with the js kernel and with a float64 reference within 1e-5 of
 * Σ|a·b| per element: the relative error measure of a float32 dot product.
 */
function checkProduct(s: ProductSpec, seed: number): Float32Array {
  const [a, b] = operands(s, seed);
  const viaWasm = new Float32Array(s.batch * s.m * s.n).fill(NaN);
  const viaJs = new Float32Array(s.batch * s.m * s.n);
  wasmBackend.matmul(a, b, viaWasm, s);
  jsBackend.matmul(a, b, viaJs, s);
  const { c, scale } = referenceProduct(a, b, s);
  for (let i = 0; i < c.length; i++) {
    const bound = 1e-5 * scale[i] + 1e-30;
    if (!(Math.abs(viaWasm[i] - viaJs[i]) <= bound) || !(Math.abs(viaWasm[i] - c[i]) <= bound)) {
      expect.fail(`${JSON.stringify(s)} element ${i}: wasm ${viaWasm[i]}, js ${viaJs[i]}, float64 ${c[i]} (bound ${bound})`);
    }
  }
  return viaWasm;
}

describe('wasm matmul against js', () => {
  const flags: [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

  it.each(flags)('edge sizes around the 2×16 tile and the blocks (transA %s, transB %s)', (transA, transB) => {
    const sizes: [number, number, number][] = [
      [1, 1, 1], [1, 1, 4096], [1, 4096, 1], [4096, 1, 1], [2, 16, 16], [3, 17, 15], [33, 1, 31],
      [65, 257, 33], [64, 256, 1024], [67, 513, 35], [1, 700, 9], [130, 3, 1030],
    ];
    sizes.forEach(([m, k, n], i) => checkProduct(spec(1, m, k, n, transA, transB), 100 + i));
  });

  it('random shapes', () => {
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    for (let t = 0; t < 24; t++) {
      const m = 1 + (next() % 90);
      const k = 1 + (next() % 300);
      const n = 1 + (next() % 90);
      checkProduct(spec(1, m, k, n, next() % 2 === 1, next() % 2 === 1), 1000 + t);
    }
  });

  it('batched, with either operand shared across the batch (stride 0)', () => {
    checkProduct(spec(3, 20, 30, 40), 1);
    checkProduct(spec(4, 33, 17, 19, true, false), 2);
    checkProduct(spec(5, 9, 70, 18, false, true, false, true), 3); // one B for every batch
    checkProduct(spec(5, 9, 70, 18, false, false, false, true), 4); // folded into one taller product
    checkProduct(spec(3, 21, 40, 50, true, true, true, false), 5); // one A for every batch
    checkProduct(spec(6, 1, 1, 1), 6);
  });

  it('k = 0 gives zeros, and empty outputs are fine', () => {
    const out = new Float32Array(6).fill(7);
    wasmBackend.matmul(new Float32Array(0), new Float32Array(0), out, spec(1, 2, 0, 3));
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = new Float32Array(0);
    wasmBackend.matmul(new Float32Array(0), new Float32Array(12), empty, spec(1, 0, 3, 4));
    expect(empty.length).toBe(0);
  });

  it('a hand-computed product, and inf/NaN handled like the js kernel', () => {
    // Large enough (k = 4096) to run in wasm rather than fall back to js.
    const k = 4096;
    const a = new Float32Array(2 * k);
    const b = new Float32Array(k * 2);
    a[0] = 1; a[1] = 2; a[k] = 3; a[k + 1] = 4; // A = [[1,2,0…],[3,4,0…]]
    b[0] = 5; b[1] = 6; b[2] = 7; b[3] = 8; // B = [[5,6],[7,8],0…]
    const out = new Float32Array(4);
    wasmBackend.matmul(a, b, out, spec(1, 2, k, 2));
    expect(Array.from(out)).toEqual([19, 22, 43, 50]);
    a[5] = Infinity; // row 0 meets B row 5, which is zero: inf·0 = NaN
    b[2 * 7 + 1] = NaN; // column 1 meets A[:, 7] (zero): NaN
    const viaJs = new Float32Array(4);
    wasmBackend.matmul(a, b, out, spec(1, 2, k, 2));
    jsBackend.matmul(a, b, viaJs, spec(1, 2, k, 2));
    expectClose(out, viaJs);
    expect(Number.isNaN(out[0]) && Number.isNaN(out[1]) && out[2] === 43 && Number.isNaN(out[3])).toBe(true);
  });

  it('float64 and int32 operands go to the js kernel unchanged', () => {
    const a = new Float64Array([1, 2, 3, 4]);
    const b = new Float64Array([0.1, 0.2, 0.3, 0.4]);
    const out = new Float64Array(4);
    wasmBackend.matmul(a, b, out, spec(1, 2, 2, 2));
    expect(Array.from(out)).toEqual([1 * 0.1 + 2 * 0.3, 1 * 0.2 + 2 * 0.4, 3 * 0.1 + 4 * 0.3, 3 * 0.2 + 4 * 0.4]);
  });
});

describe('wasm matmul threads', () => {
  it('splits work on tile multiples and covers every index once', () => {
    expect(splitRange(100, 2, 16)).toEqual([[0, 48], [48, 100]]);
    expect(splitRange(5, 4, 2)).toEqual([[0, 2], [2, 4], [4, 5]]);
    expect(splitRange(7, 3, 1)).toEqual([[0, 2], [2, 4], [4, 7]]);
  });

  it('gives bit-identical results with 1 and 2 threads', async () => {
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    const cases = [
      spec(1, 300, 200, 40), // B packed once and shared, rows split
      spec(1, 2048, 16, 64), // tall and thin: each chunk packs all of B itself, rows split
      spec(1, 20, 300, 500, true, true), // columns split
      spec(4, 64, 96, 80, false, true), // batches split
      spec(3, 150, 70, 130, true, false, true, false), // 3 batches on 2 threads, shared A: rows split
      spec(1, 8, 25, 8195), // each chunk packs all of A (200 floats) itself, columns split
      spec(1, 128, 784, 128, false, true), // the MLP's layer: Bᵀ packed 4×4 at a time, rows split
      spec(1, 130, 131, 77, true, false), // odd edges everywhere, transposed A
    ];
    for (const [i, s] of cases.entries()) {
      setNumThreads(1);
      const one = checkProduct(s, 50 + i);
      setNumThreads(2);
      // Several runs, at least one with a worker taking part (on a busy machine the caller
      // may claim every chunk itself).
      for (let attempt = 0, before = workerChunks(); attempt < 5 || workerChunks() === before; attempt++) {
        expect(attempt, 'a worker took part').toBeLessThan(100);
        const two = checkProduct(s, 50 + i);
        expect(Buffer.from(two.buffer).equals(Buffer.from(one.buffer)), JSON.stringify(s)).toBe(true);
      }
    }
  });

  it('random products above the threading threshold: 2 threads give 1 thread\'s bits', async () => {
    setNumThreads(2);
    await startWasmThreads();
    let seed = 99;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const before = workerChunks();
    for (let t = 0; t < 40; t++) {
      const s = spec(1 + (next() % 3), 60 + (next() % 200), 60 + (next() % 200), 60 + (next() % 200), next() % 2 === 1, next() % 2 === 1);
      const [a, b] = operands(s, 300 + t);
      const results = [1, 2, 2, 2].map((threads) => {
        setNumThreads(threads);
        const out = new Float32Array(s.batch * s.m * s.n);
        wasmBackend.matmul(a, b, out, s);
        return Buffer.from(out.buffer);
      });
      results.forEach((r, i) => expect(r.equals(results[0]), `${JSON.stringify(s)}, run ${i}`).toBe(true));
    }
    expect(workerChunks()).toBeGreaterThan(before);
  });
});

describe('GEMM compute ceiling (for benchmarks)', () => {
  it('runs the micro-kernel on one thread and on two, and checks its thread count', async () => {
    setNumThreads(2);
    await startWasmThreads();
    const before = workerChunks();
    const one = gemmKernelCeiling(1, 1, 5)!;
    expect(workerChunks()).toBe(before);
    // Two threads: the worker runs chunks too (on a busy machine the caller may take them all
    // in one round, so a few rounds).
    let two = 0;
    for (let attempt = 0; attempt < 20 && workerChunks() === before; attempt++) two = gemmKernelCeiling(2, 3, 5)!;
    expect(workerChunks()).toBeGreaterThan(before);
    for (const gflops of [one, two]) {
      expect(Number.isFinite(gflops)).toBe(true);
      expect(gflops).toBeGreaterThan(0.5);
    }
    // However many threads, a round fits in the pool's chunk limit (256): chunks get longer.
    expect(Number.isFinite(gemmKernelCeiling(2, 1, 260)!)).toBe(true);
    expect(() => gemmKernelCeiling(0)).toThrow(/gemmKernelCeiling: expected an integer ≥ 1 threads, got 0/);
    expect(() => gemmKernelCeiling(1, 0)).toThrow(/expected an integer ≥ 1 rounds, got 0/);
    // The kernels still compute correctly after it (it used the scratch arena, nothing else).
    checkProduct(spec(1, 64, 48, 40), 7);
  });
});

describe('matmul op on the wasm backend', () => {
  it('nb.matmul (batched broadcast, vectors) matches a float64 reference', () => {
    nb.setBackend('wasm');
    try {
      const a = nb.tensor(uniform(2 * 3 * 40 * 50, 9), { shape: [2, 3, 40, 50] });
      const b = nb.tensor(uniform(50 * 60, 10), { shape: [50, 60] });
      const y = a.matmul(b);
      expect(y.shape).toEqual([2, 3, 40, 60]);
      const { c } = referenceProduct(a.dataSync() as Float32Array, b.dataSync() as Float32Array, spec(1, 240, 50, 60, false, false, false, true));
      expectClose(y, c, { atol: 1e-5, rtol: 1e-5 });
      const v = nb.tensor(uniform(50, 11));
      const yv = a.matmul(v);
      expect(yv.shape).toEqual([2, 3, 40]);
      const ref = referenceProduct(a.dataSync() as Float32Array, v.dataSync() as Float32Array, spec(1, 240, 50, 1));
      expectClose(yv, ref.c, { atol: 1e-5, rtol: 1e-5 });
    } finally {
      nb.setBackend('js');
    }
  });

  it('gradients through matmul agree with the js backend', () => {
    const run = (backend: string): [Float32Array, Float32Array] => {
      nb.setBackend(backend);
      const w = nb.tensor(uniform(30 * 40, 12), { shape: [30, 40], requiresGrad: true });
      const x = nb.tensor(uniform(64 * 40, 13), { shape: [64, 40], requiresGrad: true });
      x.matmul(w.transpose()).tanh().sum().backward();
      return [w.grad!.dataSync() as Float32Array, x.grad!.dataSync() as Float32Array];
    };
    try {
      const [gwJs, gxJs] = run('js');
      const [gwWasm, gxWasm] = run('wasm');
      expectClose(gwWasm, gwJs, { atol: 1e-5, rtol: 1e-5 });
      expectClose(gxWasm, gxJs, { atol: 1e-5, rtol: 1e-5 });
    } finally {
      nb.setBackend('js');
    }
  });
});
