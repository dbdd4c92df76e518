/**
 * A persistent pool of (threads − 1) workers over the kernels' shared memory. A parallel
 * kernel posts its work as chunks; the calling thread and the workers claim chunks from a
 * shared counter until none is left, then the caller waits for the last ones to finish:
 * kernels stay synchronous. Measured hand-off costs on a 2-core machine (WASM-NOTES): ≈0.4 µs
 * to a spinning worker, ≈70 µs through Atomics.wait/notify, 26–56 ms to start a worker — so
 * workers start lazily, once, spin a little after each task and then park. A worker that
 * wakes late (or never) costs nothing: its chunks are claimed by the others. Every chunk
 * computes the same bits whoever runs it, so results do not depend on the thread count.
 */
import { importNodeBuiltin, isNode } from './features.js';
import {
  ACTIVE, CONTROL_WORDS, COUNT, ERR, MAX_ARGS, MAX_CHUNKS, MAX_WORKERS_WORD, NEXT, READY_BASE, RECORD,
  SLEEPERS, STOP, TASK, WORKER_SOURCE,
} from './worker-source.js';

/** A call of a kernel export with numeric arguments: one chunk of a task. */
export interface Job {
  fn: string;
  args: readonly number[];
}

/**
 * How long a worker spins for the next task before it parks (ms). Short: between a training
 * step's parallel kernels a spinning worker holds a core that V8's GC threads want (on 2 cores
 * 1 ms made MLP steps ~10% slower than 0.2 ms; waking a parked worker costs ~50–80 µs).
 */
const WORKER_SPIN_MS = 0.2;
/** How long the calling thread spins for the last chunks before it blocks on Atomics.wait (ms). */
const CALLER_SPIN_MS = 0.5;
/** The chunk index of a closed task: beyond every COUNT, so nothing can be claimed. */
const CLOSED = 0xffff;
/** The most workers a pool starts. */
export const MAX_WORKERS = CONTROL_WORDS - READY_BASE - 1;

type NodeWorkerClass = new (code: string, options: { eval: boolean; workerData: unknown }) => {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (err: unknown) => void): void;
};

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  records: SharedArrayBuffer;
  index: number;
  names: string[];
  spinMs: number;
}

/** How this host starts a worker. */
export type Spawner = (init: WorkerInit) => { terminate(): void };

/** Finds how to start workers here: worker_threads on Node, Web Workers in a browser. */
export async function findSpawner(): Promise<Spawner | undefined> {
  if (isNode()) {
    try {
      const { Worker } = await importNodeBuiltin<{ Worker: NodeWorkerClass }>('worker_threads');
      return (init) => {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
        worker.unref(); // an idle pool must not keep the process alive
        worker.on('error', () => {}); // a worker that fails reports READY = −1
        return { terminate: () => void worker.terminate() };
      };
    } catch {
      return undefined;
    }
  }
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== 'function' || typeof g.Blob !== 'function' || !g.URL) return undefined;
  const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const WorkerClass = g.Worker;
  return (init) => {
    const worker = new WorkerClass(url);
    worker.postMessage(init);
    return { terminate: () => worker.terminate() };
  };
}

/** True where this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** The worker pool; `run` is the only entry kernels use. */
export class ThreadPool {
  private readonly control: Int32Array;
  private readonly records: Float64Array;
  private readonly init: Omit<WorkerInit, 'index'>;
  private readonly workers: { terminate(): void }[] = [];
  private readonly fnIndex: Map<string, number>;
  private readonly blocking = canBlock();
  private task = 0;
  /** When `wake` last notified parked workers (performance.now() ms). */
  private wokenAt = -Infinity;
  /** Chunks run by workers so far (diagnostics and tests). */
  workerChunks = 0;

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly spawn: Spawner,
    /** Runs a chunk on the calling thread (thread index 0). */
    private readonly callLocal: (job: Job) => void,
  ) {
    const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    this.fnIndex = new Map(names.map((name, i) => [name, i]));
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const records = new SharedArrayBuffer(MAX_CHUNKS * RECORD * 8);
    this.control = new Int32Array(control);
    this.records = new Float64Array(records);
    this.init = { module, memory, control, records, names, spinMs: WORKER_SPIN_MS };
  }

  /** Starts workers until there are `count` (each becomes usable once its READY flag is up). */
  ensureWorkers(count: number): void {
    const target = Math.min(count, MAX_WORKERS);
    if (this.workers.length === 0) Atomics.store(this.control, STOP, 0);
    while (this.workers.length < target) {
      const index = this.workers.length;
      Atomics.store(this.control, READY_BASE + index, 0);
      this.workers.push(this.spawn({ ...this.init, index }));
    }
  }

  /** Workers started so far. */
  get started(): number {
    return this.workers.length;
  }

  /** Workers that can take chunks now: the first ones started, in order, up to `limit`. */
  readyCount(limit: number): number {
    let n = 0;
    while (n < Math.min(limit, this.workers.length) && Atomics.load(this.control, READY_BASE + n) === 1) n++;
    return n;
  }

  /** Resolves when every started worker has its instance (or failed to); returns the ready count. */
  async whenReady(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = this.workers.some((_, w) => Atomics.load(this.control, READY_BASE + w) === 0);
      if (!pending || Date.now() > deadline) return this.readyCount(this.workers.length);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Runs the chunks with the calling thread and up to `workers` workers, and returns when all
   * are done. Throws if a chunk threw.
   */
  run(chunks: readonly Job[], workers: number): void {
    if (chunks.length > MAX_CHUNKS) throw new Error(`wasm pool: ${chunks.length} chunks (max ${MAX_CHUNKS})`);
    const ctl = this.control;
    const [task, tag] = this.openTask();
    chunks.forEach((chunk, r) => {
      if (chunk.args.length > MAX_ARGS) throw new Error(`wasm pool: ${chunk.args.length} arguments (max ${MAX_ARGS})`);
      const at = r * RECORD;
      this.records[at] = this.fnIndex.get(chunk.fn) ?? -1;
      this.records[at + 1] = chunk.args.length;
      this.records.set(chunk.args, at + 2);
    });
    Atomics.store(ctl, COUNT, chunks.length);
    Atomics.store(ctl, MAX_WORKERS_WORD, workers);
    Atomics.store(ctl, ERR, 0);
    Atomics.store(ctl, NEXT, tag);
    Atomics.store(ctl, TASK, task);
    // A parked worker re-checks TASK inside Atomics.wait, so a notify is needed only for sleepers,
    // and not for those `wake` notified just now: they read TASK once awake and spin before
    // they park again (a futex call costs 5–20 µs here).
    if (Atomics.load(ctl, SLEEPERS) > 0 && performance.now() - this.wokenAt > WORKER_SPIN_MS / 2) Atomics.notify(ctl, TASK);
    let localError: unknown;
    let localChunks = 0;
    for (;;) {
      const next = Atomics.load(ctl, NEXT);
      if ((next & 0xffff0000) !== tag || (next & 0xffff) >= chunks.length) break;
      if (Atomics.compareExchange(ctl, NEXT, next, next + 1) !== next) continue;
      localChunks++;
      try {
        this.callLocal(chunks[next & 0xffff]);
      } catch (err) {
        localError ??= err;
      }
    }
    this.waitIdle();
    this.workerChunks += chunks.length - localChunks;
    if (localError !== undefined) throw localError;
    if (Atomics.load(ctl, ERR) !== 0) throw new Error('wasm pool: a kernel failed on a worker thread');
  }

  /**
   * Wakes parked workers with an empty task, so that they are spinning by the time the
   * caller, which is about to copy operands in, posts the real one: waking costs ~50–80 µs,
   * about as long as those copies.
   */
  wake(): void {
    const ctl = this.control;
    if (Atomics.load(ctl, SLEEPERS) === 0) return;
    const [task] = this.openTask();
    Atomics.store(ctl, COUNT, 0);
    // Taken before TASK changes: a worker that sees the empty task spins at least from here,
    // however long the notify below takes (run skips its notify within half a spin of this).
    this.wokenAt = performance.now();
    Atomics.store(ctl, TASK, task);
    Atomics.notify(ctl, TASK);
  }

  /**
   * The next task number and its NEXT tag, with NEXT closed under that tag: a worker that
   * woke late for the previous task and reads the new COUNT then finds a foreign tag and
   * claims nothing from the records the caller writes next.
   */
  private openTask(): [number, number] {
    const task = (this.task = (this.task + 1) | 0);
    const tag = (task & 0xffff) << 16;
    Atomics.store(this.control, NEXT, tag | CLOSED);
    return [task, tag];
  }

  /** Waits until no worker is inside a task: spin briefly, then block where allowed. */
  private waitIdle(): void {
    const ctl = this.control;
    let active = Atomics.load(ctl, ACTIVE);
    if (active === 0) return;
    const deadline = performance.now() + CALLER_SPIN_MS;
    let spins = 0;
    while ((active = Atomics.load(ctl, ACTIVE)) !== 0) {
      if ((++spins & 255) === 0 && this.blocking && performance.now() > deadline) Atomics.wait(ctl, ACTIVE, active, 50);
    }
  }

  /** Stops and forgets every worker. */
  terminate(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.store(this.control, TASK, (this.task = (this.task + 1) | 0));
    Atomics.notify(this.control, TASK);
    for (const worker of this.workers) worker.terminate();
    this.workers.length = 0;
  }
}
