/**
 * What `nabla train` shows while it runs. Four modes: `pretty` (a terminal: colours and a live
 * progress bar per epoch), `plain` (piped: one line per event), `json` (one JSON object per
 * line, nothing else on stdout) and `quiet` (only the final result).
 */
import cliProgress from 'cli-progress';
import { color, duration, int, metricValue, metricsLine } from './format.js';

export type OutputMode = 'pretty' | 'plain' | 'json' | 'quiet';

/** The mode from --json / --quiet and whether stdout is a terminal. */
export function outputMode(options: { json?: boolean; quiet?: boolean }): OutputMode {
  if (options.json) return 'json';
  if (options.quiet) return 'quiet';
  return process.stdout.isTTY ? 'pretty' : 'plain';
}

/** Writes one line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one JSON object as a line (NaN and ±Infinity become null, as JSON has no such numbers). */
export function jsonLine(value: Record<string, unknown>): void {
  out(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}

/** The logged keys in display order: training values, then validation values. */
export function logKeys(logs: Record<string, number>): string[] {
  const order = ['loss', 'accuracy', 'f1', 'mae', 'mse', 'r2'];
  const keys = order.filter((k) => k in logs);
  return [...keys, ...keys.map((k) => `val${k[0].toUpperCase()}${k.slice(1)}`).filter((k) => k in logs)];
}

/** Per-epoch output: the progress bar and the epoch lines. */
export class EpochReporter {
  private bar: cliProgress.SingleBar | null = null;
  private started = 0;
  private seen = 0;
  private lossSum = 0;
  private bestVal = Infinity;

  constructor(
    readonly mode: OutputMode,
    private readonly epochs: number,
  ) {}

  epochBegin(epoch: number, batches: number): void {
    this.started = performance.now();
    this.seen = 0;
    this.lossSum = 0;
    if (this.mode !== 'pretty' || !Number.isFinite(batches)) return;
    const label = `${String(epoch + 1).padStart(String(this.epochs).length)}/${this.epochs}`;
    this.bar = new cliProgress.SingleBar({
      format: `  ${color.bold(label)} ${color.cyan('{bar}')} {percentage}%  ${color.dim('{value}/{total} batches')}  ${color.dim('eta')} {eta_formatted}  {speed} ${color.dim('ex/s')}  ${color.dim('loss')} {loss}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stdout,
      fps: 8,
      etaBuffer: 30,
    });
    this.bar.start(batches, 0, { speed: '–', loss: '–' });
  }

  batch(index: number, loss: number, size: number): void {
    this.seen += size;
    this.lossSum += loss * size;
    if (!this.bar) return;
    const seconds = (performance.now() - this.started) / 1000;
    this.bar.update(index + 1, { speed: seconds > 0 ? int(this.seen / seconds) : '–', loss: (this.lossSum / this.seen).toFixed(4) });
  }

  /** Clears the bar (the epoch line replaces it). */
  stopBar(): void {
    this.bar?.stop();
    this.bar = null;
  }

  epochEnd(epoch: number, logs: Record<string, number>): number {
    this.stopBar();
    const seconds = (performance.now() - this.started) / 1000;
    if (this.mode === 'json') {
      jsonLine({ event: 'epoch', epoch: epoch + 1, epochs: this.epochs, ...logs, seconds: Number(seconds.toFixed(3)) });
      return seconds;
    }
    if (this.mode === 'quiet') return seconds;
    const label = `${String(epoch + 1).padStart(String(this.epochs).length)}/${this.epochs}`;
    const keys = logKeys(logs);
    const train = keys.filter((k) => !k.startsWith('val'));
    const val = keys.filter((k) => k.startsWith('val'));
    // The validation loss in green when it improves on the best so far, in yellow when not.
    const shown = { ...logs };
    let valText = metricsLine(shown, val);
    if (logs.valLoss !== undefined && epoch > 0) {
      const better = logs.valLoss < this.bestVal;
      valText = valText.replace(metricValue('valLoss', logs.valLoss), (better ? color.green : color.yellow)(metricValue('valLoss', logs.valLoss)));
    }
    if (logs.valLoss !== undefined) this.bestVal = Math.min(this.bestVal, logs.valLoss);
    const speed = this.seen > 0 && seconds > 0 ? `  ${color.dim(`${int(this.seen / seconds)} ex/s`)}` : '';
    out(`  ${color.bold(label)}  ${metricsLine(logs, train)}${val.length ? `  ${color.dim('│')}  ${valText}` : ''}  ${color.dim(duration(seconds))}${speed}`);
    return seconds;
  }
}
