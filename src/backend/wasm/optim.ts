/**
 * Fused optimizer updates on wasm (assembly/optim.ts). Parameters and optimizer state are
 * resident in wasm memory (the optimizers allocate them there), so a step copies at most the
 * gradient in; any non-resident operand is copied in and back. float32 only; the rest is js.
 */
import { jsBackend } from '../js/index.js';
import type { AdamStepSpec, SgdStepSpec, TypedArray } from '../types.js';
import type { WasmHeap } from './heap.js';
import type { Job } from './pool.js';
import { currentRuntime, participants, runJobs, splitRange } from './runtime.js';

/** Below this many elements the js loop is as fast as a call into wasm. */
const MIN_WASM_ELEMENTS = 256;
/** From this many elements an Adam step is split between threads (≈50 µs on one). */
const MIN_PARALLEL_ADAM = 1 << 15;

function allFloat32(arrays: readonly (TypedArray | null)[]): arrays is (Float32Array | null)[] {
  return arrays.every((a) => a === null || a instanceof Float32Array);
}

/** Addresses of the operands (0 for null), or null when the memory has no room. */
function stage(heap: WasmHeap, arrays: readonly (Float32Array | null)[]): number[] | null {
  const at = arrays.map((a) => (a ? heap.input(a) : 0));
  return at.some((x) => x < 0) ? null : at;
}

/** Copies the written operands back where they were not resident. */
function unstage(heap: WasmHeap, arrays: readonly (Float32Array | null)[], at: readonly number[]): void {
  arrays.forEach((a, i) => {
    if (a) heap.finishOutput(at[i], a);
  });
}

/** One Adam step in place; see OptimizerKernels.adamStep. */
export function adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, spec: AdamStepSpec): void {
  const rt = currentRuntime();
  const arrays = [p, g, m, v, vMax];
  if (!rt || p.length < MIN_WASM_ELEMENTS || !allFloat32(arrays)) {
    jsBackend.adamStep(p, g, m, v, vMax, spec);
    return;
  }
  const heap = rt.heap;
  heap.reset();
  // Before the gradient's copy: a parked worker wakes up while it runs (see ThreadPool.wake).
  const threads = participants(rt, p.length, MIN_PARALLEL_ADAM);
  const at = stage(heap, arrays);
  if (!at) {
    jsBackend.adamStep(p, g, m, v, vMax, spec);
    return;
  }
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, step } = spec;
  const stepSize = lr / (1 - beta1 ** step);
  const invBc2 = 1 / Math.sqrt(1 - beta2 ** step);
  const scalars = [
    beta1, beta2, 1 - beta1, 1 - beta2, eps, stepSize, invBc2, 1 - lr * weightDecay, decoupledWeightDecay ? 0 : weightDecay,
    decoupledWeightDecay && weightDecay !== 0 ? 1 : 0,
  ];
  // Elements are independent: threads take ranges cut on multiples of 4, so every element
  // goes through the same (vector or scalar) path as on one thread and the bits agree.
  const jobs = splitRange(p.length, threads, 4).map(([i0, i1]): Job => {
    const offset = i0 * 4;
    return {
      fn: 'adamStep',
      args: [at[0] + offset, at[1] + offset, at[2] + offset, at[3] + offset, at[4] === 0 ? 0 : at[4] + offset, i1 - i0, ...scalars],
    };
  });
  runJobs(rt, jobs, threads);
  unstage(heap, [arrays[0], null, arrays[2], arrays[3], arrays[4]], at);
}

/** One SGD step in place; see OptimizerKernels.sgdStep. */
export function sgdStep(p: TypedArray, g: TypedArray, buf: TypedArray | null, spec: SgdStepSpec): void {
  const rt = currentRuntime();
  const arrays = [p, g, buf];
  if (!rt || p.length < MIN_WASM_ELEMENTS || !allFloat32(arrays)) {
    jsBackend.sgdStep(p, g, buf, spec);
    return;
  }
  const heap = rt.heap;
  heap.reset();
  const at = stage(heap, arrays);
  if (!at) {
    jsBackend.sgdStep(p, g, buf, spec);
    return;
  }
  const { lr, momentum, dampening, nesterov, weightDecay, first } = spec;
  rt.exports.sgdStep(at[0], at[1], at[2], p.length, lr, momentum, 1 - dampening, weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
  unstage(heap, [arrays[0], null, arrays[2]], at);
}
