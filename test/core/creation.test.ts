import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers.js';
import { expectError } from './util.js';

describe.each(backends)('tensor() and the Tensor value on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('infers shape from nested arrays; float32 by default', () => {
    const t = nb.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.size).toBe(6);
    expect(t.ndim).toBe(2);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(t.dataSync()).toBeInstanceOf(Float32Array);
  });

  it('float32 rounds, float64 keeps every digit', () => {
    expect(nb.tensor([0.1]).dataSync()[0]).toBe(Math.fround(0.1));
    expect(nb.tensor([0.1], { dtype: 'float64' }).dataSync()[0]).toBe(0.1);
  });

  it('scalars, empty and nested-empty arrays, booleans', () => {
    const s = nb.tensor(3.5);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(3.5);
    expect(s.toArray()).toBe(3.5);
    expect(nb.tensor([]).shape).toEqual([0]);
    expect(nb.tensor([[], []]).shape).toEqual([2, 0]);
    expect(nb.tensor([[], []]).toArray()).toEqual([[], []]);
    expect(nb.tensor([true, false, true]).toArray()).toEqual([1, 0, 1]);
  });

  it('typed arrays keep their dtype; shape reshapes flat input', () => {
    expect(nb.tensor(new Float64Array([1, 2])).dtype).toBe('float64');
    expect(nb.tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(nb.tensor(new Float32Array([1, 2])).dtype).toBe('float32');
    const t = nb.tensor([1, 2, 3, 4, 5, 6], { shape: [3, 2], dtype: 'float64' });
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    // An explicit int32 conversion of a float typed array truncates toward zero.
    expect(Array.from(nb.tensor(new Float64Array([1.7, -1.7]), { dtype: 'int32' }).dataSync())).toEqual([1, -1]);
    expectError(() => nb.tensor([1, 2, 3], { shape: [2, 2] }), nb.ShapeError, '3 values', '[2,2]');
  });

  it('int32 accepts integers only: no silent truncation or wrap-around', () => {
    expect(nb.tensor([[1, -2], [3, 2147483647]], { dtype: 'int32' }).toArray()).toEqual([[1, -2], [3, 2147483647]]);
    expectError(() => nb.tensor([1, 2.5], { dtype: 'int32' }), nb.DTypeError, '2.5', 'int32');
    expectError(() => nb.tensor(0.5, { dtype: 'int32' }), nb.DTypeError, 'int32');
    expectError(() => nb.tensor([2 ** 31], { dtype: 'int32' }), nb.DTypeError, 'int32');
    expectError(() => nb.tensor([NaN], { dtype: 'int32' }), nb.DTypeError, 'int32');
  });

  it('dataSync is a copy; detach shares values without history; clone copies', () => {
    const t = nb.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const copy = t.dataSync();
    copy[0] = 99;
    expect(t.toArray()).toEqual([1, 2]);
    const d = t.mul(2).detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(d.toArray()).toEqual([2, 4]);
    const c = t.clone();
    expect(c.requiresGrad).toBe(true);
    expect(c.data).not.toBe(t.data);
    expect(c.toArray()).toEqual([1, 2]);
  });

  it('assign copies values in place and checks the size', () => {
    const t = nb.zeros([2, 2]);
    t.assign(nb.tensor([[1, 2], [3, 4]]));
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
    t.assign([5, 6, 7, 8]);
    expect(t.toArray()).toEqual([[5, 6], [7, 8]]);
    expectError(() => t.assign(nb.zeros([3])), nb.ShapeError, '[3]', '[2,2]');
  });

  it('item() needs exactly one element; toString names shape and dtype', () => {
    expect(nb.tensor([[7]]).item()).toBe(7);
    expectError(() => nb.tensor([1, 2]).item(), nb.ShapeError, 'item', '[2]');
    expect(nb.tensor([1, 2], { dtype: 'float64' }).toString()).toBe('Tensor([1,2], shape=[2], dtype=float64)');
  });
});

describe.each(backends)('creation functions on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('zeros, ones, full and the *Like variants', () => {
    const z = nb.zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(Array.from(z.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    const o = nb.ones([3], { dtype: 'int32' });
    expect(o.dtype).toBe('int32');
    expect(o.toArray()).toEqual([1, 1, 1]);
    const f = nb.full([2, 2], 2.5, { dtype: 'float64' });
    expect(f.toArray()).toEqual([[2.5, 2.5], [2.5, 2.5]]);
    expect(nb.zeros([]).shape).toEqual([]);
    expect(nb.zeros([]).item()).toBe(0);
    expect(nb.zeros([0, 4]).size).toBe(0);
    const like = nb.onesLike(f);
    expect(like.dtype).toBe('float64');
    expect(like.shape).toEqual([2, 2]);
    expect(nb.zerosLike(o).dtype).toBe('int32');
    expect(nb.fullLike(o, 7).toArray()).toEqual([7, 7, 7]);
    expect(nb.zeros([2], { requiresGrad: true }).requiresGrad).toBe(true);
  });

  it('invalid shapes and int32 fill values are refused', () => {
    expectError(() => nb.zeros([-1]), nb.ValueError, 'zeros', '[-1]');
    expectError(() => nb.ones([1.5]), nb.ValueError, '[1.5]');
    expectError(() => nb.full([2], 1.5, { dtype: 'int32' }), nb.DTypeError, 'full', '1.5');
    expectError(() => nb.zeros([2], { dtype: 'float16' as nb.DType }), nb.DTypeError, 'float16');
  });

  it('eye: square, rectangular, dtype', () => {
    expect(nb.eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(nb.eye(2, 3).toArray()).toEqual([[1, 0, 0], [0, 1, 0]]);
    expect(nb.eye(3, 2).toArray()).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect(nb.eye(2, 2, { dtype: 'int32' }).dtype).toBe('int32');
    expect(nb.eye(0).shape).toEqual([0, 0]);
  });

  it('arange: integer and float steps, negative steps, empty ranges', () => {
    const a = nb.arange(5);
    expect(a.dtype).toBe('int32');
    expect(a.toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(nb.arange(2, 9, 3).toArray()).toEqual([2, 5, 8]);
    expect(nb.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    const f = nb.arange(0, 1, 0.25);
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(nb.arange(3, 3).shape).toEqual([0]);
    expect(nb.arange(3, 0).shape).toEqual([0]);
    expect(nb.arange(0, 3, 1, { dtype: 'float64' }).dtype).toBe('float64');
    expectError(() => nb.arange(0, 1, 0), nb.ValueError, 'arange', 'step');
  });

  it('linspace: inclusive end, exact endpoints, n = 0 and 1', () => {
    expect(nb.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const l = nb.linspace(0, 0.3, 4, { dtype: 'float64' });
    expectClose(l, [0, 0.1, 0.2, 0.3], { atol: 1e-15 });
    expect(l.dataSync()[3]).toBe(0.3);
    expect(nb.linspace(2, -2, 3).toArray()).toEqual([2, 0, -2]);
    expect(nb.linspace(-1, 1, 1).toArray()).toEqual([-1]);
    expect(nb.linspace(0, 1, 0).shape).toEqual([0]);
    expectError(() => nb.linspace(0, 1, -1), nb.ValueError, 'linspace');
  });

  it('random creation functions: shapes and dtypes', () => {
    nb.manualSeed(0);
    expect(nb.rand([2, 3]).shape).toEqual([2, 3]);
    expect(nb.rand([2]).dtype).toBe('float32');
    expect(nb.randn([4], { dtype: 'float64' }).dtype).toBe('float64');
    const r = nb.randint(0, 10, [3, 4]);
    expect(r.dtype).toBe('int32');
    expect(r.shape).toEqual([3, 4]);
    expect(nb.randperm(6).shape).toEqual([6]);
    expect(nb.randperm(6).dtype).toBe('int32');
    expect(nb.rand([0]).size).toBe(0);
    expect(nb.rand([2], { requiresGrad: true }).requiresGrad).toBe(true);
    expectError(() => nb.rand([2], { dtype: 'int32' }), nb.DTypeError, 'rand', 'int32');
    expectError(() => nb.randn([2], { dtype: 'int32' }), nb.DTypeError, 'randn');
  });

  it('cast converts between dtypes; float → int32 truncates toward zero', () => {
    const x = nb.tensor([-1.7, -0.2, 0.9, 2.5], { dtype: 'float64' });
    const i = x.cast('int32');
    expect(i.dtype).toBe('int32');
    expect(i.toArray()).toEqual([-1, 0, 0, 2]);
    expect(i.cast('float32').dtype).toBe('float32');
    expect(x.cast('float32').dataSync()[0]).toBe(Math.fround(-1.7));
    expect(x.cast('float64')).toBe(x);
  });
});
