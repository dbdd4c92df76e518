import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';
import { start, trajectory } from './quadratic';

// f(x) = ½xᵀAx − bᵀx, A = [[3,1],[1,2]], b = [1,1], x₀ = [1,−1], g₀ = [1,−2] (see quadratic.ts).
// Expected values follow the update rules as PyTorch's documentation writes them, worked through
// for three steps (first step by hand below; steps 2–3 are the same arithmetic carried on in float64).
const tight = { atol: 1e-13, rtol: 0 };

describe.each(backends)('Adagrad on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('divides by the root of the accumulated squared gradients', () => {
    const x = start();
    // G₁ = g₀² = [1,4]; x₁ = x₀ − 0.1·g₀/(√G₁ + 1e-10) = [1 − 0.1/(1+1e-10), −1 + 0.2/(2+1e-10)]
    // g₁ = [3·0.9 − 0.9 − 1, 0.9 − 1.8 − 1] ≈ [0.8,−1.9], G₂ = [1.64, 7.61], x₂ = x₁ − 0.1·g₁/√G₂ …
    expectClose(trajectory(new nb.optim.Adagrad([x], { lr: 0.1 }), x), [
      [0.90000000001, -0.900000000005],
      [0.8375304952582453, -0.8311250538160274],
      [0.7905539924055629, -0.7759560190520769],
    ], tight);
  });

  it('lrDecay, weightDecay and initialAccumulatorValue', () => {
    const x = start();
    // g = g₀ + 0.1·x₀ = [1.1,−2.1]; G₁ = 0.1 + g² = [1.31, 4.51]; step 1 uses lr/(1 + 0·0.5) = 0.1:
    // x₁ = [1 − 0.11/√1.31, −1 + 0.21/√4.51] = [0.9038925537756828, −0.901114862041574]
    // step 2 uses lr/(1 + 1·0.5), step 3 lr/(1 + 2·0.5)
    const opt = new nb.optim.Adagrad([x], { lr: 0.1, lrDecay: 0.5, weightDecay: 0.1, initialAccumulatorValue: 0.1 });
    expectClose(trajectory(opt, x), [
      [0.9038925537756828, -0.901114862041574],
      [0.8626574646073587, -0.8555492570588522],
      [0.8381592842421367, -0.8278690271159121],
    ], tight);
    const st = opt.stateDict().state['0'];
    expect(st.step).toBe(3);
  });
});

describe.each(backends)('RMSprop on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  const expected = [
    // v₁ = 0.1·g₀² = [0.1, 0.4]; x₁ = x₀ − 0.01·g₀/(√v₁ + 1e-8) = [1 − 0.01/0.316227…, −1 + 0.02/0.632455…]
    [0.9683772243983162, -0.9683772238983162],
    [0.9461584621159576, -0.9456096374351477],
    [0.9279213904809618, -0.9266371086939025],
  ];

  it('averages squared gradients with decay alpha', () => {
    const x = start();
    expectClose(trajectory(new nb.optim.RMSprop([x], { lr: 0.01, alpha: 0.9 }), x), expected, tight);
  });

  it("accepts Keras' rho for alpha", () => {
    const x = start();
    const opt = new nb.optim.RMSprop([x], { lr: 0.01, rho: 0.9 });
    expect(opt.paramGroups[0].alpha).toBe(0.9);
    expectClose(trajectory(opt, x), expected, tight);
  });

  it('centered, with momentum and weight decay', () => {
    const x = start();
    // g = g₀ + 0.1·x₀ = [1.1,−2.1]; v₁ = 0.1·g² = [0.121, 0.441]; m₁ = 0.1·g = [0.11,−0.21]
    // s = √(v₁ − m₁²) + 1e-8 = [√0.1089, √0.3969] = [0.33, 0.63] (+1e-8); b₁ = g/s = [3.333…, −3.333…]
    // x₁ = x₀ − 0.01·b₁ = [0.96666666767…, −0.96666666719…]
    const opt = new nb.optim.RMSprop([x], { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.1 });
    expectClose(trajectory(opt, x), [
      [0.9666666676767677, -0.9666666671957672],
      [0.925320829117407, -0.9247233521577374],
      [0.8838686464472254, -0.8816998737266356],
    ], tight);
  });
});

describe.each(backends)('Adam on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('bias correction makes the first step lr·g/(|g| + eps)', () => {
    const x = start();
    // m₁ = 0.1·g₀, v₁ = 0.001·g₀²; m̂ = m₁/(1 − 0.9) = g₀, v̂ = v₁/(1 − 0.999) = g₀²
    // x₁ = x₀ − 0.1·g₀/(|g₀| + 1e-8) = [1 − 0.1/(1 + 1e-8), −1 + 0.2/(2 + 1e-8)] = [0.900000001, −0.9000000005]
    expectClose(trajectory(new nb.optim.Adam([x], { lr: 0.1 }), x), [
      [0.900000001, -0.9000000005],
      [0.8011874216542196, -0.8001664866221144],
      [0.7048547773798739, -0.700626327895695],
    ], tight);
  });

  it('weightDecay adds λ·x to the gradient (L2)', () => {
    const x = start();
    // g = [1.1,−2.1]: x₁ = x₀ − 0.1·g/(|g| + 1e-8) = [1 − 0.1/(1 + 1e-8/1.1), …]
    expectClose(trajectory(new nb.optim.Adam([x], { lr: 0.1, weightDecay: 0.1 }), x), [
      [0.9000000009090909, -0.9000000004761904],
      [0.801099376333013, -0.8001763067196739],
      [0.704469708875529, -0.7006635296214643],
    ], tight);
  });

  it("beta1/beta2 are accepted for betas", () => {
    const a = start();
    const b = start();
    const viaBetas = trajectory(new nb.optim.Adam([a], { lr: 0.5, betas: [0.9, 0.5] }), a);
    const opt = new nb.optim.Adam([b], { lr: 0.5, beta2: 0.5 });
    expect(opt.paramGroups[0].betas).toEqual([0.9, 0.5]);
    expect(trajectory(opt, b)).toEqual(viaBetas);
  });

  // With β₂ = 0.5 and lr = 0.5, x₁ ≈ [0.5,−0.5] and g₁ ≈ [0,−1.5]: for x[0], v₂ = 0.5·v₁ + 0.5·0² =
  // 0.25 < v₁ = 0.5, so AMSGrad divides by √max(v) = √0.5 where Adam divides by √0.25.
  // Step 2 for x[0], m₂ = 0.9·0.1 = 0.09, 1 − β₁² = 0.19, 1 − β₂² = 0.75:
  //   Adam:    0.5 − 0.5/0.19·0.09/(√0.25/√0.75) = 0.5 − 0.41022… = 0.0897774…
  //   AMSGrad: 0.5 − 0.5/0.19·0.09/(√0.5/√0.75)  = 0.5 − 0.29007… = 0.2099288…
  it('AMSGrad divides by the largest second moment seen', () => {
    const a = start();
    expectClose(trajectory(new nb.optim.Adam([a], { lr: 0.5, betas: [0.9, 0.5] }), a), [
      [0.500000005, -0.5000000025],
      [0.08977744672036198, 0.015918977354409614],
      [0.06312501884344374, 0.5678146325581398],
    ], tight);
    const b = start();
    const ams = new nb.optim.Adam([b], { lr: 0.5, betas: [0.9, 0.5], amsgrad: true });
    expectClose(trajectory(ams, b), [
      [0.500000005, -0.5000000025],
      [0.2099288507732261, 0.015918977354409614],
      [0.09870343413027312, 0.457314922158498],
    ], tight);
    const st = ams.stateDict().state['0'];
    const v = (st.expAvgSq as nb.Tensor).dataSync();
    const vMax = (st.maxExpAvgSq as nb.Tensor).dataSync();
    expect(vMax[0]).toBeGreaterThan(v[0]);
  });
});

describe.each(backends)('AdamW on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('decays the weights directly: x ← x·(1 − lr·λ) before the Adam step', () => {
    const x = start();
    // x₀·(1 − 0.1·0.1) = [0.99,−0.99]; the Adam step on g₀ moves by ≈0.1·sign(g₀): x₁ = [0.890000001, −0.8900000005]
    expectClose(trajectory(new nb.optim.AdamW([x], { lr: 0.1, weightDecay: 0.1 }), x), [
      [0.890000001, -0.8900000004999999],
      [0.7824947390501152, -0.7812873176467016],
      [0.6790185053490617, -0.673990665158531],
    ], tight);
  });

  it('defaults to weightDecay 0.01 and differs from Adam with the same weightDecay', () => {
    const w = new nb.optim.AdamW([start()]);
    expect(w.paramGroups[0].weightDecay).toBe(0.01);
    expect(w.paramGroups[0].lr).toBe(1e-3);
    const a = start();
    const b = start();
    const adam = trajectory(new nb.optim.Adam([a], { lr: 0.1, weightDecay: 0.1 }), a);
    const adamw = trajectory(new nb.optim.AdamW([b], { lr: 0.1, weightDecay: 0.1 }), b);
    expect(Math.abs(adam[0][0] - adamw[0][0])).toBeGreaterThan(0.009);
  });
});
