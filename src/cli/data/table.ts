/**
 * Tables of text cells read from CSV or JSON, with the place of every row, so any complaint
 * about a value can say file, line and column.
 */
import * as nb from '../../index.js';
import { CliError } from '../errors.js';
import { parseJson } from './json.js';

/** A header and rows of text fields; `place(i)` says where row i came from. */
export interface RawTable {
  source: string;
  header: string[];
  rows: string[][];
  /** Where row i (0-based) is, e.g. "data.csv:5" or "input.json: item 3". */
  place(i: number): string;
}

/** Where a cell is: 'data.csv:5, column 3 "age"' (line 5 of the file, third field). */
export function cellPlace(table: RawTable, row: number, col: number): string {
  return `${table.place(row)}, column ${col + 1} ${JSON.stringify(table.header[col])}`;
}

/** Kinds of cell text: a finite number, a missing/non-finite marker, or other text. */
export type CellKind = 'number' | 'missing' | 'text';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const MISSING = /^([+-]?(nan|inf|infinity)|na|n\/a|null|none|\?|)$/i;

/** What a cell holds, after trimming spaces. */
export function cellKind(text: string): CellKind {
  const t = text.trim();
  if (NUMBER.test(t)) return Number.isFinite(Number(t)) ? 'number' : 'missing';
  return MISSING.test(t) ? 'missing' : 'text';
}

/** What a missing cell holds, in words: 'empty value', 'non-finite value "inf"', 'missing value "NA"'. */
export function missingReason(text: string): string {
  const t = text.trim();
  if (t === '') return 'empty value';
  if (/inf/i.test(t) || NUMBER.test(t)) return `non-finite value ${JSON.stringify(text)}`;
  return `missing value ${JSON.stringify(text)}`;
}

/** The advice that follows a missing value. */
export const NO_IMPUTE = 'nabla does not fill in missing values: fix or drop the row';

/** Parses CSV text with a header row into a RawTable; the library names file:line:column on syntax errors. */
export function tableFromCsv(text: string, file: string): RawTable {
  const csv = nb.data.parseCsv(text, { fileName: file });
  const header = csv.header as string[];
  const seen = new Map<string, number>();
  header.forEach((h, k) => {
    const name = h.trim();
    if (name === '') throw new CliError(`the header has an empty column name in field ${k + 1}`, `${file}:1`);
    if (seen.has(name)) throw new CliError(`the header names column ${JSON.stringify(name)} twice (fields ${seen.get(name)! + 1} and ${k + 1})`, `${file}:1`);
    seen.set(name, k);
  });
  if (csv.rows.length === 0) throw new CliError('the file has a header but no data rows', `${file}:1`);
  return { source: file, header: header.map((h) => h.trim()), rows: csv.rows, place: (i) => `${file}:${csv.lines[i]}` };
}

/** Reads CSV rows without a header (image input); a first line that is not numbers is skipped as a header. */
export function numericRowsFromCsv(text: string, file: string): { rows: number[][]; place(i: number): string } {
  const csv = nb.data.parseCsv(text, { fileName: file, header: false });
  let rows = csv.rows;
  let lines = csv.lines;
  if (rows.length > 0 && rows[0].some((c) => cellKind(c) === 'text')) {
    rows = rows.slice(1);
    lines = lines.slice(1);
  }
  if (rows.length === 0) throw new CliError('the file has no data rows', file);
  const place = (i: number): string => `${file}:${lines[i]}`;
  return {
    rows: rows.map((r, i) => r.map((c, k) => {
      if (cellKind(c) !== 'number') throw new CliError(`${cellKind(c) === 'missing' ? missingReason(c) : `non-numeric value ${JSON.stringify(c)}`} where a number is needed`, `${place(i)}, column ${k + 1}`);
      return Number(c.trim());
    })),
    place,
  };
}

/**
 * JSON input as a table: an array of objects keyed by column name, or an array of arrays
 * of values in `columns` order (or {"rows": [...]} holding either).
 */
export function tableFromJson(text: string, file: string, columns: readonly string[]): RawTable {
  let data = parseJson(text, file, 'the input');
  if (data && typeof data === 'object' && !Array.isArray(data) && Array.isArray((data as { rows?: unknown }).rows)) data = (data as { rows: unknown[] }).rows;
  if (!Array.isArray(data)) throw new CliError('expected a JSON array of rows (objects keyed by column name, or arrays of values)', file);
  if (data.length === 0) throw new CliError('the JSON array has no rows', file);
  const place = (i: number): string => `${file}: item ${i + 1}`;
  const cell = (v: unknown, i: number, name: string): string => {
    if (typeof v === 'number' || typeof v === 'string') return String(v);
    if (v === null) return '';
    throw new CliError(`column ${JSON.stringify(name)} holds ${Array.isArray(v) ? 'an array' : typeof v}; expected a number or a string`, place(i));
  };
  if (data.every((r) => Array.isArray(r))) {
    const rows = (data as unknown[][]).map((r, i) => {
      if (r.length !== columns.length) throw new CliError(`row has ${r.length} values but the model expects ${columns.length} (${columns.join(', ')})`, place(i));
      return r.map((v, k) => cell(v, i, columns[k]));
    });
    return { source: file, header: [...columns], rows, place };
  }
  if (!data.every((r) => r && typeof r === 'object' && !Array.isArray(r))) throw new CliError('rows must all be objects or all be arrays', file);
  const header = [...new Set((data as Record<string, unknown>[]).flatMap((r) => Object.keys(r)))];
  const rows = (data as Record<string, unknown>[]).map((r, i) => header.map((h) => (h in r ? cell(r[h], i, h) : '')));
  return { source: file, header, rows, place };
}
