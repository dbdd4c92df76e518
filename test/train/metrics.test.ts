import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { expectClose } from '../helpers.js';

const { metrics } = nb;

describe('metrics', () => {
  const yTrue = [0, 0, 1, 1, 2, 2, 2];
  const yPred = [0, 1, 1, 1, 2, 0, 2];

  it('accuracy and the confusion matrix count by hand', () => {
    expect(metrics.accuracy(yTrue, yPred)).toBeCloseTo(5 / 7, 15);
    expect(metrics.confusionMatrix(yTrue, yPred)).toEqual([
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 2],
    ]);
  });

  it('macro precision, recall and F1 as scikit-learn computes them', () => {
    const r = metrics.precisionRecallF1(yTrue, yPred, 3);
    // class 0: P 1/2, R 1/2; class 1: P 2/3, R 1; class 2: P 1, R 2/3.
    expect(r.precision).toBeCloseTo((1 / 2 + 2 / 3 + 1) / 3, 15);
    expect(r.recall).toBeCloseTo((1 / 2 + 1 + 2 / 3) / 3, 15);
    const f1 = (p: number, q: number): number => (2 * p * q) / (p + q);
    expect(r.f1).toBeCloseTo((f1(1 / 2, 1 / 2) + f1(2 / 3, 1) + f1(1, 2 / 3)) / 3, 15);
    expect(r.perClass.map((c) => c.support)).toEqual([2, 2, 3]);
  });

  it('a class never predicted has precision 0, not NaN', () => {
    const r = metrics.precisionRecallF1([0, 1], [0, 0], 2);
    expect(r.perClass[1].precision).toBe(0);
    expect(r.precision).toBeCloseTo(0.25, 15);
  });

  it('MSE, MAE and R² by hand', () => {
    const t = nb.tensor([3, -0.5, 2, 7]);
    const p = nb.tensor([2.5, 0, 2, 8]);
    expect(metrics.meanSquaredError(t, p)).toBeCloseTo((0.25 + 0.25 + 0 + 1) / 4, 7);
    expect(metrics.meanAbsoluteError(t, p)).toBeCloseTo((0.5 + 0.5 + 0 + 1) / 4, 7);
    // scikit-learn's documented example: r2_score([3,-0.5,2,7], [2.5,0,2,8]) = 0.9486081370449679
    expect(metrics.r2Score(t, p)).toBeCloseTo(0.9486081370449679, 6);
  });

  it('toClasses: argmax of scores, thresholds for one column (0.5 probabilities, 0 logits), labels as they are', () => {
    expect(Array.from(metrics.toClasses(nb.tensor([[0.1, 0.9, 0], [2, 1, 0]])))).toEqual([1, 0]);
    expect(Array.from(metrics.toClasses(nb.tensor([[0.4], [0.6]])))).toEqual([0, 1]);
    expect(Array.from(metrics.toClasses(nb.tensor([[-0.1], [0.2]]), { logits: true }))).toEqual([0, 1]);
    expect(Array.from(metrics.toClasses(nb.tensor([2, 0], { dtype: 'int32' })))).toEqual([2, 0]);
  });

  it('errors name the metric', () => {
    expect(() => metrics.accuracy([0, 1], [0])).toThrow(/accuracy: 2 true labels but 1 predictions/);
    expect(() => metrics.confusionMatrix([0, 3], [0, 1], 2)).toThrow(/outside 0..1/);
    expect(() => metrics.computeMetrics(['nope' as 'mse'], nb.tensor([1]), nb.tensor([1]), false)).toThrow(/unknown metric 'nope'/);
  });

  it('computeMetrics on logits and one-hot targets', () => {
    const logits = nb.tensor([[2, -1], [0, 3], [1, 0]]);
    const onehot = nb.tensor([[1, 0], [0, 1], [0, 1]]);
    const m = metrics.computeMetrics(['accuracy', 'f1'], onehot, logits, true);
    expectClose(m.accuracy, 2 / 3, { atol: 1e-12 });
  });
});
