/**
 * Tabular data → tensors: column types (numeric or categorical), one-hot encoding of the
 * categorical ones, standardisation of the numeric ones fitted on the training rows, and the
 * target as class codes or a standardised number. Everything fitted is plain JSON that
 * travels in the model file, so predict and evaluate transform new rows the same way.
 */
import * as nb from '../../index.js';
import { CliError, UsageError } from '../errors.js';
import { NO_IMPUTE, cellKind, cellPlace, missingReason, type RawTable } from './table.js';

export type Task = 'classification' | 'regression';

export type ColumnSpec = { name: string; type: 'numeric' } | { name: string; type: 'categorical'; categories: string[] };

export type TargetSpec =
  | { name: string; task: 'classification'; classes: string[] }
  | { name: string; task: 'regression'; scaler: nb.data.StandardScalerJSON | null };

/**
 * What the model file records about its inputs. Features: numeric columns first (standardised
 * by `scaler`), then one one-hot block per categorical column, in file order within each group.
 */
export interface TabularPreprocessing {
  kind: 'tabular';
  version: 1;
  columns: ColumnSpec[];
  /** Names of the encoded features, e.g. ['size', 'color=red', 'color=blue']. */
  featureNames: string[];
  scaler: nb.data.StandardScalerJSON | null;
  target: TargetSpec;
}

export interface SchemaOptions {
  /** Target column name (default: the last column). */
  target?: string;
  task?: Task;
  /** Columns to treat as categories even when they hold numbers. */
  categorical?: readonly string[];
}

/** Columns and target of a table, before anything is fitted to the training rows. */
export interface Schema {
  columns: ColumnSpec[];
  target: { name: string; task: Task; classes: string[] };
  /** Human notes on what was inferred, shown in the header. */
  notes: string[];
}

/** Classes with numeric names are compared as numbers, others by code unit (not locale). */
function sortLabels(labels: string[]): string[] {
  const numeric = labels.every((l) => cellKind(l) === 'number');
  return numeric ? labels.sort((a, b) => Number(a) - Number(b)) : labels.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Class names: trimmed text, numbers written canonically ("1.0" and "1" are one class). */
function labelOf(text: string): string {
  const t = text.trim();
  return cellKind(t) === 'number' ? String(Number(t)) : t;
}

export function columnIndex(table: RawTable, name: string, role: string): number {
  const k = table.header.indexOf(name);
  if (k < 0) throw new CliError(`no column named ${JSON.stringify(name)} for ${role} (columns: ${table.header.map((h) => JSON.stringify(h)).join(', ')})`, `${table.source}:1`);
  return k;
}

/** Decides each column's type and the task; every bad cell is reported with its place. */
export function inferSchema(table: RawTable, options: SchemaOptions = {}): Schema {
  const notes: string[] = [];
  const targetName = options.target ?? table.header[table.header.length - 1];
  const t = columnIndex(table, targetName, '--target');
  const forced = new Set(options.categorical ?? []);
  for (const name of forced) columnIndex(table, name, '--categorical');
  if (table.header.length < 2) throw new CliError(`the file has only the target column ${JSON.stringify(targetName)}; a model needs at least one feature column`, `${table.source}:1`);

  const columns: ColumnSpec[] = [];
  table.header.forEach((name, k) => {
    if (k === t) return;
    let numbers = 0;
    let texts = 0;
    for (const row of table.rows) {
      const kind = cellKind(row[k]);
      if (kind === 'number') numbers++;
      else if (kind === 'text') texts++;
    }
    const categorical = forced.has(name) || texts > numbers;
    for (let i = 0; i < table.rows.length; i++) {
      const cell = table.rows[i][k];
      const kind = cellKind(cell);
      if (categorical ? cell.trim() === '' : kind === 'missing') {
        throw new CliError(`${missingReason(cell)} in column ${JSON.stringify(name)}`, cellPlace(table, i, k), 1, NO_IMPUTE);
      }
      if (!categorical && kind === 'text') {
        throw new CliError(`non-numeric value ${JSON.stringify(cell)} in numeric column ${JSON.stringify(name)}`, cellPlace(table, i, k), 1, `if the column is a category, pass --categorical ${name}`);
      }
    }
    if (categorical) {
      const categories = sortLabels([...new Set(table.rows.map((r) => labelOf(r[k])))]);
      columns.push({ name, type: 'categorical', categories });
      notes.push(`${JSON.stringify(name)} is categorical (${categories.length} values) → one-hot`);
    } else {
      columns.push({ name, type: 'numeric' });
    }
  });

  const values = table.rows.map((r, i) => {
    const cell = r[t];
    if (cellKind(cell) === 'missing') {
      throw new CliError(`${missingReason(cell)} in the target column ${JSON.stringify(targetName)}`, cellPlace(table, i, t), 1, NO_IMPUTE);
    }
    return cell;
  });
  const allNumeric = values.every((v) => cellKind(v) === 'number');
  const distinct = new Set(values.map(labelOf));
  let task = options.task;
  if (!task) {
    const integerCodes = allNumeric && values.every((v) => Number.isInteger(Number(v)));
    task = !allNumeric || (integerCodes && distinct.size <= 20) ? 'classification' : 'regression';
    notes.push(task === 'classification'
      ? `task: classification (target ${JSON.stringify(targetName)} has ${distinct.size} ${allNumeric ? 'integer values' : 'labels'}; --task regression to override)`
      : `task: regression (target ${JSON.stringify(targetName)} holds ${distinct.size} distinct numbers; --task classification to override)`);
  }
  if (task === 'regression' && !allNumeric) {
    const i = values.findIndex((v) => cellKind(v) !== 'number');
    throw new UsageError(`regression needs a numeric target, but column ${JSON.stringify(targetName)} holds ${JSON.stringify(values[i])}`, cellPlace(table, i, t));
  }
  const classes = task === 'classification' ? sortLabels([...distinct]) : [];
  if (task === 'classification' && classes.length < 2) {
    throw new CliError(`the target column ${JSON.stringify(targetName)} has a single class (${JSON.stringify(classes[0])}) in all ${table.rows.length} rows; classification needs at least two`, `${table.source}, column ${JSON.stringify(targetName)}`);
  }
  if (task === 'classification' && table.rows.length >= 20 && classes.length > table.rows.length / 2) {
    throw new CliError(`the target column ${JSON.stringify(targetName)} has ${classes.length} different values in ${table.rows.length} rows, too many classes to learn`, `${table.source}, column ${JSON.stringify(targetName)}`, 1, 'choose the column to predict with --target, or pass --task regression for a numeric target');
  }
  return { columns, target: { name: targetName, task, classes }, notes };
}

/** Encoded feature names: numeric columns, then one per category. */
function featureNames(columns: readonly ColumnSpec[]): string[] {
  return [
    ...columns.filter((c) => c.type === 'numeric').map((c) => c.name),
    ...columns.flatMap((c) => (c.type === 'categorical' ? c.categories.map((v) => `${c.name}=${v}`) : [])),
  ];
}

/** The numeric columns [n, numeric] and the one-hot blocks [n, Σ categories] of a table, unscaled. */
function encodeColumns(columns: readonly ColumnSpec[], table: RawTable): { numeric: nb.Tensor; onehot: Float32Array; width: number } {
  const missing = columns.filter((c) => !table.header.includes(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new CliError(
      `the input lacks column${missing.length > 1 ? 's' : ''} ${missing.map((m) => JSON.stringify(m)).join(', ')}: the model expects ${columns.length} input column${columns.length > 1 ? 's' : ''} (${columns.map((c) => c.name).join(', ')}); the input has ${table.header.map((h) => JSON.stringify(h)).join(', ')}`,
      `${table.source}:1`,
    );
  }
  const n = table.rows.length;
  const numericCols = columns.filter((c) => c.type === 'numeric').map((c) => table.header.indexOf(c.name));
  const numeric = new Float32Array(n * numericCols.length);
  numericCols.forEach((k, j) => {
    for (let i = 0; i < n; i++) {
      const cell = table.rows[i][k];
      const kind = cellKind(cell);
      if (kind === 'missing') throw new CliError(`${missingReason(cell)} in column ${JSON.stringify(table.header[k])}`, cellPlace(table, i, k), 1, NO_IMPUTE);
      if (kind === 'text') throw new CliError(`non-numeric value ${JSON.stringify(cell)} in numeric column ${JSON.stringify(table.header[k])}`, cellPlace(table, i, k));
      numeric[i * numericCols.length + j] = Number(cell.trim());
    }
  });
  const cats = columns.filter((c): c is Extract<ColumnSpec, { type: 'categorical' }> => c.type === 'categorical');
  const width = cats.reduce((s, c) => s + c.categories.length, 0);
  const onehot = new Float32Array(n * width);
  let offset = 0;
  for (const c of cats) {
    const k = table.header.indexOf(c.name);
    const index = new Map(c.categories.map((v, j) => [v, j]));
    for (let i = 0; i < n; i++) {
      const j = index.get(labelOf(table.rows[i][k]));
      if (j === undefined) {
        const known = c.categories.slice(0, 8).map((v) => JSON.stringify(v)).join(', ') + (c.categories.length > 8 ? ', …' : '');
        throw new CliError(`unknown category ${JSON.stringify(table.rows[i][k])} in column ${JSON.stringify(c.name)}; the model knows ${known}`, cellPlace(table, i, k));
      }
      onehot[i * width + offset + j] = 1;
    }
    offset += c.categories.length;
  }
  return { numeric: new nb.Tensor(numeric, [n, numericCols.length]), onehot, width };
}

/** Joins scaled numeric features and one-hot blocks into [n, F]. */
function join(numeric: nb.Tensor, onehot: Float32Array, width: number): nb.Tensor {
  const [n, f] = numeric.shape;
  const out = new Float32Array(n * (f + width));
  const src = numeric.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) out[i * (f + width) + j] = src[i * f + j];
    for (let j = 0; j < width; j++) out[i * (f + width) + f + j] = onehot[i * width + j];
  }
  return new nb.Tensor(out, [n, f + width]);
}

function targetValues(name: string, table: RawTable): number[] {
  const k = columnIndex(table, name, 'the target');
  return table.rows.map((r, i) => {
    if (cellKind(r[k]) !== 'number') throw new CliError(`${cellKind(r[k]) === 'missing' ? missingReason(r[k]) : `non-numeric value ${JSON.stringify(r[k])}`} in the target column ${JSON.stringify(name)}`, cellPlace(table, i, k));
    return Number(r[k].trim());
  });
}

/** Fits the scalers on the rows `train` (indices into table) and returns the preprocessing to save. */
export function fitPreprocessing(schema: Schema, table: RawTable, train: Int32Array): TabularPreprocessing {
  const { numeric } = encodeColumns(schema.columns, table);
  const scaler = numeric.shape[1] > 0 ? new nb.data.StandardScaler().fit(numeric.indexSelect(0, train)).toJSON() as nb.data.StandardScalerJSON : null;
  let target: TargetSpec;
  if (schema.target.task === 'classification') {
    target = { name: schema.target.name, task: 'classification', classes: schema.target.classes };
  } else {
    const y = new nb.Tensor(Float32Array.from(targetValues(schema.target.name, table)), [table.rows.length, 1]);
    target = { name: schema.target.name, task: 'regression', scaler: new nb.data.StandardScaler().fit(y.indexSelect(0, train)).toJSON() as nb.data.StandardScalerJSON };
  }
  return { kind: 'tabular', version: 1, columns: schema.columns, featureNames: featureNames(schema.columns), scaler, target };
}

/** The model's input [n, F] for the rows of a table (columns found by name; extra columns ignored). */
export function transformFeatures(pre: TabularPreprocessing, table: RawTable): nb.Tensor {
  const { numeric, onehot, width } = encodeColumns(pre.columns, table);
  const scaled = pre.scaler ? nb.data.scalerFromJSON(pre.scaler).transform(numeric) : numeric;
  return join(scaled, onehot, width);
}

/** Targets of a table as the model trains on them: int32 class codes [n], or standardised values [n, 1]. */
export function transformTarget(pre: TabularPreprocessing, table: RawTable): nb.Tensor {
  const spec = pre.target;
  if (spec.task === 'classification') {
    const k = columnIndex(table, spec.name, 'the target');
    const index = new Map(spec.classes.map((c, j) => [c, j]));
    const codes = table.rows.map((r, i) => {
      const j = index.get(labelOf(r[k]));
      if (j === undefined) throw new CliError(`unknown class ${JSON.stringify(r[k])} in the target column ${JSON.stringify(spec.name)}; the model knows ${spec.classes.slice(0, 10).map((c) => JSON.stringify(c)).join(', ')}`, cellPlace(table, i, k));
      return j;
    });
    return new nb.Tensor(Int32Array.from(codes), [codes.length]);
  }
  const y = new nb.Tensor(Float32Array.from(targetValues(spec.name, table)), [table.rows.length, 1]);
  return spec.scaler ? nb.data.scalerFromJSON(spec.scaler).transform(y) : y;
}
