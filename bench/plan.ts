/**
 * The benchmark's options and the list of jobs they mean: one job per workload ×
 * implementation × configuration, each run in its own process by bench/run.ts.
 */
import { IMPLS, WORKLOADS, type Impl, type Job, type Workload } from './impl/protocol.js';

export interface Options {
  quick: boolean;
  json: boolean;
  /** Workloads to run (--only). */
  only: Workload[];
  /** Implementations to run (--impl). */
  impls: Impl[];
  /** nabla backends to run (--backends); null: every backend found. */
  backends: string[] | null;
  /** GEMM sizes [m, k, n] (--gemm 128x784x128,512x512x512). */
  gemm: [number, number, number][];
  /** Thread counts for nabla backends that use threads (--nabla-threads); null: the number of cores. */
  nablaThreads: number[] | null;
  /** Seconds a job may run before it is killed (--timeout). */
  timeoutS: number;
  /** Pass the workers' own output through to stderr (--verbose). */
  verbose: boolean;
  /** Also write the JSON lines to this file (--save). */
  save: string | null;
  /**
   * How many times each training job of nabla's wasm configurations and of PyTorch runs
   * (--rounds), the rounds alternating in order; the figure is the median of the rounds.
   */
  rounds: number;
}

export const DEFAULT_GEMM: [number, number, number][] = [[128, 784, 128], [512, 512, 512], [1024, 1024, 1024]];

export const USAGE = `npm run bench -- [options]

  --quick                 smoke run: short GEMM rounds, every epoch timed on a few seconds of batches
  --only mlp,cnn,gemm     workloads to run (default: all)
  --impl nabla,tfjs-cpu,tfjs-wasm,torch
                          implementations to run (default: all; torch only where it imports)
  --backends js,wasm      nabla backends (default: every one found)
  --nabla-threads 1,2     thread counts for nabla's wasm backend (default: the number of cores)
  --gemm 128x784x128,...  GEMM sizes m×k×n (default: 128x784x128,512x512x512,1024x1024x1024)
  --timeout 900           seconds before a job is killed and reported as timed out
  --json                  one JSON object per line on stdout instead of the table
  --save FILE             also write the JSON lines to FILE (with the table or --json)
  --rounds 3              run the MLP and CNN jobs of nabla's wasm configurations and of
                          PyTorch this many times, interleaved (each round in the opposite
                          order to the last), and report the median of the rounds
                          (default: 1)
  --verbose               show the workers' own output (on stderr)
`;

/** Thrown for a bad command line; run.ts prints it with the usage. */
export class UsageError extends Error {}

function list(flag: string, value: string | undefined): string[] {
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function oneOf<T extends string>(flag: string, values: string[], allowed: readonly T[]): T[] {
  for (const v of values) {
    if (!allowed.includes(v as T)) throw new UsageError(`${flag}: unknown '${v}' (expected ${allowed.join(', ')})`);
  }
  return values as T[];
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: expected a positive integer, got '${v}'`);
  return n;
}

/** Parses the command line (the arguments after the script name). */
export function parseArgs(argv: readonly string[]): Options {
  const o: Options = {
    quick: false, json: false, only: [...WORKLOADS], impls: [...IMPLS], backends: null,
    gemm: DEFAULT_GEMM, nablaThreads: null, timeoutS: 900, verbose: false, save: null, rounds: 1,
  };
  let timeoutGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = (): string | undefined => argv[++i];
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--json': o.json = true; break;
      case '--verbose': o.verbose = true; break;
      case '--save': o.save = list(flag, next())[0]; break;
      case '--only': o.only = oneOf(flag, list(flag, next()), WORKLOADS); break;
      case '--impl': o.impls = oneOf(flag, list(flag, next()), IMPLS); break;
      case '--backends': o.backends = list(flag, next()); break;
      case '--nabla-threads': o.nablaThreads = list(flag, next()).map((v) => positiveInt(flag, v)); break;
      case '--rounds': o.rounds = positiveInt(flag, list(flag, next())[0]); break;
      case '--timeout': o.timeoutS = positiveInt(flag, list(flag, next())[0]); timeoutGiven = true; break;
      case '--gemm':
        o.gemm = list(flag, next()).map((s) => {
          const dims = s.split('x').map((v) => positiveInt(flag, v));
          if (dims.length !== 3) throw new UsageError(`${flag}: expected m×k×n as MxKxN, got '${s}'`);
          return dims as [number, number, number];
        });
        break;
      default: throw new UsageError(`unknown option '${flag}'`);
    }
  }
  if (o.quick && !timeoutGiven) o.timeoutS = 180;
  return o;
}

/** A torch configuration: threads set before torch loads, and OpenBLAS' own threads when capped. */
export interface TorchConfig {
  threads: number;
  blasThreads?: number;
}

/**
 * The configurations PyTorch runs in: 1 thread; all cores; all cores with OpenBLAS held to
 * one thread (torch's intra-op threads and OpenBLAS' threads otherwise compete for the cores).
 */
export function torchConfigs(cores: number): TorchConfig[] {
  const n = Math.max(2, cores);
  return [{ threads: 1, blasThreads: 1 }, { threads: n }, { threads: n, blasThreads: 1 }];
}

/** A job and the environment its process gets. */
export interface PlannedJob {
  job: Job;
  env: Record<string, string>;
  /** Which round of a repeated job this is (1-based; only with --rounds above 1). */
  round?: number;
}

/** Jobs that --rounds repeats: training on nabla's wasm configurations and on PyTorch (seconds each, not minutes). */
function repeatable({ job }: PlannedJob): boolean {
  return job.workload !== 'gemm' && (job.impl === 'torch' || (job.impl === 'nabla' && job.backend.startsWith('wasm')));
}

/**
 * With rounds > 1, each workload's repeatable jobs run again after its first pass, every other
 * round in reverse order: on a shared VM whose speed drifts over minutes, nabla and PyTorch then
 * meet the same drift, instead of one side's jobs all landing in a slow phase.
 */
function withRounds(jobs: PlannedJob[], rounds: number): PlannedJob[] {
  if (rounds <= 1) return jobs;
  const out: PlannedJob[] = [];
  const workloads = [...new Set(jobs.map((p) => p.job.workload))];
  for (const workload of workloads) {
    const mine = jobs.filter((p) => p.job.workload === workload);
    out.push(...mine.map((p) => (repeatable(p) ? { ...p, round: 1 } : p)));
    const again = mine.filter(repeatable);
    for (let round = 2; round <= rounds; round++) {
      const order = round % 2 === 0 ? [...again].reverse() : again;
      out.push(...order.map((p) => ({ ...p, round })));
    }
  }
  return out;
}

/** What the planner needs to know about the machine. */
export interface PlanContext {
  cores: number;
  /** nabla backends present (js first). */
  nablaBackends: string[];
  /** Backends of nabla that compute with threads. */
  threadedBackends: readonly string[];
  /** Whether PyTorch imports; its environment (LD_LIBRARY_PATH). */
  torch: { ok: boolean; env: Record<string, string> };
  mnistDir: string;
}

/** The label of nabla's wasm backend run under `node --single-threaded-gc`. */
export const SINGLE_THREADED_GC = 'wasm, single-threaded GC';
/** Machines with at most this many cores also run that configuration. */
export const GC_THREAD_CORES = 4;

/**
 * Timed epochs per training job (1 under --quick): the MLP's accuracy is after 5; nabla and
 * PyTorch report the median epoch time, so one epoch disturbed on a shared machine does not
 * decide the comparison. TensorFlow.js (minutes to hours an epoch) and nabla's js backend on
 * the CNN time one.
 */
export const TIMED_EPOCHS: Record<string, number> = { mlp: 5, cnn: 3 };

/** nabla's own epochs may run this long in full; a peer's epoch over LIMIT_S runs a subset. */
export const NABLA_LIMIT_S = 600;
export const LIMIT_S = 120;

/** Every job the options ask for, in the order they run: workload by workload (see withRounds). */
export function planJobs(o: Options, ctx: PlanContext): PlannedJob[] {
  return withRounds(firstPass(o, ctx), o.rounds);
}

/** Every job once, in the order they run: workload by workload. */
function firstPass(o: Options, ctx: PlanContext): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  const base = { quick: o.quick, batchSize: 128, seed: 0, subsetS: o.quick ? 2 : 30 };
  const nablaBackends = o.backends ?? ctx.nablaBackends;
  const nablaThreads = o.nablaThreads ?? [ctx.cores];
  for (const workload of o.only) {
    const sizes = workload === 'gemm' ? o.gemm : [undefined];
    for (const gemm of sizes) {
      const common = { ...base, workload, ...(gemm ? { gemm } : {}) };
      for (const impl of o.impls) {
        if (impl === 'nabla') {
          for (const backend of nablaBackends) {
            // The plain-SIMD build is compared on GEMM only, unless asked for by name.
            if (backend === 'wasm-simd' && workload !== 'gemm' && !o.backends) continue;
            const counts = ctx.threadedBackends.includes(backend) ? nablaThreads : [1];
            // The js backend's CNN epoch takes minutes: one.
            const epochs = o.quick || (workload === 'cnn' && backend === 'js') ? 1 : (TIMED_EPOCHS[workload] ?? 1);
            for (const threads of counts) {
              // The plain-SIMD build: the package loads it instead of the relaxed one when told so.
              const env: Record<string, string> = backend === 'wasm-simd' ? { NABLA_RELAXED_SIMD: '0' } : {};
              jobs.push({ job: { ...common, impl, backend, threads, epochs, limitS: NABLA_LIMIT_S }, env });
              // On few cores V8's background GC threads compete with the worker threads for the
              // cores (as OpenBLAS' threads do with torch's): also run with the GC on the main thread.
              if (backend === 'wasm' && threads > 1 && ctx.cores <= GC_THREAD_CORES && !o.backends) {
                jobs.push({
                  job: { ...common, impl, backend: SINGLE_THREADED_GC, threads, epochs, limitS: NABLA_LIMIT_S, nodeFlags: ['--single-threaded-gc'] },
                  env: {},
                });
              }
            }
          }
        } else if (impl === 'tfjs-cpu' || impl === 'tfjs-wasm') {
          const backend = impl === 'tfjs-cpu' ? 'cpu' : 'wasm';
          jobs.push({ job: { ...common, impl, backend, threads: 1, epochs: 1, limitS: LIMIT_S }, env: {} });
        } else if (ctx.torch.ok) {
          for (const c of torchConfigs(ctx.cores)) {
            const env: Record<string, string> = { ...ctx.torch.env, OMP_NUM_THREADS: String(c.threads), MKL_NUM_THREADS: String(c.threads) };
            if (c.blasThreads) env.OPENBLAS_NUM_THREADS = String(c.blasThreads);
            const epochs = o.quick ? 1 : (TIMED_EPOCHS[workload] ?? 1);
            jobs.push({ job: { ...common, impl, backend: 'cpu', threads: c.threads, epochs, limitS: LIMIT_S, mnistDir: ctx.mnistDir }, env });
          }
        }
      }
    }
  }
  return jobs;
}
