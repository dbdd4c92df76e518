/**
 * A persistent pool of (threads − 1) workers over the kernels' shared memory. A parallel
 * kernel hands one job to each ready worker, runs its own share on the calling thread, then
 * waits for the others: kernels stay synchronous. Measured hand-off costs on a 2-core
 * machine (WASM-NOTES): ≈0.4 µs to a spinning worker, ≈70 µs through Atomics.wait/notify,
 * 26–56 ms to start a worker — so workers start lazily, once, spin a little after each job and
 * then park. Workers that are still starting are simply not used yet: every parallel kernel
 * splits its work so that the result does not depend on how many threads took part.
 */
import { importNodeBuiltin, isNode } from './features.js';
import {
  DONE, ERR, FN, MAX_ARGS, NARGS, READY, SEQ, SLEEP, SLOT_WORDS, STOP, WORKER_SOURCE,
} from './worker-source.js';

/** A call of a kernel export with numeric arguments. */
export interface Job {
  fn: string;
  args: readonly number[];
}

/** How long a worker spins for the next job before it parks (ms). */
const WORKER_SPIN_MS = 2;
/** How long the calling thread spins for workers before it blocks on Atomics.wait (ms). */
const CALLER_SPIN_MS = 1;
/** The most workers a pool starts. */
export const MAX_WORKERS = 63;

type NodeWorkerClass = new (code: string, options: { eval: boolean; workerData: unknown }) => {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', listener: (err: unknown) => void): void;
};

/** How this host starts a worker; undefined where none can be started. */
type Spawner = (init: WorkerInit) => { terminate(): void };

interface WorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  args: SharedArrayBuffer;
  index: number;
  names: string[];
  spinMs: number;
}

/** Finds how to start workers here: worker_threads on Node, Web Workers in a browser. */
export async function findSpawner(): Promise<Spawner | undefined> {
  if (isNode()) {
    try {
      const { Worker } = await importNodeBuiltin<{ Worker: NodeWorkerClass }>('worker_threads');
      return (init) => {
        const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: init });
        worker.unref(); // an idle pool must not keep the process alive
        worker.on('error', () => {}); // a failed worker reports through READY = −1
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
  private readonly args: Float64Array;
  private readonly init: Omit<WorkerInit, 'index'>;
  private readonly workers: { terminate(): void }[] = [];
  private readonly fnIndex: Map<string, number>;
  private readonly blocking = canBlock();
  private seq = 0;
  /** Jobs handed to workers so far (diagnostics and tests). */
  workerJobs = 0;

  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly spawn: Spawner,
    private readonly callLocal: (job: Job) => void,
  ) {
    const names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    this.fnIndex = new Map(names.map((name, i) => [name, i]));
    const control = new SharedArrayBuffer(MAX_WORKERS * SLOT_WORDS * 4);
    const args = new SharedArrayBuffer(MAX_WORKERS * MAX_ARGS * 8);
    this.control = new Int32Array(control);
    this.args = new Float64Array(args);
    this.init = { module, memory, control, args, names, spinMs: WORKER_SPIN_MS };
  }

  /** Starts workers until there are `count` (they become usable once their READY flag is up). */
  ensureWorkers(count: number): void {
    const target = Math.min(count, MAX_WORKERS);
    while (this.workers.length < target) {
      const index = this.workers.length;
      const base = index * SLOT_WORDS;
      // A fresh slot: a worker terminated earlier may have left its flags behind.
      this.control.fill(0, base, base + SLOT_WORDS);
      Atomics.store(this.control, base + SEQ, this.seq);
      Atomics.store(this.control, base + DONE, this.seq);
      this.workers.push(this.spawn({ ...this.init, index }));
    }
  }

  /** Workers started so far. */
  get started(): number {
    return this.workers.length;
  }

  /** Workers that can take a job now (the first `readyCount` of those started, in order). */
  readyCount(limit: number): number {
    let n = 0;
    while (n < Math.min(limit, this.workers.length) && Atomics.load(this.control, n * SLOT_WORDS + READY) === 1) n++;
    return n;
  }

  /** Resolves when every started worker has its instance (or failed to); returns the ready count. */
  async whenReady(timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = this.workers.some((_, w) => Atomics.load(this.control, w * SLOT_WORDS + READY) === 0);
      if (!pending || Date.now() > deadline) return this.readyCount(this.workers.length);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /**
   * Runs jobs[0] on the calling thread and jobs[1..] on workers 0.., then waits for all.
   * The caller makes sure that jobs.length − 1 ≤ readyCount().
   */
  run(jobs: readonly Job[]): void {
    const ctl = this.control;
    const seq = ++this.seq;
    for (let w = 0; w < jobs.length - 1; w++) {
      const job = jobs[w + 1];
      const base = w * SLOT_WORDS;
      if (job.args.length > MAX_ARGS) throw new Error(`wasm pool: ${job.args.length} arguments (max ${MAX_ARGS})`);
      this.args.set(job.args, w * MAX_ARGS);
      ctl[base + FN] = this.fnIndex.get(job.fn) ?? -1;
      ctl[base + NARGS] = job.args.length;
      Atomics.store(ctl, base + SEQ, seq);
      // A parked worker re-checks SEQ inside Atomics.wait, so a notify is needed only if it sleeps.
      if (Atomics.load(ctl, base + SLEEP) === 1) Atomics.notify(ctl, base + SEQ);
    }
    this.workerJobs += jobs.length - 1;
    let localError: unknown;
    try {
      this.callLocal(jobs[0]);
    } catch (err) {
      localError = err;
    }
    let failed = false;
    for (let w = 0; w < jobs.length - 1; w++) {
      this.waitDone(w, seq);
      if (ctl[w * SLOT_WORDS + ERR] !== 0) failed = true;
    }
    if (localError !== undefined) throw localError;
    if (failed) throw new Error('wasm pool: a worker failed while running a kernel');
  }

  private waitDone(w: number, seq: number): void {
    const ctl = this.control;
    const at = w * SLOT_WORDS + DONE;
    let done = Atomics.load(ctl, at);
    if (done === seq) return;
    const deadline = performance.now() + CALLER_SPIN_MS;
    let spins = 0;
    while ((done = Atomics.load(ctl, at)) !== seq) {
      if ((++spins & 255) === 0 && performance.now() > deadline) {
        if (this.blocking) Atomics.wait(ctl, at, done, 100);
      }
    }
  }

  /** Stops and forgets every worker. */
  terminate(): void {
    const seq = ++this.seq;
    this.workers.forEach((worker, w) => {
      const base = w * SLOT_WORDS;
      Atomics.store(this.control, base + STOP, 1);
      Atomics.store(this.control, base + SEQ, seq);
      Atomics.notify(this.control, base + SEQ);
      worker.terminate();
    });
    this.workers.length = 0;
  }
}
