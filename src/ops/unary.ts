import type { UnaryOp } from '../backend/types.js';
import { zerosLike, type DType, type Tensor } from '../tensor/index.js';
import { reluGrad } from './binary.js';
import { checkTensor, overwrittenOutput, record } from './core.js';

/** Ops whose result is a float even for int32 input (as in PyTorch). */
const FLOAT_RESULT = new Set<UnaryOp>(['exp', 'log', 'sqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'log1p', 'expm1', 'reciprocal']);

type Rule = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

/** Each op's gradient, written with differentiable ops so second derivatives work. */
const RULES: Record<UnaryOp, Rule> = {
  neg: (g) => g.neg(),
  abs: (g, x) => g.mul(x.sign()),
  exp: (g, _x, y) => g.mul(y),
  log: (g, x) => g.div(x),
  sqrt: (g, _x, y) => g.div(y.mul(2)),
  sin: (g, x) => g.mul(x.cos()),
  cos: (g, x) => g.mul(x.sin()).neg(),
  tanh: (g, _x, y) => g.mul(y.square().neg().add(1)),
  sigmoid: (g, _x, y) => g.mul(y.mul(y.neg().add(1))),
  relu: (g, x) => reluGrad(g, x),
  // Piecewise constant: zero gradient wherever it exists.
  sign: (_g, x) => zerosLike(x),
  floor: (_g, x) => zerosLike(x),
  ceil: (_g, x) => zerosLike(x),
  round: (_g, x) => zerosLike(x),
  log1p: (g, x) => g.div(x.add(1)),
  expm1: (g, _x, y) => g.mul(y.add(1)),
  reciprocal: (g, _x, y) => g.mul(y.square()).neg(),
  square: (g, x) => g.mul(x.mul(2)),
};

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, x);
  const dtype: DType = x.dtype === 'int32' && FLOAT_RESULT.has(op) ? 'float32' : x.dtype;
  const input = dtype === x.dtype ? x : x.cast(dtype);
  const [y, k] = overwrittenOutput(x.shape, dtype);
  k.unary(op, input.data, y.data);
  return record(y, op, [x], (g) => [RULES[op](g, input, y)]);
}

/** −x, elementwise. Shape unchanged. */
export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
/** |x|; its gradient at 0 is 0. */
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** eˣ. */
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
/** Natural logarithm (−inf at 0, NaN below). */
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const sin = (x: Tensor): Tensor => unaryOp('sin', x);
export const cos = (x: Tensor): Tensor => unaryOp('cos', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** 1/(1+e^(−x)), computed without overflow for large |x|. */
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
/** max(0, x); gradient 0 at x = 0 (PyTorch's choice). */
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
/** −1, 0 or 1; zero gradient almost everywhere. */
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);
export const floor = (x: Tensor): Tensor => unaryOp('floor', x);
export const ceil = (x: Tensor): Tensor => unaryOp('ceil', x);
/** Round half to even. */
export const round = (x: Tensor): Tensor => unaryOp('round', x);
/** log(1+x), accurate for small x. */
export const log1p = (x: Tensor): Tensor => unaryOp('log1p', x);
/** eˣ−1, accurate for small x. */
export const expm1 = (x: Tensor): Tensor => unaryOp('expm1', x);
export const reciprocal = (x: Tensor): Tensor => unaryOp('reciprocal', x);
export const square = (x: Tensor): Tensor => unaryOp('square', x);
