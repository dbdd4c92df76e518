/** The header before training and the summary after it, as text (pretty/plain) or JSON lines. */
import type { BackendInfo } from '../backend.js';
import type { Prepared } from '../data/load.js';
import type { TestResult } from '../evaluation.js';
import { confusionText, lossChart } from '../ui/charts.js';
import { bytes, color, duration, int, metricLabel, metricValue } from '../ui/format.js';
import { jsonLine, out, type OutputMode } from '../ui/reporter.js';
import type { OutputPaths } from './outputs.js';

export interface RunHeader {
  data: Prepared;
  modelName: string;
  /** "784 → 128 → 10 (relu)" or similar. */
  modelShape: string;
  parameters: number;
  layerTable: string;
  settings: Record<string, string | number | boolean>;
  backend: BackendInfo;
  paths: OutputPaths;
}

const row = (label: string, text: string): string => `  ${color.dim(label.padEnd(9))} ${text}`;

/** Counts of the splits: "54,000 train · 6,000 validation · 10,000 test". */
export function splitCounts(data: Prepared): Record<string, number> {
  return {
    train: data.train.x.shape[0],
    validation: data.validation?.x.shape[0] ?? 0,
    test: data.test?.x.shape[0] ?? 0,
  };
}

export function printHeader(mode: OutputMode, h: RunHeader): void {
  const counts = splitCounts(h.data);
  if (mode === 'json') {
    jsonLine({
      event: 'start', data: h.data.title, task: h.data.task, classes: h.data.classes, inputShape: h.data.inputShape, examples: counts,
      model: h.modelName, parameters: h.parameters, settings: h.settings, backend: h.backend.name, threads: h.backend.threads,
      singleThreadedGc: h.backend.singleThreadedGc, out: h.paths.model,
    });
    return;
  }
  if (mode === 'quiet') return;
  const what = h.data.task === 'classification' ? `${h.data.classes.length} classes` : 'regression';
  const splits = [`${int(counts.train)} train`, counts.validation ? `${int(counts.validation)} validation` : '', counts.test ? `${int(counts.test)} test` : ''].filter(Boolean).join(' · ');
  out();
  out(`${color.bold('nabla train')} ${color.dim('·')} ${h.data.title}`);
  out();
  out(row('data', `${splits} ${color.dim('·')} input [${h.data.inputShape.join('×')}] ${color.dim('·')} ${what}`));
  for (const note of h.data.notes) out(row('', color.dim(note)));
  out(row('model', `${color.bold(h.modelName)}  ${h.modelShape} ${color.dim('·')} ${color.bold(int(h.parameters))} parameters`));
  const s = h.settings;
  out(row('training', `${s.optimizer} lr ${s.lr} ${color.dim('·')} ${s.loss} ${color.dim('·')} batch ${s.batchSize} ${color.dim('·')} ${s.epochs} epochs ${color.dim('·')} seed ${s.seed}${s.l2 ? ` ${color.dim('·')} l2 ${s.l2}` : ''}${s.dropout ? ` ${color.dim('·')} dropout ${s.dropout}` : ''}${s.earlyStopping !== undefined && s.earlyStopping !== '' ? ` ${color.dim('·')} early stopping ${s.earlyStopping}` : ''}`));
  const gc = h.backend.singleThreadedGc ? ` ${color.dim('·')} GC on the main thread` : '';
  out(row('backend', `${h.backend.name} ${color.dim('·')} ${h.backend.threads} thread${h.backend.threads === 1 ? '' : 's'}${gc}`));
  out(row('output', h.paths.model));
  out();
  for (const line of h.layerTable.split('\n')) out(`  ${line}`);
  out();
}

export interface RunResult {
  history: Record<string, number[]>;
  batchLosses: number[];
  test: TestResult | null;
  classes: string[];
  stopReason?: string;
  interrupted: boolean;
  epochsCompleted: number;
  seconds: number;
  paths: OutputPaths;
  modelBytes: number;
  /** Whether the model file holds the final model (false when nothing finished). */
  saved: boolean;
}

function testLine(t: TestResult): string {
  const keys = Object.keys(t.metrics).filter((k) => k !== 'precision' && k !== 'recall');
  return keys.map((k) => `${color.dim(metricLabel(k))} ${k === 'accuracy' ? color.bold(metricValue(k, t.metrics[k])) : metricValue(k, t.metrics[k])}`).join('  ');
}

export function printResult(mode: OutputMode, r: RunResult): void {
  if (mode === 'json') {
    jsonLine({
      event: r.interrupted ? 'interrupted' : 'end', epochs: r.epochsCompleted, seconds: Number(r.seconds.toFixed(3)),
      ...(r.stopReason && !r.interrupted ? { stopReason: r.stopReason } : {}),
      ...(r.test ? { test: { examples: r.test.examples, ...r.test.metrics }, ...(r.test.confusion ? { confusionMatrix: r.test.confusion, classes: r.classes } : {}) } : {}),
      files: r.saved ? { model: r.paths.model, svg: r.paths.svg, html: r.paths.html } : {},
    });
    return;
  }
  if (mode === 'quiet') {
    if (r.test) out(`test ${Object.entries(r.test.metrics).filter(([k]) => k === 'accuracy' || k === 'r2' || k === 'loss').map(([k, v]) => `${metricLabel(k)} ${metricValue(k, v)}`).join(' ')}`);
    if (r.saved) out(`model ${r.paths.model}`);
    return;
  }
  if (r.stopReason && !r.interrupted) out(`  ${color.yellow('stopped:')} ${r.stopReason}`);
  if (r.interrupted) {
    out();
    out(`  ${color.yellow('interrupted')} ${r.saved ? `after ${r.epochsCompleted} complete epoch${r.epochsCompleted === 1 ? '' : 's'}; kept the checkpoint ${r.paths.model}` : 'before the first epoch finished; nothing was saved'}`);
  }
  if (r.test) {
    out();
    out(row('test', `${testLine(r.test)}  ${color.dim(`(${int(r.test.examples)} examples)`)}`));
    if (r.test.confusion && r.classes.length <= 20) {
      out();
      for (const line of confusionText(r.test.confusion, r.classes).split('\n')) out(`  ${line}`);
    }
  }
  const chart = lossChart(r.history, r.batchLosses, color.isColorSupported);
  if (chart) {
    out();
    out(`  ${color.bold('loss')}`);
    for (const line of chart.split('\n')) out(`  ${line}`);
  }
  out();
  if (r.saved) {
    out(row('saved', `${r.paths.model} ${color.dim(`(${bytes(r.modelBytes)}; model, preprocessing and settings)`)}`));
    out(row('', `${r.paths.svg} ${color.dim('(learning curves)')}`));
    out(row('', `${r.paths.html} ${color.dim('(report)')}`));
  }
  out(row(r.interrupted ? 'stopped' : 'done', `in ${duration(r.seconds)}`));
  out();
}
