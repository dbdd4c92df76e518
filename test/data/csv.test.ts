import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';

const parse = (text: string, options: nb.data.CsvOptions = {}): nb.data.CsvTable => nb.data.parseCsv(text, { fileName: 'data.csv', ...options });

function fails(text: string, message: RegExp, options: nb.data.CsvOptions = {}): void {
  expect(() => parse(text, options)).toThrow(nb.FormatError);
  expect(() => parse(text, options)).toThrow(message);
}

describe('parseCsv', () => {
  it('header, rows and the line each row starts on', () => {
    const t = parse('sleep,study,score\n3,5,75\n5,1,82\n10,2,93\n');
    expect(t.header).toEqual(['sleep', 'study', 'score']);
    expect(t.rows).toEqual([['3', '5', '75'], ['5', '1', '82'], ['10', '2', '93']]);
    expect(t.lines).toEqual([2, 3, 4]);
    expect(t.fileName).toBe('data.csv');
  });

  it('quoted fields hold delimiters, doubled quotes and newlines', () => {
    const t = parse('name,note\n"Smith, J.","said ""hi"""\n"multi\nline",x\nlast,""\n');
    expect(t.rows).toEqual([['Smith, J.', 'said "hi"'], ['multi\nline', 'x'], ['last', '']]);
    // The quoted newline moves the following row one line further down.
    expect(t.lines).toEqual([2, 3, 5]);
  });

  it('CRLF line ends, a byte-order mark, blank lines, no final newline, empty fields', () => {
    const t = parse('\uFEFFa,b\r\n\r\n1,\r\n\n,2');
    expect(t.header).toEqual(['a', 'b']);
    expect(t.rows).toEqual([['1', ''], ['', '2']]);
    expect(t.lines).toEqual([3, 5]);
  });

  it('header: false and another delimiter', () => {
    const t = parse('1;2\n3;4\n', { header: false, delimiter: ';' });
    expect(t.header).toBeNull();
    expect(t.rows).toEqual([['1', '2'], ['3', '4']]);
    expect(t.lines).toEqual([1, 2]);
    expect(() => parse('a', { delimiter: '"' })).toThrow(nb.ValueError);
    expect(parse('a,b\n').rows).toEqual([]);
  });

  it('ragged rows name file, line and column', () => {
    fails('a,b,c\n1,2,3\n4,5\n', /parseCsv: data\.csv:3:4: row has 2 fields, expected 3 like the header/);
    fails('a,b\n1,2\n3,4,5\n', /data\.csv:3:5: row has 3 fields, expected 2 like the header \(an extra field starts here\)/);
    fails('1,2\n3\n', /data\.csv:2:2: row has 1 field, expected 2 like the first row/, { header: false });
    // After a quoted newline the row is reported at the line it starts on.
    fails('a,b\n"x\ny",1\n2\n', /data\.csv:4:2: row has 1 field/);
  });

  it('an empty file names the file', () => {
    fails('', /data\.csv:1:1: empty file: no header line/);
    fails('\n\r\n', /data\.csv:1:1: empty file/);
    expect(() => nb.data.parseCsv('')).toThrow(/<csv>:1:1: empty file/);
  });

  it('quote errors point at the offending character', () => {
    fails('a,b\n1,"xy\n2,3\n', /data\.csv:2:3: unterminated quoted field/);
    fails('a,b\n1,x"y\n', /data\.csv:2:4: a quote inside an unquoted field/);
    fails('a\n"x"y\n', /data\.csv:2:4: unexpected "y" after the closing quote/);
  });
});

describe('csvToTensor', () => {
  it('turns chosen columns into a float tensor [rows, columns]', () => {
    const t = parse('sleep,study,score\n3,5,75\n5,1,82\n10,2,93\n');
    const x = nb.data.csvToTensor(t, { columns: ['sleep', 'study'] });
    expect(x.shape).toEqual([3, 2]);
    expect(x.toArray()).toEqual([[3, 5], [5, 1], [10, 2]]);
    const y = nb.data.csvToTensor(t, { columns: [2], dtype: 'int32' });
    expect(y.dtype).toBe('int32');
    expect(y.toArray()).toEqual([[75], [82], [93]]);
    expect(nb.data.csvToTensor(parse(' 1.5 , -2e3\n', { header: false }), { dtype: 'float64' }).toArray()).toEqual([[1.5, -2000]]);
  });

  it('a cell that is not a number names the file, line and column', () => {
    const t = parse('x,y\n1,2\n3,abc\n');
    expect(() => nb.data.csvToTensor(t)).toThrow(/csvToTensor: data\.csv:3: column "y" \(field 2\) is "abc", not a number/);
    expect(() => nb.data.csvToTensor(parse('x,y\n1,\n'))).toThrow(/data\.csv:2: column "y" \(field 2\) is "", not a number/);
    expect(() => nb.data.csvToTensor(parse('x\n1.5\n'), { dtype: 'int32' })).toThrow(nb.DTypeError);
    expect(() => nb.data.csvToTensor(t, { columns: ['z'] })).toThrow(/no column named "z" \(columns: "x", "y"\)/);
    expect(() => nb.data.csvToTensor(t, { columns: [2] })).toThrow(/column 2 is out of range for 2 columns/);
  });
});
