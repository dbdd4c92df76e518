/** One line of a chart: values by epoch (1-based on the x axis). */
export interface Series {
  name: string;
  values: readonly number[];
  color: string;
  dashed?: boolean;
}

export interface ChartOptions {
  title: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Mark the best point of the first series whose name matches (min or max). */
  best?: { series: string; mode: 'min' | 'max' };
  /** Use a log scale on y (losses spanning decades). */
  logY?: boolean;
}

export const PALETTE = { train: '#3b6fd8', val: '#e8772e', grid: '#e6e8ee', axis: '#59606e', text: '#1f2430', muted: '#8a90a0' };

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** 1, 2, 5 × 10^k steps that give about `count` ticks between lo and hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return Number(v.toPrecision(3)).toString();
}

/** A line chart of per-epoch values as a standalone SVG string. */
export function lineChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 480;
  const height = options.height ?? 300;
  const m = { left: 58, right: 16, top: 40, bottom: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const finite = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v) && (!options.logY || v > 0)));
  const epochs = Math.max(1, ...series.map((s) => s.values.length));
  const tf = options.logY ? Math.log10 : (v: number): number => v;
  let lo = finite.length ? Math.min(...finite.map(tf)) : 0;
  let hi = finite.length ? Math.max(...finite.map(tf)) : 1;
  if (hi - lo < 1e-12) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  const x = (epoch: number): number => m.left + (epochs === 1 ? plotW / 2 : ((epoch - 1) / (epochs - 1)) * plotW);
  const y = (v: number): number => m.top + (1 - (tf(v) - lo) / (hi - lo)) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, system-ui, -apple-system, Segoe UI, sans-serif">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff" rx="10"/>`);
  out.push(`<text x="${m.left}" y="24" font-size="15" font-weight="600" fill="${PALETTE.text}">${escapeXml(options.title)}</text>`);
  // Horizontal grid and y ticks.
  const yTicks = options.logY
    ? niceTicks(lo, hi, 4).map((t) => 10 ** t)
    : niceTicks(lo, hi, 5);
  for (const t of yTicks) {
    const yy = y(t);
    if (yy < m.top - 0.5 || yy > m.top + plotH + 0.5) continue;
    out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="${PALETTE.grid}"/>`);
    out.push(`<text x="${m.left - 8}" y="${(yy + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="${PALETTE.muted}">${formatTick(t)}</text>`);
  }
  // x ticks at whole epochs.
  for (const e of niceTicks(1, epochs, Math.min(epochs - 1, 8) || 1).filter((e) => Number.isInteger(e) && e >= 1)) {
    out.push(`<text x="${x(e).toFixed(1)}" y="${m.top + plotH + 18}" font-size="11" text-anchor="middle" fill="${PALETTE.muted}">${e}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + plotW}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="${PALETTE.axis}"/>`);
  out.push(`<text x="${m.left + plotW / 2}" y="${height - 8}" font-size="12" text-anchor="middle" fill="${PALETTE.axis}">epoch</text>`);
  out.push(`<text transform="translate(14 ${m.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${PALETTE.axis}">${escapeXml(options.yLabel)}</text>`);
  for (const s of series) {
    const pts = s.values.map((v, i) => [x(i + 1), v] as const).filter(([, v]) => Number.isFinite(v) && (!options.logY || v > 0));
    if (pts.length === 0) continue;
    const d = pts.map(([px, v], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2.4" stroke-linejoin="round" stroke-linecap="round"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    if (pts.length <= 40) for (const [px, v] of pts) out.push(`<circle cx="${px.toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="#fff" stroke="${s.color}" stroke-width="2"/>`);
  }
  if (options.best) {
    const s = series.find((c) => c.name === options.best!.series);
    const vals = s?.values ?? [];
    let bi = -1;
    vals.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      if (bi < 0 || (options.best!.mode === 'min' ? v < vals[bi] : v > vals[bi])) bi = i;
    });
    if (s && bi >= 0) {
      const bx = x(bi + 1);
      const by = y(vals[bi]);
      out.push(`<line x1="${bx.toFixed(1)}" x2="${bx.toFixed(1)}" y1="${m.top}" y2="${m.top + plotH}" stroke="${s.color}" stroke-opacity="0.35" stroke-dasharray="3 3"/>`);
      out.push(`<circle cx="${bx.toFixed(1)}" cy="${by.toFixed(1)}" r="5.5" fill="${s.color}"/>`);
      const label = `best ${formatTick(vals[bi])} @ ${bi + 1}`;
      const anchor = bx > m.left + plotW * 0.7 ? 'end' : 'start';
      out.push(`<text x="${(bx + (anchor === 'end' ? -8 : 8)).toFixed(1)}" y="${Math.max(m.top + 12, by - 10).toFixed(1)}" font-size="11" font-weight="600" text-anchor="${anchor}" fill="${s.color}">${escapeXml(label)}</text>`);
    }
  }
  // Legend, top right.
  let lx = width - m.right;
  for (const s of [...series].reverse()) {
    const w = 26 + s.name.length * 6.5;
    lx -= w;
    out.push(`<line x1="${lx}" x2="${lx + 16}" y1="20" y2="20" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${lx + 20}" y="24" font-size="11.5" fill="${PALETTE.text}">${escapeXml(s.name)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Loss and (when present) a metric side by side: the learning curves of one run. */
export function learningCurves(history: Record<string, readonly number[]>, title = 'Training'): string {
  const panels: string[] = [];
  const loss: Series[] = [{ name: 'train loss', values: history.loss ?? [], color: PALETTE.train }];
  if (history.valLoss) loss.push({ name: 'validation loss', values: history.valLoss, color: PALETTE.val, dashed: true });
  panels.push(lineChart(loss, { title: `${title}: loss`, yLabel: 'loss', best: { series: history.valLoss ? 'validation loss' : 'train loss', mode: 'min' } }));
  const metric = ['accuracy', 'r2', 'f1', 'mae', 'mse'].find((k) => history[k] || history[`val${k[0].toUpperCase()}${k.slice(1)}`]);
  if (metric) {
    const valKey = `val${metric[0].toUpperCase()}${metric.slice(1)}`;
    const s: Series[] = [];
    if (history[metric]) s.push({ name: `train ${metric}`, values: history[metric], color: PALETTE.train });
    if (history[valKey]) s.push({ name: `validation ${metric}`, values: history[valKey], color: PALETTE.val, dashed: true });
    const mode = metric === 'mae' || metric === 'mse' ? 'min' : 'max';
    panels.push(lineChart(s, { title: `${title}: ${metric}`, yLabel: metric, best: { series: s[s.length - 1].name, mode } }));
  }
  // Combine panels side by side into one SVG.
  const w = 480;
  const inner = panels.map((p, i) => p.replace('<svg ', `<svg x="${i * (w + 12)}" y="0" `)).join('\n');
  const total = panels.length * w + (panels.length - 1) * 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="300" viewBox="0 0 ${total} 300">\n<rect width="${total}" height="300" fill="#f5f6f9"/>\n${inner}\n</svg>\n`;
}
