/** Numbers, durations, metric names and colours as the terminal shows them. */
import pc from 'picocolors';

/** Colours for stdout (picocolors turns them off when stdout is not a terminal, or with NO_COLOR / --no-color). */
export const color = pc;

/** 60000 → "60,000". */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Seconds as "850 ms", "12.4 s", "3 min 05 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - 60 * m);
  return m < 60 ? `${m} min ${String(s).padStart(2, '0')} s` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Bytes as "397 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Short names for logged keys: valLoss → "val loss", accuracy → "acc". */
export function metricLabel(key: string): string {
  const val = key.startsWith('val') && key.length > 3 && key[3] === key[3].toUpperCase();
  const base = val ? key[3].toLowerCase() + key.slice(4) : key;
  const short: Record<string, string> = { accuracy: 'acc', precision: 'prec', recall: 'recall', f1: 'f1', r2: 'r²', mae: 'mae', mse: 'mse', rmse: 'rmse', loss: 'loss' };
  return `${val ? 'val ' : ''}${short[base] ?? base}`;
}

/** Whether a metric is better when higher. */
export function higherIsBetter(key: string): boolean {
  return /acc|precision|recall|f1|r2/i.test(key);
}

/** A metric value: fractions of correct answers in %, losses with 4 decimals, tiny or huge values in e-notation. */
export function metricValue(key: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (/accuracy|precision|recall|f1$/i.test(key)) return `${(100 * v).toFixed(2)}%`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return a >= 1000 ? v.toFixed(1) : a >= 100 ? v.toFixed(2) : v.toFixed(4);
}

/** "loss 0.2934  acc 91.62%" for the keys present, in a stable order. */
export function metricsLine(logs: Record<string, number>, keys: readonly string[]): string {
  return keys.filter((k) => logs[k] !== undefined).map((k) => `${color.dim(metricLabel(k))} ${metricValue(k, logs[k]).padStart(7)}`).join('  ');
}

/** Pads a string that may hold colour codes to a visible width. */
export function padVisible(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  // eslint-disable-next-line no-control-regex
  const visible = s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const pad = ' '.repeat(Math.max(0, width - visible));
  return align === 'left' ? s + pad : pad + s;
}

/** Cuts a label to n characters with an ellipsis. */
export function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
