import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';
import { quadratic, start } from './quadratic';

function rosenbrock(p: nb.Tensor): nb.Tensor {
  const x = p.slice([0], [1]);
  const y = p.slice([1], [2]);
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
}

/** The usual closure: zero the gradients, compute the loss, backward, return it. */
function closureFor(opt: nb.optim.LBFGS, f: () => nb.Tensor): () => nb.Tensor {
  return () => {
    opt.zeroGrad();
    const loss = f();
    loss.backward();
    return loss;
  };
}

describe.each(backends)('LBFGS on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('first iterations by hand: steepest descent scaled by min(1, 1/‖g‖₁), then the two-loop direction', () => {
    const x = start();
    const opt = new nb.optim.LBFGS([x], { maxIter: 1 });
    const closure = closureFor(opt, () => quadratic(x));
    // g₀ = [1,−2], ‖g₀‖₁ = 3, t = 1/3: x₁ = x₀ − g₀/3 = [2/3, −1/3]
    opt.step(closure);
    expectClose(x, [2 / 3, -1 / 3], { atol: 1e-15, rtol: 0 });
    // g₁ = [2/3, −1]; s = [−1/3, 2/3], y = g₁ − g₀ = [−1/3, 1], yᵀs = 7/9, γ = yᵀs/yᵀy = 7/10, ρ = 9/7.
    // Two-loop: q = −g₁, α = ρ·sᵀq = 8/7, q ← q − α·y = [−2/7, −1/7], r = γ·q = [−1/5, −1/10],
    // β = ρ·yᵀr = −3/70, r ← r + (α − β)·s = [−25/42, 29/42]; t = lr = 1: x₂ = [1/14, 5/14]
    opt.step(closure);
    expectClose(x, [1 / 14, 5 / 14], { atol: 1e-15, rtol: 0 });
  });

  it('minimises Rosenbrock from (−1.2, 1) to 1e-6 with the strong-Wolfe line search', () => {
    const p = f64([-1.2, 1], true);
    const opt = new nb.optim.LBFGS([p], { lineSearchFn: 'strongWolfe', maxIter: 100, toleranceGrad: 1e-12, toleranceChange: 1e-14 });
    const closure = closureFor(opt, () => rosenbrock(p));
    for (let k = 0; k < 5; k++) opt.step(closure);
    expectClose(p, [1, 1], { atol: 1e-6, rtol: 0 });
    expect(rosenbrock(p).item()).toBeLessThan(1e-12);
  });

  it("accepts PyTorch's 'strong_wolfe' and minimises Rosenbrock with backtracking too", () => {
    expect(new nb.optim.LBFGS([start()], { lineSearchFn: 'strong_wolfe' as 'strongWolfe' }).paramGroups[0].lineSearchFn).toBe('strongWolfe');
    const p = f64([-1.2, 1], true);
    const opt = new nb.optim.LBFGS([p], { lineSearchFn: 'backtracking', maxIter: 200, toleranceGrad: 1e-12, toleranceChange: 1e-14 });
    const closure = closureFor(opt, () => rosenbrock(p));
    for (let k = 0; k < 5; k++) opt.step(closure);
    expectClose(p, [1, 1], { atol: 1e-6, rtol: 0 });
  });

  it('without a line search minimises a well-conditioned quadratic', () => {
    const x = start();
    // toleranceChange 0: near the minimum the loss changes by ~|x − x*|², which would stop it early.
    const opt = new nb.optim.LBFGS([x], { toleranceGrad: 1e-12, toleranceChange: 0 });
    opt.step(closureFor(opt, () => quadratic(x)));
    expectClose(x, [0.2, 0.4], { atol: 1e-9, rtol: 0 });
  });

  it('returns the first loss, stops at once when the gradient vanishes, and checks its input', () => {
    const x = f64([0.2, 0.4], true);
    const opt = new nb.optim.LBFGS([x]);
    // f(x*) = −½·bᵀA⁻¹b = −½·0.6 = −0.3
    const loss = opt.step(closureFor(opt, () => quadratic(x))) as nb.Tensor;
    expect(loss.item()).toBeCloseTo(-0.3, 14);
    expectClose(x, [0.2, 0.4], { atol: 1e-15, rtol: 0 });
    expect(() => opt.step()).toThrow(/LBFGS.step: needs a closure/);
    expect(() => new nb.optim.LBFGS([x], { historySize: 0 })).toThrow(/LBFGS: invalid historySize 0/);
    expect(() => new nb.optim.LBFGS([x], { lineSearchFn: 'wolfe' as 'strongWolfe' })).toThrow(/LBFGS: invalid lineSearchFn/);
  });
});

describe('line search pieces', () => {
  it('cubicMinimizer finds the minimum of the interpolating cubic, in either order of the points', () => {
    // φ(t) = t³ − 3t, a cubic with its local minimum at t = 1 (φ' = 3t² − 3).
    const phi = (t: number): number => t ** 3 - 3 * t;
    const dphi = (t: number): number => 3 * t * t - 3;
    expect(nb.optim.cubicMinimizer(0, phi(0), dphi(0), 2, phi(2), dphi(2), 0, 2)).toBeCloseTo(1, 14);
    expect(nb.optim.cubicMinimizer(2, phi(2), dphi(2), 0, phi(0), dphi(0), 0, 2)).toBeCloseTo(1, 14);
    // clamped into the bounds, and the midpoint when there is no real minimiser
    expect(nb.optim.cubicMinimizer(0, phi(0), dphi(0), 2, phi(2), dphi(2), 1.5, 2)).toBe(1.5);
    // φ(t) = t³ + t has no minimiser: (0, 0, slope 1) and (1, 2, slope 4) give the midpoint
    expect(nb.optim.cubicMinimizer(0, 0, 1, 1, 2, 4, 0, 1)).toBe(0.5);
  });

  it('strongWolfe returns a step satisfying both conditions', () => {
    // φ(t) = f(x + t·d) for f(x) = (x − 3)², x = 0, d = 1: the exact minimiser is t = 3.
    const phi = (t: number) => ({ f: (t - 3) ** 2, g: Float64Array.of(2 * (t - 3)) });
    const d = Float64Array.of(1);
    const r = nb.optim.strongWolfe(phi, d, 1, 9, Float64Array.of(-6), -6);
    expect(r.f).toBeLessThanOrEqual(9 + 1e-4 * r.t * -6);
    expect(Math.abs(r.g[0])).toBeLessThanOrEqual(0.9 * 6);
  });
});
