import { DTypeError, FormatError, Tensor, ValueError, allocate, type DType } from '../tensor/index.js';

export interface CsvOptions {
  /** Names the input in error messages (default '<csv>'). */
  fileName?: string;
  /** One character between fields (default ','). */
  delimiter?: string;
  /** The first row holds the column names (default true). */
  header?: boolean;
}

/** A parsed CSV file: every row has as many fields as the header (or the first row). */
export interface CsvTable {
  fileName: string;
  /** Column names, or null when parsed with header: false. */
  header: string[] | null;
  /** Data rows, fields as text. */
  rows: string[][];
  /** The 1-based line on which each row starts (for error messages downstream). */
  lines: number[];
}

interface RawRecord {
  fields: string[];
  /** 1-based character column where each field starts. */
  columns: number[];
  line: number;
  /** Column just past the record's last character. */
  endColumn: number;
}

/**
 * Parses CSV text (RFC 4180): fields separated by the delimiter, rows by \n or \r\n,
 * fields in double quotes may hold delimiters, newlines and "" for a quote. Empty lines
 * are skipped. Every error is a FormatError that starts with file:line:column.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const file = options.fileName ?? '<csv>';
  const delim = options.delimiter ?? ',';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new ValueError(`parseCsv: the delimiter must be one character other than a quote or a newline, got ${JSON.stringify(delim)}`);
  }
  if (typeof text !== 'string') throw new ValueError(`parseCsv: expected the file's text as a string, got ${typeof text}`);
  const fail = (line: number, column: number, message: string): never => {
    throw new FormatError(`parseCsv: ${file}:${line}:${column}: ${message}`);
  };
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a UTF-8 byte-order mark is not data
  const n = src.length;
  const records: RawRecord[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const endOfLine = (): void => {
    if (src[i] === '\r') i++;
    if (src[i] === '\n') i++;
    line++;
    lineStart = i;
  };

  while (i < n) {
    if (src[i] === '\n' || src[i] === '\r') {
      endOfLine();
      continue;
    }
    const record: RawRecord = { fields: [], columns: [], line, endColumn: 0 };
    for (;;) {
      const column = i - lineStart + 1;
      let value: string;
      if (src[i] === '"') {
        const [openLine, openColumn] = [line, column];
        let chunkStart = ++i;
        value = '';
        for (;;) {
          if (i >= n) fail(openLine, openColumn, 'unterminated quoted field: the closing " is missing');
          if (src[i] === '"') {
            value += src.slice(chunkStart, i);
            if (src[i + 1] === '"') {
              value += '"';
              i += 2;
              chunkStart = i;
              continue;
            }
            i++;
            break;
          }
          if (src[i] === '\n') {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        if (i < n && src[i] !== delim && src[i] !== '\n' && src[i] !== '\r') {
          fail(line, i - lineStart + 1, `unexpected ${JSON.stringify(src[i])} after the closing quote of a field (expected ${JSON.stringify(delim)} or the end of the line)`);
        }
      } else {
        let j = i;
        while (j < n && src[j] !== delim && src[j] !== '\n' && src[j] !== '\r') {
          if (src[j] === '"') fail(line, j - lineStart + 1, 'a quote inside an unquoted field (quote the whole field and double inner quotes: "a ""b""")');
          j++;
        }
        value = src.slice(i, j);
        i = j;
      }
      record.fields.push(value);
      record.columns.push(column);
      if (i < n && src[i] === delim) {
        i++;
        continue;
      }
      record.endColumn = i - lineStart + 1;
      if (i < n) endOfLine();
      break;
    }
    records.push(record);
  }

  const hasHeader = options.header ?? true;
  if (records.length === 0) fail(1, 1, `empty file: ${hasHeader ? 'no header line' : 'no rows'}`);
  const expected = records[0].fields.length;
  const like = hasHeader ? 'the header' : 'the first row';
  for (const r of records) {
    if (r.fields.length > expected) fail(r.line, r.columns[expected], `row has ${r.fields.length} fields, expected ${expected} like ${like} (an extra field starts here)`);
    if (r.fields.length < expected) fail(r.line, r.endColumn, `row has ${r.fields.length} field${r.fields.length === 1 ? '' : 's'}, expected ${expected} like ${like}`);
  }
  const body = hasHeader ? records.slice(1) : records;
  return {
    fileName: file,
    header: hasHeader ? records[0].fields : null,
    rows: body.map((r) => r.fields),
    lines: body.map((r) => r.line),
  };
}

/** The index of a column given by header name or 0-based position. */
export function csvColumnIndex(table: CsvTable, column: string | number): number {
  if (typeof column === 'number') {
    const width = table.header?.length ?? table.rows[0]?.length ?? 0;
    if (!Number.isInteger(column) || column < 0 || column >= width) throw new ValueError(`csvColumnIndex: ${table.fileName}: column ${column} is out of range for ${width} columns`);
    return column;
  }
  const k = table.header?.indexOf(column) ?? -1;
  if (k < 0) throw new ValueError(`csvColumnIndex: ${table.fileName}: no column named ${JSON.stringify(column)} (columns: ${(table.header ?? []).map((h) => JSON.stringify(h)).join(', ') || 'none; parsed without a header'})`);
  return k;
}

/**
 * The numbers in some columns of a parsed CSV as a tensor [rows, columns] (default all
 * columns, float32). A cell that is not a finite number is a FormatError naming the file,
 * line, column name and the text found.
 */
export function csvToTensor(table: CsvTable, options: { columns?: readonly (string | number)[]; dtype?: DType } = {}): Tensor {
  const width = table.header?.length ?? table.rows[0]?.length ?? 0;
  const columns = (options.columns ?? Array.from({ length: width }, (_, k) => k)).map((c) => csvColumnIndex(table, c));
  const dtype = options.dtype ?? 'float32';
  const out = allocate(dtype, table.rows.length * columns.length);
  table.rows.forEach((row, r) => {
    columns.forEach((k, c) => {
      const text = row[k].trim();
      const v = text === '' ? NaN : Number(text);
      const name = table.header ? `column ${JSON.stringify(table.header[k])} (field ${k + 1})` : `field ${k + 1}`;
      if (!Number.isFinite(v)) throw new FormatError(`csvToTensor: ${table.fileName}:${table.lines[r]}: ${name} is ${JSON.stringify(row[k])}, not a number`);
      if (dtype === 'int32' && !Number.isInteger(v)) throw new DTypeError(`csvToTensor: ${table.fileName}:${table.lines[r]}: ${name} is ${row[k]}, not an integer (dtype int32)`);
      out[r * columns.length + c] = v;
    });
  });
  return new Tensor(out, [table.rows.length, columns.length]);
}
