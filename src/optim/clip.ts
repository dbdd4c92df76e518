import { isOwnedGradient } from '../autograd/index.js';
import { allocate, Tensor, ValueError } from '../tensor/index.js';

function gradsOf(op: string, params: Tensor | readonly Tensor[]): Tensor[] {
  const list = params instanceof Tensor ? [params] : params;
  if (!Array.isArray(list)) throw new ValueError(`${op}: params must be a Tensor or an array of Tensors`);
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ValueError(`${op}: parameter ${i} is not a Tensor`);
  });
  return list.filter((p) => p.grad !== null);
}

/**
 * Gives p the gradient f(g) elementwise: a new tensor, since after backward several tensors
 * may share one gradient's storage, or in place for a gradient kept by
 * `zeroGrad({ setToNone: false })`, whose storage is its own (and in wasm memory).
 */
function mapGrad(p: Tensor, f: (g: number) => number): void {
  const g = p.grad!;
  if (isOwnedGradient(g)) {
    for (let i = 0; i < g.data.length; i++) g.data[i] = f(g.data[i]);
    return;
  }
  const out = allocate(g.dtype, g.size);
  for (let i = 0; i < out.length; i++) out[i] = f(g.data[i]);
  p.grad = new Tensor(out, g.shape);
}

/**
 * Rescales the gradients of params so that their joint norm (all gradients as one vector) is
 * at most maxNorm, as PyTorch's clip_grad_norm_: when the norm N exceeds maxNorm each
 * gradient is multiplied by maxNorm / (N + 1e-6). normType is p of the p-norm (2 by default,
 * Infinity for the largest |g|). Returns N, the norm before clipping. Parameters without a
 * gradient are skipped. errorIfNonfinite throws a ValueError when N is NaN or infinite.
 */
export function clipGradNorm(
  params: Tensor | readonly Tensor[],
  maxNorm: number,
  normType = 2,
  options: { errorIfNonfinite?: boolean } = {},
): number {
  const op = 'clipGradNorm';
  if (!(typeof maxNorm === 'number' && maxNorm >= 0)) throw new ValueError(`${op}: invalid maxNorm ${String(maxNorm)} (expected a number ≥ 0)`);
  if (!(typeof normType === 'number' && normType > 0)) throw new ValueError(`${op}: invalid normType ${String(normType)} (expected a number > 0 or Infinity)`);
  const withGrad = gradsOf(op, params);
  if (withGrad.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const p of withGrad) {
      for (const v of p.grad!.data) {
        const a = Math.abs(v);
        if (a > total || Number.isNaN(a)) total = a; // a NaN, once seen, stays
      }
    }
  } else {
    for (const p of withGrad) for (const v of p.grad!.data) total += Math.abs(v) ** normType;
    total **= 1 / normType;
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new ValueError(`${op}: the total gradient norm is ${total}; the gradients hold NaN or infinite values`);
  }
  const coef = maxNorm / (total + 1e-6);
  // NaN norms propagate into the gradients (coef is NaN), as in PyTorch.
  if (coef < 1 || Number.isNaN(coef)) for (const p of withGrad) mapGrad(p, (g) => g * coef);
  return total;
}

/**
 * Clamps every gradient element of params into [−clipValue, clipValue] (PyTorch's
 * clip_grad_value_). Parameters without a gradient are skipped.
 */
export function clipGradValue(params: Tensor | readonly Tensor[], clipValue: number): void {
  const op = 'clipGradValue';
  if (!(typeof clipValue === 'number' && clipValue >= 0)) throw new ValueError(`${op}: invalid clipValue ${String(clipValue)} (expected a number ≥ 0)`);
  for (const p of gradsOf(op, params)) mapGrad(p, (g) => (g > clipValue ? clipValue : g < -clipValue ? -clipValue : g));
}
