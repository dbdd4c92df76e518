import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

/** x row i is [i, 10i]; y_i = i, so a split's rows identify themselves. */
function indexed(n: number): { x: nb.Tensor; y: nb.Tensor } {
  return {
    x: nb.tensor(Array.from({ length: n }, (_, i) => [i, 10 * i])),
    y: nb.tensor(Array.from({ length: n }, (_, i) => i), { dtype: 'int32' }),
  };
}

function values(t: nb.Tensor | Int32Array): number[] {
  return Array.from(t instanceof nb.Tensor ? t.dataSync() : t);
}

function sorted(v: number[]): number[] {
  return [...v].sort((a, b) => a - b);
}

function count(v: number[], value: number): number {
  return v.filter((e) => e === value).length;
}

describe.each(backends)('trainTestSplit on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('sizes: testSize 0.25 of 10 tests on ceil(2.5) = 3; an integer is a count', () => {
    const { x, y } = indexed(10);
    const s = nb.data.trainTestSplit(x, y);
    expect(s.xTrain.shape).toEqual([7, 2]);
    expect(s.xTest.shape).toEqual([3, 2]);
    expect(s.yTrain.shape).toEqual([7]);
    expect(s.yTest.shape).toEqual([3]);
    expect(nb.data.trainTestSplit(x, y, { testSize: 4 }).xTest.shape).toEqual([4, 2]);
    expect(nb.data.trainTestSplit(x, y, { testSize: 0.5 }).xTest.shape).toEqual([5, 2]);
  });

  it('the two sides partition the samples and keep x and y rows together', () => {
    const { x, y } = indexed(10);
    nb.manualSeed(3);
    const s = nb.data.trainTestSplit(x, y);
    const trainIds = values(s.yTrain);
    const testIds = values(s.yTest);
    expect(sorted([...trainIds, ...testIds])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(values(s.trainIndices)).toEqual(trainIds);
    expect(values(s.testIndices)).toEqual(testIds);
    expectClose(s.xTrain, trainIds.map((i) => [i, 10 * i]));
    expectClose(s.xTest, testIds.map((i) => [i, 10 * i]));
  });

  it('is reproducible with manualSeed; shuffle: false tests on the tail', () => {
    const { x, y } = indexed(20);
    nb.manualSeed(11);
    const a = values(nb.data.trainTestSplit(x, y).yTest);
    nb.manualSeed(11);
    expect(values(nb.data.trainTestSplit(x, y).yTest)).toEqual(a);
    const ordered = nb.data.trainTestSplit(x, y, { shuffle: false });
    expect(values(ordered.yTest)).toEqual([15, 16, 17, 18, 19]);
    expect(values(ordered.yTrain)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it('stratify keeps class proportions exactly: 60/40 → test 15/10, train 45/30', () => {
    const n = 100;
    const x = nb.tensor(Array.from({ length: n }, (_, i) => [i]));
    const y = nb.tensor(Array.from({ length: n }, (_, i) => (i % 5 < 3 ? 0 : 1)), { dtype: 'int32' });
    nb.manualSeed(5);
    const s = nb.data.trainTestSplit(x, y, { stratify: true });
    const test = values(s.yTest);
    const train = values(s.yTrain);
    expect([count(test, 0), count(test, 1)]).toEqual([15, 10]);
    expect([count(train, 0), count(train, 1)]).toEqual([45, 30]);
    // Rows still match their labels.
    values(s.xTest).forEach((i, k) => expect(test[k]).toBe(i % 5 < 3 ? 0 : 1));
  });

  it('stratify with remainders: classes 7/5/3, testSize 0.2 → 1/1/1 (largest remainders)', () => {
    // 3 test samples: exact shares 1.4, 1.0, 0.6 → floors 1, 1, 0; the one left goes to remainder 0.6.
    const labels = [...Array(7).fill(0), ...Array(5).fill(1), ...Array(3).fill(2)];
    const y = nb.tensor(labels, { dtype: 'int32' });
    const x = nb.arange(15).reshape([15, 1]);
    const s = nb.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true });
    const test = values(s.yTest);
    expect([count(test, 0), count(test, 1), count(test, 2)]).toEqual([1, 1, 1]);
    // Without shuffling each class tests on its last members, kept in order.
    const fixed = nb.data.trainTestSplit(x, y, { testSize: 0.2, stratify: true, shuffle: false });
    expect(values(fixed.testIndices)).toEqual([6, 11, 14]);
  });

  it('stratify by a separate label tensor when y is not a label vector', () => {
    const groups = nb.tensor([0, 0, 0, 0, 1, 1, 1, 1], { dtype: 'int32' });
    const x = nb.arange(8).reshape([8, 1]);
    const yReg = nb.tensor([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
    nb.manualSeed(2);
    const s = nb.data.trainTestSplit(x, yReg, { testSize: 0.5, stratify: groups });
    const testGroups = values(s.testIndices).map((i) => (i < 4 ? 0 : 1));
    expect([count(testGroups, 0), count(testGroups, 1)]).toEqual([2, 2]);
    expectClose(s.yTest, values(s.testIndices).map((i) => i + 0.5));
  });

  it('errors: bad testSize, mismatched samples, unstratifiable classes', () => {
    const { x, y } = indexed(10);
    expect(() => nb.data.trainTestSplit(x, y, { testSize: 0 })).toThrow(/testSize must be a fraction in \(0, 1\)/);
    expect(() => nb.data.trainTestSplit(x, y, { testSize: 1.5 })).toThrow(nb.ValueError);
    expect(() => nb.data.trainTestSplit(x, y, { testSize: 10 })).toThrow(/leaves no training samples/);
    expect(() => nb.data.trainTestSplit(x, nb.zeros([9]))).toThrow(/same first dimension.*\[10,2\] and \[9\]/);
    const once = nb.tensor([0, 0, 0, 1], { dtype: 'int32' });
    expect(() => nb.data.trainTestSplit(nb.zeros([4, 1]), once, { stratify: true, testSize: 2 })).toThrow(/only 1 sample/);
    expect(() => nb.data.trainTestSplit(x, nb.zeros([10, 2]), { stratify: true })).toThrow(nb.ShapeError);
    const threeClasses = nb.tensor([0, 0, 1, 1, 2, 2], { dtype: 'int32' });
    expect(() => nb.data.trainTestSplit(nb.zeros([6, 1]), threeClasses, { stratify: true, testSize: 2 })).toThrow(/each side needs at least one per class/);
  });
});

describe('kFold and stratifiedKFold', () => {
  function checkPartition(folds: nb.data.Fold[], n: number): void {
    const seen = new Array<number>(n).fill(0);
    for (const { train, test } of folds) {
      for (const i of test) seen[i]++;
      expect(sorted([...values(train), ...values(test)])).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(seen).toEqual(new Array<number>(n).fill(1));
  }

  it('kFold(10, 3): test folds of 4, 3, 3 in order, each index tested exactly once', () => {
    const folds = nb.data.kFold(10, 3);
    expect(folds.map((f) => values(f.test))).toEqual([[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(values(folds[1].train)).toEqual([0, 1, 2, 3, 7, 8, 9]);
    checkPartition(folds, 10);
  });

  it('kFold with shuffle: still a partition, reproducible with manualSeed', () => {
    nb.manualSeed(9);
    const a = nb.data.kFold(17, 5, { shuffle: true });
    checkPartition(a, 17);
    expect(a.map((f) => f.test.length)).toEqual([4, 4, 3, 3, 3]);
    nb.manualSeed(9);
    expect(nb.data.kFold(17, 5, { shuffle: true }).map((f) => values(f.test))).toEqual(a.map((f) => values(f.test)));
    expect(a.map((f) => values(f.test))).not.toEqual(nb.data.kFold(17, 5).map((f) => values(f.test)));
  });

  it('kFold: k must be in 2..n', () => {
    expect(() => nb.data.kFold(3, 4)).toThrow(/cannot make 4 folds from 3 samples/);
    expect(() => nb.data.kFold(5, 1)).toThrow(/k must be an integer ≥ 2/);
    expect(() => nb.data.kFold(5, 2.5)).toThrow(nb.ValueError);
  });

  it('stratifiedKFold: 6 of class 0 and 4 of class 1 in 2 folds → 3 + 2 per fold', () => {
    const y = nb.tensor([0, 1, 0, 0, 1, 0, 1, 0, 0, 1], { dtype: 'int32' });
    for (const shuffle of [false, true]) {
      nb.manualSeed(4);
      const folds = nb.data.stratifiedKFold(y, 2, { shuffle });
      checkPartition(folds, 10);
      for (const f of folds) {
        const classes = values(f.test).map((i) => y.data[i]);
        expect([count(classes, 0), count(classes, 1)]).toEqual([3, 2]);
      }
    }
  });

  it('stratifiedKFold: uneven classes stay within one per fold; string labels work', () => {
    const labels = ['a', 'b', 'c', 'a', 'a', 'b', 'a', 'c', 'a', 'b', 'a'];
    const folds = nb.data.stratifiedKFold(labels, 3);
    checkPartition(folds, labels.length);
    expect(folds.map((f) => f.test.length).sort()).toEqual([3, 4, 4]);
    for (const cls of ['a', 'b', 'c']) {
      const perFold = folds.map((f) => values(f.test).filter((i) => labels[i] === cls).length);
      expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
    }
    expect(() => nb.data.stratifiedKFold([0, 1], 3)).toThrow(nb.ValueError);
  });
});
