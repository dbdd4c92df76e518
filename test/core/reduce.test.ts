import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { checkOp, expectError, refReduce, values } from './util.js';

const sum = (v: number[]): number => v.reduce((s, x) => s + x, 0);
const mean = (v: number[]): number => sum(v) / v.length;
const variance = (correction: number) => (v: number[]): number => {
  const m = mean(v);
  return sum(v.map((x) => (x - m) ** 2)) / (v.length - correction);
};
const logsumexp = (v: number[]): number => {
  const m = Math.max(...v);
  return m + Math.log(sum(v.map((x) => Math.exp(x - m))));
};

/** Axis arguments of the issue: none, single (negative too), several, with and without keepdims. */
const AXES: [string, number | number[] | undefined, boolean][] = [
  ['all', undefined, false],
  ['all, keepdims', undefined, true],
  ['axis 0', 0, false],
  ['axis −1, keepdims', -1, true],
  ['axis 1', 1, false],
  ['axes [0,2]', [0, 2], false],
  ['axes [−1,0], keepdims', [-1, 0], true],
];

describe.each(backends)('reductions on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  // Distinct values (so max/min have a unique arg and a clean derivative).
  const x = values([2, 3, 2], 17, -2, 2);

  const ops: [string, (t: nb.Tensor, a: number | number[] | undefined, k: boolean) => nb.Tensor, (v: number[]) => number, boolean][] = [
    ['sum', (t, a, k) => t.sum(a, k), sum, true],
    ['mean', (t, a, k) => t.mean(a, k), mean, true],
    ['max', (t, a, k) => t.max(a, k), (v) => Math.max(...v), false],
    ['min', (t, a, k) => t.min(a, k), (v) => Math.min(...v), false],
    ['prod', (t, a, k) => t.prod(a, k), (v) => v.reduce((p, q) => p * q, 1), true],
    ['var', (t, a, k) => t.var(a, k), variance(1), true],
    ['std', (t, a, k) => t.std(a, k), (v) => Math.sqrt(variance(1)(v)), true],
    ['logsumexp', (t, a, k) => t.logsumexp(a, k), logsumexp, true],
  ];
  for (const [name, op, reference, smooth] of ops) {
    it.each(AXES)(`${name} over %s`, (_label, axes, keepdims) => {
      checkOp({
        inputs: [x],
        fn: (t) => op(t, axes, keepdims),
        expected: (r) => refReduce(r, axes, keepdims, reference),
        gradgrad: smooth && axes === undefined,
      });
    });
  }

  it('hand values: sum, mean, var with both corrections, std', () => {
    const t = f64([[1, 2], [3, 4]]);
    expectClose(t.sum(), 10);
    expectClose(t.sum(0), [4, 6]);
    expectClose(t.sum(1, true), [[3], [7]]);
    expectClose(t.mean(-1), [1.5, 3.5]);
    expectClose(t.var(), 5 / 3, { atol: 1e-15 });
    expectClose(t.var(undefined, false, 0), 1.25, { atol: 1e-15 });
    expectClose(t.std(0), [Math.SQRT2, Math.SQRT2], { atol: 1e-15 });
    expectClose(f64([7]).var(), NaN); // n − 1 = 0, as PyTorch
  });

  it('max/min send the gradient to the extreme element, split between ties', () => {
    const t = f64([[1, 3, 3], [5, 2, 0]], true);
    t.max(1).sum().backward();
    expectClose(t.grad!, [[0, 0.5, 0.5], [1, 0, 0]]);
    const u = f64([[1, 3, 3], [5, 2, 0]], true);
    u.min().backward();
    expectClose(u.grad!, [[0, 0, 0], [0, 0, 1]]);
  });

  it('prod: exact gradients with zero, one and two zeros in a slice', () => {
    const t = f64([[2, 3, 4], [0, 3, 4], [0, 3, 0]], true);
    const y = t.prod(1);
    expectClose(y, [24, 0, 0]);
    y.sum().backward();
    expectClose(t.grad!, [[12, 8, 6], [12, 0, 0], [0, 0, 0]]);
    checkOp({ inputs: [[[0, 1.5, -2], [0.5, 0.7, 3]]], fn: (v) => v.prod(1), expected: [0, 1.05], gradgrad: false });
  });

  it('argmax / argmin: int32 indices along an axis, first on ties, flattened when no axis', () => {
    const t = nb.tensor([[1, 9, 9], [7, 2, 7]]);
    expect(t.argmax(1).dtype).toBe('int32');
    expect(t.argmax(1).toArray()).toEqual([1, 0]);
    expect(t.argmax(-1, true).toArray()).toEqual([[1], [0]]);
    expect(t.argmax(0).toArray()).toEqual([1, 0, 0]);
    expect(t.argmin(1).toArray()).toEqual([0, 1]);
    expect(t.argmin(0, true).toArray()).toEqual([[0, 1, 1]]);
    expect(t.argmax().item()).toBe(1);
    expect(t.argmin().item()).toBe(0);
    expect(t.argmax(undefined, true).shape).toEqual([1, 1]);
    const cube = nb.tensor(values([2, 3, 4], 3) as nb.NestedNumbers, { dtype: 'float64' });
    const ref = refReduce({ shape: [2, 3, 4], data: Array.from(cube.dataSync()) }, 1, false, (v) => v.indexOf(Math.max(...v)));
    expect(Array.from(cube.argmax(1).dataSync())).toEqual(ref.data);
    expect(cube.argmax(1).shape).toEqual(ref.shape);
  });

  it('NaN propagates through sum and max and wins argmax', () => {
    expectClose(f64([1, NaN, 3]).sum(), NaN);
    expectClose(f64([1, NaN, 3]).max(), NaN);
    expectClose(f64([[1, 2], [NaN, 0]]).min(1), [1, NaN]);
    expect(f64([1, NaN, 3]).argmax().item()).toBe(1);
    // The NaN maximum came from the NaN element: the gradient goes there, not NaN everywhere.
    const t = f64([[1, NaN, 3], [4, 5, 6]], true);
    t.max(1).sum().backward();
    expectClose(t.grad!, [[0, 1, 0], [0, 0, 1]]);
  });

  it('logsumexp is stable for large inputs and handles −inf', () => {
    expectClose(f64([1000, 1000]).logsumexp(), 1000 + Math.LN2, { atol: 1e-12 });
    expectClose(f64([-1000, -1000]).logsumexp(), -1000 + Math.LN2, { atol: 1e-12 });
    expectClose(nb.tensor([1e4, 0]).logsumexp(), 1e4);
    expectClose(f64([-Infinity, -Infinity]).logsumexp(), -Infinity);
    expectClose(f64([-Infinity, 0]).logsumexp(), 0);
    const t = f64([1, 2, 3], true);
    t.logsumexp().backward();
    const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
    expectClose(t.grad!, [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z], { atol: 1e-15 });
  });

  it('int32: sum stays int32, mean and var give float32', () => {
    const t = nb.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(t.sum().dtype).toBe('int32');
    expect(t.sum(0).toArray()).toEqual([4, 6]);
    expect(t.mean().dtype).toBe('float32');
    expectClose(t.mean(1), [1.5, 3.5]);
    expectClose(t.var(), 5 / 3);
    expect(t.max(0).toArray()).toEqual([3, 4]);
    expect(t.prod().item()).toBe(24);
    expect(nb.tensor([65536, 65536], { dtype: 'int32' }).prod().item()).toBe(0); // wraps like C
  });

  it('empty tensors: sum 0, prod 1, mean NaN, max over an empty axis refused', () => {
    expect(nb.zeros([0]).sum().item()).toBe(0);
    expect(nb.zeros([0]).prod().item()).toBe(1);
    expect(Number.isNaN(nb.zeros([0]).mean().item())).toBe(true);
    expect(nb.zeros([2, 0]).sum(1).toArray()).toEqual([0, 0]);
    expect(nb.zeros([0, 3]).max(1).shape).toEqual([0]); // no slice to reduce: empty result
    expectError(() => nb.zeros([0, 3]).max(0), nb.ValueError, 'max', '[0,3]');
    expectError(() => nb.zeros([0]).argmax(), nb.ValueError, 'argmax');
  });

  it('a 0-D tensor reduces to itself', () => {
    expect(nb.tensor(5).sum().item()).toBe(5);
    expect(nb.tensor(5).sum(0).item()).toBe(5);
    expect(nb.tensor(5).max(-1).shape).toEqual([]);
    expectError(() => nb.tensor(5).sum(1), nb.ValueError, 'sum', 'axis 1', '0-D');
    expectError(() => nb.tensor(5).softmax(), nb.ValueError, 'softmax', '0-D');
  });

  it('axes out of range or repeated are refused', () => {
    expectError(() => f64([[1, 2]]).sum(2), nb.ValueError, 'sum', 'axis 2', '2-D');
    expectError(() => f64([[1, 2]]).mean(-3), nb.ValueError, 'mean', 'axis -3');
    expectError(() => f64([[1, 2]]).max([0, -2]), nb.ValueError, 'repeated');
    expectError(() => f64([[1, 2]]).argmax(2), nb.ValueError, 'argmax', 'axis 2');
    expectError(() => f64([[1, 2]]).sum(0.5), nb.ValueError, 'axis 0.5');
  });
});
