/**
 * Direct convolution on wasm (assembly/conv2d.ts): forward, input gradient and weight gradient
 * of a float32 NCHW convolution with stride 1 (any padding and dilation), without an im2col
 * matrix. Work is split by images; the weight gradient sums per-chunk partials in chunk order,
 * so results never depend on the thread count. Other strides and dtypes use the js kernels.
 */
import { jsBackend } from '../js/index.js';
import type { Conv2dGeometry, TypedArray } from '../types.js';
import { chunkCount } from './elementwise.js';
import type { WasmHeap } from './heap.js';
import { currentRuntime, participants, runJobs, splitRange, type WasmRuntime } from './runtime.js';

/** Below this many multiply-adds the js loops are as fast as the copies. */
const MIN_WASM_MACS = 1 << 14;
/** From this many multiply-adds a convolution is split between threads (≈100 µs on one). */
const MIN_PARALLEL_MACS = 1 << 19;
/** Weight-gradient chunks: fixed (not per thread), so the partial sums always add up alike. */
const WEIGHT_GRAD_CHUNKS = 8;
/** Images the weight-gradient kernel keeps in its scratch at once (LeNet's layers: ≤ 170 KB). */
const IMAGE_GROUP = 8;
/** Output channels per register tile in the kernels (weights are packed in blocks of it). */
const OB = 4;

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Multiply-adds of a convolution (the same for its two gradients). */
export function macs(g: Conv2dGeometry, outChannels: number): number {
  return g.batch * outChannels * g.outH * g.outW * g.channels * g.kH * g.kW;
}

/** The wasm runtime when this call can run in wasm: float32 arrays, stride 1, enough work. */
export function runtimeFor(g: Conv2dGeometry, outChannels: number, arrays: (TypedArray | null)[]): WasmRuntime | null {
  const rt = currentRuntime();
  if (!rt || g.strideH !== 1 || g.strideW !== 1 || macs(g, outChannels) < MIN_WASM_MACS) return null;
  return arrays.every((a) => a === null || a instanceof Float32Array) ? rt : null;
}

/**
 * The address of an operand: its own storage when resident and no padding is asked for (see
 * WasmHeap.input), else a copy zero-padded to `floats`; −1 when out of memory.
 */
export function put(heap: WasmHeap, a: Float32Array, floats = a.length): number {
  if (floats === a.length) return heap.input(a);
  const at = heap.alloc(floats * 4);
  if (at < 0) return -1;
  if (floats > a.length) heap.f32.fill(0, (at >>> 2) + a.length, (at >>> 2) + floats);
  heap.write(at, a);
  return at;
}

/** Copies the i32 parameter block of a kernel into the heap. */
function putParams(heap: WasmHeap, values: number[]): number {
  const at = heap.alloc(values.length * 4);
  if (at >= 0) heap.write(at, Int32Array.from(values));
  return at;
}

/** Floats of the zero-bordered image scratch conv2dCorrelate needs per thread. */
function correlateScratch(cIn: number, oH: number, oW: number, kH: number, kW: number, dH: number, dW: number): number {
  const rows = oH + (kH - 1) * dH;
  const cols = roundUp(oW, 4) + (kW - 1) * dW;
  // + 4 floats: a zero bias block the kernel keeps at the end.
  return roundUp(cIn * roundUp(rows * cols, 4) + OB, 16);
}

/** Sizes of one correlation: src [N, cIn, srcH, srcW] → out [N, cOut, oH, oW]. */
export interface CorrelateShape {
  batch: number;
  cIn: number;
  srcH: number;
  srcW: number;
  cOut: number;
  oH: number;
  oW: number;
}

/**
 * Runs conv2dCorrelate on operands already in wasm memory (byte addresses; pb 0 for no bias):
 * out [N, cOut, oH, oW] from src [N, cIn, srcH, srcW] shifted by (offH, offW), with the weight
 * packed (flip: transposed and reversed for the input gradient). Its scratch comes from the
 * current call's arena. Returns false when the memory is full.
 */
export function correlateAt(
  rt: WasmRuntime, px: number, pw: number, pb: number, po: number,
  shape: CorrelateShape, g: Conv2dGeometry, off: [number, number], flip: boolean, work: number,
): boolean {
  const { batch, cIn, srcH, srcW, cOut, oH, oW } = shape;
  const heap = rt.heap;
  const threads = participants(rt, work, MIN_PARALLEL_MACS);
  const blocks = Math.ceil(cOut / OB);
  const scratchFloats = correlateScratch(cIn, oH, oW, g.kH, g.kW, g.dilationH, g.dilationW);
  const packed = heap.alloc(blocks * OB * cIn * g.kH * g.kW * 4);
  const prm = putParams(heap, [cIn, srcH, srcW, cOut, oH, oW, g.kH, g.kW, g.dilationH, g.dilationW, off[0], off[1]]);
  const scratch = heap.alloc(scratchFloats * 4 * threads);
  if (packed < 0 || prm < 0 || scratch < 0) return false;
  // outC and C of the weight [outC, C, kH, kW]: cOut, cIn forward; swapped for the input gradient.
  const [outC, C] = flip ? [cIn, cOut] : [cOut, cIn];
  rt.exports.conv2dPackWeights(pw, packed, outC, C, g.kH, g.kW, flip ? 1 : 0);
  const jobs = splitRange(batch, Math.min(batch, chunkCount(threads)), 1).map(([n0, n1]) => ({
    fn: 'conv2dCorrelate', args: [px, packed, pb, po, prm, scratch, scratchFloats, n0, n1],
  }));
  runJobs(rt, jobs, threads);
  return true;
}

/** correlateAt on typed arrays: copies the operands in and the result out. */
function correlate(
  rt: WasmRuntime, src: Float32Array, weight: Float32Array, bias: Float32Array | null, out: Float32Array,
  shape: CorrelateShape, g: Conv2dGeometry, off: [number, number], flip: boolean, work: number,
): boolean {
  const heap = rt.heap;
  heap.reset();
  const px = put(heap, src);
  const pw = put(heap, weight);
  const pb = bias ? put(heap, bias, Math.ceil(shape.cOut / OB) * OB) : 0;
  const po = heap.output(out);
  if (px < 0 || pw < 0 || pb < 0 || po < 0 || !correlateAt(rt, px, pw, pb, po, shape, g, off, flip, work)) return false;
  heap.finishOutput(po, out);
  return true;
}

/** Padded length of a bias operand of conv2dCorrelate (whole blocks of output channels). */
export function biasFloats(outChannels: number): number {
  return Math.ceil(outChannels / OB) * OB;
}

/** See Kernels.conv2d. */
export function conv2d(x: TypedArray, weight: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, outChannels: number, out: TypedArray): void {
  const rt = runtimeFor(g, outChannels, [x, weight, bias, out]);
  const shape = { batch: g.batch, cIn: g.channels, srcH: g.inH, srcW: g.inW, cOut: outChannels, oH: g.outH, oW: g.outW };
  const ok = rt !== null && correlate(
    rt, x as Float32Array, weight as Float32Array, bias as Float32Array | null, out as Float32Array,
    shape, g, [g.padH, g.padW], false, macs(g, outChannels),
  );
  if (!ok) jsBackend.conv2d(x, weight, bias, g, outChannels, out);
}

/**
 * See Kernels.conv2dBackwardInput: a correlation of the gradient with the flipped weight (tap
 * rows that read only the zero border are skipped).
 */
export function conv2dBackwardInput(grad: TypedArray, weight: TypedArray, g: Conv2dGeometry, outChannels: number, out: TypedArray): void {
  const rt = runtimeFor(g, outChannels, [grad, weight, out]);
  const shape = { batch: g.batch, cIn: outChannels, srcH: g.outH, srcW: g.outW, cOut: g.channels, oH: g.inH, oW: g.inW };
  // dx[ih] = Σ_ki w[kH−1−ki]·grad[ih + ki·d − off] with off = (kH − 1)·d − pad (negative: a crop).
  const off: [number, number] = [(g.kH - 1) * g.dilationH - g.padH, (g.kW - 1) * g.dilationW - g.padW];
  const ok = rt !== null && correlate(
    rt, grad as Float32Array, weight as Float32Array, null, out as Float32Array, shape, g, off, true, macs(g, outChannels),
  );
  if (!ok) jsBackend.conv2dBackwardInput(grad, weight, g, outChannels, out);
}

/** See Kernels.conv2dBackwardWeight. */
export function conv2dBackwardWeight(
  x: TypedArray, grad: TypedArray, g: Conv2dGeometry, outChannels: number, out: TypedArray, biasOut: TypedArray | null,
): void {
  const rt = runtimeFor(g, outChannels, [x, grad, out, biasOut]);
  if (!rt || !weightGrad(rt, x as Float32Array, grad as Float32Array, g, outChannels, out as Float32Array, biasOut as Float32Array | null)) {
    jsBackend.conv2dBackwardWeight(x, grad, g, outChannels, out, biasOut);
  }
}

/**
 * Runs conv2dWeightGrad on x and grad already in wasm memory; returns the address of the
 * result, dw [outC, C, kH, kW] then db [outC], in the current arena (−1 when the memory is full).
 */
export function weightGradAt(rt: WasmRuntime, px: number, pg: number, g: Conv2dGeometry, outC: number): number {
  const { batch, channels: C, kH, kW, dilationH: dH, dilationW: dW, outH, outW } = g;
  const heap = rt.heap;
  const threads = participants(rt, macs(g, outC), MIN_PARALLEL_MACS);
  // The scratch layout of assembly/conv2d.ts's conv2dWeightGrad: x' planes, then grad' planes.
  const cols = roundUp(outW, 4) + (kW - 1) * dW;
  const rows = outH + (kH - 1) * dH;
  const ps = roundUp(rows * cols, 4);
  const gPlane = outH * roundUp(outW, 4);
  const weightFloats = outC * C * kH * kW;
  const partFloats = roundUp(weightFloats + outC, 16);
  const parts = Math.min(batch, WEIGHT_GRAD_CHUNKS);
  // Images a thread holds in scratch at once (their sums stay in registers across them).
  const group = Math.min(IMAGE_GROUP, Math.ceil(batch / Math.max(1, parts)));
  const scratchFloats = roundUp(group * (C * ps + roundUp(outC, OB) * gPlane), 16);
  const prm = putParams(heap, [C, g.inH, g.inW, outC, outH, outW, kH, kW, dH, dW, g.padH, g.padW]);
  const part = heap.alloc(partFloats * 4 * Math.max(1, parts));
  const scratch = heap.alloc(scratchFloats * 4 * threads);
  if (prm < 0 || part < 0 || scratch < 0) return -1;
  if (parts === 0) {
    heap.f32.fill(0, part >>> 2, (part >>> 2) + weightFloats + outC);
    return part;
  }
  const jobs = splitRange(batch, parts, 1).map(([n0, n1], i) => ({
    fn: 'conv2dWeightGrad', args: [px, pg, part + i * partFloats * 4, prm, scratch, scratchFloats, group, n0, n1],
  }));
  runJobs(rt, jobs, threads);
  rt.exports.conv2dSumParts(part, partFloats, jobs.length, weightFloats + outC);
  return part;
}

function weightGrad(
  rt: WasmRuntime, x: Float32Array, grad: Float32Array, g: Conv2dGeometry, outC: number, out: Float32Array, biasOut: Float32Array | null,
): boolean {
  const heap = rt.heap;
  heap.reset();
  const px = put(heap, x);
  const pg = put(heap, grad);
  if (px < 0 || pg < 0) return false;
  const part = weightGradAt(rt, px, pg, g, outC);
  if (part < 0) return false;
  heap.read(part, out);
  if (biasOut) heap.read(part + out.length * 4, biasOut);
  return true;
}
