import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const nn = nb.nn;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function stats(t: nb.Tensor): { mean: number; variance: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

describe.each(backends)('layers on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(0);
  });

  describe('Linear', () => {
    it('computes z = x·Wᵀ + b (the notes\' 2-3-1 example, forward and backward)', () => {
      // Lecture notes: x = [0.5, 0.3], W1 [3×2], b1, W2 [1×3], b2, sigmoid activations, BCE cost, y = 1.
      const l1 = new nn.Linear(2, 3, { dtype: 'float64' });
      const l2 = new nn.Linear(3, 1, { dtype: 'float64' });
      const W1 = [[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]];
      const b1 = [0.1, -0.1, 0.05];
      const W2 = [0.3, -0.2, 0.4];
      l1.weight.assign(f64(W1));
      l1.bias!.assign(f64(b1));
      l2.weight.assign(f64([W2]));
      l2.bias!.assign(f64([-0.2]));
      const x = f64([[0.5, 0.3]]);
      const z1 = l1.forward(x);
      expectClose(z1, [[0.32, 0.04, 0.24]], { atol: 1e-15 });
      const a1 = z1.sigmoid();
      expectClose(a1, [[0.579, 0.510, 0.560]], { atol: 5e-4 });
      const yHat = l2.forward(a1).sigmoid();
      expectClose(l2.forward(a1), [[0.0957]], { atol: 1e-4 });
      expectClose(yHat, [[0.524]], { atol: 5e-4 });
      nn.functional.bceLoss(yHat, f64([[1]])).backward();
      // The notes: ∂J/∂W2 = (ŷ − y)·a1ᵀ = [−0.275, −0.243, −0.267].
      expectClose(l2.weight.grad!, [[-0.275, -0.243, -0.267]], { atol: 1e-3 });
      // Independent reference for every gradient, by the notes' formulas in plain numbers.
      const z1r = W1.map((row, k) => row[0] * 0.5 + row[1] * 0.3 + b1[k]);
      const a1r = z1r.map(sigmoid);
      const yr = sigmoid(W2.reduce((s, w, k) => s + w * a1r[k], -0.2));
      const dz2 = yr - 1;
      const delta1 = W2.map((w, k) => w * dz2 * a1r[k] * (1 - a1r[k]));
      expectClose(l2.weight.grad!, [a1r.map((a) => dz2 * a)], { atol: 1e-15 });
      expectClose(l2.bias!.grad!, [dz2], { atol: 1e-15 });
      expectClose(l1.bias!.grad!, delta1, { atol: 1e-15 });
      expectClose(l1.weight.grad!, delta1.map((d) => [d * 0.5, d * 0.3]), { atol: 1e-15 });
    });

    it('takes any number of leading axes and 1-D input; describes itself', () => {
      const layer = new nn.Linear(4, 3, { dtype: 'float64' });
      const x = nb.randn([2, 5, 4], { dtype: 'float64' });
      const y = layer.forward(x);
      expect(y.shape).toEqual([2, 5, 3]);
      const W = layer.weight.toArray() as number[][];
      const b = layer.bias!.toArray() as number[];
      const xs = x.toArray() as number[][][];
      expectClose(y, xs.map((m) => m.map((row) => W.map((w, k) => w.reduce((s, wj, j) => s + wj * row[j], b[k])))), { atol: 1e-14 });
      expectClose(layer.forward(x.slice([0, 1], [1, 2]).reshape([4])), (y.toArray() as number[][][])[0][1], { atol: 1e-14 });
      expect(layer.describe()).toBe('Linear(4 → 3)');
      expect(new nn.Linear(784, 128, { bias: false }).describe()).toBe('Linear(784 → 128, bias=false)');
      expect(layer.numParameters()).toBe(15);
      expect(new nn.Linear(4, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    });

    it('gradcheck through the functional form and the module (float64)', () => {
      const x = nb.randn([2, 3, 4], { dtype: 'float64' });
      const w = nb.randn([5, 4], { dtype: 'float64' });
      const b = nb.randn([5], { dtype: 'float64' });
      expect(nb.gradcheck((xi, wi, bi) => nn.functional.linear(xi, wi, bi), [x, w, b])).toBe(true);
      expect(nb.gradcheck((xi, wi) => nn.functional.linear(xi, wi), [x, w])).toBe(true);
      const layer = new nn.Linear(4, 2, { dtype: 'float64' });
      expect(nb.gradcheck((xi) => layer.forward(xi), [x])).toBe(true);
    });

    it('default init is PyTorch\'s: weight and bias in U(−1/√in, 1/√in)', () => {
      const layer = new nn.Linear(400, 300);
      const bound = 1 / Math.sqrt(400);
      const w = Array.from(layer.weight.dataSync());
      const b = Array.from(layer.bias!.dataSync());
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
      expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
      const { mean, variance } = stats(layer.weight);
      expect(Math.abs(mean)).toBeLessThan(5 * bound / Math.sqrt(3 * w.length));
      expect(variance / (bound * bound / 3)).toBeCloseTo(1, 1);
    });

    it('named and function initialisers; zero bias for them', () => {
      const he = new nn.Linear(500, 200, { init: 'he' });
      expect(Math.sqrt(stats(he.weight).variance) / Math.sqrt(2 / 500)).toBeCloseTo(1, 1);
      expect(Array.from(he.bias!.dataSync()).every((v) => v === 0)).toBe(true);
      const glorot = new nn.Linear(500, 200, { init: 'glorot' });
      const gBound = Math.sqrt(6 / 700);
      expect(Math.max(...Array.from(glorot.weight.dataSync()).map(Math.abs))).toBeLessThanOrEqual(gBound);
      const custom = new nn.Linear(3, 2, { init: (w) => nn.init.constant(w, 0.25) });
      expectClose(custom.weight, [[0.25, 0.25, 0.25], [0.25, 0.25, 0.25]]);
      expectClose(custom.bias!, [0, 0]);
      expect(() => new nn.Linear(3, 2, { init: 'magic' as 'he' })).toThrow(/Linear\(3 → 2\): unknown init "magic" \(expected a function or one of default, he/);
    });

    it('the same seed gives the same weights', () => {
      nb.manualSeed(42);
      const a = new nn.Linear(5, 4);
      nb.manualSeed(42);
      const b = new nn.Linear(5, 4);
      expectClose(a.weight, b.weight, { atol: 0, rtol: 0 });
      expectClose(a.bias!, b.bias!, { atol: 0, rtol: 0 });
    });

    it('names the layer in shape errors', () => {
      const layer = new nn.Linear(784, 128);
      expect(() => layer.forward(nb.zeros([32, 100]))).toThrow('Linear(784 → 128): input has 100 features, expected 784');
      expect(() => layer.forward(nb.zeros([]))).toThrow(/Linear\(784 → 128\): input must have shape \[\.\.\., 784\], got a scalar/);
      expect(() => layer.forward(nb.zeros([2, 784], { dtype: 'int32' }))).toThrow(nb.DTypeError);
      expect(() => new nn.Linear(0, 3)).toThrow('Linear: inFeatures must be a positive integer, got 0');
      expect(() => new nn.Linear(2, 2.5)).toThrow(/outFeatures must be a positive integer/);
    });
  });

  describe('Flatten', () => {
    it('merges axes 1..−1 by default, or the ones asked', () => {
      const x = nb.arange(24, undefined, 1, { dtype: 'float64' }).reshape([2, 3, 2, 2]);
      expect(new nn.Flatten().forward(x).shape).toEqual([2, 12]);
      expect(new nn.Flatten(0, 1).forward(x).shape).toEqual([6, 2, 2]);
      expect(new nn.Flatten(1, 2).forward(x).shape).toEqual([2, 6, 2]);
      expectClose(new nn.Flatten().forward(x), Array.from({ length: 2 }, (_, i) => Array.from({ length: 12 }, (_, j) => 12 * i + j)));
      expect(nb.gradcheck((t) => new nn.Flatten().forward(t), [nb.randn([2, 2, 3], { dtype: 'float64' })])).toBe(true);
    });
  });

  describe('Dropout', () => {
    it('zeroes about p of the elements and scales the rest by 1/(1 − p) in training', () => {
      const drop = new nn.Dropout(0.3);
      const y = Array.from(drop.forward(nb.ones([20000], { dtype: 'float64' })).dataSync());
      const zeros = y.filter((v) => v === 0).length / y.length;
      expect(Math.abs(zeros - 0.3)).toBeLessThan(4 * Math.sqrt(0.3 * 0.7 / y.length));
      expect(y.filter((v) => v !== 0).every((v) => Math.abs(v - 1 / 0.7) < 1e-15)).toBe(true);
      expect(Math.abs(y.reduce((a, b) => a + b, 0) / y.length - 1)).toBeLessThan(0.03);
    });

    it('is the identity in eval mode, at p = 0; zero at p = 1', () => {
      const x = nb.randn([4, 5]);
      const drop = new nn.Dropout(0.5).eval();
      expect(drop.forward(x)).toBe(x);
      expect(new nn.Dropout(0).forward(x)).toBe(x);
      expectClose(new nn.Dropout(1).forward(x), nb.zeros([4, 5]));
    });

    it('draws its mask from the seeded RNG; the gradient is the mask', () => {
      const x = nb.ones([50], { dtype: 'float64', requiresGrad: true });
      nb.manualSeed(7);
      const a = new nn.Dropout(0.5).forward(x);
      nb.manualSeed(7);
      const b = new nn.Dropout(0.5).forward(x);
      expectClose(a, b, { atol: 0, rtol: 0 });
      a.sum().backward();
      expectClose(x.grad!, a.detach(), { atol: 0, rtol: 0 });
      // With the seed fixed per call the mask is a constant and gradcheck applies.
      const drop = new nn.Dropout(0.4);
      expect(nb.gradcheck((t) => {
        nb.manualSeed(5);
        return drop.forward(t);
      }, [nb.randn([3, 4], { dtype: 'float64' })])).toBe(true);
      expect(new nn.Dropout(0.25).describe()).toBe('Dropout(p=0.25)');
      expect(() => new nn.Dropout(1.5)).toThrow(/Dropout: p must be a number in \[0, 1\], got 1.5/);
    });
  });

  describe('BatchNorm1d', () => {
    const X = [[1, 2, -1], [3, 0, 0], [5, 4, 1], [7, -2, 4]];
    const colStats = (rows: number[][]): { mean: number[]; biased: number[]; unbiased: number[] } => {
      const n = rows.length;
      const mean = rows[0].map((_, c) => rows.reduce((s, r) => s + r[c], 0) / n);
      const ss = rows[0].map((_, c) => rows.reduce((s, r) => s + (r[c] - mean[c]) ** 2, 0));
      return { mean, biased: ss.map((v) => v / n), unbiased: ss.map((v) => v / (n - 1)) };
    };

    it('normalises with batch statistics in training and updates the running ones (PyTorch\'s rule)', () => {
      const bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
      bn.weight!.assign(f64([1, 2, 0.5]));
      bn.bias!.assign(f64([0, 1, -1]));
      const y = bn.forward(f64(X));
      const { mean, biased, unbiased } = colStats(X);
      const gamma = [1, 2, 0.5];
      const beta = [0, 1, -1];
      expectClose(y, X.map((r) => r.map((v, c) => ((v - mean[c]) / Math.sqrt(biased[c] + 1e-5)) * gamma[c] + beta[c])), { atol: 1e-14 });
      expectClose(bn.runningMean, mean.map((m) => 0.1 * m), { atol: 1e-15 });
      expectClose(bn.runningVar, unbiased.map((v) => 0.9 + 0.1 * v), { atol: 1e-15 });
      expect(bn.numBatchesTracked).toBe(1);
      // Eval: the running statistics normalise; nothing is updated.
      bn.eval();
      const rm = bn.runningMean.toArray() as number[];
      const rv = bn.runningVar.toArray() as number[];
      const ye = bn.forward(f64([[2, 2, 2]]));
      expectClose(ye, [[0, 1, 2].map((c) => ((2 - rm[c]) / Math.sqrt(rv[c] + 1e-5)) * gamma[c] + beta[c])], { atol: 1e-14 });
      expect(bn.numBatchesTracked).toBe(1);
      expectClose(bn.runningMean, rm, { atol: 0, rtol: 0 });
    });

    it('momentum null keeps a cumulative average; [N, C, L] input pools over N and L', () => {
      const bn = new nn.BatchNorm1d(3, { momentum: null, affine: false, dtype: 'float64' });
      expect(bn.numParameters()).toBe(0);
      bn.forward(f64(X));
      bn.forward(f64(X.map((r) => r.map((v) => 2 * v))));
      const m = colStats(X).mean;
      expectClose(bn.runningMean, m.map((v) => (v + 2 * v) / 2), { atol: 1e-14 });
      const bn3 = new nn.BatchNorm1d(2, { dtype: 'float64' });
      const x3 = f64([[[1, 2, 3], [0, 0, 6]], [[5, 6, 7], [3, 3, 0]]]);
      const y3 = bn3.forward(x3);
      expectClose(y3.mean([0, 2]), [0, 0], { atol: 1e-15 });
      // Channel 0 holds 1,2,3,5,6,7: mean 4, Σ(x − μ)² = 28; channel 1 holds 0,0,6,3,3,0: mean 2, Σ = 30.
      expectClose(y3.var([0, 2], false, 0), [(28 / 6) / (28 / 6 + 1e-5), 5 / (5 + 1e-5)], { atol: 1e-12 });
      expectClose(bn3.runningMean, [0.4, 0.2], { atol: 1e-15 });
      expectClose(bn3.runningVar, [0.9 + 0.1 * (28 / 5), 0.9 + 0.1 * (30 / 5)], { atol: 1e-14 });
    });

    it('gradcheck in training mode (input, γ, β) and in eval mode', () => {
      const x = f64(X);
      const g = f64([1, 2, 0.5]);
      const b = f64([0, 1, -1]);
      expect(nb.gradcheck((xi, gi, bi) => nn.functional.batchNorm(xi, null, null, { weight: gi, bias: bi, training: true }), [x, g, b])).toBe(true);
      const bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
      expect(nb.gradcheck((xi) => bn.forward(xi), [x])).toBe(true);
      bn.eval();
      expect(nb.gradcheck((xi) => bn.forward(xi), [x])).toBe(true);
    });

    it('state, errors and description', () => {
      const bn = new nn.BatchNorm1d(3);
      expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
      expect(bn.describe()).toBe('BatchNorm1d(3)');
      expect(new nn.BatchNorm1d(8, { momentum: 0.2, affine: false }).describe()).toBe('BatchNorm1d(8, momentum=0.2, affine=false)');
      expect(() => bn.forward(nb.zeros([4, 5]))).toThrow('BatchNorm1d(3): input has 5 features (axis 1 of [4,5]), expected 3');
      expect(() => bn.forward(nb.zeros([3]))).toThrow(/BatchNorm1d\(3\): input must be \[N, 3\] or \[N, 3, L\], got \[3\]/);
      expect(() => bn.forward(nb.zeros([1, 3]))).toThrow(/training needs more than one value per channel/);
      expect(bn.eval().forward(nb.ones([1, 3])).shape).toEqual([1, 3]);
      bn.train().forward(f64(X));
      bn.resetRunningStats();
      expectClose(bn.runningMean, [0, 0, 0]);
      expectClose(bn.runningVar, [1, 1, 1]);
      expect(bn.numBatchesTracked).toBe(0);
    });
  });
});
