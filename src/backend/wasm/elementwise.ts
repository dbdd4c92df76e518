/**
 * Unary and broadcast binary float32 kernels on wasm (assembly/elementwise.ts). Operands are
 * copied in (resident ones are used in place), the result copied out; broadcasting is reduced to at most two outer axes over
 * one inner run, which covers same-shape, scalar, bias-row, per-channel and column operands.
 * Other shapes, dtypes and ops (pow, sin, cos, log1p, expm1) use the js kernels.
 */
import { jsBackend } from '../js/index.js';
import type { BinaryOp, Shape, TypedArray, UnaryOp } from '../types.js';
import type { Job } from './pool.js';
import { currentRuntime, participants, runJobs, splitRange } from './runtime.js';

/** Op codes of assembly/elementwise.ts (keep in step). */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, tanh: 5, sigmoid: 6, relu: 7,
  sign: 8, floor: 9, ceil: 10, round: 11, reciprocal: 12, square: 13,
};
export const BINARY_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5,
  eq: 6, ne: 7, lt: 8, le: 9, gt: 10, ge: 11, reluGrad: 12,
};

/** Ops costing ~10× a load/store per element: worth threads on smaller arrays. */
const HEAVY = new Set<UnaryOp>(['exp', 'log', 'tanh', 'sigmoid']);
/** Below this many elements the js loop is as fast as the copies. */
export const MIN_WASM_ELEMENTS = 256;
/**
 * From this many element-cost units a kernel is split between threads. Cheap ops are bound
 * by the copies in and out, which only the calling thread can do: they need large arrays.
 */
export const MIN_PARALLEL_WORK = 1 << 20;
/** Split points are multiples of 16 floats: whole vectors and whole cache lines per chunk. */
const CHUNK = 16;
/** Chunks per thread for kernels without per-chunk setup: late threads still find work. */
export const CHUNKS_PER_THREAD = 4;

/** How many chunks to cut a kernel into for `threads` threads. */
export function chunkCount(threads: number): number {
  return threads > 1 ? threads * CHUNKS_PER_THREAD : 1;
}

function allFloat32(...arrays: TypedArray[]): boolean {
  return arrays.every((x) => x instanceof Float32Array);
}

/** out[i] = op(x[i]); see Kernels.unary. */
export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const rt = currentRuntime();
  const code = UNARY_CODES[op];
  const n = x.length;
  if (!rt || code === undefined || n < MIN_WASM_ELEMENTS || !allFloat32(x, out)) {
    jsBackend.unary(op, x, out);
    return;
  }
  const heap = rt.heap;
  heap.reset();
  // Before the copies: a parked worker wakes up while they run (see ThreadPool.wake).
  const threads = participants(rt, n * (HEAVY.has(op) ? 8 : 1), MIN_PARALLEL_WORK);
  const px = heap.input(x as Float32Array);
  const po = heap.output(out as Float32Array);
  if (px < 0 || po < 0) {
    jsBackend.unary(op, x, out);
    return;
  }
  const jobs: Job[] = splitRange(n, chunkCount(threads), CHUNK).map(([s, e]) => ({ fn: 'unary', args: [code, px, po, s, e] }));
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out as Float32Array);
}

/** One axis of a broadcast binary op: its length and each operand's element stride (0: broadcast). */
interface Axis {
  size: number;
  a: number;
  b: number;
}

/**
 * The output axes with each operand's strides, size-1 axes dropped and neighbours merged
 * where both operands continue contiguously (or stay broadcast) across them.
 */
export function collapseAxes(aShape: Shape, bShape: Shape, outShape: Shape): Axis[] {
  const strides = (shape: Shape): number[] => {
    const s = new Array<number>(outShape.length).fill(0);
    let step = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      s[outShape.length - shape.length + i] = shape[i] === 1 ? 0 : step;
      step *= shape[i];
    }
    return s;
  };
  const as = strides(aShape);
  const bs = strides(bShape);
  const axes: Axis[] = [];
  for (let i = 0; i < outShape.length; i++) {
    if (outShape[i] === 1) continue;
    const axis = { size: outShape[i], a: as[i], b: bs[i] };
    const last = axes[axes.length - 1];
    if (last && last.a === axis.a * axis.size && last.b === axis.b * axis.size) {
      last.size *= axis.size;
      last.a = axis.a;
      last.b = axis.b;
    } else {
      axes.push(axis);
    }
  }
  return axes;
}

/** out = op(a, b) with broadcasting; see Kernels.binary. */
export function binary(
  op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape,
): void {
  const rt = currentRuntime();
  const code = BINARY_CODES[op];
  const n = out.length;
  const axes = rt && code !== undefined && n >= MIN_WASM_ELEMENTS && allFloat32(a, b, out)
    ? collapseAxes(aShape, bShape, outShape)
    : null;
  // At most two outer axes over the inner run (more: rare layouts, left to js).
  if (!rt || code === undefined || !axes || axes.length === 0 || axes.length > 3) {
    jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  while (axes.length < 3) axes.unshift({ size: 1, a: 0, b: 0 });
  const [d0, d1, inner] = axes;
  const heap = rt.heap;
  heap.reset();
  const threads = participants(rt, n, MIN_PARALLEL_WORK);
  const pa = heap.input(a as Float32Array);
  const pb = heap.input(b as Float32Array);
  const po = heap.output(out as Float32Array);
  if (pa < 0 || pb < 0 || po < 0) {
    jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
    return;
  }
  const rows = d0.size * d1.size;
  const len = inner.size;
  const job = (r0: number, r1: number, start: number, end: number): Job => ({
    fn: 'binary',
    args: [code, pa, pb, po, d1.size, len, d0.a, d1.a, inner.a, d0.b, d1.b, inner.b, r0, r1, start, end],
  });
  const chunks = chunkCount(threads);
  const jobs = rows === 1
    ? splitRange(len, chunks, CHUNK).map(([s, e]) => job(0, 1, s, e))
    : splitRange(rows, chunks, 1).map(([r0, r1]) => job(r0, r1, 0, len));
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out as Float32Array);
}

/**
 * out[i] = value. A resident array is zeroed by wasm's memory.fill: TypedArray.fill over
 * shared memory takes V8's slow path (37 µs for a 400 KB gradient here, against 5 µs unshared).
 */
export function fill(out: TypedArray, value: number): void {
  const rt = currentRuntime();
  const at = rt && value === 0 && !Object.is(value, -0) ? rt.heap.addressOf(out) : -1;
  if (at < 0) {
    out.fill(value);
    return;
  }
  rt!.exports.fillZero(at, out.byteLength);
}
