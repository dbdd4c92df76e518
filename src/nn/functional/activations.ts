/**
 * Activation functions φ(z), elementwise unless an axis is named, with the notes'
 * definitions. Each takes a float tensor z [...] and returns a tensor of the same shape.
 * All are composites of differentiable ops: their gradients come from autograd.
 */
import { where } from '../../ops/index.js';
import { ValueError, type Tensor } from '../../tensor/index.js';
import { checkFloatInput, checkNumber } from './checks.js';
import { normalCdf } from './special.js';

/** Linear / identity: φ(z) = z (Adaline, linear regression). */
export function identity(z: Tensor): Tensor {
  checkFloatInput('identity', z);
  return z;
}

/**
 * Unit step (Heaviside): 0 for z < 0, 0.5 at z = 0, 1 for z > 0 (the notes' perceptron
 * variant). Its gradient is 0 almost everywhere (and undefined at 0), so gradient descent
 * cannot train through it: autograd returns zeros.
 */
export function step(z: Tensor): Tensor {
  checkFloatInput('step', z);
  return z.sign().add(1).mul(0.5);
}

/**
 * Sign (signum): −1 for z < 0, 0 at z = 0, 1 for z > 0. Gradient 0 almost everywhere
 * (undefined at 0): autograd returns zeros, nothing learns through it.
 */
export function sign(z: Tensor): Tensor {
  checkFloatInput('sign', z);
  return z.sign();
}

/**
 * Piece-wise linear (the notes' SVM-style unit): 0 for z ≤ −½, z + ½ for −½ ≤ z ≤ ½,
 * 1 for z ≥ ½. Gradient 1 on the closed middle interval, 0 outside.
 */
export function piecewiseLinear(z: Tensor): Tensor {
  checkFloatInput('piecewiseLinear', z);
  return z.add(0.5).clamp(0, 1);
}

/** Logistic sigmoid 1/(1 + e^{−z}), without overflow for large |z|. φ' = φ(1 − φ). */
export function sigmoid(z: Tensor): Tensor {
  checkFloatInput('sigmoid', z);
  return z.sigmoid();
}

/** Hyperbolic tangent (e^z − e^{−z})/(e^z + e^{−z}). φ' = 1 − φ². */
export function tanh(z: Tensor): Tensor {
  checkFloatInput('tanh', z);
  return z.tanh();
}

/** ReLU max(0, z). φ' = 1 for z > 0, 0 for z < 0 (and 0 at z = 0, as PyTorch). */
export function relu(z: Tensor): Tensor {
  checkFloatInput('relu', z);
  return z.relu();
}

/**
 * Soft ReLU (softplus) log(1 + e^z), or (1/β)·log(1 + e^{βz}) with β ≠ 1. Computed as
 * max(z, 0) + log1p(e^{−|z|}): no overflow (softplus(1000) = 1000) and no loss of digits
 * for very negative z. φ' = sigmoid(βz).
 */
export function softplus(z: Tensor, beta = 1): Tensor {
  checkFloatInput('softplus', z);
  checkNumber('softplus', 'beta', beta);
  if (beta <= 0) throw new ValueError(`softplus: beta must be positive, got ${beta}`);
  const bz = beta === 1 ? z : z.mul(beta);
  // maximum splits the gradient at a tie, so the derivative at 0 is exactly ½ = sigmoid(0).
  const out = bz.maximum(0).add(bz.abs().neg().exp().log1p());
  return beta === 1 ? out : out.div(beta);
}

/** The notes' name for softplus: log(1 + e^z). */
export const softRelu = softplus;

/**
 * Leaky ReLU exactly as the notes write it: φ(z) = ε·z + (1 − ε)·max(0, z), i.e. z for
 * z > 0 and ε·z for z < 0. The notes give no value for ε; the default 0.01 is PyTorch's.
 * The gradient at 0 is ε (PyTorch's choice).
 */
export function leakyRelu(z: Tensor, negativeSlope = 0.01): Tensor {
  checkFloatInput('leakyRelu', z);
  const eps = checkNumber('leakyRelu', 'negativeSlope', negativeSlope);
  return z.mul(eps).add(z.relu().mul(1 - eps));
}

/**
 * Softmax along axis (default last): e^{z_c} / Σ_k e^{z_k}. Outputs lie in (0, 1) and sum
 * to 1 along the axis: a probability for each class, p(Y = c | x) = softmax(z(x))_c.
 * Finite for any finite input (the maximum is subtracted first).
 */
export function softmax(z: Tensor, axis = -1): Tensor {
  checkFloatInput('softmax', z);
  return z.softmax(axis);
}

/** log(softmax(z)) along axis, computed as z − logsumexp(z): no log(0) for very negative logits. */
export function logSoftmax(z: Tensor, axis = -1): Tensor {
  checkFloatInput('logSoftmax', z);
  return z.logSoftmax(axis);
}

/**
 * ELU: z for z > 0, α·(e^z − 1) for z ≤ 0. The negative branch is evaluated on min(z, 0) so
 * that large positive inputs never overflow it. The gradient at 0 is α (PyTorch's choice).
 */
export function elu(z: Tensor, alpha = 1): Tensor {
  checkFloatInput('elu', z);
  checkNumber('elu', 'alpha', alpha);
  return where(z.gt(0), z, z.clamp(undefined, 0).expm1().mul(alpha));
}

/** GELU variants: the exact x·Φ(x) form or the tanh approximation. */
export type GeluApproximation = 'none' | 'tanh';

/**
 * GELU: z·Φ(z) with Φ the standard normal CDF (approximate 'none', the exact erf form,
 * computed with an accurate erfc so very negative z keep their digits), or the tanh
 * approximation ½z(1 + tanh(√(2/π)(z + 0.044715 z³))). The exact form costs about a
 * hundred elementwise ops (erfc is a composite); the tanh form is several times faster.
 */
export function gelu(z: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  checkFloatInput('gelu', z);
  if (approximate === 'tanh') {
    const inner = z.add(z.mul(z.square()).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return z.mul(inner.tanh().add(1)).mul(0.5);
  }
  if (approximate !== 'none') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
  return z.mul(normalCdf(z));
}

/** SiLU (swish): z·sigmoid(z). */
export function silu(z: Tensor): Tensor {
  checkFloatInput('silu', z);
  return z.mul(z.sigmoid());
}
