import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

/** x row i is [2i, 2i+1], y_i = i: a batch's rows can be checked against its labels. */
function pairs(n: number): { x: nb.Tensor; y: nb.Tensor } {
  const x = nb.tensor(Array.from({ length: n }, (_, i) => [2 * i, 2 * i + 1]));
  const y = nb.tensor(Array.from({ length: n }, (_, i) => i), { dtype: 'int32' });
  return { x, y };
}

function labelsOf(loader: nb.data.DataLoader): number[] {
  const out: number[] = [];
  for (const [, yb] of loader) out.push(...Array.from(yb.dataSync()));
  return out;
}

describe.each(backends)('TensorDataset and DataLoader on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('TensorDataset: length and get(i) return row i of every tensor', () => {
    const { x, y } = pairs(5);
    const ds = new nb.data.TensorDataset(x, y);
    expect(ds.length).toBe(5);
    const [xi, yi] = ds.get(2);
    expect(xi.shape).toEqual([2]);
    expect(yi.shape).toEqual([]);
    expect(Array.from(xi.dataSync())).toEqual([4, 5]);
    expect(yi.item()).toBe(2);
    expect(yi.dtype).toBe('int32');
  });

  it('TensorDataset: rejects tensors whose first dimensions differ, naming the shapes', () => {
    expect(() => new nb.data.TensorDataset(nb.zeros([4, 2]), nb.zeros([3]))).toThrow(nb.ShapeError);
    expect(() => new nb.data.TensorDataset(nb.zeros([4, 2]), nb.zeros([3]))).toThrow(/same first dimension.*\[4,2\], \[3\]/);
    expect(() => new nb.data.TensorDataset(nb.zeros([4]), nb.tensor(1))).toThrow(nb.ShapeError);
    expect(() => new nb.data.TensorDataset()).toThrow(nb.ValueError);
  });

  it('TensorDataset: get out of range is a ValueError', () => {
    const ds = new nb.data.TensorDataset(nb.zeros([3, 1]));
    expect(() => ds.get(3)).toThrow(/index 3 is out of range for a dataset of 3 samples/);
    expect(() => ds.get(-1)).toThrow(nb.ValueError);
    expect(() => ds.get(0.5)).toThrow(nb.ValueError);
  });

  it('DataLoader: batch counts and shapes, in order without shuffle', () => {
    const { x, y } = pairs(10);
    const loader = new nb.data.DataLoader(new nb.data.TensorDataset(x, y), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.length).toBe(3);
    expect(batches.map(([xb]) => xb.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect(batches.map(([, yb]) => yb.shape)).toEqual([[4], [4], [2]]);
    expectClose(batches[2][0], [[16, 17], [18, 19]]);
    expect(Array.from(batches[2][1].dataSync())).toEqual([8, 9]);
    expect(batches[0][1].dtype).toBe('int32');
  });

  it('DataLoader: dropLast leaves out the short final batch', () => {
    const { x, y } = pairs(10);
    const loader = new nb.data.DataLoader(new nb.data.TensorDataset(x, y), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].map(([xb]) => xb.shape[0])).toEqual([4, 4]);
    const exact = new nb.data.DataLoader(new nb.data.TensorDataset(x, y), { batchSize: 5, dropLast: true });
    expect(exact.length).toBe(2);
  });

  it('DataLoader: batch, mini-batch and stochastic gradient descent batch sizes', () => {
    const { x, y } = pairs(10);
    const ds = new nb.data.TensorDataset(x, y);
    const full = [...new nb.data.DataLoader(ds, { batchSize: 10 })];
    expect(full.length).toBe(1);
    expect(full[0][0].shape).toEqual([10, 2]);
    expect(new nb.data.DataLoader(ds, { batchSize: 1 }).length).toBe(10);
    expect([...new nb.data.DataLoader(ds, { batchSize: 1 })][3][0].shape).toEqual([1, 2]);
    // Larger than the dataset: one batch of everything, or none with dropLast.
    expect(new nb.data.DataLoader(ds, { batchSize: 64 }).length).toBe(1);
    expect([...new nb.data.DataLoader(ds, { batchSize: 64, dropLast: true })].length).toBe(0);
    expect(new nb.data.DataLoader(ds).batchSize).toBe(32);
  });

  it('DataLoader: an empty dataset gives no batches', () => {
    const loader = new nb.data.DataLoader(new nb.data.TensorDataset(nb.zeros([0, 3])), { batchSize: 4 });
    expect(loader.length).toBe(0);
    expect([...loader].length).toBe(0);
  });

  it('DataLoader: shuffle follows manualSeed, draws a new order each epoch and keeps rows paired', () => {
    const { x, y } = pairs(10);
    const loader = new nb.data.DataLoader(new nb.data.TensorDataset(x, y), { batchSize: 3, shuffle: true });
    nb.manualSeed(7);
    const epoch1 = labelsOf(loader);
    const epoch2 = labelsOf(loader);
    nb.manualSeed(7);
    expect(labelsOf(loader)).toEqual(epoch1);
    expect(labelsOf(loader)).toEqual(epoch2);
    // It is the global generator's permutation, drawn when the epoch starts.
    nb.manualSeed(7);
    expect(epoch1).toEqual(Array.from(nb.globalGenerator.permutation(10)));
    expect([...epoch1].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch2).not.toEqual(epoch1);
    for (const [xb, yb] of loader) {
      const ys = Array.from(yb.dataSync());
      expectClose(xb, ys.map((i) => [2 * i, 2 * i + 1]));
    }
  });

  it('DataLoader: an explicit generator leaves the global one alone', () => {
    const { x, y } = pairs(8);
    const ds = new nb.data.TensorDataset(x, y);
    nb.manualSeed(1);
    const before = nb.globalGenerator.getState();
    const order = labelsOf(new nb.data.DataLoader(ds, { batchSize: 8, shuffle: true, generator: new nb.Generator(42) }));
    expect(nb.globalGenerator.getState()).toEqual(before);
    expect(order).toEqual(Array.from(new nb.Generator(42).permutation(8)));
  });

  it('DataLoader: gradients flow from a batch back to the dataset tensor (indexSelect)', () => {
    const x = nb.tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const [[xb]] = [...new nb.data.DataLoader(new nb.data.TensorDataset(x), { batchSize: 2 })];
    xb.mul(xb).sum().backward();
    expectClose(x.grad as nb.Tensor, [[2, 4], [6, 8], [0, 0]]);
  });

  it('DataLoader: stacks samples of a dataset that only has get(i)', () => {
    const squares: nb.data.Dataset = {
      length: 5,
      get: (i: number) => [nb.tensor([i, i * i]), nb.tensor(i % 2, { dtype: 'int32' })],
    };
    const batches = [...new nb.data.DataLoader(squares, { batchSize: 2 })];
    expect(batches.length).toBe(3);
    expectClose(batches[1][0], [[2, 4], [3, 9]]);
    expect(batches[1][1].shape).toEqual([2]);
    expect(Array.from(batches[1][1].dataSync())).toEqual([0, 1]);
    expect(batches[2][0].shape).toEqual([1, 2]);
  });

  it('DataLoader: uses getBatch when the dataset only has that', () => {
    const seen: number[][] = [];
    const ds: nb.data.Dataset = {
      length: 4,
      getBatch: (idx: Int32Array) => {
        seen.push(Array.from(idx));
        return [nb.tensor(Array.from(idx, (i) => [i]))];
      },
    };
    const batches = [...new nb.data.DataLoader(ds, { batchSize: 3 })];
    expect(seen).toEqual([[0, 1, 2], [3]]);
    expectClose(batches[0][0], [[0], [1], [2]]);
  });

  it('DataLoader: samples that do not stack are a ShapeError', () => {
    const ragged: nb.data.Dataset = { length: 2, get: (i: number) => [nb.zeros([i + 1])] };
    expect(() => [...new nb.data.DataLoader(ragged, { batchSize: 2 })]).toThrow(nb.ShapeError);
  });

  it('DataLoader: rejects a batchSize that is not a positive integer', () => {
    const ds = new nb.data.TensorDataset(nb.zeros([3]));
    expect(() => new nb.data.DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new nb.data.DataLoader(ds, { batchSize: 1.5 })).toThrow(nb.ValueError);
  });

  it('Subset: picks and reorders samples of another dataset', () => {
    const { x, y } = pairs(6);
    const sub = new nb.data.Subset(new nb.data.TensorDataset(x, y), [5, 1, 3]);
    expect(sub.length).toBe(3);
    expect(Array.from(sub.get(0)[0].dataSync())).toEqual([10, 11]);
    expect(sub.get(0)[0].shape).toEqual([2]);
    const [[xb, yb]] = [...new nb.data.DataLoader(sub, { batchSize: 3 })];
    expect(Array.from(yb.dataSync())).toEqual([5, 1, 3]);
    expectClose(xb, [[10, 11], [2, 3], [6, 7]]);
    expect(() => new nb.data.Subset(new nb.data.TensorDataset(x), [6])).toThrow(nb.ValueError);
  });
});
