/**
 * The loaded wasm kernels: the compiled module, the main-thread instance, the heap and the
 * worker pool, and the thread-count setting. One runtime per JS realm, created by `loadRuntime`.
 */
import { decodeBase64, unshareMemoryImports } from './binary.js';
import { detectFeatures, enableRelaxedSimdOnNode, importNodeBuiltin, isNode, type WasmFeatures } from './features.js';
import { RELAXED_WASM_BASE64, SIMD_WASM_BASE64 } from './generated/kernels.js';
import { WasmHeap, createMemory } from './heap.js';
import { MAX_WORKERS, ThreadPool, findSpawner, type Job } from './pool.js';

/** The functions the AssemblyScript kernels export (byte addresses and counts are numbers). */
export interface KernelExports {
  heapBase(): number;
  gemmWorkBytes(): number;
  gemm(...args: number[]): void;
  [name: string]: (...args: number[]) => number | void;
}

/** Which binary runs. */
export type WasmVariant = 'relaxed-simd' | 'simd';

export interface WasmRuntime {
  readonly variant: WasmVariant;
  readonly features: WasmFeatures;
  readonly module: WebAssembly.Module;
  readonly exports: KernelExports;
  readonly heap: WasmHeap;
  /** null where threads are unavailable (no SharedArrayBuffer or no way to start workers). */
  readonly pool: ThreadPool | null;
}

/** Options of `initWasmBackend`. */
export interface WasmOptions {
  /** Use the relaxed-SIMD build when the engine has it (default true; on Node 20 this sets a V8 flag). */
  relaxedSimd?: boolean;
  /** Threads for large kernels, the calling one included (default: the number of cores). */
  numThreads?: number;
  /** Start the worker pool now and wait until it is ready, instead of at the first large kernel. */
  startThreads?: boolean;
}

let runtime: WasmRuntime | null = null;
let loading: Promise<WasmRuntime | null> | null = null;
/** Requested threads; null until set or until the core count is known. */
let requestedThreads: number | null = null;
let coreCount = 1;

/** The loaded runtime, or null before `loadRuntime` succeeded. */
export function currentRuntime(): WasmRuntime | null {
  return runtime;
}

async function countCores(): Promise<number> {
  if (isNode()) {
    try {
      const os = await importNodeBuiltin<{ availableParallelism?: () => number; cpus(): unknown[] }>('os');
      return os.availableParallelism?.() ?? os.cpus().length;
    } catch {
      return 1;
    }
  }
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

async function instantiate(options: WasmOptions): Promise<WasmRuntime | null> {
  if (options.relaxedSimd !== false) await enableRelaxedSimdOnNode();
  const features = detectFeatures();
  if (!features.simd) return null;
  const relaxed = options.relaxedSimd !== false && features.relaxedSimd;
  let bytes = decodeBase64(relaxed ? RELAXED_WASM_BASE64 : SIMD_WASM_BASE64);
  if (!features.threads) bytes = unshareMemoryImports(bytes);
  const module = await WebAssembly.compile(bytes);
  const memory = createMemory(features.threads);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      memory,
      abort: () => {
        throw new Error('wasm kernels: abort');
      },
    },
  });
  const exports = instance.exports as unknown as KernelExports;
  const heap = new WasmHeap(memory, exports.heapBase());
  const spawner = features.threads ? await findSpawner() : undefined;
  // The calling thread is thread 0 (a trailing argument, see worker-source.ts).
  const callLocal = (job: Job): void => void exports[job.fn](...job.args, 0);
  const pool = spawner ? new ThreadPool(module, memory, spawner, callLocal) : null;
  coreCount = await countCores();
  return { variant: relaxed ? 'relaxed-simd' : 'simd', features, module, exports, heap, pool };
}

/**
 * Compiles and instantiates the kernels once (later calls return the same runtime). Resolves
 * to null where the engine lacks SIMD.
 */
export async function loadRuntime(options: WasmOptions = {}): Promise<WasmRuntime | null> {
  if (options.numThreads !== undefined) setThreads(options.numThreads);
  if (!loading) {
    loading = instantiate(options).then((rt) => (runtime = rt));
  }
  const rt = await loading;
  if (rt && options.startThreads) await startThreads();
  return rt;
}

/** Sets the thread count (clamped to 1..64); workers start when a large kernel first needs them. */
export function setThreads(n: number): void {
  requestedThreads = Math.max(1, Math.min(MAX_WORKERS + 1, Math.floor(n)));
}

/** Threads large kernels may use now: the setting (default: the cores), 1 without threads. */
export function threadCount(): number {
  if (!runtime?.pool) return 1;
  return requestedThreads ?? coreCount;
}

/** Starts the workers for the current thread count and waits for them; returns the threads usable. */
export async function startThreads(): Promise<number> {
  const pool = runtime?.pool;
  if (!pool) return 1;
  pool.ensureWorkers(threadCount() - 1);
  return 1 + (await pool.whenReady());
}

/**
 * How many threads (the caller included, at most `threads`, by default the setting) should
 * share a kernel of `work` units, where the kernel is worth splitting only from `minWork`
 * units. Starts the pool on first need.
 */
export function participants(rt: WasmRuntime, work: number, minWork: number, threads = threadCount()): number {
  if (threads <= 1 || !rt.pool || work < minWork) return 1;
  if (rt.pool.started < threads - 1) rt.pool.ensureWorkers(threads - 1);
  const ready = rt.pool.readyCount(threads - 1);
  // Callers copy their operands in next: a parked worker wakes up meanwhile.
  if (ready > 0) rt.pool.wake();
  return 1 + ready;
}

/**
 * Runs the chunks: on this thread alone when `threads` is 1, else shared with up to
 * threads − 1 workers (any thread may run any chunk).
 */
export function runJobs(rt: WasmRuntime, chunks: readonly Job[], threads: number): void {
  if (threads <= 1 || chunks.length <= 1 || !rt.pool) {
    for (const chunk of chunks) rt.exports[chunk.fn](...chunk.args, 0);
    return;
  }
  rt.pool.run(chunks, threads - 1);
}

/** Splits [0, total) into `parts` contiguous ranges whose bounds are multiples of `unit`. */
export function splitRange(total: number, parts: number, unit: number): [number, number][] {
  const units = Math.ceil(total / unit);
  const ranges: [number, number][] = [];
  for (let p = 0; p < parts; p++) {
    const start = Math.min(total, Math.floor((units * p) / parts) * unit);
    const end = Math.min(total, Math.floor((units * (p + 1)) / parts) * unit);
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}
