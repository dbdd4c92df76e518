import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends } from '../helpers';

/** Ridge regression through the origin, fitted in closed form: w = Σxy / (Σx² + λ). */
interface Ridge { w: number }
function trainRidge(x: nb.Tensor, y: nb.Tensor, params: { lambda: number }): Ridge {
  const xs = Array.from(x.dataSync());
  const ys = Array.from(y.dataSync());
  const sxy = xs.reduce((a, v, i) => a + v * ys[i], 0);
  const sxx = xs.reduce((a, v) => a + v * v, 0);
  return { w: sxy / (sxx + params.lambda) };
}
function mse(model: Ridge, x: nb.Tensor, y: nb.Tensor): number {
  const xs = Array.from(x.dataSync());
  const ys = Array.from(y.dataSync());
  return xs.reduce((a, v, i) => a + (model.w * v - ys[i]) ** 2, 0) / xs.length;
}

// y = 3x exactly: λ = 0 recovers w = 3 (zero error); any λ > 0 shrinks w and costs error.
const n = 20;
const x = nb.tensor(Array.from({ length: n }, (_, i) => [i + 1]), { dtype: 'float64' });
const y = nb.tensor(Array.from({ length: n }, (_, i) => 3 * (i + 1)), { dtype: 'float64' });
const candidates = [{ lambda: 100 }, { lambda: 0 }, { lambda: 10 }];

describe.each(backends)('cross-validation on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('crossValidate: one score per fold, the mean and std of them', async () => {
    nb.manualSeed(1);
    const r = await nb.data.crossValidate({ x, y, folds: 4, params: { lambda: 0 }, train: trainRidge, score: mse });
    expect(r.scores.length).toBe(4);
    for (const s of r.scores) expect(s).toBeLessThan(1e-20);
    // With λ = 50 the score is not zero; check the mean against the fold scores.
    const r50 = await nb.data.crossValidate({ x, y, folds: 4, params: { lambda: 50 }, train: trainRidge, score: mse });
    const mean = r50.scores.reduce((a, b) => a + b, 0) / 4;
    expect(r50.mean).toBeCloseTo(mean, 12);
    expect(r50.std).toBeCloseTo(Math.sqrt(r50.scores.reduce((a, s) => a + (s - mean) ** 2, 0) / 4), 12);
    expect(r50.mean).toBeGreaterThan(0.1);
  });

  it('nestedCrossValidation picks the known best λ = 0 in every outer fold', async () => {
    nb.manualSeed(2);
    const r = await nb.data.nestedCrossValidation({
      x, y, outerFolds: 4, innerFolds: 3, candidates, train: trainRidge, score: mse, greaterIsBetter: false,
    });
    expect(r.bestParams).toEqual([{ lambda: 0 }, { lambda: 0 }, { lambda: 0 }, { lambda: 0 }]);
    expect(r.outerScores.length).toBe(4);
    for (const s of r.outerScores) expect(s).toBeLessThan(1e-20);
    expect(r.mean).toBeLessThan(1e-20);
    // Inner means rank the candidates by λ: 0 < 10 < 100 in error.
    for (const [e100, e0, e10] of r.innerScores) {
      expect(e0).toBeLessThan(e10);
      expect(e10).toBeLessThan(e100);
    }
  });

  it('with greaterIsBetter (a score, here −MSE) the same choice is made', async () => {
    nb.manualSeed(2);
    const r = await nb.data.nestedCrossValidation({
      x, y, outerFolds: 3, innerFolds: 2, candidates, train: trainRidge, score: (m: Ridge, xt, yt) => -mse(m, xt, yt),
    });
    expect(r.bestParams.every((p) => p.lambda === 0)).toBe(true);
  });

  it('the inner loop never sees the outer test fold; the final model trains on the whole outer training part', async () => {
    const outerFolds = 4;
    const innerFolds = 3;
    nb.manualSeed(5);
    const expected = nb.data.kFold(n, outerFolds, { shuffle: true });
    nb.manualSeed(5);
    const trainCalls: number[][] = [];
    const scoreCalls: number[][] = [];
    const ids = (t: nb.Tensor): number[] => Array.from(t.dataSync(), (v) => v - 1);
    await nb.data.nestedCrossValidation({
      x, y, outerFolds, innerFolds, candidates,
      train: async (xt, yt, p: { lambda: number }) => {
        trainCalls.push(ids(xt));
        return trainRidge(xt, yt, p);
      },
      score: (m: Ridge, xt, yt) => {
        scoreCalls.push(ids(xt));
        return mse(m, xt, yt);
      },
      greaterIsBetter: false,
    });
    const perFold = candidates.length * innerFolds + 1;
    expect(trainCalls.length).toBe(outerFolds * perFold);
    expected.forEach((fold, f) => {
      const outerTrain = Array.from(fold.train);
      const outerTest = new Set(fold.test);
      const calls = trainCalls.slice(f * perFold, (f + 1) * perFold);
      for (const c of calls.slice(0, -1)) {
        expect(c.some((i) => outerTest.has(i))).toBe(false);
        expect(c.length).toBeLessThan(outerTrain.length);
      }
      expect([...calls[perFold - 1]].sort((a, b) => a - b)).toEqual(outerTrain);
      expect([...scoreCalls[(f + 1) * perFold - 1]].sort((a, b) => a - b)).toEqual(Array.from(fold.test));
    });
  });

  it('ties go to the first candidate; stratified folds work with class labels', async () => {
    const xc = nb.tensor(Array.from({ length: 12 }, (_, i) => [i]));
    const yc = nb.tensor(Array.from({ length: 12 }, (_, i) => i % 2), { dtype: 'int32' });
    const seenClasses: number[][] = [];
    const r = await nb.data.nestedCrossValidation({
      x: xc, y: yc, outerFolds: 3, innerFolds: 2, stratify: true, candidates: ['first', 'second'],
      train: (_xt, yt, p: string) => {
        const ys = Array.from(yt.dataSync());
        seenClasses.push([ys.filter((v) => v === 0).length, ys.filter((v) => v === 1).length]);
        return p;
      },
      score: () => 1,
    });
    expect(r.bestParams).toEqual(['first', 'first', 'first']);
    expect(r.mean).toBe(1);
    expect(r.std).toBe(0);
    // Outer training parts hold 8 samples, 4 per class; inner ones 4, 2 per class.
    expect(seenClasses[seenClasses.length - 1]).toEqual([4, 4]);
    expect(seenClasses[0]).toEqual([2, 2]);
  });

  it('errors: no candidates, a score that is not a number, mismatched x and y', async () => {
    const base = { x, y, train: trainRidge, score: mse };
    await expect(nb.data.nestedCrossValidation({ ...base, candidates: [] })).rejects.toThrow(/candidates must be a non-empty array/);
    await expect(nb.data.nestedCrossValidation({ ...base, candidates, score: () => NaN })).rejects.toThrow(/score returned NaN/);
    await expect(nb.data.crossValidate({ ...base, y: nb.zeros([3]), params: { lambda: 0 } })).rejects.toThrow(nb.ShapeError);
    await expect(nb.data.nestedCrossValidation({ ...base, candidates, outerFolds: 30 })).rejects.toThrow(/cannot make 30 folds/);
  });
});
