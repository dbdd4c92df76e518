/**
 * The convolution block (conv → max-pool → ReLU, forward and backward) on wasm in one call
 * each: the full-size conv output and its gradient stay in wasm scratch, so only x, the pooled
 * y and the argmax cross into and out of wasm memory. Stride-1 float32 convolutions; the rest
 * is the js composition.
 */
import { jsBackend } from '../js/index.js';
import type { Conv2dGeometry, TypedArray } from '../types.js';
import { writeGeometry } from './conv.js';
import { biasFloats, correlateAt, macs, put, runtimeFor, weightGradAt, type CorrelateShape } from './conv2d.js';
import { BINARY_CODES, UNARY_CODES, chunkCount, MIN_PARALLEL_WORK } from './elementwise.js';
import { participants, runJobs, splitRange, type WasmRuntime } from './runtime.js';

/** Runs a window kernel over the pooled planes [0, N·outC), split between threads. */
function overPlanes(rt: WasmRuntime, fn: string, planes: number, work: number, args: (p0: number, p1: number) => number[]): void {
  const threads = participants(rt, work, MIN_PARALLEL_WORK);
  const jobs = splitRange(planes, chunkCount(threads), 1).map(([p0, p1]) => ({ fn, args: args(p0, p1) }));
  runJobs(rt, jobs, threads);
}

/** Arguments of assembly/elementwise.ts `binary` for two same-shape operands of n elements. */
function flatBinary(op: number, a: number, b: number, out: number, n: number): number[] {
  return [op, a, b, out, 1, n, 0, 0, 1, 0, 0, 1, 0, 1, 0, n];
}

/** See Kernels.conv2dMaxPoolRelu. */
export function conv2dMaxPoolRelu(
  x: TypedArray, weight: TypedArray, bias: TypedArray | null, conv: Conv2dGeometry, outChannels: number,
  pool: Conv2dGeometry, y: TypedArray, argmax: Int32Array,
): void {
  // The same conditions as the convolution kernels (stride 1, float32, enough work).
  const rt = runtimeFor(conv, outChannels, [x, weight, bias, y]);
  if (!rt || !forward(rt)) {
    jsBackend.conv2dMaxPoolRelu(x, weight, bias, conv, outChannels, pool, y, argmax);
  }

  function forward(rt: WasmRuntime): boolean {
    const heap = rt.heap;
    heap.reset();
    const px = heap.input(x as Float32Array);
    const pw = heap.input(weight as Float32Array);
    const pb = bias ? put(heap, bias as Float32Array, biasFloats(outChannels)) : 0;
    const pz = heap.alloc(conv.batch * outChannels * conv.outH * conv.outW * 4);
    const py = heap.output(y as Float32Array);
    const pa = heap.output(argmax);
    const pg = writeGeometry(heap, pool);
    if (px < 0 || pw < 0 || pb < 0 || pz < 0 || py < 0 || pa < 0 || pg < 0) return false;
    const shape: CorrelateShape = {
      batch: conv.batch, cIn: conv.channels, srcH: conv.inH, srcW: conv.inW, cOut: outChannels, oH: conv.outH, oW: conv.outW,
    };
    if (!correlateAt(rt, px, pw, pb, pz, shape, conv, [conv.padH, conv.padW], false, macs(conv, outChannels))) return false;
    overPlanes(rt, 'maxPool2d', pool.batch * pool.channels, pool.batch * pool.channels * pool.inH * pool.inW, (p0, p1) => [pz, py, pa, pg, p0, p1]);
    rt.exports.unary(UNARY_CODES.relu!, py, py, 0, y.length);
    heap.finishOutput(py, y as Float32Array);
    heap.finishOutput(pa, argmax);
    return true;
  }
}

/** See Kernels.conv2dMaxPoolReluBackward. */
export function conv2dMaxPoolReluBackward(
  grad: TypedArray, y: TypedArray, argmax: Int32Array, x: TypedArray, weight: TypedArray,
  conv: Conv2dGeometry, outChannels: number, pool: Conv2dGeometry,
  dx: TypedArray | null, dw: TypedArray | null, db: TypedArray | null,
): void {
  const rt = runtimeFor(conv, outChannels, [grad, y, x, weight, dx, dw, db]);
  if (!rt || !backward(rt)) jsBackend.conv2dMaxPoolReluBackward(grad, y, argmax, x, weight, conv, outChannels, pool, dx, dw, db);

  function backward(rt: WasmRuntime): boolean {
    const heap = rt.heap;
    heap.reset();
    const n = grad.length;
    const pgrad = heap.input(grad as Float32Array);
    const py = heap.input(y as Float32Array);
    const pa = heap.input(argmax);
    const pm = heap.alloc(n * 4);
    const pdz = heap.alloc(conv.batch * outChannels * conv.outH * conv.outW * 4);
    const pgeo = writeGeometry(heap, pool);
    const px = heap.input(x as Float32Array);
    if (pgrad < 0 || py < 0 || pa < 0 || pm < 0 || pdz < 0 || pgeo < 0 || px < 0) return false;
    // ReLU's gradient on the pooled values, then scattered to each window's max.
    rt.exports.binary(...flatBinary(BINARY_CODES.reluGrad!, pgrad, py, pm, n));
    overPlanes(rt, 'maxPool2dBackward', pool.batch * pool.channels, pool.batch * pool.channels * pool.inH * pool.inW, (p0, p1) => [pm, pa, pdz, pgeo, p0, p1]);
    // dw and db come out of one kernel (db as a by-product), skipped when neither is wanted.
    const part = dw || db ? weightGradAt(rt, px, pdz, conv, outChannels) : 0;
    if (part < 0) return false;
    if (dx) {
      const pw = heap.input(weight as Float32Array);
      const pdx = heap.output(dx as Float32Array);
      if (pw < 0 || pdx < 0) return false;
      const shape: CorrelateShape = {
        batch: conv.batch, cIn: outChannels, srcH: conv.outH, srcW: conv.outW, cOut: conv.channels, oH: conv.inH, oW: conv.inW,
      };
      const off: [number, number] = [(conv.kH - 1) * conv.dilationH - conv.padH, (conv.kW - 1) * conv.dilationW - conv.padW];
      if (!correlateAt(rt, pdz, pw, 0, pdx, shape, conv, off, true, macs(conv, outChannels))) return false;
      heap.finishOutput(pdx, dx as Float32Array);
    }
    if (dw) heap.read(part, dw as Float32Array);
    if (db) heap.read(part + weight.length * 4, db as Float32Array);
    return true;
  }
}
