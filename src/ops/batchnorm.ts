import { noGrad } from '../autograd/index.js';
import { ShapeError, ValueError, fmtShape, shapesEqual, type Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor } from './core.js';

/** Options of batchNorm. */
export interface BatchNormOptions {
  /** Per-channel scale γ [C] (omitted: 1). */
  weight?: Tensor | null;
  /** Per-channel shift β [C] (omitted: 0). */
  bias?: Tensor | null;
  /** Normalise by the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1, as PyTorch); null: a cumulative average. */
  momentum?: number | null;
  /** Batches seen including this one, for momentum null (the caller keeps the count). */
  numBatchesTracked?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalisation over every axis but the channel axis 1: x [N, C], [N, C, L] or
 * [N, C, H, W] (per channel over N, H, W). y = γ·(x − μ)/√(σ² + eps) + β.
 *
 * Training: μ and σ² (biased) are the batch's, the gradient flows through them, and the
 * running statistics [C] (when given) are updated in place, outside the graph:
 * running ← (1 − momentum)·running + momentum·batch, with the unbiased variance (n/(n−1)·σ²)
 * as PyTorch does. Otherwise μ and σ² are runningMean and runningVar.
 * Written with differentiable ops only, so it has no gradient code of its own.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options: BatchNormOptions = {},
  name = 'batchNorm',
): Tensor {
  checkTensor(name, x);
  checkFloat(name, x);
  if (x.ndim < 2) throw new ShapeError(`${name}: expected an input [N, C, ...] with at least 2 dimensions, got ${fmtShape(x.shape)}`);
  const channels = x.shape[1];
  const named: [string, Tensor | null | undefined][] = [['runningMean', runningMean], ['runningVar', runningVar], ['weight', options.weight], ['bias', options.bias]];
  for (const [what, t] of named) {
    if (t === null || t === undefined) continue;
    checkTensor(name, t, what);
    if (!shapesEqual(t.shape, [channels])) throw new ShapeError(`${name}: ${what} has shape ${fmtShape(t.shape)}, expected [${channels}] for input ${fmtShape(x.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new ValueError(`${name}: give both runningMean and runningVar, or neither`);
  const training = options.training ?? false;
  const eps = options.eps ?? 1e-5;
  const tracked = options.numBatchesTracked ?? 1;
  // momentum null: the running statistics are the plain average of every batch so far.
  const momentum = options.momentum === null ? 1 / tracked : options.momentum ?? 0.1;
  if (options.momentum === null && !(Number.isInteger(tracked) && tracked >= 1)) throw new ValueError(`${name}: numBatchesTracked must be a positive integer with momentum null, got ${tracked}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(`${name}: momentum must be in [0, 1] or null, got ${momentum}`);
  if (!(eps >= 0)) throw new ValueError(`${name}: eps must be non-negative, got ${eps}`);

  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const statShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    const count = x.size / channels;
    if (count <= 1) throw new ValueError(`${name}: training needs more than one value per channel to estimate a variance, got input ${fmtShape(x.shape)} (use eval() for single samples)`);
    mean = x.mean(axes, true);
    variance = x.sub(mean).square().mean(axes, true);
    if (runningMean !== null && runningVar !== null) {
      const batchMean = mean;
      const batchVar = variance;
      noGrad(() => {
        runningMean.assign(runningMean.mul(1 - momentum).add(batchMean.reshape([channels]).mul(momentum)));
        runningVar.assign(runningVar.mul(1 - momentum).add(batchVar.reshape([channels]).mul((momentum * count) / (count - 1))));
      });
    }
  } else {
    if (runningMean === null || runningVar === null) throw new ValueError(`${name}: evaluation mode (training false) needs runningMean and runningVar`);
    mean = runningMean.detach().cast(x.dtype).reshape(statShape);
    variance = runningVar.detach().cast(x.dtype).reshape(statShape);
  }
  let y = x.sub(mean).div(variance.add(eps).sqrt());
  if (options.weight) y = y.mul(options.weight.reshape(statShape));
  if (options.bias) y = y.add(options.bias.reshape(statShape));
  return y;
}
