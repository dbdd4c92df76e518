import * as nb from 'nabla';

/**
 * The test problem of the hand computations: f(x) = ½·xᵀAx − bᵀx with A = [[3, 1], [1, 2]],
 * b = [1, 1], so ∇f(x) = Ax − b; from x₀ = [1, −1] the first gradient is [1, −2].
 * Minimum at A⁻¹b = [0.2, 0.4].
 */
export function quadratic(x: nb.Tensor): nb.Tensor {
  const a = nb.tensor([[3, 1], [1, 2]], { dtype: x.dtype });
  const b = nb.tensor([1, 1], { dtype: x.dtype });
  const ax = a.matmul(x.reshape([2, 1])).reshape([2]);
  return ax.mul(x).sum().mul(0.5).sub(b.mul(x).sum());
}

/** A fresh x₀ = [1, −1] that requires gradients. */
export function start(dtype: nb.DType = 'float64'): nb.Tensor {
  return nb.tensor([1, -1], { dtype, requiresGrad: true });
}

/** Anything with zeroGrad and step (every optimizer). */
export interface Stepper {
  zeroGrad(): void;
  step(): unknown;
}

/** Takes n steps of opt on the quadratic; returns x after each step. */
export function trajectory(opt: Stepper, x: nb.Tensor, n = 3): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < n; t++) {
    opt.zeroGrad();
    quadratic(x).backward();
    opt.step();
    out.push(Array.from(x.dataSync()));
  }
  return out;
}
