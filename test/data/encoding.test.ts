import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

describe('oneHot', () => {
  it('puts a 1 in column labels[n] of row n', () => {
    const y = nb.data.oneHot(nb.tensor([2, 0, 1, 2], { dtype: 'int32' }), 3);
    expect(y.shape).toEqual([4, 3]);
    expect(y.dtype).toBe('float32');
    expect(y.toArray()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });

  it('infers numClasses as max + 1, accepts plain arrays and a dtype', () => {
    expect(nb.data.oneHot([1, 3]).toArray()).toEqual([[0, 1, 0, 0], [0, 0, 0, 1]]);
    const y = nb.data.oneHot([0], 2, { dtype: 'float64' });
    expect(y.dtype).toBe('float64');
    expect(y.toArray()).toEqual([[1, 0]]);
    expect(nb.data.oneHot([], 4).shape).toEqual([0, 4]);
  });

  it('rejects labels out of range, non-integer labels and wrong shapes', () => {
    expect(() => nb.data.oneHot([0, 3, 1], 3)).toThrow(/label 3 at position 1 is out of range for 3 classes \(expected 0..2\)/);
    expect(() => nb.data.oneHot([-1], 3)).toThrow(nb.ValueError);
    expect(() => nb.data.oneHot(nb.tensor([0, 1]), 2)).toThrow(nb.DTypeError);
    expect(() => nb.data.oneHot([0.5], 2)).toThrow(nb.DTypeError);
    expect(() => nb.data.oneHot(nb.tensor([[0, 1]], { dtype: 'int32' }), 2)).toThrow(nb.ShapeError);
    expect(() => nb.data.oneHot([0], 0)).toThrow(/numClasses must be a positive integer/);
  });
});

describe('LabelEncoder', () => {
  it('codes string classes in sorted order and decodes them back', () => {
    const enc = new nb.data.LabelEncoder().fit(['dog', 'cat', 'dog', 'bird']);
    expect(enc.classes).toEqual(['bird', 'cat', 'dog']);
    expect(enc.numClasses).toBe(3);
    const codes = enc.transform(['dog', 'cat', 'dog', 'bird']);
    expect(codes.dtype).toBe('int32');
    expect(Array.from(codes.dataSync())).toEqual([2, 1, 2, 0]);
    expect(enc.inverseTransform(codes)).toEqual(['dog', 'cat', 'dog', 'bird']);
    expect(enc.inverseTransform([0, 0])).toEqual(['bird', 'bird']);
  });

  it('sorts numbers numerically (10 after 2), also from a tensor', () => {
    const enc = new nb.data.LabelEncoder();
    expect(Array.from(enc.fitTransform([10, 2, 33, 2]).dataSync())).toEqual([1, 0, 2, 0]);
    expect(enc.classes).toEqual([2, 10, 33]);
    const fromTensor = new nb.data.LabelEncoder().fit(nb.tensor([7, -1, 7], { dtype: 'int32' }));
    expect(fromTensor.classes).toEqual([-1, 7]);
    expect(Array.from(fromTensor.transform(nb.tensor([7, -1], { dtype: 'int32' })).dataSync())).toEqual([1, 0]);
  });

  it('round-trips through JSON with the codes unchanged', () => {
    const enc = new nb.data.LabelEncoder().fit(['setosa', 'virginica', 'versicolor']);
    const restored = nb.data.LabelEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    expect(restored.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(restored.transform(['virginica', 'setosa']).dataSync())).toEqual([2, 0]);
    // A stored order is kept as stored, even when it is not sorted.
    expect(nb.data.LabelEncoder.fromJSON({ type: 'LabelEncoder', classes: ['b', 'a'] }).inverseTransform([0])).toEqual(['b']);
  });

  it('errors name the unknown label, the bad code or the bad JSON', () => {
    const enc = new nb.data.LabelEncoder().fit(['cat', 'dog']);
    expect(() => enc.transform(['cat', 'fish'])).toThrow(/unknown label "fish" at position 1 \(known: "cat", "dog"\)/);
    expect(() => enc.inverseTransform([2])).toThrow(/code 2 at position 0 is out of range for 2 classes/);
    expect(() => new nb.data.LabelEncoder().fit(['a', 1])).toThrow(/mix strings and numbers/);
    expect(() => new nb.data.LabelEncoder().fit([1, NaN])).toThrow(/position 1 is NaN/);
    expect(() => new nb.data.LabelEncoder().transform(['a'])).toThrow(/not fitted/);
    expect(() => nb.data.LabelEncoder.fromJSON({ type: 'LabelEncoder', classes: ['a', 'a'] })).toThrow(nb.FormatError);
    expect(() => nb.data.LabelEncoder.fromJSON({ type: 'OneHotEncoder', classes: [] })).toThrow(nb.FormatError);
    expect(() => nb.data.LabelEncoder.fromJSON({ type: 'LabelEncoder', classes: [{}] })).toThrow(nb.FormatError);
  });
});

describe.each(backends)('OneHotEncoder on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('labels → one-hot rows, and rows (or scores) → labels by argmax', () => {
    const enc = new nb.data.OneHotEncoder().fit(['dog', 'cat', 'bird']);
    expect(enc.classes).toEqual(['bird', 'cat', 'dog']);
    expect(enc.transform(['cat', 'dog']).toArray()).toEqual([[0, 1, 0], [0, 0, 1]]);
    expect(enc.inverseTransform(nb.tensor([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]]))).toEqual(['cat', 'bird']);
    expect(() => enc.inverseTransform(nb.zeros([2, 4]))).toThrow(/expected \[N,3\], got \[2,4\]/);
  });

  it('fixed categories keep every column even when the training labels lack some', () => {
    const enc = new nb.data.OneHotEncoder({ categories: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] }).fit([3, 5]);
    const y = enc.transform(nb.tensor([3, 9], { dtype: 'int32' }));
    expect(y.shape).toEqual([2, 10]);
    expectClose(y, [[0, 0, 0, 1, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]);
    expect(() => enc.fit([11])).toThrow(/unknown label 11/);
  });

  it('round-trips through JSON', () => {
    const enc = new nb.data.OneHotEncoder({ dtype: 'float64' }).fit(['x', 'z', 'y']);
    const restored = nb.data.OneHotEncoder.fromJSON(JSON.parse(JSON.stringify(enc.toJSON())));
    const y = restored.transform(['z']);
    expect(y.dtype).toBe('float64');
    expect(y.toArray()).toEqual([[0, 0, 1]]);
    expect(() => nb.data.OneHotEncoder.fromJSON({ type: 'OneHotEncoder', classes: ['a'], dtype: 'int8' })).toThrow(nb.FormatError);
  });
});
