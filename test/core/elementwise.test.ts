import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { checkOp, expectError, offGrid, refBroadcast, refMap, values } from './util.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const i32 = (v: nb.NestedNumbers): nb.Tensor => nb.tensor(v, { dtype: 'int32' });

describe.each(backends)('unary ops on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  const x = values([2, 3], 1, -2, 2);
  const pos = values([2, 3], 2, 0.2, 3);

  it('neg', () => checkOp({ inputs: [x], fn: (t) => t.neg(), expected: (r) => refMap(r, (v) => -v), gradgrad: true }));
  it('abs', () => checkOp({ inputs: [offGrid([2, 3], 3)], fn: (t) => t.abs(), expected: (r) => refMap(r, Math.abs), gradgrad: true }));
  it('exp', () => checkOp({ inputs: [x], fn: (t) => t.exp(), expected: (r) => refMap(r, Math.exp), gradgrad: true }));
  it('log', () => checkOp({ inputs: [pos], fn: (t) => t.log(), expected: (r) => refMap(r, Math.log), gradgrad: true }));
  it('sqrt', () => checkOp({ inputs: [pos], fn: (t) => t.sqrt(), expected: (r) => refMap(r, Math.sqrt), gradgrad: true }));
  it('sin', () => checkOp({ inputs: [x], fn: (t) => t.sin(), expected: (r) => refMap(r, Math.sin), gradgrad: true }));
  it('cos', () => checkOp({ inputs: [x], fn: (t) => t.cos(), expected: (r) => refMap(r, Math.cos), gradgrad: true }));
  it('tanh', () => checkOp({ inputs: [x], fn: (t) => t.tanh(), expected: (r) => refMap(r, Math.tanh), gradgrad: true }));
  it('sigmoid', () => checkOp({ inputs: [x], fn: (t) => t.sigmoid(), expected: (r) => refMap(r, sigmoid), gradgrad: true }));
  it('relu', () => checkOp({ inputs: [offGrid([2, 3], 4)], fn: (t) => t.relu(), expected: (r) => refMap(r, (v) => Math.max(v, 0)), gradgrad: true }));
  it('log1p', () => checkOp({ inputs: [values([2, 3], 5, -0.5, 2)], fn: (t) => t.log1p(), expected: (r) => refMap(r, Math.log1p), gradgrad: true }));
  it('expm1', () => checkOp({ inputs: [x], fn: (t) => t.expm1(), expected: (r) => refMap(r, Math.expm1), gradgrad: true }));
  it('reciprocal', () => checkOp({ inputs: [pos], fn: (t) => t.reciprocal(), expected: (r) => refMap(r, (v) => 1 / v), gradgrad: true }));
  it('square', () => checkOp({ inputs: [x], fn: (t) => t.square(), expected: (r) => refMap(r, (v) => v * v), gradgrad: true }));
  it('sign', () => checkOp({ inputs: [offGrid([2, 3], 6)], fn: (t) => t.sign(), expected: (r) => refMap(r, Math.sign) }));
  it('floor', () => checkOp({ inputs: [offGrid([2, 3], 7)], fn: (t) => t.floor(), expected: (r) => refMap(r, Math.floor) }));
  it('ceil', () => checkOp({ inputs: [offGrid([2, 3], 8)], fn: (t) => t.ceil(), expected: (r) => refMap(r, Math.ceil) }));
  it('round', () => checkOp({ inputs: [offGrid([2, 3], 9)], fn: (t) => t.round(), expected: (r) => refMap(r, Math.round) }));

  it('hand values of the activations', () => {
    expectClose(f64([-1, 0, 2]).sigmoid(), [0.2689414213699951, 0.5, 0.8807970779778823], { atol: 1e-15 });
    expectClose(f64([-1, 0, 2]).tanh(), [-0.7615941559557649, 0, 0.9640275800758169], { atol: 1e-15 });
    expectClose(f64([-1.5, 0, 2]).relu(), [0, 0, 2]);
    expectClose(f64([1, 4, 9]).sqrt(), [1, 2, 3]);
    expectClose(f64([1, Math.E, 1]).log(), [0, 1, 0]);
  });

  it('sigmoid and tanh saturate without NaN at large |x|', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const t = nb.tensor([-1000, -745, 745, 1000], { dtype });
      const s = Array.from(t.sigmoid().dataSync());
      expect(s.every((v) => !Number.isNaN(v))).toBe(true);
      expect(s[0]).toBe(0);
      expect(s[3]).toBe(1);
      expectClose(t.tanh(), [-1, -1, 1, 1]);
    }
  });

  it('round is half to even; sign keeps NaN', () => {
    expect(Array.from(f64([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5]).round().dataSync())).toEqual([-2, -2, -0, 0, 2, 2, 4]);
    expectClose(f64([-3, 0, 5, NaN]).sign(), [-1, 0, 1, NaN]);
  });

  it('domains: log(0) = −inf, log and sqrt of negatives are NaN, NaN propagates', () => {
    expectClose(f64([0, -1]).log(), [-Infinity, NaN]);
    expectClose(f64([-4]).sqrt(), [NaN]);
    expectClose(f64([NaN, 1]).exp().add(1), [NaN, Math.E + 1]);
  });

  it('kinks: abs and relu have gradient 0 at 0', () => {
    const a = f64([-2, 0, 3], true);
    a.abs().sum().backward();
    expectClose(a.grad!, [-1, 0, 1]);
    const r = f64([-2, 0, 3], true);
    r.relu().sum().backward();
    expectClose(r.grad!, [0, 0, 1]);
  });

  it('reluGrad(g, x): g where x > 0 else 0 (NaN x gives 0), broadcast; gradient to g only', () => {
    const g = f64([[1.5, -2, 3], [4, NaN, -6]], true);
    const x = f64([[-1, 0, 2], [NaN, -3, 1e-300]], true);
    expectClose(nb.reluGrad(g, x), [[0, 0, 3], [0, 0, -6]]);
    // Row broadcast of x: the mask is the same for both rows.
    expectClose(nb.reluGrad(f64([[1, 2], [3, 4]]), f64([5, -5])), [[1, 0], [3, 0]]);
    nb.reluGrad(g, x).mul(f64([[1, 2, 3], [4, 5, 6]])).sum().backward();
    expectClose(g.grad!, [[0, 0, 3], [0, 0, 6]]);
    expect(x.grad).toBeNull();
  });

  it('int32: neg/abs/square stay int32, transcendental ops give float32', () => {
    const t = i32([-3, 0, 4]);
    expect(t.neg().dtype).toBe('int32');
    expect(Array.from(t.abs().dataSync())).toEqual([3, 0, 4]);
    expect(t.exp().dtype).toBe('float32');
    expectClose(t.exp(), [Math.exp(-3), 1, Math.exp(4)]);
    expect(t.sqrt().dtype).toBe('float32');
  });

  it('int32 products wrap modulo 2^32 exactly, as in C', () => {
    // 46341² = 2147488281 = 2^31 + 4633 → −2147479015; (2^31−1)² ≡ 1; 65536² ≡ 0.
    expect(Array.from(i32([46341]).square().dataSync())).toEqual([-2147479015]);
    expect(Array.from(i32([2147483647, 65536]).mul(i32([2147483647, 65536])).dataSync())).toEqual([1, 0]);
    expect(Array.from(i32([2147483647]).add(1).dataSync())).toEqual([-2147483648]);
    expect(Array.from(i32([2147483647]).square().dataSync())).toEqual([1]);
    // 3⁴⁰ and 7²⁵ exceed 2^53: only an integer power keeps the low 32 bits right.
    const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));
    expect(Array.from(i32([3, 7, -2]).pow(i32([40, 25, 31])).dataSync())).toEqual([wrap(3n ** 40n), wrap(7n ** 25n), wrap((-2n) ** 31n)]);
    expect(Array.from(i32([5, 0, -3]).pow(i32([0, 0, 3])).dataSync())).toEqual([1, 1, -27]);
  });
});

/** The broadcasting cases of the issue, each with its expected output shape. */
const BROADCAST_CASES: [string, number[], number[]][] = [
  ['[2,3] with [2,3]', [2, 3], [2, 3]],
  ['[2,3] with [3]', [2, 3], [3]],
  ['[3] with [2,3]', [3], [2, 3]],
  ['[2,1] with [1,3]', [2, 1], [1, 3]],
  ['[4,1,3] with [2,1]', [4, 1, 3], [2, 1]],
  ['[2,3] with 0-D', [2, 3], []],
  ['0-D with [2,3]', [], [2, 3]],
];

describe.each(backends)('binary ops with broadcasting on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  const ops: [string, (a: nb.Tensor, b: nb.Tensor) => nb.Tensor, (a: number, b: number) => number, number, number][] = [
    ['add', (a, b) => a.add(b), (a, b) => a + b, -2, 2],
    ['sub', (a, b) => a.sub(b), (a, b) => a - b, -2, 2],
    ['mul', (a, b) => a.mul(b), (a, b) => a * b, -2, 2],
    ['div', (a, b) => a.div(b), (a, b) => a / b, 0.5, 2],
    ['pow', (a, b) => a.pow(b), (a, b) => a ** b, 0.5, 2],
  ];
  for (const [name, op, scalar, low, high] of ops) {
    it.each(BROADCAST_CASES)(`${name}: %s`, (_label, sa, sb) => {
      checkOp({
        inputs: [values(sa, sa.length * 10 + 1, low, high), values(sb, sb.length * 10 + 2, low, high)],
        fn: op,
        expected: (a, b) => refBroadcast(scalar, a, b),
        gradgrad: sa.length + sb.length <= 3,
      });
    });
  }

  it('maximum and minimum (values and broadcasting; distinct values)', () => {
    const a = [[0.3, -1.2, 2.5], [1.1, 0.7, -0.4]];
    const b = [0.5, -2, 1.9];
    checkOp({ inputs: [a, b], fn: (x, y) => x.maximum(y), expected: (x, y) => refBroadcast(Math.max, x, y), gradgrad: true });
    checkOp({ inputs: [a, b], fn: (x, y) => x.minimum(y), expected: (x, y) => refBroadcast(Math.min, x, y), gradgrad: true });
  });

  it('maximum and minimum split the gradient equally on ties; NaN wins', () => {
    const a = f64([1, 2, 3], true);
    const b = f64([1, 5, 0], true);
    a.maximum(b).sum().backward();
    expectClose(a.grad!, [0.5, 0, 1]);
    expectClose(b.grad!, [0.5, 1, 0]);
    expectClose(f64([NaN, 1]).maximum(f64([0, NaN])), [NaN, NaN]);
    expectClose(f64([NaN, 1]).minimum(f64([0, NaN])), [NaN, NaN]);
  });

  it('numbers on either side take the tensor dtype', () => {
    const t = f64([1, 2, 3]);
    expectClose(t.add(1), [2, 3, 4]);
    expectClose(nb.sub(10, t), [9, 8, 7]);
    expectClose(nb.div(6, t), [6, 3, 2]);
    expectClose(nb.pow(2, t), [2, 4, 8]);
    expect(nb.sub(10, t).dtype).toBe('float64');
    expect(i32([1, 2]).add(3).dtype).toBe('int32');
    expect(i32([1, 2]).add(0.5).dtype).toBe('float32');
  });

  it('pow: x² of negative x, the exponent as a variable, and a^b hand values', () => {
    checkOp({ inputs: [[-1.5, -0.5, 2]], fn: (t) => t.pow(2), expected: [2.25, 0.25, 4], gradgrad: true });
    checkOp({ inputs: [[0.5, 1, 2]], fn: (t) => nb.pow(3, t), expected: [Math.sqrt(3), 3, 9], gradgrad: true });
    const base = f64([2], true);
    const exponent = f64([3], true);
    base.pow(exponent).sum().backward();
    expectClose(base.grad!, [12]); // 3·2²
    expectClose(exponent.grad!, [8 * Math.log(2)]);
  });

  it('pow at a zero base: d(x⁰)/dx = 0 and d(0ᵇ)/db = 0, not NaN', () => {
    const x = f64([0, 2], true);
    x.pow(0).sum().backward();
    expectClose(x.grad!, [0, 0]);
    const base = f64([0, 0, 2], true);
    const b = f64([2, 0.5, 3], true);
    base.pow(b).sum().backward();
    expectClose(b.grad!, [0, 0, 8 * Math.log(2)]);
    expectClose(base.grad!, [0, Infinity, 12]); // 0.5·0^(−0.5) is a true infinity
  });

  it('comparisons: 0/1 in the common dtype, broadcast, no gradient', () => {
    const a = f64([[1, 2, 3], [4, 5, 6]], true);
    const b = f64([2, 5, 6]);
    expectClose(a.eq(b), [[0, 0, 0], [0, 1, 1]]);
    expectClose(a.ne(b), [[1, 1, 1], [1, 0, 0]]);
    expectClose(a.lt(b), [[1, 1, 1], [0, 0, 0]]);
    expectClose(a.le(b), [[1, 1, 1], [0, 1, 1]]);
    expectClose(a.gt(b), [[0, 0, 0], [1, 0, 0]]);
    expectClose(a.ge(b), [[0, 0, 0], [1, 1, 1]]);
    expect(a.gt(b).requiresGrad).toBe(false);
    expect(a.gt(b).dtype).toBe('float64');
    expectClose(f64([NaN]).eq(f64([NaN])), [0]);
    expect(Array.from(i32([1, 2]).lt(2).dataSync())).toEqual([1, 0]);
  });

  it('where: values and broadcasting of cond, a and b', () => {
    const cond = nb.tensor([[1], [0]]);
    checkOp({
      inputs: [[[1, 2, 3]], [[10], [20]]],
      fn: (a, b) => nb.where(cond, a, b),
      expected: [[1, 2, 3], [20, 20, 20]],
      gradgrad: true,
    });
    const a = f64([1, 2, 3], true);
    nb.where(nb.tensor([[1, 0, 1], [0, 0, 1]]), a, 0).sum().backward();
    expectClose(a.grad!, [1, 0, 2]); // the broadcast gradient of a is summed over the rows
    expectClose(nb.where(f64([0, 1]), 5, f64([7, 8])), [7, 5]);
  });

  it('clamp: values, one-sided bounds, gradient 1 on the closed interval', () => {
    const x = f64([-2, -1, 0, 1, 2], true);
    const y = x.clamp(-1, 1);
    expectClose(y, [-1, -1, 0, 1, 1]);
    y.sum().backward();
    expectClose(x.grad!, [0, 1, 1, 1, 0]);
    expectClose(f64([-2, 3]).clamp(0), [0, 3]);
    expectClose(f64([-2, 3]).clamp(undefined, 1), [-2, 1]);
    expectClose(f64([NaN]).clamp(0, 1), [NaN]);
    checkOp({ inputs: [[-1.7, -0.3, 0.4, 1.6]], fn: (t) => t.clamp(-1, 1).mul(t), expected: [1.7, 0.09, 0.16, 1.6], gradgrad: true });
  });

  it('int32 arithmetic stays int32 except true division', () => {
    const a = i32([7, -7]);
    const b = i32([2, 2]);
    expect(Array.from(a.add(b).dataSync())).toEqual([9, -5]);
    expect(a.add(b).dtype).toBe('int32');
    expect(a.div(b).dtype).toBe('float32');
    expectClose(a.div(b), [3.5, -3.5]);
    expect(Array.from(i32([3]).pow(2).dataSync())).toEqual([9]);
  });

  it('dtype promotion: float64 > float32 > int32', () => {
    const cases: [nb.DType, nb.DType, nb.DType][] = [
      ['int32', 'int32', 'int32'], ['int32', 'float32', 'float32'], ['float32', 'int32', 'float32'],
      ['float32', 'float64', 'float64'], ['int32', 'float64', 'float64'], ['float64', 'float32', 'float64'],
    ];
    for (const [da, db, out] of cases) {
      const y = nb.tensor([1, 2], { dtype: da }).mul(nb.tensor([3, 4], { dtype: db }));
      expect(y.dtype, `${da}·${db}`).toBe(out);
      expectClose(y, [3, 8]);
    }
  });

  it('mixed-dtype gradients come back in each input dtype', () => {
    const a = nb.tensor([1, 2], { requiresGrad: true });
    const b = f64([3, 4], true);
    a.mul(b).sum().backward();
    expect(a.grad!.dtype).toBe('float32');
    expect(b.grad!.dtype).toBe('float64');
    expectClose(a.grad!, [3, 4]);
    expectClose(b.grad!, [1, 2]);
  });

  it('bad broadcast names the op and both shapes', () => {
    expectError(() => f64([[1, 2, 3], [4, 5, 6]]).add(f64([1, 2])), nb.ShapeError, 'add', '[2,3]', '[2]');
    expectError(() => nb.mul(f64([[1, 2, 3]]), f64([[1], [2]]).reshape([1, 2])), nb.ShapeError, 'mul', '[1,3]', '[1,2]');
  });

  it('empty tensors broadcast to empty results', () => {
    const y = nb.zeros([0, 3]).add(nb.ones([3]));
    expect(y.shape).toEqual([0, 3]);
    expect(nb.zeros([2, 0]).mul(nb.ones([2, 1])).shape).toEqual([2, 0]);
  });
});

/** The [4,1,3]·[2,1] case of the issue once more, with gradients worked out by hand. */
describe.each(backends)('broadcast gradients by hand on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  it('[4,1,3] · [2,1]: gradients are summed over the broadcast axes', () => {
    const leaf = nb.ones([4, 1, 3], { dtype: 'float64', requiresGrad: true });
    const b = f64([[2], [3]], true);
    leaf.mul(b).sum().backward();
    expectClose(leaf.grad!, Array.from({ length: 4 }, () => [[5, 5, 5]])); // Σ over b's 2 rows
    expectClose(b.grad!, [[12], [12]]); // 4·3 ones per row
  });
});
