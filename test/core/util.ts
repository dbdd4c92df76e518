/**
 * Test helpers for the core suite: a plain-JS n-d array (`Ref`) that the tests compute
 * expected values with, independently of nabla's kernels, and `checkOp`, which checks one
 * op's forward against such a reference and its gradient by finite differences in one call
 * (the shape of tinygrad's helper_test_op).
 */
import { expect } from 'vitest';
import * as nb from 'nabla';
import { expectClose } from '../helpers.js';

export type Nested = number | Nested[];

/** A dense row-major array of JS doubles: the reference side of every comparison. */
export interface Ref {
  shape: number[];
  data: number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Flat index → multi-index. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

/** Nested arrays (or a tensor) as a Ref. */
export function ref(x: Nested | nb.Tensor): Ref {
  if (x instanceof nb.Tensor) return { shape: [...x.shape], data: Array.from(x.dataSync()) };
  const shape: number[] = [];
  for (let v: Nested = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const data: number[] = [];
  const walk = (v: Nested): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else data.push(v);
  };
  walk(x);
  return { shape, data };
}

/** A Ref back to nested arrays (a number for a 0-D Ref). */
export function toNested(r: Ref): Nested {
  const build = (dim: number, offset: number): Nested => {
    if (dim === r.shape.length) return r.data[offset];
    const stride = sizeOf(r.shape.slice(dim + 1));
    return Array.from({ length: r.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/** Elementwise f over any number of Refs with numpy broadcasting, index by index. */
export function refBroadcast(f: (...v: number[]) => number, ...xs: Ref[]): Ref {
  const nd = Math.max(...xs.map((x) => x.shape.length));
  const shape = Array.from({ length: nd }, (_, i) => {
    const dims = xs.map((x) => x.shape[i - (nd - x.shape.length)] ?? 1);
    const big = Math.max(...dims);
    if (dims.some((d) => d !== 1 && d !== big)) throw new Error(`refBroadcast: shapes do not broadcast`);
    return dims.includes(0) ? 0 : big;
  });
  const data: number[] = [];
  for (let flat = 0; flat < sizeOf(shape); flat++) {
    const idx = unravel(flat, shape);
    const args = xs.map((x) => {
      const lead = nd - x.shape.length;
      const st = stridesOf(x.shape);
      let off = 0;
      for (let i = 0; i < x.shape.length; i++) off += (x.shape[i] === 1 ? 0 : idx[i + lead]) * st[i];
      return x.data[off];
    });
    data.push(f(...args));
  }
  return { shape, data };
}

/** f applied to every element. */
export function refMap(x: Ref, f: (v: number) => number): Ref {
  return { shape: [...x.shape], data: x.data.map(f) };
}

/** Reduces the listed axes (all when undefined) with f over each slice's values. */
export function refReduce(x: Ref, axes: number | number[] | undefined, keepdims: boolean, f: (vals: number[]) => number): Ref {
  const nd = x.shape.length;
  const list = axes === undefined ? x.shape.map((_, i) => i) : (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + nd : a));
  const keepShape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const groups: number[][] = Array.from({ length: sizeOf(keepShape) }, () => []);
  const kst = stridesOf(keepShape);
  for (let flat = 0; flat < x.data.length; flat++) {
    const idx = unravel(flat, x.shape);
    let o = 0;
    for (let i = 0; i < nd; i++) if (!list.includes(i)) o += idx[i] * kst[i];
    groups[o].push(x.data[flat]);
  }
  const shape = keepdims ? keepShape : x.shape.filter((_, i) => !list.includes(i));
  return { shape, data: groups.map(f) };
}

/** Output axis i is input axis perm[i]. */
export function refPermute(x: Ref, perm: number[]): Ref {
  const shape = perm.map((p) => x.shape[p]);
  const st = stridesOf(x.shape);
  const data: number[] = [];
  for (let flat = 0; flat < sizeOf(shape); flat++) {
    const idx = unravel(flat, shape);
    let off = 0;
    perm.forEach((p, i) => (off += idx[i] * st[p]));
    data.push(x.data[off]);
  }
  return { shape, data };
}

/**
 * numpy's matmul by the naive triple loop: 1-D operands become a row (left) or a column
 * (right) and lose that axis again; batch axes broadcast.
 */
export function refMatmul(a: Ref, b: Ref): Ref {
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  const as = aVec ? [1, a.shape[0]] : a.shape;
  const bs = bVec ? [b.shape[0], 1] : b.shape;
  const [m, k] = as.slice(-2);
  const [k2, n] = bs.slice(-2);
  if (k !== k2) throw new Error('refMatmul: not aligned');
  const batchA = as.slice(0, -2);
  const batchB = bs.slice(0, -2);
  const nb_ = Math.max(batchA.length, batchB.length);
  const batch = Array.from({ length: nb_ }, (_, i) => {
    const da = batchA[i - (nb_ - batchA.length)] ?? 1;
    const db = batchB[i - (nb_ - batchB.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error('refMatmul: batch shapes do not broadcast');
    return da === 1 ? db : da;
  });
  const offsetOf = (bshape: number[], idx: number[], matSize: number): number => {
    const lead = nb_ - bshape.length;
    const st = stridesOf(bshape);
    let off = 0;
    for (let i = 0; i < bshape.length; i++) off += (bshape[i] === 1 ? 0 : idx[i + lead]) * st[i];
    return off * matSize;
  };
  const data: number[] = [];
  for (let bt = 0; bt < sizeOf(batch); bt++) {
    const idx = unravel(bt, batch);
    const ao = offsetOf(batchA, idx, m * k);
    const bo = offsetOf(batchB, idx, k * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[ao + i * k + p] * b.data[bo + p * n + j];
        data.push(s);
      }
    }
  }
  const shape = [...batch, ...(aVec ? [] : [m]), ...(bVec ? [] : [n])];
  return { shape, data };
}

/**
 * Deterministic values in [low, high) from a small generator of the test's own (mulberry32),
 * so expected values never depend on nabla's RNG.
 */
export function values(shape: number[], seed: number, low = -1, high = 1): Nested {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const data = Array.from({ length: sizeOf(shape) }, () => low + (high - low) * next());
  return toNested({ shape, data });
}

/** Values whose distance from every integer is at least 0.1 (for floor/ceil/round/relu/abs). */
export function offGrid(shape: number[], seed: number, span = 3): Nested {
  return toNested(refMap(ref(values(shape, seed, -span, span)), (v) => {
    const frac = v - Math.floor(v);
    return frac < 0.1 ? v + 0.1 : frac > 0.9 ? v - 0.1 : v;
  }));
}

export interface OpCase {
  /** The op's inputs as nested arrays; all of them are differentiated. */
  inputs: Nested[];
  /** The op under test, applied to tensors made from `inputs`. */
  fn: (...xs: nb.Tensor[]) => nb.Tensor;
  /** Hand-computed values, or a reference computed from the inputs in plain JS. */
  expected: Nested | ((...xs: Ref[]) => Ref);
  /** Check first derivatives by central differences (default true). */
  grad?: boolean;
  /** Also check second derivatives (gradgradcheck; default false). */
  gradgrad?: boolean;
  /** Tolerances of the float32 forward check (float64 is held to 1e-12 relative). */
  atol?: number;
  rtol?: number;
}

/**
 * One call per op: the forward in float64 and float32 against the expected values, then
 * gradcheck (and gradgradcheck when asked) in float64. gradcheck throws with the element
 * and both values on a mismatch, which fails the test.
 */
export function checkOp(c: OpCase): void {
  const expectedRef = typeof c.expected === 'function' ? c.expected(...c.inputs.map((x) => ref(x))) : ref(c.expected);
  const expected = toNested(expectedRef);
  for (const dtype of ['float64', 'float32'] as const) {
    const xs = c.inputs.map((x) => nb.tensor(x as nb.NestedNumbers, { dtype }));
    const y = c.fn(...xs);
    expect(y.dtype, `${dtype} result dtype`).toBe(dtype);
    expect(y.shape, `${dtype} result shape`).toEqual(expectedRef.shape);
    if (dtype === 'float64') expectClose(y, expected, { atol: 1e-12, rtol: 1e-12 });
    else expectClose(y, expected, { atol: c.atol ?? 1e-5, rtol: c.rtol ?? 1e-5 });
  }
  const f64s = c.inputs.map((x) => nb.tensor(x as nb.NestedNumbers, { dtype: 'float64' }));
  if (c.grad ?? true) expect(nb.gradcheck(c.fn, f64s)).toBe(true);
  if (c.gradgrad) expect(nb.gradgradcheck(c.fn, f64s)).toBe(true);
}

/** Expects fn to throw an error of class cls whose message contains every fragment. */
export function expectError(fn: () => unknown, cls: new (...args: never[]) => Error, ...fragments: string[]): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'an error was thrown').toBeInstanceOf(cls);
  const msg = (caught as Error).message;
  for (const f of fragments) expect(msg).toContain(f);
}
