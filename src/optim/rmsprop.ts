import { ValueError, type Tensor } from '../tensor/index.js';
import { checkBoolean, checkNonNegative, Optimizer, type Closure, type FloatArray, type ParamGroup, type Params } from './optimizer.js';

/** Options of RMSprop (PyTorch's names and defaults; Keras' `rho` is accepted for alpha). */
export type RMSpropOptions = {
  lr: number;
  /** Decay α of the running average of squared gradients (Keras calls it rho). */
  alpha: number;
  /** Added to the root of the average. */
  eps: number;
  /** L2 penalty λ: λ·p is added to the gradient. */
  weightDecay: number;
  /** Momentum factor μ applied to the scaled step (0: none). */
  momentum: number;
  /** Divide by an estimate of the gradient's variance, E[g²] − E[g]², instead of E[g²]. */
  centered: boolean;
};

/** step: updates so far; squareAvg: E[g²]; gradAvg: E[g] (centered only); momentumBuffer (momentum > 0 only). */
export type RMSpropState = { step: number; squareAvg: Tensor; gradAvg: Tensor | null; momentumBuffer: Tensor | null };

const DEFAULTS: RMSpropOptions = { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };

/**
 * PyTorch's RMSprop rule for one parameter p [n] with gradient g [n]:
 *   g ← g + λ·p;  v ← α·v + (1 − α)·g²;  (centered) m ← α·m + (1 − α)·g, v̄ = v − m²;
 *   s = √v̄ + eps;  with momentum: b ← μ·b + g/s, p ← p − lr·b;  else p ← p − lr·g/s.
 */
export function rmspropUpdate(p: Tensor, grad: ArrayLike<number>, state: RMSpropState, o: RMSpropOptions): void {
  const x = p.data as FloatArray;
  const { alpha, eps, lr, momentum, weightDecay } = o;
  const v = state.squareAvg.data;
  const m = state.gradAvg?.data;
  const b = state.momentumBuffer?.data;
  state.step += 1;
  const keep = 1 - alpha; // hoisted: V8 recomputes it per element otherwise
  for (let i = 0; i < x.length; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * x[i] : grad[i];
    v[i] = alpha * v[i] + keep * g * g;
    let s: number;
    if (m) {
      m[i] = alpha * m[i] + keep * g;
      s = Math.sqrt(v[i] - m[i] * m[i]) + eps;
    } else {
      s = Math.sqrt(v[i]) + eps;
    }
    if (b) {
      b[i] = momentum * b[i] + g / s;
      x[i] -= lr * b[i];
    } else {
      x[i] -= (lr * g) / s;
    }
  }
}

/**
 * RMSprop: like Adagrad, but the squared gradients are averaged with exponential decay α,
 * so old gradients are forgotten. `{ rho: 0.9 }` (Keras) is the same as `{ alpha: 0.9 }`.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions & { rho: number }>, options: Partial<RMSpropOptions & { rho: number }> = {}) {
    super('RMSprop', params as Params<RMSpropOptions>, DEFAULTS, options);
  }

  protected override normalizeOptions(raw: Record<string, unknown>): Record<string, unknown> {
    if (raw.rho === undefined) return raw;
    if (raw.alpha !== undefined && raw.alpha !== raw.rho) {
      throw new ValueError(`RMSprop: rho (${String(raw.rho)}) and alpha (${String(raw.alpha)}) name the same option; give one`);
    }
    const { rho, ...rest } = raw;
    return { ...rest, alpha: rho };
  }

  protected checkOptions(o: RMSpropOptions): void {
    checkNonNegative('RMSprop', 'alpha', o.alpha);
    if (o.alpha > 1) throw new ValueError(`RMSprop: invalid alpha ${o.alpha} (expected a number in [0, 1])`);
    checkNonNegative('RMSprop', 'eps', o.eps);
    checkNonNegative('RMSprop', 'weightDecay', o.weightDecay);
    checkNonNegative('RMSprop', 'momentum', o.momentum);
    checkBoolean('RMSprop', 'centered', o.centered);
  }

  protected initState(p: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    return {
      step: 0,
      squareAvg: this.buffer(p),
      gradAvg: group.centered ? this.buffer(p) : null,
      momentumBuffer: group.momentum > 0 ? this.buffer(p) : null,
    };
  }

  /** Updates every parameter that has a gradient; returns the closure's loss when one is given. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, rmspropUpdate);
  }
}
