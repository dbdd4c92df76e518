import { ValueError } from '../../tensor/index.js';
import { checkPositiveInt } from '../optimizer.js';
import { LRScheduler, type JsonValue, type LrTarget, type SchedulerStateDict } from './scheduler.js';

/** Options of LinearWarmup. */
export interface LinearWarmupOptions {
  /** Steps over which the rate climbs to its base value. */
  warmupSteps: number;
  /** The rate at step 0 as a fraction of the base rate, in [0, 1] (default 0). */
  startFactor?: number;
  /** A schedule (on the same optimizer) that takes over once the warmup is done. */
  after?: LRScheduler;
}

/**
 * Linear warmup: lr_t = lr₀·(s + (1 − s)·t / W) for t ≤ W = warmupSteps, s = startFactor.
 * Afterwards the rate stays at lr₀, or, when `after` is given, that schedule continues as if
 * it had started at step W: `step(metric)` is passed on to it (so ReduceLROnPlateau works too).
 */
export class LinearWarmup extends LRScheduler {
  readonly warmupSteps: number;
  readonly startFactor: number;
  readonly after: LRScheduler | null;

  constructor(optimizer: LrTarget, options: LinearWarmupOptions) {
    checkPositiveInt('LinearWarmup', 'warmupSteps', options?.warmupSteps);
    const startFactor = options.startFactor ?? 0;
    if (!(typeof startFactor === 'number' && startFactor >= 0 && startFactor <= 1)) {
      throw new ValueError(`LinearWarmup: invalid startFactor ${String(startFactor)} (expected a number in [0, 1])`);
    }
    const after = options.after ?? null;
    if (after !== null && !(after instanceof LRScheduler)) throw new ValueError('LinearWarmup: after must be a learning-rate schedule');
    if (after !== null && after.optimizer !== optimizer) throw new ValueError(`LinearWarmup: after (${after.name}) schedules a different optimizer`);
    super('LinearWarmup', optimizer);
    this.warmupSteps = options.warmupSteps;
    this.startFactor = startFactor;
    this.after = after;
    this.setLrs(this.baseLrs.map((b) => this.warmupLr(0, b)));
  }

  private warmupLr(t: number, baseLr: number): number {
    return baseLr * (this.startFactor + ((1 - this.startFactor) * t) / this.warmupSteps);
  }

  /** Advances one step; past the warmup the metric goes to `after`. */
  step(metric?: number): void {
    this.lastEpoch += 1;
    if (this.lastEpoch <= this.warmupSteps) {
      this.setLrs(this.baseLrs.map((b) => this.warmupLr(this.lastEpoch, b)));
    } else if (this.after) {
      this.after.step(metric);
      this.setLrs(this.after.getLastLr());
    } else {
      this.setLrs([...this.baseLrs]);
    }
  }

  protected override extraState(): Record<string, JsonValue> {
    return { after: this.after ? this.after.stateDict() : null };
  }

  protected override readExtraState(s: SchedulerStateDict): () => void {
    const inner = s.after;
    if ((inner === null) !== (this.after === null) || (inner !== null && (typeof inner !== 'object' || Array.isArray(inner)))) {
      throw new ValueError(`LinearWarmup.loadStateDict: the saved warmup ${inner === null ? 'had no' : 'had an'} 'after' schedule, this one ${this.after ? 'has one' : 'has none'}`);
    }
    return () => {
      if (this.after && inner) this.after.loadStateDict(inner as SchedulerStateDict);
    };
  }
}
