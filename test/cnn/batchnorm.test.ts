import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const randn64 = (shape: number[]): nb.Tensor => nb.randn(shape, { dtype: 'float64' });

// x [N=2, C=2, H=1, W=2]. Channel 0 holds {1, 3, 5, 7}: mean 4, biased variance 5, unbiased 20/3.
// Channel 1 holds {2, 2, 4, 8}: mean 4, biased variance 6, unbiased 8.
const batch = (): nb.Tensor => nb.tensor([[[[1, 3]], [[2, 2]]], [[[5, 7]], [[4, 8]]]], { dtype: 'float64' });

describe.each(backends)('batchNorm on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(3);
  });

  it('normalises each channel over N, H, W with the batch statistics, then scales and shifts', () => {
    const gamma = nb.tensor([2, 0.5], { dtype: 'float64' });
    const beta = nb.tensor([1, -1], { dtype: 'float64' });
    const y = nb.batchNorm(batch(), null, null, { training: true, weight: gamma, bias: beta, eps: 0 });
    const a = (v: number): number => (2 * (v - 4)) / Math.sqrt(5) + 1;
    const b = (v: number): number => (0.5 * (v - 4)) / Math.sqrt(6) - 1;
    expectClose(y, [[[[a(1), a(3)]], [[b(2), b(2)]]], [[[a(5), a(7)]], [[b(4), b(8)]]]], { atol: 1e-12, rtol: 1e-12 });
  });

  it('updates the running averages in place with momentum and the unbiased variance', () => {
    const runningMean = nb.zeros([2]);
    const runningVar = nb.ones([2]);
    nb.batchNorm(batch(), runningMean, runningVar, { training: true });
    // (1 − 0.1)·old + 0.1·batch
    expectClose(runningMean, [0.4, 0.4]);
    expectClose(runningVar, [0.9 + 0.1 * (20 / 3), 0.9 + 0.1 * 8]);
    // A second step compounds: momentum 0.5 this time.
    nb.batchNorm(batch().add(2), runningMean, runningVar, { training: true, momentum: 0.5 });
    expectClose(runningMean, [0.5 * 0.4 + 0.5 * 6, 0.5 * 0.4 + 0.5 * 6]);
    expectClose(runningVar, [0.5 * (0.9 + (0.1 * 20) / 3) + 0.5 * (20 / 3), 0.5 * 1.7 + 0.5 * 8]);
  });

  it('with momentum null keeps the cumulative average over numBatchesTracked batches', () => {
    const runningMean = nb.zeros([2]);
    const runningVar = nb.ones([2]);
    nb.batchNorm(batch(), runningMean, runningVar, { training: true, momentum: null, numBatchesTracked: 1 });
    nb.batchNorm(batch().add(2), runningMean, runningVar, { training: true, momentum: null, numBatchesTracked: 2 });
    expectClose(runningMean, [5, 5]);
    expectClose(runningVar, [20 / 3, 8]);
  });

  it('uses the running statistics when not training, and leaves them alone', () => {
    const runningMean = nb.tensor([1, -2]);
    const runningVar = nb.tensor([4, 0.25]);
    const y = nb.batchNorm(batch(), runningMean, runningVar, { eps: 0 });
    expectClose(y, [[[[0, 1]], [[8, 8]]], [[[2, 3]], [[12, 20]]]], { atol: 1e-12 });
    expectClose(runningMean, [1, -2]);
    expectClose(runningVar, [4, 0.25]);
  });

  it('works on [N, C] and [N, C, L] input (per feature over the batch)', () => {
    const x = nb.tensor([[1, 10], [3, 30]], { dtype: 'float64' });
    expectClose(nb.batchNorm(x, null, null, { training: true, eps: 0 }), [[-1, -1], [1, 1]], { atol: 1e-12 });
    expect(nb.batchNorm(randn64([4, 3, 5]), null, null, { training: true }).shape).toEqual([4, 3, 5]);
  });

  it.each([
    ['[N, C, H, W]', [3, 2, 2, 2]],
    ['[N, C]', [4, 3]],
  ])('passes gradcheck in training mode for %s (input, gamma, beta)', (_name, shape) => {
    const c = shape[1];
    const x = randn64(shape);
    const gamma = randn64([c]);
    const beta = randn64([c]);
    expect(nb.gradcheck((xi, g, b) => nb.batchNorm(xi, null, null, { training: true, weight: g, bias: b }), [x, gamma, beta])).toBe(true);
  });

  it('passes gradcheck in evaluation mode', () => {
    const rm = nb.tensor([0.3, -0.2], { dtype: 'float64' });
    const rv = nb.tensor([1.5, 0.7], { dtype: 'float64' });
    expect(nb.gradcheck((xi, g, b) => nb.batchNorm(xi, rm, rv, { weight: g, bias: b }), [randn64([2, 2, 2, 2]), randn64([2]), randn64([2])])).toBe(true);
  });

  it('names the problem in its errors', () => {
    expect(() => nb.batchNorm(nb.zeros([1, 3, 1, 1]), null, null, { training: true })).toThrow('more than one value per channel');
    expect(() => nb.batchNorm(nb.zeros([2, 3]), nb.zeros([4]), nb.ones([4]))).toThrow('batchNorm: runningMean has shape [4], expected [3]');
    expect(() => nb.batchNorm(nb.zeros([2, 3]), null, null)).toThrow('needs runningMean and runningVar');
    expect(() => nb.batchNorm(nb.zeros([3]), null, null, { training: true })).toThrow(nb.ShapeError);
    expect(() => nb.batchNorm(nb.zeros([2, 3]), null, null, {}, 'MyNorm(3)')).toThrow('MyNorm(3): evaluation mode');
  });
});
