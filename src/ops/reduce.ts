import type { ReduceOp } from '../backend/types.js';
import { ValueError, fmtShape, normalizeAxes, normalizeAxis, sizeOf, Tensor, type DType } from '../tensor/index.js';
import { checkTensor, output, record } from './core.js';
import { where } from './binary.js';

type Axes = number | readonly number[] | undefined;

/** The kernel reduction, shaped with or without the reduced axes. */
function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const keepShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const [y, k] = output(keepShape, x.dtype);
  // An empty sum is 0 and an empty product 1, but an empty max or min has no value.
  const emptySlices = axes.some((a) => x.shape[a] === 0) && y.size > 0;
  if ((op === 'max' || op === 'min') && emptySlices) {
    throw new ValueError(`${op}: cannot reduce over an empty axis of shape ${fmtShape(x.shape)} (axes [${axes.join(',')}])`);
  }
  k.reduce(op, x.data, x.shape, axes, y.data);
  return keepdims ? y : new Tensor(y.data, x.shape.filter((_, i) => !axes.includes(i)));
}

/** Shape of the result with the reduced axes kept as 1 (for broadcasting gradients back). */
function keptShape(x: Tensor, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Sum over axes (all when omitted); keepdims keeps them as length 1. x [..] → reduced shape. */
export function sum(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  checkTensor('sum', x);
  const axes = normalizeAxes('sum', axis, x.ndim);
  const y = reduceRaw('sum', x, axes, keepdims);
  return record(y, 'sum', [x], (g) => [g.reshape(keptShape(x, axes)).broadcastTo(x.shape)]);
}

/** Mean over axes; int32 input gives float32. */
export function mean(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  checkTensor('mean', x);
  const axes = normalizeAxes('mean', axis, x.ndim);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const xf = x.dtype === 'int32' ? x.cast('float32') : x;
  return sum(xf, axes, keepdims).div(n);
}

/** Max or min; the gradient goes to the extreme elements, split equally between ties. */
function extreme(op: 'max' | 'min', x: Tensor, axis: Axes, keepdims: boolean): Tensor {
  checkTensor(op, x);
  const axes = normalizeAxes(op, axis, x.ndim);
  const y = reduceRaw(op, x, axes, keepdims);
  return record(y, op, [x], (g) => {
    const yk = y.detach().reshape(keptShape(x, axes));
    const xd = x.detach();
    // A NaN extreme came from the NaN elements (NaN ≠ NaN, so eq alone would find none).
    const mask = xd.eq(yk).add(xd.ne(xd).mul(yk.ne(yk)));
    const count = mask.sum(axes, true);
    return [g.reshape(keptShape(x, axes)).mul(mask).div(count)];
  });
}

/** Largest value over axes. */
export function max(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  return extreme('max', x, axis, keepdims);
}

/** Smallest value over axes. */
export function min(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  return extreme('min', x, axis, keepdims);
}

/** Product over axes; the gradient is exact at zeros too (see prodGrad). */
export function prod(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  checkTensor('prod', x);
  const axes = normalizeAxes('prod', axis, x.ndim);
  const y = reduceRaw('prod', x, axes, keepdims);
  return record(y, 'prod', [x], (g) => [g.reshape(keptShape(x, axes)).mul(prodGrad(x, axes))]);
}

/**
 * ∂(Π x)/∂xᵢ = Π_{j≠i} xⱼ without dividing by zero: y/xᵢ when a slice has no zero; with one
 * zero, the product of the others lands on the zero and 0 elsewhere; with more, 0 everywhere.
 */
function prodGrad(x: Tensor, axes: number[]): Tensor {
  const isZero = x.detach().eq(0);
  const zeroCount = isZero.sum(axes, true);
  const nonZero = where(isZero, 1, x);
  const others = prod(nonZero, axes, true);
  return where(zeroCount.eq(0), others.div(nonZero), where(isZero.mul(zeroCount.eq(1)), others, 0));
}

/** Variance over axes with Bessel's correction by default (correction = 1, as PyTorch). */
export function variance(x: Tensor, axis?: Axes, keepdims = false, correction = 1): Tensor {
  checkTensor('var', x);
  const axes = normalizeAxes('var', axis, x.ndim);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const xf = x.dtype === 'int32' ? x.cast('float32') : x;
  const centered = xf.sub(xf.mean(axes, true));
  return centered.square().sum(axes, keepdims).div(Math.max(n - correction, 0));
}

/** Standard deviation: √var. */
export function std(x: Tensor, axis?: Axes, keepdims = false, correction = 1): Tensor {
  return variance(x, axis, keepdims, correction).sqrt();
}

/** log Σ exp(x) over axes, shifted by the maximum so it never overflows. */
export function logsumexp(x: Tensor, axis?: Axes, keepdims = false): Tensor {
  checkTensor('logsumexp', x);
  const axes = normalizeAxes('logsumexp', axis, x.ndim);
  const xf = x.dtype === 'int32' ? x.cast('float32') : x;
  const m = reduceRaw('max', xf.detach(), axes, true);
  // An all −inf (or +inf) slice would give inf − inf; shift by 0 there instead.
  const shift = where(m.abs().lt(Infinity), m, 0);
  const out = xf.sub(shift).exp().sum(axes, true).log().add(shift);
  return keepdims ? out : out.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

function argOp(op: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdims: boolean): Tensor {
  checkTensor(op, x);
  if (x.size === 0) throw new ValueError(`${op}: empty tensor of shape ${fmtShape(x.shape)}`);
  if (axis === undefined) {
    const flat = x.reshape([x.size]);
    const r = argOp(op, flat, 0, false);
    return keepdims ? r.reshape(x.shape.map(() => 1)) : r;
  }
  const a = normalizeAxis(op, axis, x.ndim);
  const keep = x.shape.map((d, i) => (i === a ? 1 : d));
  const [y, k] = output(keep, 'int32' as DType);
  k.argReduce(op, x.data, x.shape, a, y.data as Int32Array);
  return keepdims ? y : new Tensor(y.data, x.shape.filter((_, i) => i !== a));
}

/** Index of the largest element along axis (of the flattened tensor when omitted), int32. */
export function argmax(x: Tensor, axis?: number, keepdims = false): Tensor {
  return argOp('argmax', x, axis, keepdims);
}

/** Index of the smallest element along axis, int32. */
export function argmin(x: Tensor, axis?: number, keepdims = false): Tensor {
  return argOp('argmin', x, axis, keepdims);
}
