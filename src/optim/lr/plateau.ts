import { ValueError } from '../../tensor/index.js';
import { checkNonNegative } from '../optimizer.js';
import { decodeNumber, encodeNumber, LRScheduler, type JsonValue, type LrTarget, type SchedulerStateDict } from './scheduler.js';

/** Options of ReduceLROnPlateau (PyTorch's names and defaults). */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': rise (an accuracy). */
  mode?: 'min' | 'max';
  /** Multiplies the rate on a plateau (< 1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. */
  patience?: number;
  /** Smallest change that counts as an improvement. */
  threshold?: number;
  /** 'rel': relative to the best value (best·(1 ∓ threshold)); 'abs': best ∓ threshold. */
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown?: number;
  /** Lower bound of the rate: one number, or one per param group. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. */
  eps?: number;
}

/**
 * Reduces the learning rate by `factor` when a metric has stopped improving for more than
 * `patience` epochs: call `step(metric)` once per epoch with, e.g., the validation loss.
 */
export class ReduceLROnPlateau extends LRScheduler {
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  /** Best metric so far (±Infinity before the first). */
  best: number;
  /** Epochs since the last improvement. */
  numBadEpochs = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;

  constructor(optimizer: LrTarget, options: ReduceLROnPlateauOptions = {}) {
    const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined));
    const o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0, eps: 1e-8, ...given } as Required<ReduceLROnPlateauOptions>;
    const who = 'ReduceLROnPlateau';
    if (o.mode !== 'min' && o.mode !== 'max') throw new ValueError(`${who}: invalid mode ${String(o.mode)} (expected 'min' or 'max')`);
    if (o.thresholdMode !== 'rel' && o.thresholdMode !== 'abs') throw new ValueError(`${who}: invalid thresholdMode ${String(o.thresholdMode)} (expected 'rel' or 'abs')`);
    checkNonNegative(who, 'factor', o.factor);
    if (o.factor >= 1) throw new ValueError(`${who}: invalid factor ${o.factor} (expected a number < 1)`);
    for (const k of ['patience', 'cooldown'] as const) {
      if (!Number.isInteger(o[k]) || o[k] < 0) throw new ValueError(`${who}: invalid ${k} ${String(o[k])} (expected an integer ≥ 0)`);
    }
    checkNonNegative(who, 'threshold', o.threshold);
    checkNonNegative(who, 'eps', o.eps);
    super(who, optimizer);
    const n = optimizer.paramGroups.length;
    const minLrs = Array.isArray(o.minLr) ? o.minLr : new Array<number>(n).fill(o.minLr);
    if (minLrs.length !== n) throw new ValueError(`${who}: minLr has ${minLrs.length} values for ${n} param groups`);
    minLrs.forEach((v, i) => checkNonNegative(who, `minLr[${i}]`, v));
    this.mode = o.mode;
    this.factor = o.factor;
    this.patience = o.patience;
    this.threshold = o.threshold;
    this.thresholdMode = o.thresholdMode;
    this.cooldown = o.cooldown;
    this.minLrs = [...minLrs];
    this.eps = o.eps;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether metric improves on the best value by more than the threshold (NaN never does). */
  private isBetter(metric: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold;
    return this.thresholdMode === 'rel' ? metric > best * (1 + threshold) : metric > best + threshold;
  }

  /** Records one epoch's metric and reduces the rates after more than `patience` bad epochs. */
  step(metric?: number): void {
    if (typeof metric !== 'number') throw new ValueError(`ReduceLROnPlateau.step: needs the monitored metric (a number), got ${String(metric)}`);
    this.lastEpoch += 1;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    const lrs = this.optimizer.paramGroups.map((g) => g.lr);
    if (this.numBadEpochs > this.patience) {
      lrs.forEach((old, i) => {
        const reduced = Math.max(old * this.factor, this.minLrs[i]);
        if (old - reduced > this.eps) lrs[i] = reduced;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.setLrs(lrs);
  }

  protected override extraState(): Record<string, JsonValue> {
    return { best: encodeNumber(this.best), numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter };
  }

  protected override readExtraState(s: SchedulerStateDict): () => void {
    const who = 'ReduceLROnPlateau.loadStateDict';
    const best = decodeNumber(who, 'best', s.best);
    const bad = decodeNumber(who, 'numBadEpochs', s.numBadEpochs);
    const cool = decodeNumber(who, 'cooldownCounter', s.cooldownCounter);
    return () => {
      this.best = best;
      this.numBadEpochs = bad;
      this.cooldownCounter = cool;
    };
  }
}
