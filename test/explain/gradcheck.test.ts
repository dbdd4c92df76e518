import { beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as nb from 'nabla';
import { backends } from '../helpers';
import { buildMlp, notes222 } from './fixtures';

const load = (name: string): nb.explain.LoadedModel => nb.explain.loadModelJson(readFileSync(`examples/explain/${name}.json`, 'utf8'), name);

describe.each(backends)('explain.gradcheck on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('the shipped examples: every parameter within 1e-6 relative error (float64)', () => {
    for (const name of ['notes-2-2-2', 'notes-2-3-1']) {
      const m = load(name);
      const report = nb.explain.gradcheck(m.model, m.input!, m.target!, { loss: m.loss });
      expect(report.parameters.map((p) => p.symbol)).toEqual(['W^(1)', 'b^(1)', 'W^(2)', 'b^(2)']);
      expect(report.parameters.map((p) => p.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      expect(report.maxRelError, name).toBeLessThan(1e-6);
      expect(report.maxRelError).toBe(Math.max(...report.parameters.map((p) => p.maxRelError)));
      expect(report.worst.maxRelError).toBe(report.maxRelError);
    }
  });

  it('the numerical side is a real derivative: it matches a hand-written finite difference of the notes\' cost', () => {
    const m = load('notes-2-2-2');
    const report = nb.explain.gradcheck(m.model, m.input!, m.target!, { loss: m.loss });
    const w2 = report.parameters[2];
    // ∂C/∂w5 by a plain central difference of the notes' forward pass, independent of nabla.
    const s = (v: number): number => 1 / (1 + Math.exp(-v));
    const cost = (w5: number): number => {
      const h = [s(0.15 * 0.05 + 0.2 * 0.1 + 0.35), s(0.25 * 0.05 + 0.3 * 0.1 + 0.35)];
      const o = [s(w5 * h[0] + 0.45 * h[1] + 0.6), s(0.5 * h[0] + 0.55 * h[1] + 0.6)];
      return 0.5 * (0.01 - o[0]) ** 2 + 0.5 * (0.99 - o[1]) ** 2;
    };
    const numeric = (cost(0.4 + 1e-6) - cost(0.4 - 1e-6)) / 2e-6;
    expect(Math.abs(numeric - 0.08216704)).toBeLessThan(1e-8);
    expect(w2.shape).toEqual([2, 2]);
    expect(w2.maxAbsError).toBeLessThan(1e-10);
  });

  it('restores the parameters and works for relu/tanh/softmax networks and batches', () => {
    const weights = [[[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], [[0.1, -0.7, 0.4], [0.9, 0.2, -0.3]]];
    const model = buildMlp(weights, [[0.1, -0.2, 0.05], [0, 0.1]], ['tanh', 'softmax']);
    const before = model.parameters().map((p) => p.toArray());
    const report = nb.explain.gradcheck(model, [[0.4, 0.9], [-0.5, 0.2]], [[0, 1], [1, 0]], { loss: 'crossEntropy' });
    expect(report.maxRelError).toBeLessThan(1e-6);
    expect(model.parameters().map((p) => p.toArray())).toEqual(before);
    const relu = buildMlp(weights, [[0.1, -0.2, 0.05], [0, 0.1]], ['relu', 'sigmoid']);
    expect(nb.explain.gradcheck(relu, [0.4, 0.9], [0, 1], { loss: 'mse' }).maxRelError).toBeLessThan(1e-6);
  });

  it('reports a gradient autograd gets wrong', () => {
    // The z² term is computed outside the graph, so backprop misses its 2z in ∂C/∂z.
    class Leaky extends nb.nn.Sigmoid {
      override forward(z: nb.Tensor): nb.Tensor { return z.sigmoid().add(z.detach().square()); }
    }
    const model = notes222.model();
    const broken = new nb.nn.Sequential(model.at(0), new Leaky(), model.at(2), model.at(3));
    const report = nb.explain.gradcheck(broken, notes222.x, notes222.y);
    expect(report.maxRelError).toBeGreaterThan(1e-2);
    expect(report.worst.symbol).toMatch(/\^\(1\)/);
    expect(report.parameters.find((p) => p.symbol === 'W^(2)')!.maxRelError).toBeLessThan(1e-6);
  });

  it('refuses float32 models and bad options', () => {
    const f32 = buildMlp(notes222.weights, notes222.biases, ['sigmoid', 'sigmoid'], 'float32');
    expect(() => nb.explain.gradcheck(f32, notes222.x, notes222.y)).toThrow(nb.DTypeError);
    expect(() => nb.explain.gradcheck(notes222.model(), notes222.x, notes222.y, { eps: 0 })).toThrow(/eps must be a positive number/);
  });
});
