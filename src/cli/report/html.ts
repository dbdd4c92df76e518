/**
 * A run's report as one self-contained HTML page (inline CSS and SVG, no scripts, nothing
 * fetched): headline metrics, learning curves, confusion matrix with per-class scores, the
 * per-epoch table, the model and the settings.
 */
import { regionsSvg, type Regions } from './regions.js';
import { predictionScatter } from './scatter.js';
import { escapeXml as esc, learningCurves } from './svg.js';

/** One image of the report's gallery: a data: URL and what the model said about it. */
export interface GalleryItem {
  src: string;
  truth: string;
  predicted: string;
  confidence: number;
}

export interface RunReport {
  title: string;
  task: 'classification' | 'regression';
  /** Settings of the run (data, model, optimizer, …) shown as a table. */
  settings: Record<string, string | number | boolean>;
  history: Record<string, readonly number[]>;
  /** Final test metrics (empty when there is no test set). */
  test: Record<string, number>;
  testExamples: number;
  /** Rows: true class, columns: predicted class. */
  confusion?: number[][];
  perClass?: { precision: number; recall: number; f1: number; support: number }[];
  classNames?: string[];
  /** Decision regions (classifiers of two numeric features). */
  regions?: Regions | null;
  /** Regression: true and predicted test values, and the target's name. */
  values?: { truth: ArrayLike<number>; predicted: ArrayLike<number>; target: string };
  /** Test images the model got wrong (image data). */
  mistakes?: GalleryItem[] | null;
  modelSummary: string;
  parameters: number;
  stopReason?: string;
  wallSeconds: number;
  createdAt: string;
}

function fmt(key: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (/accuracy|precision|recall|f1/i.test(key)) return `${(100 * v).toFixed(2)}%`;
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : a >= 100 ? v.toFixed(2) : v.toPrecision(4);
}

const LABELS: Record<string, string> = {
  loss: 'Loss', accuracy: 'Accuracy', precision: 'Precision (macro)', recall: 'Recall (macro)', f1: 'F1 (macro)',
  mse: 'MSE', rmse: 'RMSE', mae: 'MAE', r2: 'R²',
};

function duration(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
}

/** A confusion matrix as an HTML table: blue diagonal, orange mistakes, shaded by share of the row. */
export function confusionTable(m: number[][], names?: string[]): string {
  const label = (i: number): string => esc(names?.[i] ?? String(i));
  const head = m.map((_, j) => `<th class="pred">${label(j)}</th>`).join('');
  const rows = m.map((row, i) => {
    const total = row.reduce((s, v) => s + v, 0) || 1;
    const cells = row.map((v, j) => {
      const f = v / total;
      const bg = v === 0 ? 'transparent' : i === j ? `rgba(47,111,223,${(0.1 + 0.85 * f).toFixed(3)})` : `rgba(240,138,36,${(0.12 + 0.88 * Math.min(1, f * 4)).toFixed(3)})`;
      const fg = (i === j && f > 0.5) || (i !== j && f > 0.15) ? '#fff' : v === 0 ? '#c3c8d2' : '#1d2230';
      return `<td style="background:${bg};color:${fg}" title="true ${label(i)}, predicted ${label(j)}: ${v} (${(100 * f).toFixed(1)}% of the row)">${v === 0 ? '·' : v.toLocaleString('en-US')}</td>`;
    }).join('');
    return `<tr><th class="true">${label(i)}</th>${cells}</tr>`;
  }).join('\n');
  return `<table class="cm"><thead><tr><th class="corner">true ↓ &nbsp;predicted →</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

function bar(v: number): string {
  return `<span class="bar"><span style="width:${(100 * Math.max(0, Math.min(1, v))).toFixed(1)}%"></span></span>${(100 * v).toFixed(1)}%`;
}

function perClassTable(rows: NonNullable<RunReport['perClass']>, names: string[] | undefined): string {
  const body = rows.map((r, i) => `<tr><th>${esc(names?.[i] ?? String(i))}</th><td>${bar(r.precision)}</td><td>${bar(r.recall)}</td><td>${bar(r.f1)}</td><td class="num">${r.support.toLocaleString('en-US')}</td></tr>`).join('');
  return `<table class="pc"><thead><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** A self-contained page (no scripts, no network) with the curves, metrics, confusion matrix and settings. */
export function htmlReport(r: RunReport): string {
  const headline = r.task === 'classification' ? ['accuracy', 'f1', 'loss'] : ['r2', 'rmse', 'mae'];
  const cards = headline.filter((k) => r.test[k] !== undefined).map((k, i) => `<div class="card${i === 0 ? ' main' : ''}"><div class="k">${esc(LABELS[k] ?? k)}</div><div class="v">${fmt(k, r.test[k])}</div><div class="s">test set</div></div>`).join('');
  const last = (k: string): number | undefined => r.history[k]?.[r.history[k].length - 1];
  const valKey = r.task === 'classification' ? 'valAccuracy' : 'valR2';
  const valCard = last(valKey) !== undefined ? `<div class="card"><div class="k">${r.task === 'classification' ? 'Accuracy' : 'R²'}</div><div class="v">${fmt(valKey, last(valKey)!)}</div><div class="s">validation, last epoch</div></div>` : '';
  const epochs = (r.history.loss ?? []).length;
  const status = r.stopReason ? (r.stopReason.startsWith('interrupted') ? ['interrupted', 'warn'] : ['stopped early', 'info']) : ['completed', 'ok'];
  const keys = Object.keys(r.history);
  const best = r.history.valLoss ? r.history.valLoss.indexOf(Math.min(...r.history.valLoss.filter(Number.isFinite))) : -1;
  const epochRows = Array.from({ length: epochs }, (_, e) => `<tr${e === best ? ' class="best"' : ''}><td>${e + 1}</td>${keys.map((k) => `<td>${r.history[k][e] === undefined ? '' : fmt(k, r.history[k][e])}</td>`).join('')}</tr>`).join('');
  const settings = Object.entries(r.settings).filter(([, v]) => v !== '').map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`).join('');
  const names = (k: string): string => esc(k.replace(/^val([A-Z])/, (_m, c: string) => `val ${c.toLowerCase()}`));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)} · nabla</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
:root{--ink:#1d2230;--muted:#7c8496;--line:#e3e6ee;--blue:#2f6fdf;--orange:#f08a24;--page:#f4f6fa}
*{box-sizing:border-box}body{font-family:Inter,ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;background:var(--page);color:var(--ink);margin:0;padding:32px 40px 48px;line-height:1.45}
main{max-width:1040px;margin:0 auto}
header{display:flex;align-items:flex-start;justify-content:space-between;gap:16px;flex-wrap:wrap}
h1{font-size:24px;margin:0 0 4px;letter-spacing:-.01em}h2{font-size:15px;margin:34px 0 12px;color:#3a4150;text-transform:uppercase;letter-spacing:.06em}
.sub{color:var(--muted);font-size:13px}.pill{display:inline-block;padding:4px 12px;border-radius:999px;font-size:12px;font-weight:600}
.pill.ok{background:#e5f5ec;color:#17804a}.pill.info{background:#e8effc;color:#2f5fb8}.pill.warn{background:#fdf0e1;color:#b0600f}
.note{color:#8a5a1c;font-size:13px;margin-top:6px}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin-top:22px}
.card{background:#fff;border:1px solid var(--line);border-radius:12px;padding:14px 20px;min-width:150px}
.card.main{border-color:#bcd0f5;background:linear-gradient(180deg,#f7faff,#fff)}
.card .k{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}.card .v{font-size:28px;font-weight:700;margin-top:2px;font-variant-numeric:tabular-nums}
.card.main .v{color:var(--blue)}.card .s{font-size:11.5px;color:var(--muted)}
.panel{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px 18px;overflow:auto}
.figure{overflow:auto}.figure svg{max-width:100%;height:auto;display:block}
.grid{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}.grid>*{flex:0 1 auto;max-width:100%}
table{border-collapse:collapse;font-size:13px}th,td{padding:5px 10px;text-align:right}
.cm td{min-width:42px;height:34px;text-align:center;border:2px solid #fff;border-radius:6px;font-variant-numeric:tabular-nums;font-size:12.5px}
.cm th{color:#59606e;font-weight:600;text-align:center}.cm th.true{text-align:right;padding-right:10px}.cm .corner{font-size:11px;color:var(--muted);font-weight:500;text-align:left;white-space:nowrap}
.pc th{text-align:left;color:#59606e;font-weight:600}.pc td{text-align:left;white-space:nowrap;font-variant-numeric:tabular-nums}.pc td.num{text-align:right}
.bar{display:inline-block;width:64px;height:7px;background:#edf0f5;border-radius:4px;margin-right:8px;vertical-align:middle;overflow:hidden}.bar span{display:block;height:100%;background:var(--blue);border-radius:4px}
.epochs th{color:#59606e;font-weight:600;border-bottom:1px solid var(--line)}.epochs td{border-bottom:1px solid #f0f2f6;font-variant-numeric:tabular-nums}
.epochs tr.best td{background:#f3f7ff;font-weight:600}
.kv th{text-align:left;color:#59606e;font-weight:500;padding-right:24px}.kv td{text-align:left;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
pre{background:#fff;border:1px solid var(--line);border-radius:12px;padding:16px 18px;font-size:12.5px;overflow:auto;margin:0}
footer{margin-top:40px;color:var(--muted);font-size:12px}
.gallery{display:flex;flex-wrap:wrap;gap:14px}.gallery figure{margin:0;text-align:center;font-size:12px;color:var(--muted)}
.gallery img{width:64px;height:64px;image-rendering:pixelated;border-radius:6px;border:1px solid var(--line);display:block;margin-bottom:4px}
.gallery b{color:#c2410c;font-size:13px}.gallery span{color:var(--muted)}
details summary{cursor:pointer;color:#3a4150;font-size:13px;margin-bottom:8px}.epochs{width:100%}
</style></head><body><main>
<header><div><h1>${esc(r.title)}</h1>
<div class="sub">${r.task} · ${epochs} epoch${epochs === 1 ? '' : 's'} in ${duration(r.wallSeconds)} · ${r.parameters.toLocaleString('en-US')} parameters · ${esc(r.createdAt.replace('T', ' ').slice(0, 19))} UTC</div>
${r.stopReason ? `<div class="note">${esc(r.stopReason)}</div>` : ''}</div>
<span class="pill ${status[1]}">${status[0]}</span></header>
${cards || valCard ? `<div class="cards">${cards}${valCard}</div>` : ''}
${r.testExamples ? `<div class="sub" style="margin-top:8px">test metrics on ${r.testExamples.toLocaleString('en-US')} held-out examples${r.task === 'regression' ? ', in the target\u2019s own units' : ''}</div>` : ''}
<h2>Learning curves</h2><div class="figure">${learningCurves(r.history, { title: r.title, task: r.task, band: false })}</div>
${r.regions ? `<h2>What the model learned</h2><div class="grid"><div class="figure">${regionsSvg(r.regions)}</div><div class="sub" style="max-width:420px">Each point of the plane is shaded by the class the network predicts there, darker where it is more confident. The dots are the ${r.testExamples ? 'test' : 'held-out'} examples in their true colours; a dark ring marks a mistake.</div></div>` : ''}
${r.values ? `<h2>Test set: predictions</h2><div class="grid"><div class="figure">${predictionScatter(r.values.truth, r.values.predicted, r.values.target)}</div><div class="sub" style="max-width:420px">Each dot is a test example: its true value across, the model's prediction up. On the dashed diagonal the prediction is exact; the farther a dot lies from it, the larger the error.</div></div>` : ''}
${r.confusion ? `<h2>Test set: confusion and per-class scores</h2><div class="grid"><div class="panel">${confusionTable(r.confusion, r.classNames)}</div>${r.perClass ? `<div class="panel">${perClassTable(r.perClass, r.classNames)}</div>` : ''}</div>` : ''}
${r.mistakes && r.mistakes.length ? `<h2>Its most confident mistakes</h2><div class="panel"><div class="gallery">${r.mistakes.map((g) => `<figure><img src="${g.src}" alt="a test image of ${esc(g.truth)}, predicted ${esc(g.predicted)}"><figcaption><b>${esc(g.predicted)}</b> <span>${Math.floor(100 * g.confidence)}%</span><br>true ${esc(g.truth)}</figcaption></figure>`).join('')}</div><div class="sub" style="margin-top:10px">Test images the model got wrong, the surest first: the big label is its answer and its confidence, below it the true class.</div></div>` : ''}
<h2>Per epoch</h2><div class="panel">${epochs > 12 ? `<details><summary>${epochs} epochs${best >= 0 ? ` · best validation loss at epoch ${best + 1}` : ''}</summary>` : ''}<table class="epochs"><thead><tr><th>epoch</th>${keys.map((k) => `<th>${names(k)}</th>`).join('')}</tr></thead><tbody>${epochRows}</tbody></table>${epochs > 12 ? '</details>' : ''}</div>
<h2>Model</h2><pre>${esc(r.modelSummary)}</pre>
<h2>Settings</h2><div class="panel"><table class="kv">${settings}</table></div>
<footer>Written by nabla. This page is self-contained: no scripts, nothing loaded from the network.</footer>
</main></body></html>
`;
}
