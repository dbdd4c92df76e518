/**
 * Every bad input of the issue, through the real command: one clear line on stderr saying
 * what and where, the right exit code, no stack trace (unless --verbose), no output file left.
 */
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesIn, nabla, nablaAll, tempDir, type CliResult } from './run.js';

const tmp = tempDir();
const dir = tmp.dir;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

// Inputs, written once.
const empty = file('empty.csv', '');
const headerOnly = file('header-only.csv', 'a,b,y\n');
const ragged = file('ragged.csv', 'a,b,y\n1,2,0\n3,4\n5,6,1\n');
const nonNumeric = file('non-numeric.csv', 'a,b,y\n1,2,0\n3,4,1\n5,x7,0\n1,2,1\n3,3,0\n');
const nan = file('nan.csv', 'a,b,y\n1,2,0\n3,NaN,1\n5,6,0\n');
const inf = file('inf.csv', 'a,b,y\n1,2,0\n3,4,1\n5,-Infinity,0\n');
const oneClass = file('one-class.csv', 'a,b,y\n1,2,k\n3,4,k\n5,6,k\n');
const good = file('good.csv', 'x1,x2,y\n0,0,a\n0,1,b\n1,0,b\n1,1,a\n0.1,0.1,a\n0.1,0.9,b\n0.9,0.1,b\n0.9,0.9,a\n0.2,0.2,a\n0.2,0.8,b\n');
const wrongColumns = file('wrong-columns.csv', 'p,q,r\n1,2,3\n');
const wrongWidth = file('wrong-width.json', '[[1, 2, 3]]');
const badJson = file('bad.json', '[{"x1": 1,\n "x2": }]');
const garbage = file('garbage.nabla', 'this is not a model');
const archBad = file('arch.json', '{"layers": [{"type": "dense", "units": 8}, {"type": "blender"}]}');
const folder = join(dir, 'a-folder');
mkdirSync(folder);
const model = join(dir, 'model', 'good.nabla');

/** --out for a run that must fail: a fresh folder that must stay empty. */
let outs = 0;
function out(): string {
  return join(dir, `out-${++outs}`, 'model.nabla');
}

interface Case {
  name: string;
  args: string[];
  code: number;
  message: RegExp;
  out?: string;
}

const train = (data: string, ...rest: string[]): string[] => ['train', '--data', data, '--epochs', '1', ...rest];

const cases: Case[] = [
  { name: 'a missing data file', args: train(join(dir, 'nope.csv')), code: 1, message: /^nabla: error: cannot read the data file: no such file \(.*nope\.csv\)$/ },
  { name: 'an unreadable data file (a folder)', args: train(folder), code: 1, message: /^nabla: error: cannot read the data file: it is a directory, not a file \(.*a-folder\)$/ },
  { name: 'an empty CSV', args: train(empty), code: 1, message: /^nabla: error: empty file: no header line \(.*empty\.csv:1:1\)$/ },
  { name: 'a CSV with a header and no rows', args: train(headerOnly), code: 1, message: /^nabla: error: the file has a header but no data rows \(.*header-only\.csv:1\)$/ },
  { name: 'a ragged row', args: train(ragged), code: 1, message: /^nabla: error: row has 2 fields, expected 3 like the header \(.*ragged\.csv:3:4\)$/ },
  { name: 'a non-numeric value in a numeric column', args: train(nonNumeric), code: 1, message: /^nabla: error: non-numeric value "x7" in numeric column "b" \(.*non-numeric\.csv:4, column 2 "b"\); if the column is a category, pass --categorical b$/ },
  { name: 'NaN', args: train(nan), code: 1, message: /^nabla: error: missing value "NaN" in column "b" \(.*nan\.csv:3, column 2 "b"\); nabla does not fill in missing values/ },
  { name: 'Infinity', args: train(inf), code: 1, message: /^nabla: error: non-finite value "-Infinity" in column "b" \(.*inf\.csv:4, column 2 "b"\)/ },
  { name: 'a target column that does not exist', args: train(good, '--target', 'yy'), code: 1, message: /^nabla: error: no column named "yy" for --target \(columns: "x1", "x2", "y"\) \(.*good\.csv:1\)$/ },
  { name: 'a single-class target', args: train(oneClass), code: 1, message: /^nabla: error: the target column "y" has a single class \("k"\) in all 3 rows; classification needs at least two \(.*one-class\.csv, column "y"\)$/ },
  { name: 'a model architecture with an unknown layer', args: train(good, '--model', archBad), code: 1, message: /^nabla: error: unknown layer type "blender" .*\(.*arch\.json: layers\[1\]\)$/ },
  { name: 'a corrupt model file', args: ['summary', garbage], code: 1, message: /^nabla: error: not a usable nabla model file: not a nabla model file \(wrong magic bytes\) \(.*garbage\.nabla\)$/ },
  { name: 'an unknown option', args: ['train', '--epoch', '3'], code: 2, message: /^nabla: error: unknown option '--epoch' \(Did you mean --epochs\?\); see nabla train --help$/ },
  { name: 'an unknown optimizer', args: ['train', '--optimizer', 'adamm'], code: 2, message: /^nabla: error: invalid value 'adamm' for --optimizer: unknown optimizer \(known: sgd, .*adam.*\); see nabla train --help$/ },
  { name: 'a negative number of epochs', args: ['train', '--epochs', '-3'], code: 2, message: /^nabla: error: invalid value '-3' for --epochs: expected a whole number ≥ 1; see nabla train --help$/ },
  { name: 'an unknown dataset', args: ['train', '--data', 'cifar'], code: 2, message: /^nabla: error: unknown dataset 'cifar' \(--data\); use mnist, xor, circles, spiral, moons or the path of a CSV file$/ },
  { name: 'an unknown command', args: ['trian'], code: 2, message: /^nabla: error: unknown command 'trian' \(Did you mean train\?\); see nabla --help$/ },
];

const predictCases: Case[] = [
  { name: 'predict: input columns that do not match the model', args: ['predict', model, '--input', wrongColumns], code: 1, message: /^nabla: error: the input lacks columns "x1", "x2": the model expects 2 input columns \(x1, x2\); the input has "p", "q", "r" \(.*wrong-columns\.csv:1\)$/ },
  { name: 'predict: rows wider than the model input', args: ['predict', model, '--input', wrongWidth], code: 1, message: /^nabla: error: row has 3 values but the model expects 2 \(x1, x2\) \(.*wrong-width\.json: item 1\)$/ },
  { name: 'predict: invalid JSON', args: ['predict', model, '--input', badJson], code: 1, message: /^nabla: error: the input is not valid JSON: unexpected "}" \(.*bad\.json:2:8\)$/ },
];

let results: CliResult[] = [];
let predictResults: CliResult[] = [];
let verbose: CliResult;

beforeAll(async () => {
  for (const c of cases) if (c.args[0] === 'train') c.args.push('--out', (c.out = out()));
  for (const c of predictCases) c.args.push('--out', (c.out = join(dir, `pred-${++outs}`, 'p.csv')));
  const trained = nabla(['train', '--data', good, '--epochs', '2', '--test-split', '0', '--validation-split', '0', '--quiet', '--out', model]);
  [results, verbose] = await Promise.all([
    nablaAll(cases.map((c) => c.args)),
    trained.then(() => nabla(['--verbose', 'train', '--data', ragged, '--out', out()])),
  ]);
  expect((await trained).code).toBe(0);
  predictResults = await nablaAll(predictCases.map((c) => c.args));
}, 90_000);

afterAll(() => tmp.remove());

function check(c: Case, r: CliResult): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(c.message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.code).toBe(c.code);
  if (c.out) expect(filesIn(join(c.out, '..'))).toEqual([]); // no model, plot, report or temporary file
}

describe('nabla reports bad input in one line, with the place, and exits non-zero', () => {
  it.each(cases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => check(cases[i], results[i]));
  it.each(predictCases.map((c, i) => [c.name, i] as const))('%s', (_name, i) => check(predictCases[i], predictResults[i]));

  it('prints the stack trace only with --verbose', () => {
    expect(verbose.code).toBe(1);
    expect(verbose.stderr.split('\n')[0]).toMatch(/^nabla: error: row has 2 fields, expected 3 like the header \(.*ragged\.csv:3:4\)$/);
    expect(verbose.stderr).toMatch(/\n\s+at .*csv/);
  });

  it('leaves the model file of a good run complete and loadable (the fixture for the predict cases)', () => {
    expect(readFileSync(model).subarray(1, 6).toString()).toBe('NABLA');
  });
});
