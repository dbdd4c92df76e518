/**
 * New examples for a saved model, read from CSV or JSON and transformed with the model's own
 * preprocessing; anything that does not fit the model is reported with file, line and column.
 */
import * as nb from '../index.js';
import type { ImagePreprocessing } from './data/load.js';
import { parseJson } from './data/json.js';
import { numericRowsFromCsv, tableFromCsv, tableFromJson, type RawTable } from './data/table.js';
import { transformFeatures, transformTarget, type TabularPreprocessing } from './data/tabular.js';
import { CliError, readFileOrFail } from './errors.js';
import type { SavedRun } from './saved.js';

export interface Inputs {
  x: nb.Tensor;
  /** Targets as the model trained on them, when asked for and present. */
  y?: nb.Tensor;
  /** The input table (tabular models), e.g. to echo an id column. */
  table?: RawTable;
}

async function readText(path: string): Promise<string> {
  const bytes = await readFileOrFail(path, 'the input file');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError('the input file is not UTF-8 text', path);
  }
}

const isJson = (path: string): boolean => /\.json$/i.test(path);

/** Images as rows of pixel values (CSV, or JSON arrays, nested or flat), scaled as in training. */
function imageInputs(pre: ImagePreprocessing, text: string, path: string): nb.Tensor {
  const size = pre.inputShape.reduce((a, b) => a * b, 1);
  let rows: number[][];
  let place: (i: number) => string;
  if (isJson(path)) {
    const data = parseJson(text, path, 'the input');
    if (!Array.isArray(data) || data.length === 0) throw new CliError('expected a non-empty JSON array of images (arrays of pixel values)', path);
    place = (i) => `${path}: item ${i + 1}`;
    rows = data.map((item, i) => {
      const flat = Array.isArray(item) ? (item as unknown[]).flat(3) : null;
      if (!flat || !flat.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new CliError('each image must be an array of finite numbers', place(i));
      return flat as number[];
    });
  } else {
    ({ rows, place } = numericRowsFromCsv(text, path));
  }
  rows.forEach((r, i) => {
    if (r.length !== size) throw new CliError(`row has ${r.length} values, but the model expects ${size} (${pre.inputShape.join('×')} pixels)`, place(i));
  });
  const data = new Float32Array(rows.length * size);
  rows.forEach((r, i) => r.forEach((v, k) => { data[i * size + k] = v * pre.pixelScale; }));
  return new nb.Tensor(data, [rows.length, ...pre.inputShape]);
}

/** Reads `path` (CSV or JSON) into model inputs, and the targets too when `withTarget`. */
export async function readInputs(run: SavedRun, path: string, withTarget: boolean): Promise<Inputs> {
  const text = await readText(path);
  const pre = run.preprocessing;
  if (pre.kind === 'image') {
    if (withTarget) throw new CliError('evaluating an image model needs labelled images: use --data mnist', path);
    return { x: imageInputs(pre, text, path) };
  }
  const tab = pre as TabularPreprocessing;
  const names = tab.columns.map((c) => c.name);
  const table = isJson(path) ? tableFromJson(text, path, names) : tableFromCsv(text, path);
  const x = transformFeatures(tab, table);
  return { x, ...(withTarget ? { y: transformTarget(tab, table) } : {}), table };
}
