import { Generator, ShapeError, Tensor, ValueError, fmtShape, globalGenerator } from '../tensor/index.js';
import type { Label } from './encoding.js';

/** One fold of a cross-validation: the indices to train on and the indices to test on. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

export interface SplitResult {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
  /** Row indices of x and y that went to each side. */
  trainIndices: Int32Array;
  testIndices: Int32Array;
}

export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) of the samples (rounded up), or a whole number of samples. Default 0.25. */
  testSize?: number;
  /** Shuffle before splitting (default true); false keeps order and tests on the tail. */
  shuffle?: boolean;
  /**
   * Keep each class's share equal on both sides: true stratifies by y's values (class
   * labels [N]), a tensor [N] by its values instead.
   */
  stratify?: boolean | Tensor;
  /** Default nb.globalGenerator (seeded by nb.manualSeed). */
  generator?: Generator;
}

function rangeArray(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function shuffled(values: Int32Array, generator: Generator): Int32Array {
  const p = generator.permutation(values.length);
  return Int32Array.from(p, (j) => values[j]);
}

/** Sample indices grouped by class, classes in sorted order, indices ascending within a class. */
export function groupByClass(op: string, labels: Tensor | readonly Label[]): Int32Array[] {
  let values: Label[];
  if (labels instanceof Tensor) {
    if (labels.ndim !== 1) throw new ShapeError(`${op}: class labels must be 1-D [N], got shape ${fmtShape(labels.shape)}`);
    values = Array.from(labels.data);
  } else {
    values = [...labels];
  }
  const groups = new Map<Label, number[]>();
  values.forEach((v, i) => {
    if (typeof v === 'number' && Number.isNaN(v)) throw new ValueError(`${op}: class label at position ${i} is NaN`);
    const g = groups.get(v);
    if (g) g.push(i);
    else groups.set(v, [i]);
  });
  const keys = [...groups.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  return keys.map((k) => Int32Array.from(groups.get(k) as number[]));
}

/**
 * How many of each class go to the test side: nTest · n_c / n rounded down, then the
 * samples left over go to the classes with the largest remainders (ties: larger class,
 * then earlier class), so the counts add up to nTest and each is within 1 of exact.
 */
function testCountsPerClass(nTest: number, counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const exact = counts.map((c) => (nTest * c) / n);
  const out = exact.map(Math.floor);
  let left = nTest - out.reduce((a, b) => a + b, 0);
  const order = counts.map((_, k) => k).sort((a, b) => exact[b] - out[b] - (exact[a] - out[a]) || counts[b] - counts[a] || a - b);
  for (const k of order) {
    if (left === 0) break;
    out[k]++;
    left--;
  }
  return out;
}

/**
 * Splits x [N, …] and y [N, …] into a training and a test part (rows picked with
 * indexSelect). testSize 0.25 of 10 samples tests on ceil(2.5) = 3. With `stratify`
 * every class keeps its proportion on both sides (within one sample).
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: TrainTestSplitOptions = {}): SplitResult {
  const op = 'trainTestSplit';
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${op}: x and y must be Tensors`);
  if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${op}: x and y need the same first dimension (number of samples), got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const n = x.shape[0];
  const testSize = options.testSize ?? 0.25;
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else if (testSize > 0 && testSize < 1) nTest = Math.ceil(testSize * n);
  else throw new ValueError(`${op}: testSize must be a fraction in (0, 1) or a whole number of samples ≥ 1, got ${testSize}`);
  if (nTest >= n) throw new ValueError(`${op}: testSize ${testSize} leaves no training samples out of ${n}`);
  const shuffle = options.shuffle ?? true;
  const generator = options.generator ?? globalGenerator;

  let train: Int32Array;
  let test: Int32Array;
  const stratify = options.stratify ?? false;
  if (stratify === false) {
    const order = shuffle ? generator.permutation(n) : rangeArray(n);
    train = order.slice(0, n - nTest);
    test = order.slice(n - nTest);
  } else {
    const labels = stratify === true ? y : stratify;
    if (!(labels instanceof Tensor) || labels.ndim !== 1 || labels.shape[0] !== n) {
      throw new ShapeError(`${op}: stratify needs class labels of shape [${n}], got ${labels instanceof Tensor ? fmtShape(labels.shape) : typeof labels}${stratify === true ? ' (y); pass stratify: labelsTensor when y is not a label vector' : ''}`);
    }
    const groups = groupByClass(op, labels);
    const small = groups.findIndex((g) => g.length < 2);
    if (small >= 0) throw new ValueError(`${op}: cannot stratify: a class has only ${groups[small].length} sample (each needs at least 2)`);
    if (nTest < groups.length || n - nTest < groups.length) {
      throw new ValueError(`${op}: cannot stratify ${groups.length} classes with ${nTest} test and ${n - nTest} training samples (each side needs at least one per class)`);
    }
    const perClass = testCountsPerClass(nTest, groups.map((g) => g.length));
    const trainParts: number[] = [];
    const testParts: number[] = [];
    groups.forEach((g, k) => {
      const members = shuffle ? shuffled(g, generator) : g;
      const cut = members.length - perClass[k];
      trainParts.push(...members.subarray(0, cut));
      testParts.push(...members.subarray(cut));
    });
    // Without shuffling, keep the original order on each side.
    train = shuffle ? shuffled(Int32Array.from(trainParts), generator) : Int32Array.from(trainParts).sort();
    test = shuffle ? shuffled(Int32Array.from(testParts), generator) : Int32Array.from(testParts).sort();
  }
  const trainIdx = new Tensor(train, [train.length]);
  const testIdx = new Tensor(test, [test.length]);
  return {
    xTrain: x.indexSelect(0, trainIdx), xTest: x.indexSelect(0, testIdx),
    yTrain: y.indexSelect(0, trainIdx), yTest: y.indexSelect(0, testIdx),
    trainIndices: train, testIndices: test,
  };
}

function checkFolds(op: string, n: number, k: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 2) throw new ValueError(`${op}: k must be an integer ≥ 2, got ${k}`);
  if (k > n) throw new ValueError(`${op}: cannot make ${k} folds from ${n} samples (k ≤ n)`);
}

/** The complement of `test` in 0..n−1, ascending. */
function complement(n: number, test: Int32Array): Int32Array {
  const inTest = new Uint8Array(n);
  for (let i = 0; i < test.length; i++) inTest[test[i]] = 1;
  const out = new Int32Array(n - test.length);
  let j = 0;
  for (let i = 0; i < n; i++) if (!inTest[i]) out[j++] = i;
  return out;
}

/**
 * k-fold cross-validation indices for n samples: k folds whose test parts cover every
 * index exactly once (the first n mod k folds hold one sample more); each fold trains on
 * the rest. Indices ascend within each part; `shuffle` assigns samples to folds at random.
 */
export function kFold(n: number, k: number, options: { shuffle?: boolean; generator?: Generator } = {}): Fold[] {
  checkFolds('kFold', n, k);
  const order = options.shuffle ? (options.generator ?? globalGenerator).permutation(n) : rangeArray(n);
  const folds: Fold[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = order.slice(start, start + size).sort();
    start += size;
    folds.push({ train: complement(n, test), test });
  }
  return folds;
}

/**
 * k-fold indices that keep class proportions: the samples, grouped by class (y's values),
 * are dealt to the folds in turn, so every fold gets each class's count within one and
 * fold sizes differ by at most one. A class with fewer than k samples is missing from
 * some folds. `shuffle` shuffles within each class first.
 */
export function stratifiedKFold(y: Tensor | readonly Label[], k: number, options: { shuffle?: boolean; generator?: Generator } = {}): Fold[] {
  const groups = groupByClass('stratifiedKFold', y);
  const n = groups.reduce((a, g) => a + g.length, 0);
  checkFolds('stratifiedKFold', n, k);
  const generator = options.generator ?? globalGenerator;
  const tests: number[][] = Array.from({ length: k }, () => []);
  let position = 0;
  for (const g of groups) {
    const members = options.shuffle ? shuffled(g, generator) : g;
    for (let i = 0; i < members.length; i++) tests[position++ % k].push(members[i]);
  }
  return tests.map((t) => {
    const test = Int32Array.from(t).sort();
    return { train: complement(n, test), test };
  });
}
