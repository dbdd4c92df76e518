/**
 * Window kernels on wasm (assembly/conv.ts): im2col, col2im, max and average pooling over
 * float32 NCHW images. Same loops and arithmetic as the js kernels, so the results are equal;
 * 5–10× faster on typical CNN layers. Split by channels (im2col, col2im) or by image planes.
 */
import { jsBackend } from '../js/index.js';
import type { Conv2dGeometry, TypedArray } from '../types.js';
import { MIN_PARALLEL_WORK, MIN_WASM_ELEMENTS, chunkCount } from './elementwise.js';
import type { WasmHeap } from './heap.js';
import { currentRuntime, participants, runJobs, splitRange, type WasmRuntime } from './runtime.js';

/** Conv2dGeometry's fields in the order assembly/conv.ts reads them. */
const FIELDS = [
  'batch', 'channels', 'inH', 'inW', 'kH', 'kW', 'strideH', 'strideW',
  'padH', 'padW', 'dilationH', 'dilationW', 'outH', 'outW',
] as const satisfies readonly (keyof Conv2dGeometry)[];

/** Copies the geometry into wasm memory; returns its address (or −1: no memory). */
export function writeGeometry(heap: WasmHeap, g: Conv2dGeometry): number {
  const at = heap.alloc(FIELDS.length * 4);
  if (at >= 0) heap.write(at, Int32Array.from(FIELDS, (field) => g[field]));
  return at;
}

/**
 * Runs `fn` over [0, parts) split between threads, with input `x` copied in and `out`
 * (and optionally an int32 side output) copied back. Returns false when it could not run in
 * wasm (the caller then uses js).
 */
function runWindowKernel(
  x: TypedArray, out: TypedArray, g: Conv2dGeometry, parts: number,
  args: (px: number, po: number, pg: number, from: number, to: number) => { fn: string; args: number[] },
  side?: Int32Array,
): boolean {
  const rt: WasmRuntime | null = currentRuntime();
  if (!rt || !(x instanceof Float32Array && out instanceof Float32Array)) return false;
  if (Math.max(x.length, out.length) < MIN_WASM_ELEMENTS) return false;
  const heap = rt.heap;
  heap.reset();
  // Before the copies: a parked worker wakes up while they run (see ThreadPool.wake).
  const threads = participants(rt, Math.max(x.length, out.length), MIN_PARALLEL_WORK);
  const px = heap.input(x);
  const po = heap.output(out);
  const ps = side ? heap.output(side) : 0;
  const pg = writeGeometry(heap, g);
  if (px < 0 || po < 0 || ps < 0 || pg < 0) return false;
  const jobs = splitRange(parts, chunkCount(threads), 1).map(([from, to]) => {
    const job = args(px, po, pg, from, to);
    // The side output's address goes right after out's (maxPool2d's argmax).
    if (side) job.args.splice(2, 0, ps);
    return job;
  });
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out);
  if (side) heap.finishOutput(ps, side);
  return true;
}

/** See Kernels.im2col. */
export function im2col(x: TypedArray, g: Conv2dGeometry, out: TypedArray): void {
  const ok = runWindowKernel(x, out, g, g.channels, (px, po, pg, c0, c1) => ({ fn: 'im2col', args: [px, po, pg, c0, c1] }));
  if (!ok) jsBackend.im2col(x, g, out);
}

/** See Kernels.col2im. */
export function col2im(cols: TypedArray, g: Conv2dGeometry, out: TypedArray): void {
  const ok = runWindowKernel(cols, out, g, g.channels, (px, po, pg, c0, c1) => ({ fn: 'col2im', args: [px, po, pg, c0, c1] }));
  if (!ok) jsBackend.col2im(cols, g, out);
}

/** See Kernels.maxPool2d. */
export function maxPool2d(x: TypedArray, g: Conv2dGeometry, out: TypedArray, argmax: Int32Array): void {
  const ok = runWindowKernel(
    x, out, g, g.batch * g.channels, (px, po, pg, p0, p1) => ({ fn: 'maxPool2d', args: [px, po, pg, p0, p1] }), argmax,
  );
  if (!ok) jsBackend.maxPool2d(x, g, out, argmax);
}

/** See Kernels.maxPool2dBackward: split by image planes (each window's argmax lies in its own plane). */
export function maxPool2dBackward(grad: TypedArray, argmax: Int32Array, g: Conv2dGeometry, out: TypedArray): void {
  const rt = currentRuntime();
  if (!rt || !(grad instanceof Float32Array && out instanceof Float32Array) || out.length < MIN_WASM_ELEMENTS) {
    jsBackend.maxPool2dBackward(grad, argmax, g, out);
    return;
  }
  const heap = rt.heap;
  heap.reset();
  const threads = participants(rt, out.length, MIN_PARALLEL_WORK);
  const pg = heap.input(grad);
  const pa = heap.input(argmax);
  const po = heap.output(out);
  const pgeo = writeGeometry(heap, g);
  if (pg < 0 || pa < 0 || po < 0 || pgeo < 0) {
    jsBackend.maxPool2dBackward(grad, argmax, g, out);
    return;
  }
  const jobs = splitRange(g.batch * g.channels, chunkCount(threads), 1).map(([p0, p1]) => ({
    fn: 'maxPool2dBackward', args: [pg, pa, po, pgeo, p0, p1],
  }));
  runJobs(rt, jobs, threads);
  heap.finishOutput(po, out);
}

/** See Kernels.avgPool2d. */
export function avgPool2d(x: TypedArray, g: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void {
  const flag = countIncludePad ? 1 : 0;
  const ok = runWindowKernel(x, out, g, g.batch * g.channels, (px, po, pg, p0, p1) => ({ fn: 'avgPool2d', args: [px, po, pg, flag, p0, p1] }));
  if (!ok) jsBackend.avgPool2d(x, g, countIncludePad, out);
}

/** See Kernels.avgPool2dBackward. */
export function avgPool2dBackward(grad: TypedArray, g: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void {
  const flag = countIncludePad ? 1 : 0;
  const ok = runWindowKernel(
    grad, out, g, g.batch * g.channels, (px, po, pg, p0, p1) => ({ fn: 'avgPool2dBackward', args: [px, po, pg, flag, p0, p1] }),
  );
  if (!ok) jsBackend.avgPool2dBackward(grad, g, countIncludePad, out);
}
