/**
 * Learning curves as standalone SVG (no scripts, no fonts to fetch): line charts of per-epoch
 * values with nice ticks, a marked best epoch and the final values labelled at the line ends.
 */

/** One line of a chart: values by epoch (1-based on the x axis). */
export interface Series {
  name: string;
  values: readonly number[];
  color: string;
  dashed?: boolean;
  /** Shade the area under the line (the main series). */
  fill?: boolean;
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Mark the best point of the series with this name (min or max). */
  best?: { series: string; mode: 'min' | 'max' };
  /** Use a log scale on y (losses spanning decades). */
  logY?: boolean;
  /** Show y values as percentages (accuracy). */
  percent?: boolean;
  /** Lowest value shown: values below it sit on the bottom edge (R² far below 0 says only "bad"). */
  floor?: number;
}

export const PALETTE = {
  train: '#2f6fdf', val: '#f08a24', grid: '#eceef3', axis: '#c9ced8', text: '#1d2230', muted: '#7c8496', panel: '#ffffff', page: '#f4f6fa',
};

const FONT = `font-family="Inter, ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"`;

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** 1, 2, 5 × 10^k steps that give about `count` ticks between lo and hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number, percent = false): string {
  if (percent) return `${Number((100 * v).toPrecision(4))}%`;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return Number(v.toPrecision(3)).toString();
}

function formatValue(v: number, percent = false): string {
  if (percent) return `${(100 * v).toFixed(2)}%`;
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return a >= 100 ? v.toFixed(1) : v.toPrecision(3);
}

/** Index of the best finite value, or -1. */
function bestIndex(values: readonly number[], mode: 'min' | 'max'): number {
  let bi = -1;
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (bi < 0 || (mode === 'min' ? v < values[bi] : v > values[bi])) bi = i;
  });
  return bi;
}

/** A line chart of per-epoch values as a standalone SVG string. */
export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 480;
  const height = options.height ?? 320;
  const m = { left: 62, right: 58, top: 62, bottom: 48 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const ok = (v: number): boolean => Number.isFinite(v) && (!options.logY || v > 0);
  const floor = options.floor ?? -Infinity;
  const tf = options.logY ? Math.log10 : (v: number): number => Math.max(v, floor);
  const finite = series.flatMap((s) => s.values.filter(ok).map(tf));
  const epochs = Math.max(1, ...series.map((s) => s.values.length));
  let lo = finite.length ? Math.min(...finite) : 0;
  let hi = finite.length ? Math.max(...finite) : 1;
  if (hi - lo < 1e-12) {
    const d = Math.max(Math.abs(hi) * 0.05, 1e-3);
    lo -= d;
    hi += d;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  if (options.percent) hi = Math.min(hi, 1);
  const x = (epoch: number): number => m.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number): number => m.top + (1 - (tf(v) - lo) / (hi - lo)) * plotH;
  const o: string[] = [];
  const f1 = (v: number): string => v.toFixed(1);
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`);
  o.push('<defs>');
  series.forEach((s, i) => {
    if (s.fill) o.push(`<linearGradient id="fill${i}-${escapeXml(options.yLabel).replace(/\W/g, '')}" x1="0" x2="0" y1="0" y2="1"><stop offset="0" stop-color="${s.color}" stop-opacity="0.18"/><stop offset="1" stop-color="${s.color}" stop-opacity="0"/></linearGradient>`);
  });
  o.push('</defs>');
  o.push(`<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="12" fill="${PALETTE.panel}" stroke="#e3e6ee"/>`);
  o.push(`<text x="${m.left - 40}" y="30" font-size="15" font-weight="650" fill="${PALETTE.text}">${escapeXml(options.title)}</text>`);
  // Legend under the title.
  let lx = m.left - 40;
  for (const s of series) {
    o.push(`<line x1="${lx}" x2="${lx + 18}" y1="46" y2="46" stroke="${s.color}" stroke-width="3" stroke-linecap="round"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`);
    o.push(`<text x="${lx + 24}" y="50" font-size="12" fill="${PALETTE.muted}">${escapeXml(s.name)}</text>`);
    lx += 34 + s.name.length * 6.6;
  }
  const yTicks = options.logY ? niceTicks(lo, hi, 4).map((t) => 10 ** t) : niceTicks(lo, hi, 5);
  for (const t of yTicks) {
    const yy = y(t);
    if (yy < m.top - 0.5 || yy > m.top + plotH + 0.5) continue;
    o.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${f1(yy)}" y2="${f1(yy)}" stroke="${PALETTE.grid}"/>`);
    o.push(`<text x="${m.left - 10}" y="${f1(yy + 4)}" font-size="11" text-anchor="end" fill="${PALETTE.muted}">${formatTick(t, options.percent)}</text>`);
  }
  const xTicks = epochs === 1 ? [1] : niceTicks(1, epochs, Math.min(epochs - 1, 8)).filter((e) => Number.isInteger(e) && e >= 1);
  for (const e of xTicks) {
    o.push(`<line x1="${f1(x(e))}" x2="${f1(x(e))}" y1="${m.top + plotH}" y2="${m.top + plotH + 5}" stroke="${PALETTE.axis}"/>`);
    o.push(`<text x="${f1(x(e))}" y="${m.top + plotH + 19}" font-size="11" text-anchor="middle" fill="${PALETTE.muted}">${e}</text>`);
  }
  o.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="${PALETTE.axis}"/>`);
  o.push(`<text x="${m.left + plotW / 2}" y="${height - 10}" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">epoch</text>`);
  o.push(`<text transform="translate(18 ${m.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">${escapeXml(options.yLabel)}${options.logY ? ' (log scale)' : ''}</text>`);
  const ends: { y: number; text: string; color: string }[] = [];
  series.forEach((s, si) => {
    const pts = s.values.map((v, i) => [x(i + 1), v] as const).filter(([, v]) => ok(v));
    if (pts.length === 0) return;
    const d = pts.map(([px, v], i) => `${i ? 'L' : 'M'}${f1(px)},${f1(y(v))}`).join(' ');
    if (s.fill && pts.length > 1) {
      const base = f1(m.top + plotH);
      o.push(`<path d="${d} L${f1(pts[pts.length - 1][0])},${base} L${f1(pts[0][0])},${base} Z" fill="url(#fill${si}-${escapeXml(options.yLabel).replace(/\W/g, '')})"/>`);
    }
    o.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>`);
    if (pts.length <= 30) for (const [px, v] of pts) o.push(`<circle cx="${f1(px)}" cy="${f1(y(v))}" r="3.2" fill="#fff" stroke="${s.color}" stroke-width="2"/>`);
    const [lxp, lv] = pts[pts.length - 1];
    if (lxp >= m.left + plotW - 1) ends.push({ y: y(lv), text: formatValue(lv, options.percent), color: s.color });
  });
  // Final values at the right edge, nudged apart when they would overlap.
  ends.sort((a, b) => a.y - b.y);
  for (let i = 1; i < ends.length; i++) if (ends[i].y - ends[i - 1].y < 14) ends[i].y = ends[i - 1].y + 14;
  for (const e of ends) o.push(`<text x="${m.left + plotW + 8}" y="${f1(e.y + 4)}" font-size="11" font-weight="600" fill="${e.color}">${escapeXml(e.text)}</text>`);
  if (options.best) {
    const s = series.find((c) => c.name === options.best!.series);
    const bi = s ? bestIndex(s.values, options.best.mode) : -1;
    if (s && bi >= 0 && epochs > 1) {
      const bx = x(bi + 1);
      const by = y(s.values[bi]);
      o.push(`<line x1="${f1(bx)}" x2="${f1(bx)}" y1="${m.top}" y2="${m.top + plotH}" stroke="${s.color}" stroke-opacity="0.45" stroke-dasharray="3 4"/>`);
      o.push(`<circle cx="${f1(bx)}" cy="${f1(by)}" r="6" fill="${s.color}" stroke="#fff" stroke-width="2"/>`);
      // The best value is named in the panel's corner, where it never covers a line.
      o.push(`<text x="${width - 18}" y="30" font-size="12" text-anchor="end" fill="${PALETTE.muted}">best ${escapeXml(s.name)} <tspan font-weight="700" fill="${s.color}">${escapeXml(formatValue(s.values[bi], options.percent))}</tspan> · epoch ${bi + 1}</text>`);
    }
  }
  o.push('</svg>');
  return o.join('\n');
}

/** Whether values span enough decades that a log scale reads better. */
function spansDecades(values: readonly number[]): boolean {
  const pos = values.filter((v) => Number.isFinite(v) && v > 0);
  return pos.length > 2 && Math.max(...pos) / Math.min(...pos) > 30;
}

/**
 * The learning curves of one run: loss (train and validation) and the main metric (accuracy,
 * or R² for regression) side by side in one SVG, with a title band.
 */
export function learningCurves(history: Record<string, readonly number[]>, options: { title?: string; task?: 'classification' | 'regression'; band?: boolean } = {}): string {
  const title = options.title ?? 'Training';
  const panels: string[] = [];
  const loss: Series[] = [{ name: 'training', values: history.loss ?? [], color: PALETTE.train, fill: true }];
  if (history.valLoss) loss.push({ name: 'validation', values: history.valLoss, color: PALETTE.val, dashed: true });
  const logY = spansDecades([...(history.loss ?? []), ...(history.valLoss ?? [])]);
  panels.push(lineChart(loss, { title: 'Loss', yLabel: 'loss', logY, best: { series: loss[loss.length - 1].name, mode: 'min' } }));
  const metric = ['accuracy', 'r2', 'f1', 'mae', 'mse'].find((k) => history[k] || history[`val${k[0].toUpperCase()}${k.slice(1)}`]);
  if (metric) {
    const valKey = `val${metric[0].toUpperCase()}${metric.slice(1)}`;
    const s: Series[] = [];
    if (history[metric]) s.push({ name: 'training', values: history[metric], color: PALETTE.train });
    if (history[valKey]) s.push({ name: 'validation', values: history[valKey], color: PALETTE.val, dashed: true });
    const mode = metric === 'mae' || metric === 'mse' ? 'min' : 'max';
    const names: Record<string, string> = { accuracy: 'Accuracy', r2: 'R²', f1: 'F1', mae: 'Mean absolute error', mse: 'Mean squared error' };
    panels.push(lineChart(s, { title: names[metric], yLabel: metric === 'r2' ? 'R² (1 is perfect)' : metric, percent: metric === 'accuracy' || metric === 'f1', floor: metric === 'r2' ? 0 : undefined, best: { series: s[s.length - 1].name, mode } }));
  }
  const w = 480;
  const gap = 16;
  const band = options.band ?? true;
  const top = band ? 44 : 0;
  const side = band ? 16 : 0;
  const total = panels.length * w + (panels.length - 1) * gap + 2 * side;
  const height = 320 + top + (band ? 16 : 0);
  const inner = panels.map((p, i) => p.replace('<svg ', `<svg x="${side + i * (w + gap)}" y="${top}" `)).join('\n');
  const epochs = (history.loss ?? []).length;
  const header = band
    ? `<rect width="${total}" height="${height}" fill="${PALETTE.page}"/>
<text x="16" y="28" font-size="17" font-weight="700" fill="${PALETTE.text}">${escapeXml(title)}</text>
<text x="${total - 16}" y="28" font-size="12" text-anchor="end" fill="${PALETTE.muted}">${epochs} epoch${epochs === 1 ? '' : 's'} · nabla</text>\n`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="${height}" viewBox="0 0 ${total} ${height}" ${FONT}>
${header}${inner}
</svg>
`;
}
