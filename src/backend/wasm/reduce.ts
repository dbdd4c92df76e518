/**
 * Reductions (sum, max, min over one contiguous run of axes) and softmax on wasm
 * (assembly/reduce.ts): the input is viewed as [outer, len, inner] with len reduced.
 * Several separate reduced runs, prod, and non-float32 arrays use the js kernels.
 */
import { jsBackend } from '../js/index.js';
import type { ReduceOp, Shape, TypedArray } from '../types.js';
import { MIN_PARALLEL_WORK, MIN_WASM_ELEMENTS, chunkCount } from './elementwise.js';
import type { Job } from './pool.js';
import { currentRuntime, participants, runJobs, splitRange, type WasmRuntime } from './runtime.js';

/** Op codes of assembly/reduce.ts (keep in step). */
export const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

/**
 * [outer, len, inner] when the reduced axes form one run once size-1 axes are ignored,
 * else null. (Size-1 axes change nothing whether reduced or kept.)
 */
export function reductionView(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  let outer = 1;
  let len = 1;
  let inner = 1;
  let phase = 0; // 0: before the reduced run, 1: inside it, 2: after it
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === 1) continue;
    const reduced = axes.includes(i);
    if (phase === 0 && reduced) phase = 1;
    else if (phase === 1 && !reduced) phase = 2;
    else if (phase === 2 && reduced) return null;
    if (phase === 0) outer *= d;
    else if (phase === 1) len *= d;
    else inner *= d;
  }
  return [outer, len, inner];
}

/**
 * Chunks over [outer, inner] and the threads to run them: by outer rows when there are
 * enough of them, else by inner columns in multiples of 4 (one vector).
 */
function splitJobs(
  rt: WasmRuntime, outer: number, inner: number, work: number,
  make: (o0: number, o1: number, i0: number, i1: number) => Job,
): [Job[], number] {
  const threads = participants(rt, work, MIN_PARALLEL_WORK);
  const chunks = chunkCount(threads);
  const jobs = outer >= chunks || inner < 8
    ? splitRange(outer, chunks, 1).map(([o0, o1]) => make(o0, o1, 0, inner))
    : splitRange(inner, chunks, 4).map(([i0, i1]) => make(0, outer, i0, i1));
  return [jobs, threads];
}

/** Reduces `axes` of x into out (keep-dims size); see Kernels.reduce. */
export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  const rt = currentRuntime();
  const code = REDUCE_CODES[op];
  const view = rt && code !== undefined && x.length >= MIN_WASM_ELEMENTS && x instanceof Float32Array && out instanceof Float32Array
    ? reductionView(shape, axes)
    : null;
  if (!rt || code === undefined || !view || view[1] === 1) {
    jsBackend.reduce(op, x, shape, axes, out);
    return;
  }
  const [outer, len, inner] = view;
  const heap = rt.heap;
  heap.reset();
  const px = heap.input(x as Float32Array);
  const po = heap.output(out as Float32Array);
  if (px < 0 || po < 0) {
    jsBackend.reduce(op, x, shape, axes, out);
    return;
  }
  const [jobs, threads] = splitJobs(rt, outer, inner, x.length, (o0, o1, i0, i1) => ({
    fn: 'reduce',
    // Sums over columns accumulate in an f64 scratch row per job.
    args: [code, px, po, len, inner, o0, o1, i0, i1, inner > 1 && code === 0 ? heap.alloc((i1 - i0) * 8) : 0],
  }));
  if (jobs.some((job) => job.args[9] < 0)) {
    jsBackend.reduce(op, x, shape, axes, out);
    return;
  }
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out as Float32Array);
}

/** Softmax or log-softmax along axis; see Kernels.softmax. */
export function softmax(x: TypedArray, shape: Shape, axis: number, log: boolean, out: TypedArray): void {
  const rt = currentRuntime();
  const len = shape[axis] ?? 1;
  if (!rt || x.length < MIN_WASM_ELEMENTS || len === 0 || !(x instanceof Float32Array && out instanceof Float32Array)) {
    jsBackend.softmax(x, shape, axis, log, out);
    return;
  }
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  const inner = x.length / (outer * len);
  const heap = rt.heap;
  heap.reset();
  const px = heap.input(x);
  const po = heap.output(out);
  if (px < 0 || po < 0) {
    jsBackend.softmax(x, shape, axis, log, out);
    return;
  }
  // exp dominates: weigh each element like a heavy unary op.
  const [jobs, threads] = splitJobs(rt, outer, inner, x.length * 8, (o0, o1, i0, i1) => ({
    fn: 'softmax',
    args: [px, po, len, inner, log ? 1 : 0, o0, o1, i0, i1],
  }));
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out);
}
