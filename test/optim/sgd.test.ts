import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';
import { quadratic, start, trajectory } from './quadratic';

// f(x) = ½xᵀAx − bᵀx, A = [[3,1],[1,2]], b = [1,1], x₀ = [1,−1]: ∇f = Ax − b, g₀ = [1,−2].
describe.each(backends)('SGD on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('plain gradient descent: x ← x − lr·g', () => {
    const x = start();
    // x₁ = [1,−1] − 0.1·[1,−2] = [0.9,−0.8]; g₁ = [2.7−0.8−1, 0.9−1.6−1] = [0.9,−1.7]
    // x₂ = [0.81,−0.63]; g₂ = [2.43−0.63−1, 0.81−1.26−1] = [0.8,−1.45]; x₃ = [0.73,−0.485]
    expectClose(trajectory(new nb.optim.SGD([x], { lr: 0.1 }), x), [[0.9, -0.8], [0.81, -0.63], [0.73, -0.485]], { atol: 1e-14, rtol: 0 });
  });

  it('momentum: the first buffer is the gradient itself, then buf ← μ·buf + g', () => {
    const x = start();
    // buf₁ = g₀ = [1,−2], x₁ = [0.9,−0.8]
    // g₁ = [0.9,−1.7], buf₂ = 0.9·[1,−2] + g₁ = [1.8,−3.5], x₂ = [0.9−0.18, −0.8+0.35] = [0.72,−0.45]
    // g₂ = [2.16−0.45−1, 0.72−0.9−1] = [0.71,−1.18], buf₃ = [1.62+0.71, −3.15−1.18] = [2.33,−4.33],
    // x₃ = [0.72−0.233, −0.45+0.433] = [0.487,−0.017]
    const opt = new nb.optim.SGD([x], { lr: 0.1, momentum: 0.9 });
    expectClose(trajectory(opt, x), [[0.9, -0.8], [0.72, -0.45], [0.487, -0.017]], { atol: 1e-14, rtol: 0 });
  });

  it('nesterov: the step is g + μ·buf', () => {
    const x = start();
    // buf₁ = [1,−2], d₁ = g₀ + 0.9·buf₁ = [1.9,−3.8], x₁ = [0.81,−0.62]
    // g₁ = [2.43−0.62−1, 0.81−1.24−1] = [0.81,−1.43], buf₂ = [1.71,−3.23],
    // d₂ = [0.81+1.539, −1.43−2.907] = [2.349,−4.337], x₂ = [0.5751,−0.1863]
    // g₂ = [0.539,−0.7975], buf₃ = [2.078,−3.7045], d₃ = [2.4092,−4.13155], x₃ = [0.33418, 0.226855]
    const opt = new nb.optim.SGD([x], { lr: 0.1, momentum: 0.9, nesterov: true });
    expectClose(trajectory(opt, x), [[0.81, -0.62], [0.5751, -0.1863], [0.33418, 0.226855]], { atol: 1e-14, rtol: 0 });
  });

  it('dampening and weight decay: g ← g + λx, buf ← μ·buf + (1 − τ)·g after the first step', () => {
    const x = start();
    // g₀ + 0.1·x₀ = [1.1,−2.1] = buf₁ (no dampening on the first step), x₁ = [0.89,−0.79]
    // g₁ = [0.88,−1.69] + 0.1·x₁ = [0.969,−1.769]; buf₂ = 0.9·[1.1,−2.1] + 0.5·[0.969,−1.769] = [1.4745,−2.7745]
    // x₂ = [0.74255,−0.51255]; likewise x₃ = [0.57037725,−0.19615475]
    const opt = new nb.optim.SGD([x], { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 });
    expectClose(trajectory(opt, x), [[0.89, -0.79], [0.74255, -0.51255], [0.57037725, -0.19615475]], { atol: 1e-14, rtol: 0 });
  });

  it('float32 parameters keep float32 state and match the float64 values to float32 precision', () => {
    const x = start('float32');
    const opt = new nb.optim.SGD([x], { lr: 0.1, momentum: 0.9 });
    expectClose(trajectory(opt, x), [[0.9, -0.8], [0.72, -0.45], [0.487, -0.017]], { atol: 1e-6, rtol: 0 });
    expect(x.data).toBeInstanceOf(Float32Array);
    const saved = opt.stateDict().state['0'].momentumBuffer as nb.Tensor;
    expect(saved.dtype).toBe('float32');
    // buf₃ = [2.33,−4.33] (see the momentum test)
    expectClose(saved, [2.33, -4.33], { atol: 1e-6, rtol: 0 });
  });

  it('skips parameters without a gradient and returns the closure loss', () => {
    const x = start();
    const y = nb.tensor([5], { dtype: 'float64', requiresGrad: true });
    const opt = new nb.optim.SGD([x, y], { lr: 0.1 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = quadratic(x);
      l.backward();
      return l;
    }) as nb.Tensor;
    // f(x₀) = ½(3 − 2 + 2) − 0 = 1.5
    expect(loss.item()).toBeCloseTo(1.5, 14);
    expectClose(x, [0.9, -0.8], { atol: 1e-14, rtol: 0 });
    expect(y.item()).toBe(5);
  });

  it('param groups have their own options; lr sets every group', () => {
    const x = start();
    const y = start();
    const opt = new nb.optim.SGD([{ params: [x] }, { params: [y], lr: 0.2 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.1, 0.2]);
    quadratic(x).add(quadratic(y)).backward();
    opt.step();
    expectClose(x, [0.9, -0.8], { atol: 1e-14, rtol: 0 });
    expectClose(y, [0.8, -0.6], { atol: 1e-14, rtol: 0 });
    opt.lr = 0.05;
    expect(opt.lr).toBe(0.05);
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.05, 0.05]);
  });

  it('does not write into a gradient shared by two parameters', () => {
    // (a + b).sum(): both gradients may share one array; each parameter still moves by lr·1.
    const a = nb.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = nb.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    a.add(b).sum().backward();
    new nb.optim.SGD([a, b], { lr: 0.5, momentum: 0.9 }).step();
    expectClose(a, [0.5, 1.5], { atol: 0, rtol: 0 });
    expectClose(b, [2.5, 3.5], { atol: 0, rtol: 0 });
  });
});
