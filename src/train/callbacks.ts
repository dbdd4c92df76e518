import type { Module } from '../nn/index.js';
import { ValueError, type Tensor } from '../tensor/index.js';

/** Numbers logged for an epoch or a batch: loss, metrics, and val-prefixed validation values. */
export type Logs = Record<string, number>;

/** What callbacks see and may change while fit runs. */
export interface TrainingContext {
  model: Module;
  /** Set to true to stop after the current batch; `stopReason` says why. */
  stopTraining: boolean;
  stopReason?: string;
  /** The optimizer's learning rate, when it has one. */
  lr?: number;
  setLr?: (lr: number) => void;
  epochs: number;
  batchesPerEpoch: number;
}

/** Hooks called by fit, Keras style. Every method is optional; any may be async. */
export interface Callback {
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainingContext): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** Logged value to watch (default 'valLoss', or 'loss' when there is no validation data). */
  monitor?: string;
  /** Epochs without improvement before stopping. */
  patience?: number;
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' picks from the name. */
  mode?: 'min' | 'max' | 'auto';
  /** Put the best epoch's weights back when training ends. */
  restoreBestWeights?: boolean;
}

function copyState(model: Module): Map<string, Float32Array | Float64Array | Int32Array> {
  return new Map(Object.entries(model.stateDict()).map(([k, t]: [string, Tensor]) => [k, t.dataSync()]));
}

/**
 * Stops when the monitored value has not improved for `patience` epochs (the notes' "when to
 * stop training": validation error starts to rise while training error still falls).
 */
export class EarlyStopping implements Callback {
  readonly monitor: string | undefined;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max' | 'auto';
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private wait = 0;
  private bestState: Map<string, Float32Array | Float64Array | Int32Array> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor;
    this.patience = options.patience ?? 0;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.mode = options.mode ?? 'auto';
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ValueError(`EarlyStopping: patience must be a non-negative integer, got ${options.patience}`);
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.wait = 0;
    this.bestState = null;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    const key = this.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
    const value = logs[key];
    if (value === undefined) throw new ValueError(`EarlyStopping: monitored value '${key}' is not logged (logged: ${Object.keys(logs).join(', ')})`);
    const maximize = this.mode === 'max' || (this.mode === 'auto' && /acc|f1|precision|recall|r2/i.test(key));
    const improved = Number.isNaN(this.best) || (maximize ? value > this.best + this.minDelta : value < this.best - this.minDelta);
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestState = copyState(ctx.model);
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
      ctx.stopReason = `early stopping: ${key} has not improved for ${this.wait} epochs (best ${this.best.toPrecision(6)} at epoch ${this.bestEpoch + 1})`;
    }
  }

  onTrainEnd(ctx: TrainingContext): void {
    if (!this.restoreBestWeights || !this.bestState) return;
    for (const [k, t] of Object.entries(ctx.model.stateDict())) {
      const saved = this.bestState.get(k);
      if (saved) t.assign(saved);
    }
  }
}

/** Something with the schedule interface of nb.optim.lr (step per epoch, or with a metric for plateau schedules). */
export interface ScheduleLike {
  step(metric?: number): unknown;
}

/** Steps a learning-rate schedule at the end of every epoch (passing the monitored value when asked). */
export class LearningRateScheduler implements Callback {
  constructor(
    readonly schedule: ScheduleLike,
    readonly monitor?: string,
  ) {}

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.monitor) {
      const v = logs[this.monitor];
      if (v === undefined) throw new ValueError(`LearningRateScheduler: monitored value '${this.monitor}' is not logged`);
      this.schedule.step(v);
    } else {
      this.schedule.step();
    }
  }
}

/** Calls plain functions per batch and per epoch: the simplest way to watch training. */
export class LambdaCallback implements Callback {
  constructor(private readonly hooks: Callback) {}
  onTrainBegin(ctx: TrainingContext): void | Promise<void> { return this.hooks.onTrainBegin?.(ctx); }
  onEpochBegin(epoch: number, ctx: TrainingContext): void | Promise<void> { return this.hooks.onEpochBegin?.(epoch, ctx); }
  onBatchEnd(batch: number, logs: Logs, ctx: TrainingContext): void | Promise<void> { return this.hooks.onBatchEnd?.(batch, logs, ctx); }
  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void | Promise<void> { return this.hooks.onEpochEnd?.(epoch, logs, ctx); }
  onTrainEnd(ctx: TrainingContext): void | Promise<void> { return this.hooks.onTrainEnd?.(ctx); }
}
