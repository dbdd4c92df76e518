import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { checkOp, expectError, ref, refMatmul, refPermute, refReduce, toNested, values } from './util.js';

/** Operand shapes of numpy matmul: 1-D, 2-D, batched, broadcast batch axes. */
const CASES: [number[], number[]][] = [
  [[2, 3], [3, 4]],
  [[4], [4, 5]],
  [[3, 4], [4]],
  [[4], [4]],
  [[2, 3, 4], [4, 5]],
  [[3, 4], [2, 4, 5]],
  [[2, 3, 4], [2, 4, 5]],
  [[1, 3, 4], [2, 4, 5]],
  [[2, 3, 4], [1, 4, 5]],
  [[2, 1, 3, 4], [5, 4, 2]],
  [[4], [2, 4, 5]],
  [[2, 3, 4], [4]],
  [[2, 1, 2, 3], [1, 2, 3, 2]],
];

describe.each(backends)('matmul on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it.each(CASES)('%j @ %j matches the naive triple loop, with gradients', (sa, sb) => {
    const a = values(sa, sa.length * 7 + sa[0]);
    const b = values(sb, sb.length * 13 + sb[0]);
    checkOp({ inputs: [a, b], fn: (x, y) => x.matmul(y), expected: (x, y) => refMatmul(x, y) });
  });

  it('hand values: 2×2 product, matrix·vector, dot product', () => {
    expectClose(f64([[1, 2], [3, 4]]).matmul(f64([[5, 6], [7, 8]])), [[19, 22], [43, 50]]);
    expectClose(f64([[1, 2], [3, 4]]).matmul(f64([1, 1])), [3, 7]);
    expectClose(f64([1, 2, 3]).matmul(f64([4, 5, 6])), 32);
    expect(f64([1, 2, 3]).matmul(f64([4, 5, 6])).shape).toEqual([]);
  });

  it('gradients by hand: dA = G·Bᵀ, dB = Aᵀ·G', () => {
    const a = f64([[1, 2], [3, 4]], true);
    const b = f64([[5, 6], [7, 8]], true);
    a.matmul(b).sum().backward();
    expectClose(a.grad!, [[11, 15], [11, 15]]);
    expectClose(b.grad!, [[4, 4], [6, 6]]);
  });

  it('a shared matrix in a batched product gets the sum of the batch gradients', () => {
    const xv = values([3, 2, 4], 5);
    const x = f64(xv as nb.NestedNumbers, true);
    const w = f64(values([4, 3], 6) as nb.NestedNumbers, true);
    x.matmul(w).sum().backward();
    // d/dW Σ x·W = Σ over batch and rows of x, repeated over W's columns.
    const colSums = refReduce(ref(xv), [0, 1], false, (v) => v.reduce((p, q) => p + q, 0)).data;
    expectClose(w.grad!, colSums.map((s) => [s, s, s]), { atol: 1e-12 });
    expect(x.grad!.shape).toEqual([3, 2, 4]);
  });

  it('bmm with every transpose flag combination', () => {
    const a = values([2, 3, 4], 1);
    const b = values([2, 4, 5], 2);
    const aT = refPermute(ref(a), [0, 2, 1]);
    const bT = refPermute(ref(b), [0, 2, 1]);
    const want = refMatmul(ref(a), ref(b));
    const cases: [nb.Tensor, nb.Tensor, boolean, boolean][] = [
      [f64(a as nb.NestedNumbers), f64(b as nb.NestedNumbers), false, false],
      [nb.tensor(aT.data, { shape: aT.shape, dtype: 'float64' }), f64(b as nb.NestedNumbers), true, false],
      [f64(a as nb.NestedNumbers), nb.tensor(bT.data, { shape: bT.shape, dtype: 'float64' }), false, true],
      [nb.tensor(aT.data, { shape: aT.shape, dtype: 'float64' }), nb.tensor(bT.data, { shape: bT.shape, dtype: 'float64' }), true, true],
    ];
    for (const [x, y, ta, tb] of cases) {
      expectClose(nb.bmm(x, y, ta, tb), toNested(want), { atol: 1e-12 });
      expect(nb.gradcheck((p, q) => nb.bmm(p, q, ta, tb), [x, y])).toBe(true);
      expect(nb.gradgradcheck((p, q) => nb.bmm(p, q, ta, tb).square(), [x, y])).toBe(true);
    }
  });

  it('second derivatives of matmul chains (gradgradcheck)', () => {
    const x = f64(values([2, 3], 3) as nb.NestedNumbers);
    const w = f64(values([3, 2], 4) as nb.NestedNumbers);
    expect(nb.gradgradcheck((p, q) => p.matmul(q).tanh().matmul(q.transpose()).sigmoid(), [x, w])).toBe(true);
    expect(nb.gradgradcheck((p, q) => p.matmul(q).square().sum(), [x, w])).toBe(true);
  });

  it('dtypes: int32 stays int32, mixed operands promote', () => {
    const a = nb.tensor([[1, 2], [3, 4]], { dtype: 'int32' });
    expect(a.matmul(a).dtype).toBe('int32');
    expect(a.matmul(a).toArray()).toEqual([[7, 10], [15, 22]]);
    // int32 products wrap like C: (2^31 − 1)² + 65536² ≡ 1 + 0.
    const big = nb.tensor([[2147483647, 65536]], { dtype: 'int32' });
    expect(big.matmul(big.transpose()).toArray()).toEqual([[1]]);
    expect(nb.bmm(big.reshape([1, 1, 2]), big.reshape([1, 1, 2]), false, true).toArray()).toEqual([[[1]]]);
    expect(nb.bmm(big.reshape([1, 2, 1]), big.reshape([1, 2, 1]), true, false).toArray()).toEqual([[[1]]]);
    const y = a.matmul(nb.tensor([[0.5], [1]]));
    expect(y.dtype).toBe('float32');
    expectClose(y, [[2.5], [5.5]]);
  });

  it('empty inner dimension gives zeros; empty outer gives an empty result', () => {
    expectClose(nb.zeros([2, 0]).matmul(nb.zeros([0, 3])), [[0, 0, 0], [0, 0, 0]]);
    expect(nb.zeros([0, 4]).matmul(nb.zeros([4, 3])).shape).toEqual([0, 3]);
  });

  it('misaligned operands: the exact message of the issue', () => {
    expectError(() => nb.ones([3, 2]).matmul(nb.ones([3, 1])), nb.ShapeError, 'matmul: shapes [3,2] and [3,1] are not aligned (2 ≠ 3)');
    expectError(() => nb.ones([4]).matmul(nb.ones([3])), nb.ShapeError, 'matmul: shapes [4] and [3] are not aligned (4 ≠ 3)');
    expectError(() => nb.ones([2, 3, 4]).matmul(nb.ones([3, 4, 5])), nb.ShapeError, 'matmul', '[2]', '[3]');
    expectError(() => nb.ones([]).matmul(nb.ones([2])), nb.ShapeError, 'matmul', 'at least 1-D');
    expectError(() => nb.bmm(nb.ones([1, 2, 3]), nb.ones([1, 2, 3])), nb.ShapeError, 'bmm', 'not aligned (3 ≠ 2)');
    expectError(() => nb.bmm(nb.ones([2, 2, 3]), nb.ones([3, 3, 2])), nb.ShapeError, 'bmm', 'batch sizes 2 and 3');
    expectError(() => nb.bmm(nb.ones([2, 3]), nb.ones([3, 2])), nb.ShapeError, 'bmm', '3-D');
    expectError(() => nb.bmm(nb.ones([1, 2, 3]), nb.ones([1, 3, 2], { dtype: 'float64' })), nb.DTypeError, 'bmm');
  });
});
