/**
 * The `wasm` backend: float32 kernels in WebAssembly with 128-bit SIMD (relaxed SIMD where
 * the engine has it) and a worker pool over shared memory, embedded in the package.
 *
 *   await initWasmBackend();   // compile, register as 'wasm'
 *   setBackend('wasm');        // or initDefaultBackend(), which also honours NABLA_BACKEND
 */
import { jsBackend } from '../js/index.js';
import { findBackend, registerBackend, useBackend } from '../registry.js';
import { wasmBackend } from './backend.js';
import type { WasmFeatures } from './features.js';
import {
  currentRuntime, loadRuntime, setThreads, startThreads, threadCount,
  type WasmOptions, type WasmVariant,
} from './runtime.js';

export type { WasmFeatures, WasmOptions, WasmVariant };
export { WASM_KERNELS, wasmBackend } from './backend.js';
export { gemmKernelCeiling } from './matmul.js';

/**
 * Compiles the wasm kernels and registers the `wasm` backend. Resolves to true when it is
 * available, false where the engine lacks WebAssembly SIMD (the js backend then stays).
 * Safe to call more than once.
 */
export async function initWasmBackend(options: WasmOptions = {}): Promise<boolean> {
  const rt = await loadRuntime(options);
  if (!rt) return false;
  registerBackend(wasmBackend);
  return true;
}

/** Reads a variable from the environment (Node only); undefined when unset or blank. */
function envVar(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const value = p?.env?.[name]?.trim();
  return value ? value : undefined;
}

/**
 * Chooses the default backend at package load: NABLA_BACKEND when set ('js' selects js and
 * skips compiling wasm; 'wasm' must load or this throws; another registered name is
 * selected), else `wasm` when it loads, else `js`. NABLA_RELAXED_SIMD=0 loads the plain-SIMD
 * build of the wasm kernels even where relaxed SIMD is available. Returns the name of the
 * backend selected.
 */
export async function initDefaultBackend(options: WasmOptions = {}): Promise<string> {
  const wanted = envVar('NABLA_BACKEND');
  // NABLA_RELAXED_SIMD=0 keeps the plain-SIMD build where relaxed SIMD would load.
  if (options.relaxedSimd === undefined && envVar('NABLA_RELAXED_SIMD') === '0') options = { ...options, relaxedSimd: false };
  if (wanted === 'js') {
    useBackend(jsBackend);
    return 'js';
  }
  let ok = false;
  try {
    ok = await initWasmBackend(options);
  } catch (err) {
    if (wanted === 'wasm') throw err;
  }
  if (wanted === 'wasm' && !ok) throw new Error('NABLA_BACKEND=wasm, but this engine has no WebAssembly SIMD');
  const name = wanted ?? (ok ? 'wasm' : 'js');
  const backend = findBackend(name);
  if (!backend) throw new Error(`NABLA_BACKEND=${name}: no such backend (registered: js${ok ? ', wasm' : ''})`);
  useBackend(backend);
  return name;
}

/**
 * Sets how many threads large wasm kernels use, the calling thread included (1 = no
 * workers). Default: the number of cores. Workers start at the first kernel that needs them.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected an integer ≥ 1, got ${n}`);
  setThreads(n);
}

/** Threads large wasm kernels use: the setting, or 1 where threads are unavailable. */
export function getNumThreads(): number {
  return threadCount();
}

/**
 * Starts the worker pool now instead of at the first large kernel, and resolves once the
 * workers are ready, with the number of threads usable (1 without threads or before init).
 */
export async function startWasmThreads(): Promise<number> {
  return startThreads();
}

/** What the wasm backend runs on; null before it loaded. */
export interface WasmInfo {
  /** The binary in use. */
  variant: WasmVariant;
  features: WasmFeatures;
  /** The thread setting (getNumThreads). */
  threads: number;
  /** Workers started and ready now. */
  workersReady: number;
  /** Work chunks run by workers so far. */
  workerChunks: number;
  /** Bytes of wasm memory held (its high-water mark). */
  memoryBytes: number;
}

/** What the wasm backend runs on, or null before it loaded. */
export function wasmInfo(): WasmInfo | null {
  const rt = currentRuntime();
  if (!rt) return null;
  return {
    variant: rt.variant,
    features: { ...rt.features },
    threads: threadCount(),
    workersReady: rt.pool ? rt.pool.readyCount(rt.pool.started) : 0,
    workerChunks: rt.pool?.workerChunks ?? 0,
    memoryBytes: rt.heap.byteLength,
  };
}
