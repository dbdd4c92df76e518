import { learningCurves } from './svg.js';

export interface RunReport {
  title: string;
  /** Settings of the run (data, model, optimizer, …) shown as a table. */
  settings: Record<string, string | number | boolean>;
  history: Record<string, readonly number[]>;
  /** Final test metrics. */
  test: Record<string, number>;
  /** Rows: true class, columns: predicted class. */
  confusion?: number[][];
  classNames?: string[];
  modelSummary: string;
  stopReason?: string;
  wallSeconds: number;
}

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c] as string);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e-3 ? v.toFixed(4) : v.toExponential(3);
}

/** A confusion matrix as an HTML table shaded by row-normalised counts. */
export function confusionTable(m: number[][], names?: string[]): string {
  const label = (i: number): string => esc(names?.[i] ?? String(i));
  const head = m.map((_, j) => `<th>${label(j)}</th>`).join('');
  const rows = m.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    const cells = row.map((v, j) => {
      const f = v / total;
      const bg = i === j ? `rgba(59,111,216,${(0.08 + 0.85 * f).toFixed(3)})` : `rgba(232,119,46,${(0.7 * f).toFixed(3)})`;
      const fg = f > 0.55 ? '#fff' : '#1f2430';
      return `<td style="background:${bg};color:${fg}" title="true ${label(i)}, predicted ${label(j)}: ${v} (${(100 * f).toFixed(1)}%)">${v}</td>`;
    }).join('');
    return `<tr><th>${label(i)}</th>${cells}</tr>`;
  }).join('\n');
  return `<table class="cm"><thead><tr><th class="corner">true ↓ / predicted →</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** A self-contained page (no scripts, no network) with the curves, metrics, confusion matrix and settings. */
export function htmlReport(r: RunReport): string {
  const cards = Object.entries(r.test).map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${fmt(v)}</div></div>`).join('');
  const settings = Object.entries(r.settings).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('');
  const epochs = (r.history.loss ?? []).length;
  const perEpoch = Object.keys(r.history);
  const epochRows = Array.from({ length: epochs }, (_, e) => `<tr><td>${e + 1}</td>${perEpoch.map((k) => `<td>${fmt(r.history[k][e])}</td>`).join('')}</tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Inter,system-ui,-apple-system,Segoe UI,sans-serif;background:#f5f6f9;color:#1f2430;margin:0;padding:28px 36px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 10px;color:#3a4150}
.sub{color:#8a90a0;font-size:13px}.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:18px}
.card{background:#fff;border-radius:10px;padding:12px 18px;box-shadow:0 1px 3px rgba(0,0,0,.06);min-width:110px}
.card .k{font-size:12px;color:#8a90a0;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:24px;font-weight:650;margin-top:2px}
.panel{background:#fff;border-radius:10px;padding:14px;box-shadow:0 1px 3px rgba(0,0,0,.06);display:inline-block;max-width:100%;overflow:auto}
table{border-collapse:collapse;font-size:13px}th,td{padding:5px 10px;text-align:right}
.kv th{text-align:left;color:#59606e;font-weight:500}.kv td{text-align:left;font-family:ui-monospace,monospace}
.cm td{min-width:38px;text-align:center;border:1px solid #fff;font-variant-numeric:tabular-nums}.cm th{color:#59606e;font-weight:500;text-align:center}
.cm .corner{font-size:11px;color:#8a90a0}pre{background:#fff;border-radius:10px;padding:14px;font-size:12.5px;overflow:auto;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.epochs td,.epochs th{border-bottom:1px solid #eef0f4;font-variant-numeric:tabular-nums}.note{color:#b4541c;font-size:13px;margin-top:10px}
</style></head><body>
<h1>${esc(r.title)}</h1>
<div class="sub">trained ${epochs} epoch${epochs === 1 ? '' : 's'} in ${r.wallSeconds.toFixed(1)} s · written by nabla</div>
${r.stopReason ? `<div class="note">Stopped early: ${esc(r.stopReason)}</div>` : ''}
<div class="cards">${cards}</div>
<h2>Learning curves</h2><div class="panel">${learningCurves(r.history)}</div>
${r.confusion ? `<h2>Confusion matrix (test set)</h2><div class="panel">${confusionTable(r.confusion, r.classNames)}</div>` : ''}
<h2>Per epoch</h2><div class="panel"><table class="epochs"><thead><tr><th>epoch</th>${perEpoch.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>${epochRows}</tbody></table></div>
<h2>Model</h2><pre>${esc(r.modelSummary)}</pre>
<h2>Settings</h2><div class="panel"><table class="kv">${settings}</table></div>
</body></html>
`;
}
