import type { BinaryOp } from '../backend/types.js';
import { ValueError, broadcastShapes, promote, type DType, Tensor } from '../tensor/index.js';
import { checkTensor, operands, output, overwrittenOutput, record, toTensor, type TensorLike } from './core.js';

type Rule = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

/** Gradients of each arithmetic op; the engine sums them back over broadcast axes. */
const RULES: Partial<Record<BinaryOp, Rule>> = {
  add: (g) => [g, g],
  sub: (g) => [g, g.neg()],
  mul: (g, a, b) => [g.mul(b), g.mul(a)],
  div: (g, a, b) => [g.div(b), g.mul(a).div(b.square()).neg()],
  pow: (g, a, b, y) => [
    // d(a⁰)/da is 0, also at a = 0 where b·a^(b−1) would be 0·inf.
    a.requiresGrad ? where(b.eq(0), 0, g.mul(b).mul(a.pow(b.sub(1)))) : null,
    // d(aᵇ)/db = aᵇ·ln a; only asked for when the exponent is a variable. At a = 0 (b ≥ 0)
    // the limit is 0, not 0·(−inf) = NaN, as in PyTorch.
    b.requiresGrad ? where(a.eq(0).mul(b.ge(0)), 0, g.mul(y).mul(a.log())) : null,
  ],
  // Ties share the gradient equally, so the rule is symmetric (PyTorch does the same).
  maximum: (g, a, b) => {
    const share = a.gt(b).add(a.eq(b).mul(0.5));
    return [g.mul(share), g.mul(share.neg().add(1))];
  },
  minimum: (g, a, b) => {
    const share = a.lt(b).add(a.eq(b).mul(0.5));
    return [g.mul(share), g.mul(share.neg().add(1))];
  },
  // Linear in g with a mask that is piecewise constant in x: no gradient reaches x.
  reluGrad: (g, _a, b) => [reluGrad(g, b), null],
};

/** Result dtype: true division and powers of floats give floats; int32 stays int32 otherwise. */
function resultDType(op: BinaryOp, dtype: DType): DType {
  return op === 'div' && dtype === 'int32' ? 'float32' : dtype;
}

function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb, common] = operands(op, a, b);
  const shape = broadcastShapes(op, ta.shape, tb.shape);
  const dtype = resultDType(op, common);
  const ca = ta.dtype === dtype ? ta : ta.cast(dtype);
  const cb = tb.dtype === dtype ? tb : tb.cast(dtype);
  // 2 ** -1 has no int32 value; storing 0.5 as 0 would be a silent wrong answer.
  if (op === 'pow' && dtype === 'int32' && cb.data.some((v) => v < 0)) {
    throw new ValueError('pow: int32 base with a negative int32 exponent has no integer result (cast to float first)');
  }
  const [y, k] = overwrittenOutput(shape, dtype);
  k.binary(op, ca.data, ca.shape, cb.data, cb.shape, y.data, shape);
  const rule = RULES[op];
  if (!rule) return y; // comparisons carry no gradient
  return record(y, op, [ca, cb], (g) => rule(g, ca, cb, y));
}

/**
 * g where x > 0, else 0 (g and x broadcast): ReLU's backward in one pass instead of a
 * comparison and a product. Its own gradient goes to g only.
 */
export const reluGrad = (g: TensorLike, x: TensorLike): Tensor => binaryOp('reluGrad', g, x);
/** a + b with numpy broadcasting. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
/** a − b with broadcasting. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
/** a · b elementwise with broadcasting. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
/** a / b with broadcasting (true division: int32 operands give float32). */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b);
/** aᵇ with broadcasting. */
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b);
/** Elementwise larger value (NaN wins). */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('maximum', a, b);
/** Elementwise smaller value (NaN wins). */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('minimum', a, b);
/** 1 where a = b, else 0, in the operands' common dtype. No gradient. */
export const eq = (a: TensorLike, b: TensorLike): Tensor => binaryOp('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => binaryOp('le', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binaryOp('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => binaryOp('ge', a, b);

/**
 * cond ? a : b elementwise, all three broadcast together; cond is true where non-zero.
 * The gradient flows to a where cond holds and to b elsewhere.
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'cond');
  const [ta, tb, dtype] = operands('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  const ca = ta.dtype === dtype ? ta : ta.cast(dtype);
  const cb = tb.dtype === dtype ? tb : tb.cast(dtype);
  const [y, k] = output(shape, dtype);
  k.where(cond.data, cond.shape, ca.data, ca.shape, cb.data, cb.shape, y.data, shape);
  return record(y, 'where', [ca, cb], (g) => [
    ca.requiresGrad ? where(cond, g, 0) : null,
    cb.requiresGrad ? where(cond, 0, g) : null,
  ]);
}

/**
 * Limits x to [min, max] (either bound optional). The gradient is 1 inside the closed
 * interval and 0 outside, as in PyTorch.
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  checkTensor('clamp', x);
  const lo = min === undefined ? null : toTensor('clamp', min, x.dtype);
  const hi = max === undefined ? null : toTensor('clamp', max, x.dtype);
  const dtype = promote(x.dtype, promote(lo?.dtype ?? x.dtype, hi?.dtype ?? x.dtype));
  // The values come from the kernels directly; the op gets its own simple gradient.
  const [y, k] = output(x.shape, dtype);
  const xs = x.dtype === dtype ? x : x.cast(dtype);
  y.data.set(xs.data);
  if (lo) k.binary('maximum', y.data, y.shape, lo.cast(dtype).data, [], y.data, y.shape);
  if (hi) k.binary('minimum', y.data, y.shape, hi.cast(dtype).data, [], y.data, y.shape);
  return record(y, 'clamp', [xs], (g) => [g.mul(xs.ge(min ?? -Infinity).mul(xs.le(max ?? Infinity)))]);
}
