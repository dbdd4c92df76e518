import { DTypeError, ShapeError, ValueError, fmtShape, shapesEqual, Tensor } from '../../tensor/index.js';

/** Throws unless x is a float32/float64 Tensor (naming the op and the argument). */
export function checkFloatInput(op: string, x: unknown, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: ${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  if (x.dtype === 'int32') throw new DTypeError(`${op}: ${what} must be float32 or float64, got int32 ${fmtShape(x.shape)}`);
  return x;
}

/** Throws unless x is a Tensor. */
export function checkTensorInput(op: string, x: unknown, what = 'input'): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: ${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
  return x;
}

/** Throws unless v is a finite number (optionally within [min, max]). */
export function checkNumber(op: string, name: string, v: unknown, min = -Infinity, max = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = min === -Infinity && max === Infinity ? 'a finite number' : `a number in [${min}, ${max}]`;
    throw new ValueError(`${op}: ${name} must be ${range}, got ${String(v)}`);
  }
  return v;
}

/**
 * How a loss folds its per-element values: 'mean' (default of most losses), 'sum',
 * 'none' (the per-element tensor), or 'batchmean' (the sum divided by the batch size N,
 * the first axis; a 1-D tensor counts as one sample). 'batchmean' gives the notes'
 * −1/m Σᵢ Σₖ … form and the mathematically correct KL divergence of a batch.
 */
export type Reduction = 'mean' | 'sum' | 'none' | 'batchmean';

const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none', 'batchmean'];

/** Throws unless r is a known reduction. */
export function checkReduction(op: string, r: unknown): Reduction {
  if (!(REDUCTIONS as readonly unknown[]).includes(r)) {
    throw new ValueError(`${op}: reduction must be one of ${REDUCTIONS.map((x) => `'${x}'`).join(', ')}, got ${JSON.stringify(r)}`);
  }
  return r as Reduction;
}

/** Applies a reduction to per-element losses. */
export function reduce(op: string, loss: Tensor, reduction: Reduction): Tensor {
  switch (checkReduction(op, reduction)) {
    case 'none': return loss;
    case 'sum': return loss.sum();
    case 'mean': return loss.mean();
    case 'batchmean': return loss.sum().div(loss.ndim >= 2 ? loss.shape[0] : 1);
  }
}

/** Prediction and target must have the same shape: broadcasting [N,1] against [N] is a classic silent bug. */
export function checkSameShape(op: string, prediction: Tensor, target: Tensor, names: [string, string] = ['prediction', 'target']): void {
  if (!shapesEqual(prediction.shape, target.shape)) {
    throw new ShapeError(`${op}: ${names[0]} ${fmtShape(prediction.shape)} and ${names[1]} ${fmtShape(target.shape)} have different shapes (they must match element for element)`);
  }
}

/** The target in the prediction's dtype (int32 labels become floats). */
export function asFloatLike(target: Tensor, like: Tensor): Tensor {
  return target.dtype === like.dtype ? target : target.cast(like.dtype);
}
