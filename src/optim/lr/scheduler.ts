import { ValueError } from '../../tensor/index.js';
import { checkNonNegative, checkPositiveInt } from '../optimizer.js';

/** A JSON value: what schedule state dicts hold. */
export type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a schedule needs from an optimizer: its param groups' learning rates (every Optimizer fits). */
export interface LrTarget {
  readonly paramGroups: { lr: number; initialLr?: number }[];
}

/** A schedule's progress as plain JSON: the class, the step count and learning rates, plus its own counters. */
export type SchedulerStateDict = { scheduler: string; lastEpoch: number; baseLrs: number[]; lastLr: number[] } & Record<string, JsonValue>;

/** A number as JSON can carry it: ±Infinity and NaN as strings. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

/** The inverse of encodeNumber. */
export function decodeNumber(who: string, key: string, v: JsonValue | undefined): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity' || v === '-Infinity' || v === 'NaN') return Number(v);
  throw new ValueError(`${who}: state '${key}' should be a number, got ${JSON.stringify(v)}`);
}

function numberList(who: string, key: string, v: JsonValue | undefined, n: number): number[] {
  if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number')) {
    throw new ValueError(`${who}: state '${key}' should be ${n} numbers (one per param group), got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

/**
 * Base of the learning-rate schedules (`nb.optim.lr`): it owns the step count and each
 * group's base rate (the group's `initialLr`, recorded by the first schedule attached), and
 * writes new rates into the optimizer's groups. `step()` once per epoch (or per batch, as you
 * choose); `getLastLr()` gives the rate of each group.
 */
export abstract class LRScheduler {
  /** Steps taken (0 after construction). */
  lastEpoch = 0;
  /** Each group's starting learning rate. */
  baseLrs: number[];
  protected lastLr: number[];

  protected constructor(readonly name: string, readonly optimizer: LrTarget) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups) || optimizer.paramGroups.length === 0) {
      throw new ValueError(`${name}: expected an optimizer (an object with paramGroups)`);
    }
    for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  /** Advances one epoch; ReduceLROnPlateau needs the monitored metric. */
  abstract step(metric?: number): void;

  /** The learning rate of each param group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Writes rates into the optimizer's groups and remembers them. */
  protected setLrs(lrs: number[]): void {
    lrs.forEach((lr, i) => {
      this.optimizer.paramGroups[i].lr = lr;
    });
    this.lastLr = [...lrs];
  }

  /** The schedule's own counters beyond the common ones (JSON). */
  protected extraState(): Record<string, JsonValue> {
    return {};
  }

  /** Restores what extraState saved (validated before anything is written, then applied by commit). */
  protected readExtraState(_s: SchedulerStateDict): () => void {
    return () => {};
  }

  /** The schedule's progress as JSON (hyper-parameters come from the constructor, not from here). */
  stateDict(): SchedulerStateDict {
    return { scheduler: this.name, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr], ...this.extraState() };
  }

  /** Restores progress saved by stateDict() and writes the saved rates into the optimizer. */
  loadStateDict(s: SchedulerStateDict): void {
    const who = `${this.name}.loadStateDict`;
    if (s === null || typeof s !== 'object' || s.scheduler !== this.name) {
      throw new ValueError(`${who}: expected the state of a ${this.name}, got ${s && typeof s === 'object' ? String(s.scheduler) : String(s)}`);
    }
    const n = this.optimizer.paramGroups.length;
    const baseLrs = numberList(who, 'baseLrs', s.baseLrs, n);
    const lastLr = numberList(who, 'lastLr', s.lastLr, n);
    if (!Number.isInteger(s.lastEpoch) || s.lastEpoch < 0) throw new ValueError(`${who}: state 'lastEpoch' should be a non-negative integer, got ${JSON.stringify(s.lastEpoch)}`);
    const commit = this.readExtraState(s);
    this.lastEpoch = s.lastEpoch;
    this.baseLrs = [...baseLrs];
    commit();
    this.setLrs([...lastLr]);
  }
}

/** A schedule whose rate is a formula of the step count t and the base rate (PyTorch's closed forms). */
export abstract class ClosedFormLR extends LRScheduler {
  /** The rate after t steps for a group that started at baseLr. */
  abstract lrAt(t: number, baseLr: number): number;

  /** Sets the rates for step 0; each subclass calls it once its fields are set. */
  protected begin(): void {
    this.setLrs(this.baseLrs.map((b) => this.lrAt(0, b)));
  }

  /** Advances one step and sets every group's rate to lrAt(lastEpoch). */
  step(): void {
    this.lastEpoch += 1;
    this.setLrs(this.baseLrs.map((b) => this.lrAt(this.lastEpoch, b)));
  }
}

/** Keras' time-based decay (its optimizers' `decay` argument): lr_t = lr₀ / (1 + decay·t). */
export class TimeDecay extends ClosedFormLR {
  readonly decay: number;

  constructor(optimizer: LrTarget, options: { decay: number }) {
    checkNonNegative('TimeDecay', 'decay', options?.decay);
    super('TimeDecay', optimizer);
    this.decay = options.decay;
    this.begin();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr / (1 + this.decay * t);
  }
}

/** Multiplies the rate by gamma every stepSize steps: lr_t = lr₀·gamma^⌊t / stepSize⌋. */
export class StepLR extends ClosedFormLR {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: LrTarget, options: { stepSize: number; gamma?: number }) {
    checkPositiveInt('StepLR', 'stepSize', options?.stepSize);
    checkNonNegative('StepLR', 'gamma', options.gamma ?? 0.1);
    super('StepLR', optimizer);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.begin();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** Multiplies the rate by gamma every step: lr_t = lr₀·gamma^t. */
export class ExponentialLR extends ClosedFormLR {
  readonly gamma: number;

  constructor(optimizer: LrTarget, options: { gamma: number }) {
    checkNonNegative('ExponentialLR', 'gamma', options?.gamma);
    super('ExponentialLR', optimizer);
    this.gamma = options.gamma;
    this.begin();
  }

  lrAt(t: number, baseLr: number): number {
    return baseLr * this.gamma ** t;
  }
}

/**
 * Cosine annealing from lr₀ down to etaMin over tMax steps (PyTorch's closed form):
 * lr_t = etaMin + (lr₀ − etaMin)·(1 + cos(π·t / tMax)) / 2. Past tMax the cosine rises again.
 */
export class CosineAnnealingLR extends ClosedFormLR {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: LrTarget, options: { tMax: number; etaMin?: number }) {
    checkPositiveInt('CosineAnnealingLR', 'tMax', options?.tMax);
    checkNonNegative('CosineAnnealingLR', 'etaMin', options.etaMin ?? 0);
    super('CosineAnnealingLR', optimizer);
    this.tMax = options.tMax;
    this.etaMin = options.etaMin ?? 0;
    this.begin();
  }

  lrAt(t: number, baseLr: number): number {
    return this.etaMin + ((baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}
