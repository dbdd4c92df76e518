/**
 * `nabla predict <model> --input <file>`: the model's answer for each row. A terminal gets a
 * table; a pipe or --out gets CSV with every number at full precision (the exact float32
 * values nb.predict returns); --json gives one object per row.
 */
import type { Command } from 'commander';
import * as nb from '../../index.js';
import { selectBackend } from '../backend.js';
import { CliError, fsReason } from '../errors.js';
import { decodeClasses, decodeValues } from '../evaluation.js';
import { readInputs } from '../inputs.js';
import { loadRun } from '../saved.js';
import { clip, color, padVisible } from '../ui/format.js';
import { jsonLine, out } from '../ui/reporter.js';

interface PredictOptions {
  input: string;
  out?: string;
  backend?: string;
  json?: boolean;
}

/** A CSV field, quoted when it needs to be. */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Predictions as named columns of text, one entry per input row. */
interface Columns {
  header: string[];
  rows: string[][];
  /** Raw model outputs per row (JSON output). */
  outputs: number[][];
  labels: (string | number)[];
  probabilities: number[][] | null;
}

function rowsOf(t: nb.Tensor): number[][] {
  const [n] = t.shape;
  const width = t.size / Math.max(n, 1);
  const d = t.data;
  return Array.from({ length: n }, (_, i) => Array.from(d.subarray(i * width, (i + 1) * width)));
}

function predictionColumns(output: nb.Tensor, run: Awaited<ReturnType<typeof loadRun>>): Columns {
  const meta = run.metadata;
  const outputs = rowsOf(output);
  if (meta.output === 'value') {
    const values = Array.from(decodeValues(output, run.preprocessing).data);
    return { header: ['prediction'], rows: values.map((v) => [String(v)]), outputs, labels: values, probabilities: null };
  }
  const { codes, probabilities } = decodeClasses(output, meta.output);
  const labels = Array.from(codes, (c) => meta.classes[c] ?? String(c));
  const probs = probabilities ? rowsOf(probabilities) : null;
  const extra = probs ?? outputs;
  const prefix = probs ? 'p_' : 'score_';
  return {
    header: ['prediction', ...meta.classes.map((c) => `${prefix}${c}`)],
    rows: labels.map((l, i) => [l, ...extra[i].map(String)]),
    outputs,
    labels,
    probabilities: probs,
  };
}

function printTable(cols: Columns, classification: boolean): void {
  const shown = cols.rows.slice(0, 200);
  const round = (s: string, k: number): string => (k === 0 ? s : Number(s).toFixed(4));
  const cells = shown.map((r) => (classification ? [r[0], String(Math.max(...r.slice(1).map(Number)).toFixed(4))] : r.map(round)));
  const header = classification ? ['#', 'prediction', cols.probabilities ? 'probability' : 'score'] : ['#', 'prediction'];
  const widths = header.map((h, k) => Math.max(h.length, ...cells.map((c, i) => (k === 0 ? String(i + 1) : clip(c[k - 1], 24)).length)));
  out(header.map((h, k) => padVisible(color.dim(h), widths[k], k === 0 ? 'right' : 'left')).join('  '));
  cells.forEach((c, i) => out([padVisible(color.dim(String(i + 1)), widths[0], 'right'), ...c.map((v, k) => padVisible(k === 0 ? color.bold(clip(v, 24)) : v, widths[k + 1]))].join('  ')));
  if (cols.rows.length > shown.length) out(color.dim(`… ${cols.rows.length - shown.length} more rows (use --out file.csv for all)`));
}

async function predictCommand(modelPath: string, options: PredictOptions): Promise<void> {
  await selectBackend(options.backend);
  const run = await loadRun(modelPath);
  const { x } = await readInputs(run, options.input, false);
  let output: nb.Tensor;
  try {
    output = nb.predict(run.model, x);
  } catch (e) {
    if (e instanceof nb.NablaError) throw new CliError(`the input does not fit the model: ${e.message}`, options.input);
    throw e;
  }
  const cols = predictionColumns(output, run);
  if (options.json) {
    cols.labels.forEach((label, i) => jsonLine({
      row: i + 1, prediction: label,
      ...(cols.probabilities ? { probabilities: Object.fromEntries(run.metadata.classes.map((c, k) => [c, cols.probabilities![i][k]])) } : {}),
      output: cols.outputs[i],
    }));
    return;
  }
  const csv = [cols.header, ...cols.rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
  if (options.out) {
    try {
      await nb.writeFileAtomic(options.out, csv);
    } catch (e) {
      throw new CliError(`cannot write the predictions: ${fsReason(e)}`, options.out);
    }
    if (process.stdout.isTTY) out(`${color.green('✓')} wrote ${cols.rows.length} predictions to ${options.out}`);
    return;
  }
  if (process.stdout.isTTY) printTable(cols, run.metadata.task === 'classification');
  else process.stdout.write(csv);
}

export function register(program: Command): void {
  program
    .command('predict')
    .description('predict with a saved model: prints a table on a terminal, CSV when piped or with --out')
    .argument('<model>', 'a model file written by nabla train')
    .requiredOption('-i, --input <file>', 'rows to predict: a CSV with the training columns (extra columns are ignored), or JSON (an array of objects or of value arrays)')
    .option('-o, --out <file.csv>', 'write the predictions (CSV) to a file')
    .option('--backend <name>', 'compute backend')
    .option('--json', 'print one JSON object per row (prediction, probabilities, raw outputs)')
    .action(predictCommand);
}
