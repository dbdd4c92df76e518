import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as nb from 'nabla';
import { expectClose } from '../helpers';
import { expected222, expected231 } from './fixtures';

const base = (): Record<string, unknown> => ({
  sizes: [2, 3, 1],
  weights: [[[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]], [[0.3, -0.2, 0.4]]],
  biases: [[0.1, -0.1, 0.05], [-0.2]],
  activation: 'sigmoid',
  cost: 'bce',
  input: [0.5, 0.3],
  target: [1],
});
const load = (v: unknown): nb.explain.LoadedModel => nb.explain.loadModelJson(v, 'm.json');
const fails = (patch: Record<string, unknown>, message: RegExp, type: typeof nb.NablaError = nb.NablaError): void => {
  const m = { ...base(), ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete m[k];
  expect(() => load(m)).toThrow(type);
  expect(() => load(m)).toThrow(message);
};

describe('explain.loadModelJson', () => {
  it('the shipped notes examples load and reproduce the issue\'s values', () => {
    const m222 = nb.explain.loadModelJson(readFileSync('examples/explain/notes-2-2-2.json', 'utf8'), 'notes-2-2-2.json');
    expect(m222.sizes).toEqual([2, 2, 2]);
    expect(m222.learningRate).toBe(0.5);
    expect(m222.loss).toBeInstanceOf(nb.nn.HalfSSELoss);
    expect(m222.model.parameters().every((p) => p.dtype === 'float64')).toBe(true);
    const t = nb.explain.backprop(m222.model, m222.input!, m222.target!, { loss: m222.loss, lr: m222.learningRate });
    expectClose(t.output[0], expected222.out, { atol: 1e-8 });
    expectClose(t.layers[1].updatedWeight!.flat(), expected222.w5to8, { atol: 1e-8 });
    expectClose(t.layers[0].updatedWeight!.flat(), expected222.w1to4, { atol: 1e-8 });
    expect(m222.labels?.weights?.[1][0][0]).toBe('w5');

    const m231 = nb.explain.loadModelJson(readFileSync('examples/explain/notes-2-3-1.json', 'utf8'), 'notes-2-3-1.json');
    const t2 = nb.explain.backprop(m231.model, m231.input!, m231.target!, { loss: m231.loss, notesPrinted: m231.notesPrinted });
    expectClose(t2.layers[0].dW, expected231.dW1, { atol: 1e-8 });
    expect(m231.notesPrinted!.length).toBeGreaterThan(3);
    expect(nb.explain.renderText(t2)).not.toContain('(not in this trace)');
  });

  it('builds Linear + activation modules; a number bias fills the layer; activations per layer', () => {
    const m = load({ ...base(), biases: [0.5, [-0.2]], activation: ['tanh', 'sigmoid'], reduction: 'sum' });
    const kinds = m.model.children().map((c) => c.typeName);
    expect(kinds).toEqual(['Linear', 'Tanh', 'Linear', 'Sigmoid']);
    expect((m.model.at(0) as nb.nn.Linear).bias!.toArray()).toEqual([0.5, 0.5, 0.5]);
    expect((m.model.at(0) as nb.nn.Linear).weight.toArray()).toEqual([[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]]);
    expect(m.loss.reduction).toBe('sum');
    expect(m.activations).toEqual(['tanh', 'sigmoid']);
    expect(m.input).toEqual([[0.5, 0.3]]);
    expect(load({ ...base(), input: [[1, 2], [3, 4]], target: [[0], [1]] }).input).toEqual([[1, 2], [3, 4]]);
  });

  it('missing fields are named', () => {
    for (const field of ['sizes', 'weights', 'biases', 'activation', 'cost']) fails({ [field]: undefined }, new RegExp(`m\\.json: missing "${field}"`), nb.FormatError);
  });

  it('wrong sizes name the field and what was expected', () => {
    fails({ weights: [[[0.2, 0.4], [0.1, 0.3]], [[0.3, -0.2, 0.4]]] }, /"weights\[0\]" must have 3 rows \(sizes\[1\] = 3 neurons\), got 2/, nb.ShapeError);
    fails({ weights: [[[0.2, 0.4], [0.1, 0.3, 9], [0.5, -0.2]], [[0.3, -0.2, 0.4]]] }, /"weights\[0\]\[1\]" must hold 2 numbers, got 3/, nb.ShapeError);
    fails({ weights: [[[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]]] }, /"weights" must hold 2 matrices/, nb.ShapeError);
    fails({ weights: [[[0.2, '0.4'], [0.1, 0.3], [0.5, -0.2]], [[0.3, -0.2, 0.4]]] }, /"weights\[0\]\[0\]\[1\]" must be a finite number, got "0.4"/, nb.FormatError);
    fails({ biases: [[0.1, -0.1], [-0.2]] }, /"biases\[0\]" must hold 3 numbers, got 2/, nb.ShapeError);
    fails({ activation: ['sigmoid'] }, /"activation" must name 2 activations/, nb.ShapeError);
    fails({ sizes: [2] }, /"sizes" needs at least 2 entries/, nb.ShapeError);
    fails({ sizes: [2, 0, 1] }, /"sizes\[1\]" must be a positive integer/, nb.FormatError);
    fails({ input: [0.5, 0.3, 1] }, /"input" must hold 2 numbers, got 3/, nb.ShapeError);
    fails({ target: [[1], [0, 1]] }, /"target\[1\]" must hold 1 numbers, got 2/, nb.ShapeError);
    fails({ labels: { neurons: [['a', 'b'], ['h1'], ['o']] } }, /"labels\.neurons\[1\]" must name 3 neurons/, nb.ShapeError);
  });

  it('unknown names, fields and bad JSON', () => {
    fails({ activation: 'sigmoidd' }, /"activation": activation: unknown activation "sigmoidd"/, nb.FormatError);
    fails({ cost: 'hinge' }, /"cost": loss: unknown loss "hinge"/, nb.FormatError);
    fails({ reduction: 'avg' }, /"reduction"/, nb.FormatError);
    fails({ weigths: [] }, /unknown field "weigths"/, nb.FormatError);
    fails({ learningRate: '0.5' }, /"learningRate" must be a number/, nb.FormatError);
    fails({ notesPrinted: [{ quantity: 'w', layer: 1, index: [0], printed: 1 }] }, /"notesPrinted\[0\]\.quantity" must be one of/, nb.FormatError);
    expect(() => load('{"sizes": [2, 1],')).toThrow(/m\.json: not valid JSON/);
    expect(() => load([1, 2])).toThrow(/expected a JSON object/);
  });
});
