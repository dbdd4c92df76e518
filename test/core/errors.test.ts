import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, f64 } from '../helpers.js';
import { expectError } from './util.js';

// The error cases of the issue in one place: class, and a message naming the op, the
// shapes (or values) and what was expected.
describe.each(backends)('errors are part of the API on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('error classes share NablaError and carry their names', () => {
    for (const cls of [nb.ShapeError, nb.DTypeError, nb.ValueError, nb.FormatError]) {
      const e = new cls('x');
      expect(e).toBeInstanceOf(nb.NablaError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(cls.name);
    }
  });

  it('misaligned matmul', () => {
    expectError(() => nb.ones([3, 2]).matmul(nb.ones([3, 1])), nb.ShapeError, 'matmul: shapes [3,2] and [3,1] are not aligned (2 ≠ 3)');
  });

  it('bad broadcast', () => {
    expectError(() => nb.ones([2, 3]).sub(nb.ones([4])), nb.ShapeError, 'sub: shapes [2,3] and [4] cannot be broadcast together');
    expectError(() => nb.where(nb.ones([2]), nb.ones([3]), 0), nb.ShapeError, 'where', '[2]', '[3]');
  });

  it('out-of-range axis', () => {
    expectError(() => nb.ones([2, 3]).sum(2), nb.ValueError, 'sum: axis 2 is out of range for a 2-D tensor (expected -2..1)');
    expectError(() => nb.ones([2, 3]).softmax(-3), nb.ValueError, 'softmax: axis -3 is out of range');
    expectError(() => nb.ones([2, 3]).transpose(0, 5), nb.ValueError, 'transpose', 'axis 5');
    expectError(() => nb.concat([nb.ones([2]), nb.ones([2])], 1), nb.ValueError, 'concat', 'axis 1');
  });

  it('out-of-range index', () => {
    expectError(() => nb.ones([2, 3]).indexSelect(0, [0, 2]), nb.ValueError, 'indexSelect: index 2 (position 1) is out of range for axis 0 of length 2');
    expectError(() => nb.ones([2, 3]).gather(1, nb.tensor([[3], [0]], { dtype: 'int32' })), nb.ValueError, 'gather', 'index 3');
  });

  it('wrong dtype: float indices, requiresGrad on int32, int32 where floats are needed', () => {
    expectError(() => nb.ones([3]).indexSelect(0, nb.tensor([0, 1])), nb.DTypeError, 'indexSelect: indices must be int32, got float32');
    expectError(() => nb.ones([3]).indexSelect(0, [1.5]), nb.DTypeError, 'indexSelect');
    expectError(() => nb.tensor([1, 2], { dtype: 'int32', requiresGrad: true }), nb.DTypeError, 'int32', 'gradients');
    expectError(() => nb.zeros([2], { dtype: 'int32' }).requiresGrad_(), nb.DTypeError, 'requiresGrad_', 'int32');
    expectError(() => nb.tensor([1, 2], { dtype: 'int32' }).softmax(), nb.DTypeError, 'softmax', 'int32');
    expectError(() => nb.tensor([1.5], { dtype: 'int32' }), nb.DTypeError, 'tensor', '1.5');
    expectError(() => nb.tensor([1], { dtype: 'complex64' as nb.DType }), nb.DTypeError, "unknown dtype 'complex64'");
    expectError(() => nb.tensor([2], { dtype: 'int32' }).pow(-1), nb.ValueError, 'pow', 'negative');
  });

  it('bad reshape', () => {
    expectError(() => nb.ones([2, 3]).reshape([5]), nb.ShapeError, 'reshape: cannot reshape [2,3] (6 elements) into [5] (5 elements)');
    expectError(() => nb.ones([2, 3]).reshape([-1, 4]), nb.ShapeError, 'reshape', '[2,3]', '[-1,4]');
  });

  it('ragged nested arrays', () => {
    expectError(() => nb.tensor([[1, 2], [3]]), nb.ShapeError, 'tensor: ragged nested array at [1]: expected 2 elements');
    expectError(() => nb.tensor([[1, 2], 3] as unknown as nb.NestedNumbers), nb.ShapeError, 'ragged', 'a scalar');
    expectError(() => nb.tensor([1, [2, 3]] as unknown as nb.NestedNumbers), nb.ValueError, 'tensor', 'ragged');
    expectError(() => nb.tensor([[[1], [2]], [[3], [4, 5]]]), nb.ShapeError, 'ragged', '[1,1]');
  });

  it('backward on a non-scalar without a gradient', () => {
    const x = f64([1, 2, 3], true);
    expectError(() => x.exp().backward(), nb.ShapeError, 'backward: a gradient can be implied only for a one-element tensor', '[3]');
  });

  it('other argument errors', () => {
    expectError(() => nb.setBackend('no-such-backend'), nb.ValueError, "setBackend: unknown backend 'no-such-backend'");
    expectError(() => nb.exp(null as unknown as nb.Tensor), nb.ValueError, 'exp', 'must be a Tensor');
    expectError(() => nb.add(f64([1]), 'a' as unknown as number), nb.ValueError, 'add', 'string');
    expectError(() => nb.ones([2]).item(), nb.ShapeError, 'item');
    expectError(() => nb.gradcheck((x) => x, [nb.ones([1])]), nb.DTypeError, 'gradcheck');
  });
});
