/**
 * The body every JS benchmark worker shares: read the job, set up the backend, run the GEMM or
 * the MNIST training it names, report an error as a result line, always report peak RSS, exit.
 */
import { emit, errorText, gemmName, readJob, rssRecord, type BenchRecord, type Job } from './protocol.js';
import { trainAndTime, type Trainer } from './timing.js';

type Base = Omit<BenchRecord, 'value' | 'unit'>;

/** What one implementation supplies to the shared worker. */
export interface WorkerImpl {
  /** Selects the backend; resolves to the thread count actually used. */
  setup(job: Job): Promise<number>;
  gemm(job: Job, base: Base): void;
  /** A trainer for the job's MNIST workload ('mlp' or 'cnn'). */
  trainer(job: Job): Promise<Trainer>;
}

export async function runWorker(impl: WorkerImpl): Promise<void> {
  const job = readJob();
  const workload = job.workload === 'gemm' ? gemmName(job.gemm!) : job.workload;
  let threads = job.threads;
  try {
    threads = await impl.setup(job);
    const base = { workload, impl: job.impl, backend: job.backend, threads };
    if (job.workload === 'gemm') impl.gemm(job, base);
    else await trainAndTime(job, await impl.trainer(job), base, job.workload === 'mlp', emit);
  } catch (err) {
    emit({ workload, impl: job.impl, backend: job.backend, threads, value: null, unit: job.workload === 'gemm' ? 'GFLOP/s' : 's', error: errorText(err) });
  }
  emit(rssRecord(job, workload, job.backend, threads));
  // Worker threads (nabla's wasm pool) would otherwise keep the process alive.
  process.exit(0);
}
