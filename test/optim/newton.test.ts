import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';
import { quadratic, start } from './quadratic';

function rosenbrock(p: nb.Tensor): nb.Tensor {
  // f(x, y) = (1 − x)² + 100·(y − x²)²
  const x = p.slice([0], [1]);
  const y = p.slice([1], [2]);
  return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
}

describe.each(backends)('Newton on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('minimises a quadratic in one step: x₁ = A⁻¹b', () => {
    const x = start();
    const opt = new nb.optim.Newton([x]);
    const loss = opt.step(() => quadratic(x));
    // f(x₀) = ½(3 − 2 + 2) − 0 = 1.5; A⁻¹b = (1/5)·[[2,−1],[−1,3]]·[1,1] = [0.2, 0.4]
    expect(loss.item()).toBeCloseTo(1.5, 14);
    expectClose(x, [0.2, 0.4], { atol: 1e-10, rtol: 0 });
  });

  it('couples several parameter tensors through the off-diagonal Hessian blocks', () => {
    // z = [u₀, u₁, w₀], f = ½zᵀMz − cᵀz; M⁻¹c solved by hand (Cramer): det M = 18.25,
    // z* = [0.5, 3.5, 25.5] / 18.25 = [0.0273972602…, 0.1917808219…, 1.3972602739…]
    const u = f64([1, 1], true);
    const w = f64([[1]], true);
    const m = f64([[4, 1, 0.5], [1, 3, 1], [0.5, 1, 2]]);
    const c = f64([1, 2, 3]);
    const f = (): nb.Tensor => {
      const z = nb.concat([u, w.reshape([1])]);
      return m.matmul(z.reshape([3, 1])).reshape([3]).mul(z).sum().mul(0.5).sub(c.mul(z).sum());
    };
    new nb.optim.Newton([u, w]).step(f);
    expectClose(u, [0.5 / 18.25, 3.5 / 18.25], { atol: 1e-10, rtol: 0 });
    expectClose(w, [[25.5 / 18.25]], { atol: 1e-10, rtol: 0 });
  });

  it('damping solves (H + μI)Δ = −g; lr scales the step', () => {
    const x = start();
    // (A + I)⁻¹ = (1/11)·[[3,−1],[−1,4]]; Δ = −(1/11)·[3+2, −1−8] = [−5/11, 9/11]; x₁ = [6/11, −2/11]
    new nb.optim.Newton([x], { damping: 1 }).step(() => quadratic(x));
    expectClose(x, [6 / 11, -2 / 11], { atol: 1e-12, rtol: 0 });
    const y = start();
    // half of the full step x* − x₀ = [−0.8, 1.4]
    new nb.optim.Newton([y], { lr: 0.5 }).step(() => quadratic(y));
    expectClose(y, [0.6, -0.3], { atol: 1e-12, rtol: 0 });
  });

  it('jumps to the stationary point of an indefinite quadratic (LU path)', () => {
    const p = f64([1, 2], true);
    // f = x² − y²: H = diag(2, −2) is not positive definite; Newton lands on the saddle (0, 0).
    new nb.optim.Newton([p]).step(() => p.square().mul(f64([1, -1])).sum());
    expectClose(p, [0, 0], { atol: 1e-12, rtol: 0 });
  });

  it('converges on Rosenbrock from a nearby start in a few steps', () => {
    const p = f64([1.2, 1.2], true);
    const opt = new nb.optim.Newton([p]);
    opt.step(() => rosenbrock(p));
    // g = [115.6, −48], H = [[1250, −480], [−480, 200]], det 19600:
    // H⁻¹g = [200·115.6 − 480·48, 480·115.6 − 1250·48] / 19600 = [80, −4512] / 19600
    expectClose(p, [1.2 - 80 / 19600, 1.2 + 4512 / 19600], { atol: 1e-12, rtol: 0 });
    for (let k = 0; k < 4; k++) opt.step(() => rosenbrock(p));
    expectClose(p, [1, 1], { atol: 1e-10, rtol: 0 });
  });

  it('works on float32 parameters (Hessian solved in float64)', () => {
    const x = start('float32');
    new nb.optim.Newton([x]).step(() => quadratic(x));
    expectClose(x, [0.2, 0.4], { atol: 1e-6, rtol: 0 });
  });

  it('refuses more than maxParams parameters, and other misuse, with ValueErrors', () => {
    expect(() => new nb.optim.Newton([nb.zeros([5001], { requiresGrad: true })])).toThrow(/Newton: 5001 parameters exceed maxParams 5000/);
    expect(() => new nb.optim.Newton([start()], { maxParams: 1 })).toThrow(nb.ValueError);
    const ok = new nb.optim.Newton([nb.zeros([5001], { requiresGrad: true })], { maxParams: 6000 });
    expect(ok.paramGroups[0].maxParams).toBe(6000);
    const x = start();
    const opt = new nb.optim.Newton([x]);
    expect(() => opt.step()).toThrow(/Newton.step: needs a closure/);
    // A linear loss has a zero Hessian.
    expect(() => opt.step(() => x.sum())).toThrow(/singular; set damping > 0/);
    expect(() => new nb.optim.Newton([x], { damping: -1 })).toThrow(/Newton: invalid damping -1/);
    expect(() => new nb.optim.Newton([{ params: [x] }, { params: [start()] }])).toThrow(/one param group/);
  });
});
