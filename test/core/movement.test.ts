import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { checkOp, expectError, ref, refMap, refPermute, values } from './util.js';

const i32 = (v: nb.NestedNumbers): nb.Tensor => nb.tensor(v, { dtype: 'int32' });

// Movement ops are linear, so their second derivative is zero. gradgradcheck is run on
// op(x)·op(x) instead, which differentiates the op's recorded backward once more.
const squared = (op: (t: nb.Tensor) => nb.Tensor) => (t: nb.Tensor): nb.Tensor => op(t).square();

describe.each(backends)('movement ops on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  const x = values([2, 3, 4], 31);
  const r = ref(x);

  it('reshape (with −1) keeps row-major order', () => {
    checkOp({ inputs: [x], fn: (t) => t.reshape([4, -1]), expected: () => ({ shape: [4, 6], data: r.data }) });
    checkOp({ inputs: [x], fn: squared((t) => t.reshape([6, 4])), expected: () => ({ shape: [6, 4], data: r.data.map((v) => v * v) }), gradgrad: true });
    expect(nb.tensor([1, 2, 3, 4]).reshape([2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(nb.zeros([0, 3]).reshape([-1, 3]).shape).toEqual([0, 3]);
  });

  it('flatten merges an axis range', () => {
    expect(nb.zeros([2, 3, 4, 5]).flatten(1).shape).toEqual([2, 60]);
    expect(nb.zeros([2, 3, 4, 5]).flatten(1, 2).shape).toEqual([2, 12, 5]);
    expect(nb.zeros([2, 3]).flatten().shape).toEqual([6]);
    expect(nb.tensor(3).flatten().shape).toEqual([1]);
  });

  it('permute and transpose match an index-by-index reference', () => {
    checkOp({ inputs: [x], fn: (t) => t.permute([2, 0, 1]), expected: (v) => refPermute(v, [2, 0, 1]) });
    checkOp({ inputs: [x], fn: squared((t) => t.permute([1, 2, 0])), expected: (v) => refPermute(refMap(v, (a) => a * a), [1, 2, 0]), gradgrad: true });
    checkOp({ inputs: [x], fn: (t) => t.permute([-1, 0, 1]), expected: (v) => refPermute(v, [2, 0, 1]) });
    checkOp({ inputs: [x], fn: (t) => t.transpose(), expected: (v) => refPermute(v, [0, 2, 1]) });
    checkOp({ inputs: [x], fn: (t) => t.transpose(0, 2), expected: (v) => refPermute(v, [2, 1, 0]) });
    expect(nb.tensor([[1, 2, 3]]).transpose().toArray()).toEqual([[1], [2], [3]]);
    expect(nb.tensor([1, 2]).transpose().toArray()).toEqual([1, 2]);
    expectError(() => nb.zeros([2, 3]).permute([0, 0]), nb.ValueError, 'permute', 'repeats');
    expectError(() => nb.zeros([2, 3]).permute([0]), nb.ValueError, 'permute');
  });

  it('squeeze and unsqueeze (negative axes too)', () => {
    const t = nb.zeros([1, 3, 1, 2]);
    expect(t.squeeze().shape).toEqual([3, 2]);
    expect(t.squeeze(0).shape).toEqual([3, 1, 2]);
    expect(t.squeeze([-2, 0]).shape).toEqual([3, 2]);
    expect(nb.zeros([3]).unsqueeze(0).shape).toEqual([1, 3]);
    expect(nb.zeros([3]).unsqueeze(-1).shape).toEqual([3, 1]);
    expect(nb.zeros([2, 3]).unsqueeze(1).shape).toEqual([2, 1, 3]);
    expectError(() => t.squeeze(1), nb.ShapeError, 'squeeze', 'length 3');
    expectError(() => nb.zeros([3]).unsqueeze(2), nb.ValueError, 'unsqueeze');
    checkOp({ inputs: [[[1, 2]]], fn: (v) => v.squeeze(0).unsqueeze(1).mul(v.squeeze(0).unsqueeze(1)), expected: [[1], [4]], gradgrad: true });
  });

  it('broadcastTo repeats; its gradient sums back', () => {
    checkOp({ inputs: [[[1], [2]]], fn: (t) => t.broadcastTo([3, 2, 2]), expected: [[[1, 1], [2, 2]], [[1, 1], [2, 2]], [[1, 1], [2, 2]]] });
    checkOp({ inputs: [[0.5, -1, 2]], fn: squared((t) => t.broadcastTo([2, 3])), expected: [[0.25, 1, 4], [0.25, 1, 4]], gradgrad: true });
    const t = f64([[1], [2]], true);
    t.broadcastTo([2, 3]).sum().backward();
    expectClose(t.grad!, [[3], [3]]);
    expectError(() => nb.zeros([2, 3]).broadcastTo([3, 3]), nb.ShapeError, 'broadcastTo');
    expectError(() => nb.zeros([2, 3]).broadcastTo([3]), nb.ShapeError, 'broadcastTo', '[2,3]', '[3]');
  });

  it('slice: negative bounds, steps, clamped ends, empty results', () => {
    const t = nb.tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(t.slice([1]).toArray()).toEqual([[4, 5, 6, 7], [8, 9, 10, 11]]);
    expect(t.slice([0, 1], [2, 3]).toArray()).toEqual([[1, 2], [5, 6]]);
    expect(t.slice([-1, -2]).toArray()).toEqual([[10, 11]]);
    expect(t.slice([0, 0], [3, 4], [2, 3]).toArray()).toEqual([[0, 3], [8, 11]]);
    expect(t.slice([0, 2], [100, 100]).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(t.slice([2, 0], [1, 4]).shape).toEqual([0, 4]);
    expectError(() => t.slice([0], [1], [0]), nb.ValueError, 'slice', 'step');
    expectError(() => t.slice([0, 0, 0]), nb.ValueError, 'slice');
    expectError(() => t.slice([0], [1.5]), nb.ValueError, 'slice', 'end 1.5');
    checkOp({ inputs: [x], fn: squared((v) => v.slice([1, 0, 1], [2, 3, 4], [1, 2, 2])), expected: (v) => {
      const out: number[] = [];
      for (const j of [0, 2]) for (const k of [1, 3]) out.push(v.data[12 + j * 4 + k] ** 2);
      return { shape: [1, 2, 2], data: out };
    }, gradgrad: true });
  });

  it('pad: constant border on the last axes; gradient crops', () => {
    expect(nb.tensor([[1, 2]]).pad([[1, 0], [0, 2]], -1).toArray()).toEqual([[-1, -1, -1, -1], [1, 2, -1, -1]]);
    expect(nb.tensor([[1, 2]]).pad([[1, 1]]).toArray()).toEqual([[0, 1, 2, 0]]);
    checkOp({ inputs: [[[1, -2], [3, 0.5]]], fn: squared((t) => t.pad([[0, 1], [1, 0]])), expected: [[0, 1, 4], [0, 9, 0.25], [0, 0, 0]], gradgrad: true });
    expectError(() => nb.zeros([2]).pad([[1, -1]]), nb.ValueError, 'pad');
    expectError(() => nb.zeros([2]).pad([[1, 1], [1, 1]]), nb.ValueError, 'pad');
  });

  it('concat and stack: values, gradients, mismatched shapes', () => {
    checkOp({ inputs: [[[1, 2]], [[3, 4], [5, 6]]], fn: (a, b) => nb.concat([a, b], 0).square(), expected: [[1, 4], [9, 16], [25, 36]], gradgrad: true });
    checkOp({ inputs: [[[1], [2]], [[3, 4], [5, 6]]], fn: (a, b) => nb.concat([a, b], -1), expected: [[1, 3, 4], [2, 5, 6]] });
    checkOp({ inputs: [[1, 2], [3, 4]], fn: (a, b) => nb.stack([a, b]), expected: [[1, 2], [3, 4]] });
    checkOp({ inputs: [[1, 2], [3, 4]], fn: (a, b) => nb.stack([a, b], 1).square(), expected: [[1, 9], [4, 16]], gradgrad: true });
    expect(nb.concat([nb.tensor([1]), nb.tensor([2.5], { dtype: 'float64' })]).dtype).toBe('float64');
    expectError(() => nb.concat([nb.zeros([2, 3]), nb.zeros([2, 4])], 0), nb.ShapeError, 'concat', '[2,4]', '[2,3]');
    expectError(() => nb.stack([nb.zeros([2]), nb.zeros([3])]), nb.ShapeError, 'stack', '[3]');
    expectError(() => nb.concat([]), nb.ValueError, 'concat');
    expectError(() => nb.concat([nb.tensor(1), nb.tensor(2)]), nb.ValueError, 'concat', '0-D');
  });

  it('indexSelect: picks along an axis; repeated indices accumulate gradient', () => {
    const t = nb.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.indexSelect(1, [2, 0]).toArray()).toEqual([[3, 1], [6, 4]]);
    expect(t.indexSelect(0, i32([1, 1, 0])).toArray()).toEqual([[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    expect(t.indexSelect(-1, new Int32Array([1])).toArray()).toEqual([[2], [5]]);
    const v = f64([10, 20, 30], true);
    v.indexSelect(0, [0, 0, 2]).sum().backward();
    expectClose(v.grad!, [2, 0, 1]);
    checkOp({ inputs: [[[1, 2, 3], [4, 5, 6]]], fn: squared((u) => u.indexSelect(1, [2, 2, 0])), expected: [[9, 9, 1], [36, 36, 16]], gradgrad: true });
  });

  it('indexScatter adds slices back at their indices (indexSelect\'s adjoint)', () => {
    expect(nb.indexScatter(nb.tensor([[1, 2], [3, 4]]), 1, [2, 2], 3).toArray()).toEqual([[0, 0, 3], [0, 0, 7]]);
    expect(nb.indexScatter(nb.tensor([[1, 2], [3, 4]]), 0, [1, 0], 3).toArray()).toEqual([[3, 4], [1, 2], [0, 0]]);
    checkOp({ inputs: [[[1, -2], [3, 0.5]]], fn: squared((g) => nb.indexScatter(g, 1, [0, 2], 3)), expected: [[1, 0, 4], [9, 0, 0.25]], gradgrad: true });
    expectError(() => nb.indexScatter(nb.zeros([2, 2]), 1, [0], 3), nb.ShapeError, 'indexScatter');
  });

  it('gather (torch semantics): out[i][j] = x[i][idx[i][j]] along axis 1, and along axis 0', () => {
    const t = nb.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.gather(1, i32([[2, 0], [1, 1]])).toArray()).toEqual([[3, 1], [5, 5]]);
    expect(nb.gather(t, 0, i32([[1, 0, 1]])).toArray()).toEqual([[4, 2, 6]]);
    const labels = i32([[2], [0]]);
    const logits = f64([[0.1, 0.2, 0.7], [0.5, 0.3, 0.2]], true);
    logits.gather(1, labels).sum().backward();
    expectClose(logits.grad!, [[0, 0, 1], [1, 0, 0]]);
    checkOp({ inputs: [[[1, 2, 3], [4, 5, 6]]], fn: squared((u) => u.gather(1, i32([[0, 0], [2, 1]]))), expected: [[1, 1], [36, 25]], gradgrad: true });
    expectError(() => t.gather(1, i32([[3], [0]])), nb.ValueError, 'gather', 'index 3');
    expectError(() => t.gather(1, i32([[0]])), nb.ShapeError, 'gather');
  });

  it('out-of-range and non-integer indices are refused', () => {
    const t = nb.tensor([[1, 2, 3], [4, 5, 6]]);
    expectError(() => t.indexSelect(1, [3]), nb.ValueError, 'indexSelect', 'index 3', 'length 3');
    expectError(() => t.indexSelect(0, [-1]), nb.ValueError, 'indexSelect', 'index -1');
    expectError(() => t.indexSelect(0, [0.5]), nb.DTypeError, 'indexSelect', 'integers');
    expectError(() => t.indexSelect(0, nb.tensor([0, 1])), nb.DTypeError, 'indexSelect', 'float32');
    expectError(() => t.gather(1, nb.tensor([[0], [1]])), nb.DTypeError, 'gather', 'int32');
    expectError(() => t.indexSelect(2, [0]), nb.ValueError, 'indexSelect', 'axis 2');
  });

  it('clone and cast pass gradients (cast between float dtypes)', () => {
    checkOp({ inputs: [[1, -2]], fn: (t) => t.clone().square(), expected: [1, 4], gradgrad: true });
    const t = nb.tensor([1, 2], { requiresGrad: true });
    const y = t.cast('float64').mul(f64([3, 4])).sum();
    expect(y.dtype).toBe('float64');
    y.backward();
    expect(t.grad!.dtype).toBe('float32');
    expectClose(t.grad!, [3, 4]);
    expect(t.cast('int32').requiresGrad).toBe(false);
  });

  it('reshape errors name both shapes; −1 at most once', () => {
    expectError(() => nb.zeros([2, 3]).reshape([4, 2]), nb.ShapeError, 'reshape', '[2,3]', '[4,2]');
    expectError(() => nb.zeros([2, 3]).reshape([4, -1]), nb.ShapeError, 'reshape', '[2,3]');
    expectError(() => nb.zeros([2, 3]).reshape([-1, -1]), nb.ValueError, 'reshape');
    expectError(() => nb.zeros([2, 3]).reshape([1.5, 4]), nb.ValueError, 'reshape');
  });
});
