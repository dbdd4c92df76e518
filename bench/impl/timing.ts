/**
 * Timing rules shared by the TypeScript workers (bench/impl/torch_bench.py applies the same):
 *
 * - GEMM: a warm-up (two products and at least 1 s; 0.2 s under --quick), then rounds of
 *   back-to-back products (each round at least `roundS` seconds and one product); the
 *   figure is the median round's GFLOP/s.
 * - Training: untimed warm-up steps (at least `WARMUP_STEPS`, for at least `WARMUP_S` seconds:
 *   JIT compilers, the garbage collector's heap sizes, allocators and caches settle; after a
 *   warm-up of one MLP epoch nabla's next epochs still ran 0.69, 0.64, 0.58, 0.57, 0.56 s, while
 *   PyTorch's were flat), then the epoch's batches in order. After the
 *   first `PROBE_BATCHES` batches the epoch time is estimated; when the estimate exceeds
 *   `job.limitS` (or always under --quick) the epoch stops once `job.subsetS` seconds of
 *   batches are timed and its time is the mean batch time × batches per epoch, marked
 *   extrapolated. Under --quick one warm-up step and one probe batch are enough.
 */
import type { BenchRecord, Job } from './protocol.js';
import { round } from './protocol.js';

/** Batches timed before an epoch's length is estimated. */
export const PROBE_BATCHES = 3;
/** Untimed training steps before the first timed epoch (JIT, kernel compilation, allocation). */
export const WARMUP_STEPS = 2;
export const WARMUP_S = 10;

/** Whether warm-up is over after `steps` steps taking `seconds` (the same rule for every implementation). */
export function warmedUp(steps: number, seconds: number, quick: boolean): boolean {
  if (quick) return steps >= 1;
  return steps >= WARMUP_STEPS && seconds >= WARMUP_S;
}

export interface EpochTiming {
  /** Seconds for the whole epoch (measured, or extrapolated from `batches`). */
  seconds: number;
  extrapolated: boolean;
  /** Batches actually run. */
  batches: number;
}

/**
 * Runs the batches of one epoch (`step(b)` trains on batch b) and times them, stopping early
 * and extrapolating when the epoch would take longer than the job allows.
 */
export async function timeEpoch(
  batchesPerEpoch: number,
  step: (batch: number) => unknown,
  job: Pick<Job, 'limitS' | 'subsetS' | 'quick'>,
): Promise<EpochTiming> {
  const limitS = job.quick ? 0 : job.limitS;
  const probe = Math.min(job.quick ? 1 : PROBE_BATCHES, batchesPerEpoch);
  const start = performance.now();
  let subset = false;
  for (let b = 0; b < batchesPerEpoch; b++) {
    await step(b);
    const elapsed = (performance.now() - start) / 1000;
    const done = b + 1;
    if (done === probe && done < batchesPerEpoch) subset = (elapsed / done) * batchesPerEpoch > limitS;
    if (subset && done >= probe && elapsed >= job.subsetS) {
      return { seconds: extrapolate(elapsed, done, batchesPerEpoch), extrapolated: true, batches: done };
    }
  }
  return { seconds: (performance.now() - start) / 1000, extrapolated: false, batches: batchesPerEpoch };
}

/** The time of `total` batches when `done` of them took `elapsed` seconds. */
export function extrapolate(elapsed: number, done: number, total: number): number {
  return (elapsed / done) * total;
}

/** What a training worker provides to `trainAndTime`. */
export interface Trainer {
  batchesPerEpoch: number;
  /** Called before each epoch (reshuffles). */
  beginEpoch(epoch: number): void;
  /** Back to the initial weights with a fresh optimizer: warm-up steps do not count as training. */
  restart(): void | Promise<void>;
  /** Trains on batch b of the current epoch; returns (or resolves to) the loss. */
  step(batch: number): unknown;
  /** Test-set accuracy in [0, 1] (only called after whole epochs). */
  accuracy(): number | Promise<number>;
}

/**
 * Trains `job.epochs` epochs, timing each; emits the median epoch time (one epoch's figure
 * that a single slow or fast epoch on a shared machine does not decide) and, when the epochs
 * ran in full and `withAccuracy`, the test accuracy after 1 and after `job.epochs` epochs.
 * An extrapolated epoch ends training: its time is emitted at once (there is no accuracy then).
 */
export async function trainAndTime(
  job: Job,
  trainer: Trainer,
  base: Omit<BenchRecord, 'value' | 'unit'>,
  withAccuracy: boolean,
  emit: (r: BenchRecord) => void,
): Promise<void> {
  trainer.beginEpoch(-1);
  const warmStart = performance.now();
  for (let s = 0; !warmedUp(s, (performance.now() - warmStart) / 1000, job.quick); s++) {
    await trainer.step(s % trainer.batchesPerEpoch);
  }
  await trainer.restart();
  const seconds: number[] = [];
  for (let epoch = 0; epoch < job.epochs; epoch++) {
    trainer.beginEpoch(epoch);
    const t = await timeEpoch(trainer.batchesPerEpoch, (b) => trainer.step(b), job);
    if (t.extrapolated) {
      // A later epoch that would run past the limit ends training: the epochs timed in full
      // (and the accuracy already reported after the first) stand.
      if (seconds.length > 0) {
        emit(epochTimeRecord(base, seconds, trainer.batchesPerEpoch));
        return;
      }
      emit({ ...base, value: round(t.seconds, 3), unit: 's', extrapolated: true, batches: t.batches, epochs: 1 });
      if (withAccuracy) emit({ ...base, value: null, unit: 'acc', note: 'no accuracy: the epoch was timed on a subset' });
      return;
    }
    seconds.push(t.seconds);
    const last = epoch === job.epochs - 1;
    if (last) emit(epochTimeRecord(base, seconds, t.batches));
    if (withAccuracy && (epoch === 0 || last)) {
      emit({ ...base, value: round(await trainer.accuracy(), 4), unit: 'acc', epochs: epoch + 1 });
    }
  }
}

/** The seconds-per-epoch record of fully timed epochs: their median, every epoch in the note. */
export function epochTimeRecord(base: Omit<BenchRecord, 'value' | 'unit'>, seconds: readonly number[], batches: number): BenchRecord {
  const note = seconds.length > 1 ? `median of ${seconds.length} epochs: ${seconds.map((s) => s.toFixed(2)).join(', ')} s` : undefined;
  return { ...base, value: round(median(seconds), 3), unit: 's', extrapolated: false, batches, epochs: 1, ...(note ? { note } : {}) };
}

export interface GemmTiming {
  gflops: number;
  rounds: number;
  calls: number;
}

/**
 * GFLOP/s of `product` (one C = A·B of 2·m·k·n flops per call): median over timing rounds.
 * Stops adding rounds after about `budgetS` seconds (a slow peer at 1024³ takes seconds a call).
 */
export function timeGemm(product: () => void, flops: number, quick: boolean): GemmTiming {
  const roundS = quick ? 0.05 : 0.5;
  const maxRounds = quick ? 3 : 7;
  const budgetS = quick ? 2 : 30;
  // Warm-up long enough for V8 to move hot wasm from its baseline compiler to the optimising one.
  const warmStart = performance.now();
  let warm = 0;
  do {
    product();
    warm++;
  } while (warm < 2 || performance.now() - warmStart < (quick ? 200 : 1000));
  const rates: number[] = [];
  let calls = 0;
  const start = performance.now();
  while (rates.length < maxRounds && (rates.length < 2 || (performance.now() - start) / 1000 < budgetS)) {
    const t0 = performance.now();
    let n = 0;
    do {
      product();
      n++;
    } while ((performance.now() - t0) / 1000 < roundS);
    rates.push((flops * n) / ((performance.now() - t0) / 1000) / 1e9);
    calls += n;
  }
  return { gflops: median(rates), rounds: rates.length, calls };
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
