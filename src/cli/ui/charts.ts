/** Pictures in the terminal: the loss curve (asciichart) and a confusion matrix. */
import { createRequire } from 'node:module';
import { clip, color, int, padVisible } from './format.js';

interface AsciiChart {
  plot(series: number[] | number[][], config?: { height?: number; colors?: string[]; format?: (v: number) => string; padding?: string }): string;
  blue: string;
  yellow: string;
  lightblue: string;
  reset: string;
}

// asciichart ships no types; this is the part of its API used here.
const asciichart = createRequire(import.meta.url)('asciichart') as AsciiChart;

/** Values at `count` evenly spaced positions along a polyline through `values` (linear interpolation). */
export function resample(values: readonly number[], count: number): number[] {
  if (values.length === 1) return new Array<number>(count).fill(values[0]);
  return Array.from({ length: count }, (_, i) => {
    const t = (i / (count - 1)) * (values.length - 1);
    const k = Math.min(Math.floor(t), values.length - 2);
    return values[k] + (t - k) * (values[k + 1] - values[k]);
  });
}

/** Means of `count` consecutive buckets (a smoothed per-batch curve). */
export function buckets(values: readonly number[], count: number): number[] {
  const n = Math.min(count, values.length);
  return Array.from({ length: n }, (_, i) => {
    const a = Math.floor((i * values.length) / n);
    const b = Math.max(a + 1, Math.floor(((i + 1) * values.length) / n));
    let s = 0;
    for (let k = a; k < b; k++) s += values[k];
    return s / (b - a);
  });
}

/**
 * The loss by epoch as a small line chart: train (blue) and validation (yellow), or, after a
 * single epoch, the per-batch training loss. Returns '' when there is nothing to draw.
 */
export function lossChart(history: Record<string, readonly number[]>, batchLosses: readonly number[], useColor: boolean): string {
  const train = (history.loss ?? []).filter(Number.isFinite);
  const val = (history.valLoss ?? []).filter(Number.isFinite);
  const epochs = train.length;
  if (epochs === 0) return '';
  const width = epochs === 1 ? Math.min(60, batchLosses.length) : Math.min(60, Math.max(24, 8 * (epochs - 1) + 1));
  if (width < 2) return '';
  let series = epochs === 1 ? [buckets(batchLosses, width)] : [resample(train, width)];
  // Without colour two lines drawn with the same glyphs cannot be told apart: then only training.
  if (epochs > 1 && val.length === epochs && useColor) series.push(resample(val, width));
  // Losses that fall by decades read better on a log scale.
  const all = series.flat();
  const logScale = all.every((v) => v > 0) && Math.max(...all) / Math.min(...all) > 30;
  if (logScale) series = series.map((s) => s.map(Math.log10));
  const labelWidth = 9;
  const label = (v: number): string => {
    const real = logScale ? 10 ** v : v;
    const a = Math.abs(real);
    return (a !== 0 && (a < 1e-3 || a >= 1e4) ? real.toExponential(1) : real.toPrecision(3)).padStart(labelWidth);
  };
  const plot = asciichart.plot(series, {
    height: 8,
    colors: useColor ? [asciichart.lightblue, asciichart.yellow] : undefined,
    format: label,
  });
  const axisPad = ' '.repeat(labelWidth + 1);
  const cols = series[0].length;
  let ticks: string;
  if (epochs === 1) {
    ticks = `${axisPad}${'batch 1'.padEnd(cols - String(batchLosses.length).length)}${batchLosses.length}`;
  } else {
    const line = new Array<string>(cols + 8).fill(' ');
    const step = Math.max(1, Math.ceil(epochs / 8));
    for (let e = 1; e <= epochs; e += step) {
      const x = Math.round(((e - 1) / (epochs - 1)) * (cols - 1));
      String(e).split('').forEach((ch, j) => { line[x + j] = ch; });
    }
    ticks = `${axisPad}${line.join('').trimEnd()}  ${color.dim('epoch')}`;
  }
  const legend = epochs === 1
    ? `${axisPad}${color.blueBright('──')} training loss by batch (smoothed)`
    : `${axisPad}${color.blueBright('──')} training loss${series.length > 1 ? `   ${color.yellow('──')} validation loss` : ''}`;
  return `${plot}\n${ticks}\n${legend}${logScale ? color.dim('   (log scale)') : ''}`;
}

/**
 * A confusion matrix as text: rows are true classes, columns predicted ones; the diagonal in
 * green, mistakes in red (bright when common), zeros as dim dots; recall per row at the end.
 */
export function confusionText(matrix: readonly (readonly number[])[], classes: readonly string[]): string {
  const c = matrix.length;
  const names = classes.map((n) => clip(n, 10));
  const cellW = Math.max(4, ...matrix.flat().map((v) => int(v).length), ...names.map((n) => n.length)) + 1;
  const rowW = Math.max(6, ...names.map((n) => n.length)) + 1;
  const lines: string[] = [];
  lines.push(`${' '.repeat(rowW)}${color.dim('predicted →')}`);
  lines.push(`${padVisible(color.dim('true ↓'), rowW)}${names.map((n) => padVisible(color.bold(n), cellW, 'right')).join('')}${padVisible(color.dim('recall'), 9, 'right')}`);
  for (let i = 0; i < c; i++) {
    const total = matrix[i].reduce((s, v) => s + v, 0);
    const cells = matrix[i].map((v, j) => {
      const text = v === 0 ? '·' : int(v);
      const share = total ? v / total : 0;
      const styled = v === 0 ? color.dim(text) : i === j ? color.green(color.bold(text)) : share >= 0.02 ? color.red(color.bold(text)) : color.red(text);
      return padVisible(styled, cellW, 'right');
    }).join('');
    const recall = total ? `${((100 * matrix[i][i]) / total).toFixed(1)}%` : '–';
    lines.push(`${padVisible(color.bold(names[i]), rowW)}${cells}${padVisible(color.dim(recall), 9, 'right')}`);
  }
  return lines.join('\n');
}
