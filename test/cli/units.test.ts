/** The CLI's pure parts, with hand-computed values: CSV typing and preprocessing, heads, charts, reports. */
import { stripVTControlCharacters } from 'node:util';
import { inflateSync } from 'node:zlib';
import * as nb from 'nabla';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, parseJson } from '../../src/cli/data/json.js';
import { cellKind, tableFromCsv, tableFromJson } from '../../src/cli/data/table.js';
import { fitPreprocessing, inferSchema, transformFeatures, transformTarget } from '../../src/cli/data/tabular.js';
import { CliError } from '../../src/cli/errors.js';
import { chooseHead, encodeTargets } from '../../src/cli/models.js';
import { htmlReport } from '../../src/cli/report/html.js';
import { crc32, grayPng } from '../../src/cli/report/png.js';
import { learningCurves, niceTicks } from '../../src/cli/report/svg.js';
import { buckets, confusionText, resample } from '../../src/cli/ui/charts.js';
import { duration, metricValue } from '../../src/cli/ui/format.js';
import { expectClose } from '../helpers.js';

const csv = (text: string): ReturnType<typeof tableFromCsv> => tableFromCsv(text, 'data.csv');

function throwsCli(fn: () => unknown, message: RegExp): void {
  expect(fn).toThrow(CliError);
  expect(fn).toThrow(message);
}

describe('cells and columns', () => {
  it('cellKind tells numbers, missing markers and text apart', () => {
    expect(['1', ' -2.5 ', '1e3', '.5', '+7'].map(cellKind)).toEqual(['number', 'number', 'number', 'number', 'number']);
    expect(['', 'NaN', 'nan', 'inf', '-Infinity', 'NA', 'null', '?', '1e999'].map(cellKind)).toEqual(new Array(9).fill('missing'));
    expect(['red', '0x10', '1,5', '12abc'].map(cellKind)).toEqual(['text', 'text', 'text', 'text']);
  });

  it('infers numeric and categorical columns and the task', () => {
    const s = inferSchema(csv('size,color,kind\n1,red,a\n2,blue,b\n3,red,a\n'));
    expect(s.columns).toEqual([{ name: 'size', type: 'numeric' }, { name: 'color', type: 'categorical', categories: ['blue', 'red'] }]);
    expect(s.target).toEqual({ name: 'kind', task: 'classification', classes: ['a', 'b'] });
    // Integer codes with few values are classes (sorted as numbers, "1.0" is "1"); other numbers are a regression target.
    expect(inferSchema(csv('x,y\n1,10\n2,2\n3,1.0\n4,2\n')).target).toEqual({ name: 'y', task: 'classification', classes: ['1', '2', '10'] });
    expect(inferSchema(csv('x,y\n1,0.5\n2,1.5\n3,2.25\n')).target.task).toBe('regression');
    expect(inferSchema(csv('x,y\n1,0.5\n2,1.5\n3,2.25\n'), { task: 'classification' }).target.classes).toEqual(['0.5', '1.5', '2.25']);
    expect(inferSchema(csv('x,code,y\n1,7,a\n2,8,b\n'), { categorical: ['code'] }).columns[1]).toEqual({ name: 'code', type: 'categorical', categories: ['7', '8'] });
  });

  it('names the row and column of a bad cell', () => {
    throwsCli(() => inferSchema(csv('a,b,y\n1,2,0\n3,x,1\n4,5,0\n')), /^non-numeric value "x" in numeric column "b" \(data\.csv:3, column 2 "b"\)/);
    throwsCli(() => inferSchema(csv('a,b,y\n1,2,0\n3,4,1\n,5,0\n')), /^empty value in column "a" \(data\.csv:4, column 1 "a"\)/);
    throwsCli(() => inferSchema(csv('a,y\n1,0\n2,\n')), /^empty value in the target column "y" \(data\.csv:3, column 2 "y"\)/);
    throwsCli(() => inferSchema(csv('a,y\n1,u\n2,v\n'), { task: 'regression' }), /^regression needs a numeric target, but column "y" holds "u"/);
    throwsCli(() => csv('a,a\n1,2\n'), /^the header names column "a" twice \(fields 1 and 2\) \(data\.csv:1\)$/);
  });

  it('refuses a target that looks like an identifier (a class per row)', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},id${i}`).join('\n');
    throwsCli(() => inferSchema(csv(`x,name\n${rows}\n`)), /^the target column "name" has 20 different values in 20 rows, too many classes to learn/);
  });
});

describe('tabular preprocessing', () => {
  // size 1, 2, 3, 6: mean 3, population variance (4 + 1 + 0 + 9)/4 = 3.5.
  const table = csv('size,color,kind\n1,red,x\n2,blue,y\n3,red,x\n6,green,y\n');
  const schema = inferSchema(table);

  it('standardises numeric columns with training statistics and one-hot encodes categories', () => {
    const pre = fitPreprocessing(schema, table, Int32Array.from([0, 1, 2, 3]));
    expect(pre.featureNames).toEqual(['size', 'color=blue', 'color=green', 'color=red']);
    expect(pre.scaler!.mean).toEqual([3]);
    expectClose(pre.scaler!.scale, [Math.sqrt(3.5)], { atol: 1e-12 });
    const s = Math.sqrt(3.5);
    expectClose(transformFeatures(pre, table), [[-2 / s, 0, 0, 1], [-1 / s, 1, 0, 0], [0, 0, 0, 1], [3 / s, 0, 1, 0]], { atol: 1e-6 });
    expect(transformTarget(pre, table).toArray()).toEqual([0, 1, 0, 1]);
  });

  it('fits on the training rows only', () => {
    const pre = fitPreprocessing(schema, table, Int32Array.from([0, 1])); // sizes 1 and 2
    expect(pre.scaler!.mean).toEqual([1.5]);
    expect(pre.scaler!.scale).toEqual([0.5]);
    expectClose(transformFeatures(pre, table).slice([0, 0], [4, 1]), [[-1], [1], [3], [9]], { atol: 1e-6 });
  });

  it('reads new rows by column name, in any order, and refuses unknown categories', () => {
    const pre = fitPreprocessing(schema, table, Int32Array.from([0, 1, 2, 3]));
    const fresh = tableFromJson('[{"color": "green", "size": 3, "id": 9}]', 'in.json', ['size', 'color']);
    expectClose(transformFeatures(pre, fresh), [[0, 0, 1, 0]], { atol: 1e-7 });
    throwsCli(() => transformFeatures(pre, csv('size,color\n1,purple\n')), /^unknown category "purple" in column "color"; the model knows "blue", "green", "red" \(data\.csv:2, column 2 "color"\)$/);
  });

  it('standardises a regression target and keeps its scaler', () => {
    const t = csv('x,y\n0,10\n1,20\n2,30.5\n');
    const pre = fitPreprocessing(inferSchema(t, { task: 'regression' }), t, Int32Array.from([0, 1, 2]));
    const y = transformTarget(pre, t);
    expect(y.shape).toEqual([3, 1]);
    if (pre.target.task !== 'regression') throw new Error('expected regression');
    expectClose(nb.data.scalerFromJSON(pre.target.scaler!).inverseTransform(y), [[10], [20], [30.5]], { atol: 1e-5 });
  });
});

describe('output heads', () => {
  it('fit the loss to the task', () => {
    expect(chooseHead('classification', 3)).toMatchObject({ outputs: 3, target: 'index', output: 'logits', final: null });
    expect(chooseHead('classification', 2, 'bce')).toMatchObject({ outputs: 1, target: 'binary', final: 'sigmoid' });
    expect(chooseHead('classification', 4, 'mse')).toMatchObject({ outputs: 4, target: 'onehot', output: 'scores' });
    expect(chooseHead('regression', 0)).toMatchObject({ outputs: 1, target: 'value', loss: 'mse' });
    expect(() => chooseHead('classification', 3, 'bce')).toThrow(/needs two classes, but the target has 3/);
    expect(() => chooseHead('regression', 0, 'crossEntropy')).toThrow(/does not fit regression/);
  });

  it('encode class targets the way each loss wants them', () => {
    const y = nb.tensor([2, 0], { dtype: 'int32' });
    expect(encodeTargets(y, chooseHead('classification', 3, 'mse')).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(encodeTargets(nb.tensor([1, 0], { dtype: 'int32' }), chooseHead('classification', 2, 'bceWithLogits')).toArray()).toEqual([[1], [0]]);
  });
});

describe('JSON errors with a place', () => {
  it('finds the offset of the first syntax error', () => {
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
    expect(jsonErrorOffset('[1] x')).toBe(4);
    expect(jsonErrorOffset('"a\\"b" ,')).toBe(7);
    throwsCli(() => parseJson('{\n  "a": [1,\n  }', 'f.json', 'the input'), /^the input is not valid JSON: unexpected "}" \(f\.json:3:3\)$/);
  });
});

describe('terminal and SVG charts', () => {
  it('resample interpolates linearly; buckets average', () => {
    expect(resample([0, 10], 5)).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(resample([1, 3, 2], 5)).toEqual([1, 2, 3, 2.5, 2]);
    expect(buckets([1, 2, 3, 4, 5, 6], 3)).toEqual([1.5, 3.5, 5.5]);
    expect(buckets([1, 2, 3], 5)).toEqual([1, 2, 3]);
  });

  it('niceTicks steps by 1, 2, 2.5 or 5 × 10^k', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.13, 0.61, 4)).toEqual([0.2, 0.4, 0.6]);
    expect(niceTicks(1, 50, 8)).toEqual([10, 20, 30, 40, 50]);
  });

  it('a confusion matrix in the terminal shows counts, dots for zeros and recall per row', () => {
    // Colours are on where the environment asks for them (CI=true does): compare the text alone.
    const text = stripVTControlCharacters(confusionText([[8, 2], [0, 5]], ['cat', 'dog']));
    const lines = text.split('\n');
    expect(lines[1]).toMatch(/^true ↓\s+cat\s+dog\s+recall$/);
    expect(lines[2]).toMatch(/^cat\s+8\s+2\s+80\.0%$/);
    expect(lines[3]).toMatch(/^dog\s+·\s+5\s+100\.0%$/);
  });

  it('the learning-curve SVG draws both series and names the best validation epoch', () => {
    const svg = learningCurves({ loss: [1, 0.5, 0.4], valLoss: [1.1, 0.6, 0.7], accuracy: [0.5, 0.8, 0.9], valAccuracy: [0.4, 0.7, 0.65] }, { title: 'run <1>' });
    expect(svg).toContain('run &lt;1&gt;');
    expect(svg.match(/<path d="M/g)?.length).toBe(4 + 1); // four lines and the shaded area under the training loss
    expect(svg).toMatch(/best validation <tspan[^>]*>0\.600<\/tspan> · epoch 2/);
    expect(svg).toMatch(/best validation <tspan[^>]*>70\.00%<\/tspan> · epoch 2/);
  });
});

describe('PNG images for the report', () => {
  it('CRC-32 matches the known value of the IEND chunk type', () => {
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // the standard check value
  });

  it('a greyscale PNG holds the pixels row by row, each row led by filter byte 0', () => {
    const png = grayPng(3, 2, Uint8Array.from([0, 128, 255, 10, 20, 30]));
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(3); // IHDR width
    expect(png.readUInt32BE(20)).toBe(2); // IHDR height
    expect([png[24], png[25]]).toEqual([8, 0]); // 8-bit greyscale
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    expect(Array.from(inflateSync(png.subarray(41, 41 + idatLength)))).toEqual([0, 0, 128, 255, 0, 10, 20, 30]);
    expect(png.subarray(png.length - 8, png.length - 4).toString('ascii')).toBe('IEND');
  });
});

describe('numbers and reports', () => {
  it('formats metrics and durations', () => {
    expect(metricValue('accuracy', 0.97614)).toBe('97.61%');
    expect(metricValue('loss', 0.08123)).toBe('0.0812');
    expect(metricValue('loss', 0.00002)).toBe('2.00e-5');
    expect(metricValue('mse', 81.2154)).toBe('81.2154');
    expect(duration(0.25)).toBe('250 ms');
    expect(duration(83)).toBe('1 min 23 s');
  });

  it('the HTML report is self-contained and escapes what it shows', () => {
    const html = htmlReport({
      title: 'mlp on <data>', task: 'classification', settings: { data: 'a&b.csv' }, history: { loss: [1, 0.5], valLoss: [1, 0.7] },
      test: { accuracy: 0.9, loss: 0.3 }, testExamples: 10, confusion: [[4, 1], [0, 5]], classNames: ['<x>', 'y'],
      modelSummary: 'Linear(2 → 2)', parameters: 6, wallSeconds: 1.5, createdAt: '2025-01-02T03:04:05.000Z',
    });
    expect(html).toContain('<title>mlp on &lt;data&gt; · nabla</title>');
    expect(html).toContain('<td>a&amp;b.csv</td>');
    expect(html).toContain('<th class="true">&lt;x&gt;</th>');
    expect(html).toContain('<div class="v">90.00%</div>');
    expect(html).not.toContain('<script');
  });
});
