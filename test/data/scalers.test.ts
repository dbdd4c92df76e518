import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

// Training data: feature 0 is 1, 2, 3 (mean 2, population variance 2/3),
// feature 1 is 10, 20, 60 (mean 30, deviations −20, −10, 30: variance 1400/3).
const train = [[1, 10], [2, 20], [3, 60]];
const sd0 = Math.sqrt(2 / 3); // 0.816496580927726
const sd1 = Math.sqrt(1400 / 3); // 21.602468994692867

function columnMeanVar(t: nb.Tensor): { mean: number[]; variance: number[] } {
  const rows = t.toArray() as number[][];
  const f = rows[0].length;
  const mean = Array.from({ length: f }, (_, j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
  const variance = mean.map((m, j) => rows.reduce((a, r) => a + (r[j] - m) ** 2, 0) / rows.length);
  return { mean, variance };
}

describe.each(backends)('scalers on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('StandardScaler: hand-computed mean, σ and z-scores', () => {
    const s = new nb.data.StandardScaler().fit(f64(train));
    expectClose(s.mean, [2, 30], { atol: 1e-12 });
    expectClose(s.std, [sd0, sd1], { atol: 1e-12 });
    const z = s.transform(f64(train));
    expect(z.dtype).toBe('float64');
    expectClose(z, [
      [-1.224744871391589, -0.9258200997725515],
      [0, -0.46291004988627577],
      [1.224744871391589, 1.3887301496588271],
    ], { atol: 1e-12 });
    const { mean, variance } = columnMeanVar(z);
    expectClose(mean, [0, 0], { atol: 1e-12 });
    expectClose(variance, [1, 1], { atol: 1e-12 });
  });

  it('StandardScaler: test data is transformed with the training statistics', () => {
    const s = new nb.data.StandardScaler();
    s.fit(f64(train));
    // (4 − 2)/√(2/3) = √6, (30 − 30)/σ = 0: the test set's own statistics play no part.
    expectClose(s.transform(f64([[4, 30], [2, 51.6024689946928]])), [[Math.sqrt(6), 0], [0, 1]], { atol: 1e-9 });
  });

  it('StandardScaler: a constant feature becomes 0 (σ taken as 1), not NaN', () => {
    const s = new nb.data.StandardScaler().fit(f64([[5, 1], [5, 2], [5, 3]]));
    expect(s.std[0]).toBe(1);
    expectClose(s.transform(f64([[5, 1], [7, 3]])), [[0, -1.224744871391589], [2, 1.224744871391589]], { atol: 1e-12 });
    // (0.1 + 0.1 + 0.1)/3 ≠ 0.1 in float64: the computed σ is a rounding crumb (~1e-17), which
    // would blow the feature up; min === max still detects the constant feature.
    const c = new nb.data.StandardScaler().fit(nb.full([3, 1], 0.1, { dtype: 'float64' }));
    expect(c.std).toEqual([1]);
    expectClose(c.transform(nb.full([2, 1], 0.1, { dtype: 'float64' })), [[0], [0]], { atol: 1e-15 });
  });

  it('StandardScaler: inverseTransform undoes transform; fitTransform = fit + transform', () => {
    const x = f64(train);
    const s = new nb.data.StandardScaler();
    const z = s.fitTransform(x);
    expectClose(z, new nb.data.StandardScaler().fit(x).transform(x), { atol: 0 });
    expectClose(s.inverseTransform(z), train, { atol: 1e-12 });
  });

  it('StandardScaler: float32 stays float32, int32 is scaled as float32', () => {
    const s = new nb.data.StandardScaler().fit(nb.tensor(train));
    const z = s.transform(nb.tensor(train));
    expect(z.dtype).toBe('float32');
    expectClose(z, [[-1.224744871391589, -0.9258200997725515], [0, -0.46291004988627577], [1.224744871391589, 1.3887301496588271]], { atol: 1e-6 });
    const zi = new nb.data.StandardScaler().fit(nb.tensor(train, { dtype: 'int32' })).transform(nb.tensor([[2, 30]], { dtype: 'int32' }));
    expect(zi.dtype).toBe('float32');
    expectClose(zi, [[0, 0]], { atol: 1e-6 });
  });

  it('StandardScaler: per-position statistics for samples with more than one axis', () => {
    // x [2, 2, 2]: positions (i, j) are features; sample 0 all zeros, sample 1 is 2, 4, 6, 8.
    const x = f64([[[0, 0], [0, 0]], [[2, 4], [6, 8]]]);
    const s = new nb.data.StandardScaler().fit(x);
    expectClose(s.mean, [1, 2, 3, 4]);
    expectClose(s.std, [1, 2, 3, 4]);
    expectClose(s.transform(x), [[[-1, -1], [-1, -1]], [[1, 1], [1, 1]]], { atol: 1e-12 });
    expect(() => s.transform(f64([[1, 2, 3, 4]]))).toThrow(nb.ShapeError);
  });

  it('CenterScaler: subtracts the training mean only (the notes\' zero-centring)', () => {
    const s = new nb.data.CenterScaler().fit(f64(train));
    expectClose(s.mean, [2, 30]);
    expectClose(s.transform(f64(train)), [[-1, -20], [0, -10], [1, 30]], { atol: 1e-12 });
    expectClose(s.transform(f64([[0, 0]])), [[-2, -30]], { atol: 1e-12 });
    expectClose(s.inverseTransform(f64([[-1, -20]])), [[1, 10]], { atol: 1e-12 });
  });

  it('MinMaxScaler: maps the training range onto [0, 1] and onto a given range', () => {
    const s = new nb.data.MinMaxScaler().fit(f64(train));
    expect(s.min).toEqual([1, 10]);
    expect(s.max).toEqual([3, 60]);
    expectClose(s.transform(f64(train)), [[0, 0], [0.5, 0.2], [1, 1]], { atol: 1e-12 });
    // Beyond the training range is not clipped: (4 − 1)/2 = 1.5, (0 − 10)/50 = −0.2.
    expectClose(s.transform(f64([[4, 0]])), [[1.5, -0.2]], { atol: 1e-12 });
    const r = new nb.data.MinMaxScaler([-1, 1]).fit(f64(train));
    expectClose(r.transform(f64(train)), [[-1, -1], [0, -0.6], [1, 1]], { atol: 1e-12 });
    expectClose(r.inverseTransform(r.transform(f64([[4, 0]]))), [[4, 0]], { atol: 1e-12 });
  });

  it('MinMaxScaler: a constant feature maps to the low end', () => {
    const s = new nb.data.MinMaxScaler([2, 3]).fit(f64([[7, 0], [7, 1]]));
    expectClose(s.transform(f64([[7, 0.5]])), [[2, 2.5]], { atol: 1e-12 });
  });

  it('data outside the graph takes a one-loop path bit-identical to the op path; gradients flow through the ops', () => {
    nb.manualSeed(3);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = nb.randn([50, 3], { dtype, std: 7, mean: 2 });
      for (const s of [new nb.data.StandardScaler(), new nb.data.CenterScaler(), new nb.data.MinMaxScaler([-3, 0.7])]) {
        s.fit(x);
        const tracked = x.detach().requiresGrad_();
        const z = s.transform(tracked);
        expect(z.requiresGrad).toBe(true);
        expect(Array.from(s.transform(x).dataSync())).toEqual(Array.from(z.dataSync()));
        expect(Array.from(s.inverseTransform(x).dataSync())).toEqual(Array.from(s.inverseTransform(tracked).dataSync()));
      }
    }
    // d/dx of Σ (x − μ)/σ is 1/σ per feature.
    const x = f64(train, true);
    new nb.data.StandardScaler().fit(f64(train)).transform(x).sum().backward();
    expectClose(x.grad as nb.Tensor, [[1 / sd0, 1 / sd1], [1 / sd0, 1 / sd1], [1 / sd0, 1 / sd1]], { atol: 1e-12 });
  });

  it('toJSON / fromJSON: a restored scaler transforms exactly like the original', () => {
    const x = f64(train);
    const probe = f64([[4, 0], [-1, 100]]);
    for (const s of [new nb.data.StandardScaler(), new nb.data.CenterScaler(), new nb.data.MinMaxScaler([-2, 5])]) {
      s.fit(x);
      const text = JSON.stringify(s.toJSON());
      const restored = nb.data.scalerFromJSON(JSON.parse(text));
      expect(restored.constructor).toBe(s.constructor);
      expectClose(restored.transform(probe), s.transform(probe), { atol: 0, rtol: 0 });
      expectClose(restored.inverseTransform(probe), s.inverseTransform(probe), { atol: 0, rtol: 0 });
    }
    const json = new nb.data.StandardScaler().fit(x).toJSON();
    expect(json).toEqual({ type: 'StandardScaler', featureShape: [2], mean: [2, 30], scale: [sd0, sd1] });
    expect(nb.data.StandardScaler.fromJSON(json).mean).toEqual([2, 30]);
    expect(nb.data.MinMaxScaler.fromJSON(new nb.data.MinMaxScaler([-1, 1]).fit(x).toJSON()).featureRange).toEqual([-1, 1]);
  });

  it('fromJSON: malformed JSON is a FormatError saying what is wrong', () => {
    expect(() => nb.data.scalerFromJSON({ type: 'RobustScaler' })).toThrow(/unknown scaler type "RobustScaler"/);
    expect(() => nb.data.scalerFromJSON(null)).toThrow(nb.FormatError);
    expect(() => nb.data.StandardScaler.fromJSON({ type: 'StandardScaler', featureShape: [2], mean: [1], scale: [1, 1] }))
      .toThrow(/'mean' must be an array of 2 finite numbers/);
    expect(() => nb.data.StandardScaler.fromJSON({ type: 'StandardScaler', featureShape: [1], mean: [0], scale: [0] })).toThrow(/positive/);
    expect(() => nb.data.StandardScaler.fromJSON({ type: 'CenterScaler', featureShape: [1], mean: [0] })).toThrow(nb.FormatError);
    expect(() => nb.data.MinMaxScaler.fromJSON({ type: 'MinMaxScaler', featureShape: [1], featureRange: [1, 0], dataMin: [0], dataMax: [1] }))
      .toThrow(nb.FormatError);
    expect(() => nb.data.MinMaxScaler.fromJSON({ type: 'MinMaxScaler', featureShape: [1], featureRange: [0, 1], dataMin: [2], dataMax: [1] }))
      .toThrow(/'dataMin' exceeds 'dataMax'/);
  });

  it('errors: unfitted, wrong feature shape, empty or non-finite training data, bad range', () => {
    expect(() => new nb.data.StandardScaler().transform(f64(train))).toThrow(/not fitted; call fit\(xTrain\) first/);
    expect(() => new nb.data.MinMaxScaler().toJSON()).toThrow(nb.ValueError);
    const s = new nb.data.StandardScaler().fit(f64(train));
    expect(() => s.transform(f64([[1, 2, 3]]))).toThrow(/StandardScaler.transform: input of shape \[1,3\] does not match the fitted features: expected \[N,2\]/);
    expect(() => new nb.data.StandardScaler().fit(nb.zeros([0, 2]))).toThrow(/0 samples/);
    expect(() => new nb.data.CenterScaler().fit(f64([[1], [NaN]]))).toThrow(/sample 1, feature 0 is NaN/);
    expect(() => new nb.data.MinMaxScaler([1, 1])).toThrow(nb.ValueError);
    expect(() => new nb.data.StandardScaler().fit(nb.tensor(3))).toThrow(nb.ShapeError);
  });
});
