import type { Callback, Logs, TrainingContext } from '../train/callbacks.js';
import { save, type SaveExtras } from './save.js';

export interface ModelCheckpointOptions {
  /** Logged value that decides "best" (default valLoss, else loss). */
  monitor?: string;
  /** Write only when the monitored value improves. */
  saveBestOnly?: boolean;
  mode?: 'min' | 'max' | 'auto';
  /** Extras saved with each checkpoint (preprocessing, metadata); a function is called at save time. */
  extras?: SaveExtras | (() => SaveExtras);
}

/**
 * Saves the model at the end of each epoch (or only on improvement) with nb.save's atomic
 * write, so an interrupted run keeps its last completed checkpoint. `path` may contain
 * `{epoch}`, replaced by the 1-based epoch number.
 */
export class ModelCheckpoint implements Callback {
  best = NaN;
  /** Paths written, in order. */
  readonly written: string[] = [];

  constructor(
    readonly path: string,
    private readonly options: ModelCheckpointOptions = {},
  ) {}

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): Promise<void> {
    const key = this.options.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
    const value = logs[key];
    if (this.options.saveBestOnly) {
      const mode = this.options.mode ?? 'auto';
      const maximize = mode === 'max' || (mode === 'auto' && /acc|f1|precision|recall|r2/i.test(key));
      const improved = Number.isNaN(this.best) || (maximize ? value > this.best : value < this.best);
      if (!improved) return;
      this.best = value;
    }
    const extras = typeof this.options.extras === 'function' ? this.options.extras() : this.options.extras;
    const target = this.path.replaceAll('{epoch}', String(epoch + 1));
    await save(ctx.model, target, extras);
    this.written.push(target);
  }
}
