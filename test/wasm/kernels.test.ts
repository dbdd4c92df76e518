import { beforeAll, describe, expect, it, vi } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import type { BinaryOp, UnaryOp } from '../../src/backend/types.js';
import { setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { collapseAxes } from '../../src/backend/wasm/elementwise.js';
import { reductionView } from '../../src/backend/wasm/reduce.js';
import { loadWasm, uniform, ulps } from './setup.js';

beforeAll(loadWasm);

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Values that exercise every branch: signed zeros, infinities, NaN, subnormals, ties, range ends. */
const SPECIAL = [
  0, -0, 1, -1, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1.17e-38, 88.7, 89, 100, -87.3, -103, -104, -200,
  0.5, -0.5, 1.5, 2.5, -2.5, 0.625, -0.625, 0.6249, 3.4e38, -3.4e38, 1e-30, 1e-8, -1e-8, 9, -9, 20, -20,
];

/** SPECIAL followed by n random values in [−30, 30] (positive and spread out for log/sqrt). */
function unaryInput(op: UnaryOp, n: number): Float32Array {
  const x = uniform(n, 3, -30, 30);
  if (op === 'log' || op === 'sqrt') for (let i = 0; i < n; i++) x[i] = Math.abs(x[i]) * (i % 3 === 0 ? 1e-3 : 1);
  x.set(SPECIAL);
  return x;
}

/** Exact IEEE operations must match the js kernel bit for bit; the rest within 2 ulp. */
const EXACT: UnaryOp[] = ['neg', 'abs', 'sqrt', 'relu', 'sign', 'floor', 'ceil', 'round', 'reciprocal', 'square'];
const APPROXIMATE: UnaryOp[] = ['exp', 'log', 'tanh', 'sigmoid'];

describe('wasm unary kernels against js', () => {
  it.each(EXACT)('%s is bit-identical', (op) => {
    const x = unaryInput(op, 5003);
    const viaWasm = new Float32Array(x.length);
    const viaJs = new Float32Array(x.length);
    wasmBackend.unary(op, x, viaWasm);
    jsBackend.unary(op, x, viaJs);
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(viaWasm[i], viaJs[i])) expect.fail(`${op}(${x[i]}): wasm ${viaWasm[i]}, js ${viaJs[i]}`);
    }
  });

  it.each(APPROXIMATE)('%s is within 2 ulp, special values exact', (op) => {
    const x = unaryInput(op, 5003);
    const viaWasm = new Float32Array(x.length);
    const viaJs = new Float32Array(x.length);
    wasmBackend.unary(op, x, viaWasm);
    jsBackend.unary(op, x, viaJs);
    for (let i = 0; i < x.length; i++) {
      const [w, j] = [viaWasm[i], viaJs[i]];
      const special = !Number.isFinite(j) || j === 0 || i < SPECIAL.length && [0, 1, -1, 0.5].includes(j);
      const ok = Number.isNaN(j) ? Number.isNaN(w) : special ? Object.is(w, j) : ulps(w, j) <= 2;
      if (!ok) expect.fail(`${op}(${x[i]}): wasm ${w}, js ${j} (${ulps(w, j)} ulp)`);
    }
    // Values from the definitions at 0 and ±1 (1024 copies: large enough to run in wasm).
    const probe = new Float32Array(1024).map((_, i) => [0, 1, -1, -0][i % 4]);
    const out = new Float32Array(1024);
    wasmBackend.unary(op, probe, out);
    const e = Math.E;
    const expected = {
      exp: [1, e, 1 / e, 1], log: [-Infinity, 0, NaN, -Infinity],
      tanh: [0, (e * e - 1) / (e * e + 1), -(e * e - 1) / (e * e + 1), -0], sigmoid: [0.5, e / (e + 1), 1 / (e + 1), 0.5],
    }[op as 'exp' | 'log' | 'tanh' | 'sigmoid'];
    expected.forEach((v, i) => {
      if (Number.isFinite(v) && v !== 0) expect(ulps(out[i], v), `${op}(${probe[i]})`).toBeLessThanOrEqual(1);
      else expect(Object.is(out[i], v) || (Number.isNaN(v) && Number.isNaN(out[i])), `${op}(${probe[i]}) = ${out[i]}`).toBe(true);
    });
  });

  it('ops without a wasm version (sin, cos, log1p, expm1) and int32 arrays use js', () => {
    const x = uniform(1000, 4, -3, 3);
    for (const op of ['sin', 'cos', 'log1p', 'expm1'] as UnaryOp[]) {
      const a = new Float32Array(x.length);
      const b = new Float32Array(x.length);
      wasmBackend.unary(op, x, a);
      jsBackend.unary(op, x, b);
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    const xi = new Int32Array(1000).map((_, i) => i - 500);
    const yi = new Int32Array(1000);
    wasmBackend.unary('abs', xi, yi);
    expect(yi[0]).toBe(500);
    expect(yi[999]).toBe(499);
  });

  it('small arrays stay exact too (js path)', () => {
    const y = new Float32Array(3);
    wasmBackend.unary('exp', new Float32Array([0, 1, -1]), y);
    expect(Array.from(y)).toEqual([1, Math.fround(Math.E), Math.fround(1 / Math.E)]);
  });
});

const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'reluGrad'];

/** [aShape, bShape] pairs: same shape, scalars, rows, columns, channels, two-sided broadcasts. */
const BROADCASTS: [number[], number[]][] = [
  [[300, 7], [300, 7]], [[300, 7], [7]], [[300, 7], [300, 1]], [[300, 7], []], [[], [300, 7]],
  [[4, 3, 50, 5], [3, 1, 1]], [[4, 1, 50], [4, 3, 1]], [[2, 3, 4, 5, 6], [3, 1, 5, 1]], [[1, 2003], [2003]],
];

function broadcastShape(a: number[], b: number[]): number[] {
  const nd = Math.max(a.length, b.length);
  return Array.from({ length: nd }, (_, i) => Math.max(a[a.length - nd + i] ?? 1, b[b.length - nd + i] ?? 1));
}

describe('wasm fill', () => {
  it('zeroes a resident array in wasm memory (not through TypedArray.fill), and fills anything else like js', () => {
    const fill = wasmBackend.fill!;
    const typedFill = vi.spyOn(Object.getPrototypeOf(Float32Array.prototype) as { fill: () => unknown }, 'fill');
    try {
      const resident = (n: number): Float32Array => wasmBackend.residentArray!('float32', n) as Float32Array;
      // Blocks allocated around the one zeroed (usually its neighbours) keep their values.
      const [first, r, after] = [resident(16), resident(1001), resident(16)];
      for (const t of [first, r, after]) t.set(uniform(t.length, 4, 1, 2));
      r[0] = -0;
      r[1000] = NaN;
      const before = [first.slice(), after.slice()];
      typedFill.mockClear();
      fill(r, 0);
      expect(typedFill).not.toHaveBeenCalled(); // wasm's memory.fill did it
      expect(r.every((x) => Object.is(x, 0))).toBe(true);
      expect([first, after]).toEqual(before);
      // Not resident, or not zero: TypedArray.fill (−0 stays −0; any value).
      const plain = uniform(300, 5, -1, 1);
      fill(plain, 0);
      expect(plain.every((x) => Object.is(x, 0))).toBe(true);
      expect(typedFill).toHaveBeenCalledTimes(1);
      for (const value of [-0, 2.5, NaN]) {
        fill(r, value);
        expect(r.every((x) => Object.is(x, Math.fround(value)))).toBe(true);
      }
      const ints = new Int32Array(5);
      fill(ints, 7);
      expect([...ints]).toEqual([7, 7, 7, 7, 7]);
    } finally {
      typedFill.mockRestore();
    }
  });
});

describe('wasm binary kernels against js', () => {
  it.each(BROADCASTS)('%j with %j: every op bit-identical, NaN and −0 included', (aShape, bShape) => {
    const outShape = broadcastShape(aShape, bShape);
    // Halves: many exact ties for the comparisons and min/max.
    const a = uniform(size(aShape), 5, -4, 4).map((v) => Math.round(v * 2) / 2);
    const b = uniform(size(bShape), 6, -4, 4).map((v) => Math.round(v * 2) / 2);
    a[0] = NaN;
    b[b.length > 1 ? 1 : 0] = NaN;
    if (a.length > 3) a[2] = -0;
    if (a.length > 3) a[3] = Infinity;
    for (const op of BINARY) {
      const viaWasm = new Float32Array(size(outShape)).fill(42);
      const viaJs = new Float32Array(size(outShape));
      wasmBackend.binary(op, a, aShape, b, bShape, viaWasm, outShape);
      jsBackend.binary(op, a, aShape, b, bShape, viaJs, outShape);
      for (let i = 0; i < viaJs.length; i++) {
        if (!Object.is(viaWasm[i], viaJs[i])) expect.fail(`${op} element ${i}: wasm ${viaWasm[i]}, js ${viaJs[i]}`);
      }
    }
  });

  it('writes in place when out is an operand (clamp does)', () => {
    const x = uniform(1000, 7, -2, 2);
    const expected = x.map((v) => Math.max(v, 0.5));
    wasmBackend.binary('maximum', x, [1000], new Float32Array([0.5]), [], x, [1000]);
    expect(Array.from(x)).toEqual(Array.from(expected));
  });

  it('collapses broadcast axes to at most two outer axes and a run', () => {
    expect(collapseAxes([300, 7], [7], [300, 7])).toEqual([{ size: 300, a: 7, b: 0 }, { size: 7, a: 1, b: 1 }]);
    expect(collapseAxes([2, 3, 4], [2, 3, 4], [2, 3, 4])).toEqual([{ size: 24, a: 1, b: 1 }]);
    expect(collapseAxes([4, 3, 50, 5], [3, 1, 1], [4, 3, 50, 5])).toEqual([
      { size: 4, a: 750, b: 0 }, { size: 3, a: 250, b: 1 }, { size: 250, a: 1, b: 0 },
    ]);
  });
});

describe('wasm reductions and softmax against js', () => {
  const REDUCTIONS: [number[], number[]][] = [
    [[300, 70], [1]], [[300, 70], [0]], [[300, 70], [0, 1]], [[4, 30, 5, 7], [1, 2]], [[4, 30, 5, 7], [1]],
    [[6, 1, 50, 3], [0]], [[1, 3000], [1]], [[3000, 1], [0]], [[5, 400, 3], [1]], [[2, 300, 9], [1, 2]],
  ];

  it.each(REDUCTIONS)('sum, max, min of %j over %j', (shape, axes) => {
    const x = uniform(size(shape), 8);
    const outSize = size(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    // |x| summed over each output's inputs bounds the rounding error of a float32 sum.
    const absSum = new Float32Array(outSize);
    jsBackend.reduce('sum', x.map(Math.abs), shape, axes, absSum);
    for (const op of ['sum', 'max', 'min'] as const) {
      const viaWasm = new Float32Array(outSize);
      const viaJs = new Float32Array(outSize);
      wasmBackend.reduce(op, x, shape, axes, viaWasm);
      jsBackend.reduce(op, x, shape, axes, viaJs);
      for (let i = 0; i < outSize; i++) {
        const ok = op === 'sum' ? Math.abs(viaWasm[i] - viaJs[i]) <= 1e-6 * absSum[i] : viaWasm[i] === viaJs[i];
        if (!ok) expect.fail(`${op} element ${i}: wasm ${viaWasm[i]}, js ${viaJs[i]}`);
      }
    }
  });

  it('max and min propagate NaN like js; empty-free edge cases', () => {
    const x = uniform(2000, 9);
    x[1234] = NaN;
    const out = new Float32Array(2);
    wasmBackend.reduce('max', x, [2, 1000], [1], out);
    expect(out[0]).toBe(Math.max(...x.subarray(0, 1000)));
    expect(Number.isNaN(out[1])).toBe(true);
    const sum = new Float32Array(1);
    wasmBackend.reduce('sum', new Float32Array(4096).fill(0.25), [4096], [0], sum);
    expect(sum[0]).toBe(1024);
  });

  it('a reduction over separate axis runs and prod fall back to js', () => {
    expect(reductionView([4, 3, 5], [0, 2])).toBeNull();
    expect(reductionView([4, 1, 3, 5], [0, 1])).toEqual([1, 4, 15]);
    const x = uniform(600, 10);
    const viaWasm = new Float32Array(3);
    const viaJs = new Float32Array(3);
    wasmBackend.reduce('sum', x, [4, 3, 50], [0, 2], viaWasm);
    jsBackend.reduce('sum', x, [4, 3, 50], [0, 2], viaJs);
    expect(Array.from(viaWasm)).toEqual(Array.from(viaJs));
  });

  const SOFTMAX: [number[], number][] = [
    [[300, 70], 1], [[300, 70], 0], [[4, 30, 5, 7], 1], [[4, 30, 5, 7], 3], [[1, 3000], 1], [[7, 3, 1001], 1], [[64, 10], 1],
  ];

  // Probabilities within 4 ulp; log-probabilities within 4 ulp or, near 0 (where x ≈ logsumexp
  // cancels), within one float32 ulp of the logit's magnitude.
  it.each(SOFTMAX)('softmax and log-softmax of %j along %i', (shape, axis) => {
    const x = uniform(size(shape), 11, -20, 20);
    x[5] = -Infinity; // a zero probability
    x[17] = NaN; // a NaN row/column
    for (const log of [false, true]) {
      const viaWasm = new Float32Array(x.length);
      const viaJs = new Float32Array(x.length);
      wasmBackend.softmax(x, shape, axis, log, viaWasm);
      jsBackend.softmax(x, shape, axis, log, viaJs);
      for (let i = 0; i < x.length; i++) {
        const [w, j] = [viaWasm[i], viaJs[i]];
        const close = ulps(w, j) <= 4 || (log && Math.abs(w - j) <= 2 ** -23 * Math.max(1, Math.abs(x[i])));
        const exact = !Number.isFinite(j) || (j === 0 && !log);
        const ok = Number.isNaN(j) ? Number.isNaN(w) : exact ? Object.is(w, j) : close;
        if (!ok) expect.fail(`log=${log} element ${i}: wasm ${w}, js ${j}`);
      }
    }
  });

  it('rows of equal logits give exactly uniform probabilities', () => {
    const y = new Float32Array(4 * 256);
    wasmBackend.softmax(new Float32Array(4 * 256).fill(3), [4, 256], 1, false, y);
    expect(y.every((v) => v === 1 / 256)).toBe(true);
  });
});

describe('elementwise kernels with threads', () => {
  it('give the same bits on 1 and 2 threads', async () => {
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    const n = 1 << 20; // above the threading threshold of every kernel here
    const x = uniform(n, 12, -5, 5);
    const run = (threads: number): Float32Array[] => {
      setNumThreads(threads);
      const outs = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(512)];
      wasmBackend.unary('tanh', x, outs[0]);
      wasmBackend.softmax(x, [2048, 512], 1, true, outs[1]);
      wasmBackend.binary('mul', x, [2048, 512], x.subarray(0, 512), [512], outs[2], [2048, 512]);
      wasmBackend.reduce('sum', x, [2048, 512], [0], outs[3]);
      return outs;
    };
    const one = run(1);
    // Until a worker has taken a chunk (on a busy machine the caller may run them all).
    for (let attempt = 0, before = wasmInfo()?.workerChunks ?? 0; (wasmInfo()?.workerChunks ?? 0) === before; attempt++) {
      expect(attempt, 'a worker took part').toBeLessThan(100);
      const two = run(2);
      two.forEach((t, i) => expect(Buffer.from(t.buffer).equals(Buffer.from(one[i].buffer)), `output ${i}`).toBe(true));
    }
  });
});
