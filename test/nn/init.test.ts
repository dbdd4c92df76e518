import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const init = nb.nn.init;

function stats(t: nb.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v) };
}

/** A [200, 500] weight: fan in 500, fan out 200, 100 000 draws (mean and std within a few standard errors). */
const weight = (): nb.Tensor => nb.zeros([200, 500], { dtype: 'float64' });
const N = 100_000;

function expectUniform(t: nb.Tensor, low: number, high: number): void {
  const s = stats(t);
  const width = high - low;
  expect(s.min).toBeGreaterThanOrEqual(low);
  expect(s.max).toBeLessThan(high);
  expect(s.min).toBeLessThan(low + 0.001 * width);
  expect(s.max).toBeGreaterThan(high - 0.001 * width);
  expect(Math.abs(s.mean - (low + high) / 2)).toBeLessThan(5 * width / Math.sqrt(12 * N));
  expect(Math.abs(s.std / (width / Math.sqrt(12)) - 1)).toBeLessThan(0.01);
}

function expectNormal(t: nb.Tensor, mean: number, std: number): void {
  const s = stats(t);
  expect(Math.abs(s.mean - mean)).toBeLessThan(5 * std / Math.sqrt(N));
  expect(Math.abs(s.std / std - 1)).toBeLessThan(0.015);
}

describe.each(backends)('nn.init on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(3);
  });

  it('fills in place, outside the graph, and returns the same tensor', () => {
    const p = nb.zeros([3, 4], { requiresGrad: true });
    const out = init.kaimingNormal(p);
    expect(out).toBe(p);
    expect(p.gradNode).toBeNull();
    expect(p.requiresGrad).toBe(true);
  });

  it('zeros, ones, constant', () => {
    expectClose(init.zeros(nb.ones([2, 2])), [[0, 0], [0, 0]]);
    expectClose(init.ones(nb.zeros([2])), [1, 1]);
    expectClose(init.constant(nb.zeros([3]), -2.5), [-2.5, -2.5, -2.5]);
  });

  it('uniform: the notes\' random [0, 1] and random [−1, 1], and any [a, b)', () => {
    expectUniform(init.uniform(weight()), 0, 1);
    expectUniform(init.uniform(weight(), -1, 1), -1, 1);
    expectUniform(init.uniform(weight(), 2, 5), 2, 5);
  });

  it('normal(μ, σ)', () => {
    expectNormal(init.normal(weight()), 0, 1);
    expectNormal(init.normal(weight(), 3, 0.5), 3, 0.5);
  });

  it('He / Kaiming normal is the notes\' randn(n)·√(2/n), n = inputs to the neuron', () => {
    expectNormal(init.kaimingNormal(weight()), 0, Math.sqrt(2 / 500));
    expectNormal(init.heNormal(weight()), 0, Math.sqrt(2 / 500));
    expectNormal(init.kaimingNormal(weight(), { mode: 'fanOut' }), 0, Math.sqrt(2 / 200));
    expectNormal(init.kaimingNormal(weight(), { nonlinearity: 'tanh' }), 0, (5 / 3) / Math.sqrt(500));
  });

  it('Kaiming uniform; with a = √5 it is PyTorch\'s Linear default U(±1/√in)', () => {
    const b = Math.sqrt(6 / 500);
    expectUniform(init.kaimingUniform(weight()), -b, b);
    expectUniform(init.heUniform(weight()), -b, b);
    expectUniform(init.kaimingUniform(weight(), { a: Math.sqrt(5) }), -1 / Math.sqrt(500), 1 / Math.sqrt(500));
  });

  it('Glorot / Xavier uniform and normal, with gain', () => {
    const b = Math.sqrt(6 / 700);
    expectUniform(init.xavierUniform(weight()), -b, b);
    expectUniform(init.glorotUniform(weight(), 2), -2 * b, 2 * b);
    expectNormal(init.xavierNormal(weight()), 0, Math.sqrt(2 / 700));
    expectNormal(init.glorotNormal(weight()), 0, Math.sqrt(2 / 700));
  });

  it('LeCun normal and uniform', () => {
    expectNormal(init.lecunNormal(weight()), 0, 1 / Math.sqrt(500));
    const b = Math.sqrt(3 / 500);
    expectUniform(init.lecunUniform(weight()), -b, b);
  });

  it('fans of convolution weights count the kernel; gains follow PyTorch\'s table', () => {
    expect(init.fans(nb.zeros([16, 8, 3, 3]))).toEqual({ fanIn: 72, fanOut: 144 });
    expect(init.fans(nb.zeros([10, 784]))).toEqual({ fanIn: 784, fanOut: 10 });
    expect(init.calculateGain('relu')).toBe(Math.SQRT2);
    expect(init.calculateGain('tanh')).toBe(5 / 3);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(init.calculateGain('leakyRelu')).toBeCloseTo(Math.sqrt(2 / 1.0001), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
  });

  it('the same seed gives the same draws', () => {
    nb.manualSeed(11);
    const a = init.xavierNormal(nb.zeros([4, 5]));
    nb.manualSeed(11);
    const b = init.xavierNormal(nb.zeros([4, 5]));
    expectClose(a, b, { atol: 0, rtol: 0 });
  });

  it('zero weights never break the symmetry (the notes\' warning)', () => {
    // Two identical hidden neurons receive identical gradients, so gradient descent keeps them identical.
    const hidden = new nb.nn.Linear(2, 3, { init: (w) => init.constant(w, 0), dtype: 'float64' });
    const out = new nb.nn.Linear(3, 1, { init: (w) => init.constant(w, 0.5), dtype: 'float64' });
    const x = f64([[3, 5], [5, 1], [10, 2]]);
    const y = f64([[0.75], [0.82], [0.93]]);
    for (let step = 0; step < 3; step++) {
      hidden.zeroGrad();
      out.zeroGrad();
      nb.nn.functional.halfSumSquaredError(out.forward(hidden.forward(x).sigmoid()).sigmoid(), y).backward();
      nb.noGrad(() => {
        for (const p of [...hidden.parameters(), ...out.parameters()]) p.assign(p.sub(p.grad!.mul(0.5)));
      });
    }
    const rows = hidden.weight.toArray() as number[][];
    expect(rows[0][0]).not.toBe(0);
    expect(rows[1]).toEqual(rows[0]);
    expect(rows[2]).toEqual(rows[0]);
  });

  it('errors name the initialiser', () => {
    expect(() => init.kaimingUniform(nb.zeros([5]))).toThrow('init.kaimingUniform: fan in/out needs a weight with at least 2 axes ([out, in, ...]), got [5]');
    expect(() => init.uniform(nb.zeros([2], { dtype: 'int32' }))).toThrow(nb.DTypeError);
    expect(() => init.uniform(nb.zeros([2]), 1, 0)).toThrow(/init.uniform: need finite low ≤ high/);
    expect(() => init.normal(nb.zeros([2]), 0, -1)).toThrow(/init.normal: need a finite mean and std ≥ 0/);
  });
});
