import type { Tensor } from '../tensor/index.js';
import { checkNonNegative, Optimizer, type Closure, type FloatArray, type ParamGroup, type Params } from './optimizer.js';

/** Options of Adagrad (PyTorch's names and defaults). */
export type AdagradOptions = {
  lr: number;
  /** The step size decays as lr / (1 + (t − 1)·lrDecay) at step t. */
  lrDecay: number;
  /** L2 penalty λ: λ·p is added to the gradient. */
  weightDecay: number;
  /** Starting value of the accumulator G. */
  initialAccumulatorValue: number;
  /** Added to √G so the first steps do not divide by zero. */
  eps: number;
};

/** step: updates so far; sum: the accumulator G = G₀ + Σ g² (the parameter's shape). */
export type AdagradState = { step: number; sum: Tensor };

const DEFAULTS: AdagradOptions = { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };

/**
 * PyTorch's Adagrad rule for one parameter p [n] with gradient g [n]; the notes' G is the
 * running sum of squared gradients:
 *   t ← t + 1;  g ← g + λ·p;  G ← G + g²;  p ← p − lr/(1 + (t−1)·lrDecay) · g / (√G + eps).
 */
export function adagradUpdate(p: Tensor, grad: ArrayLike<number>, state: AdagradState, o: AdagradOptions): void {
  const x = p.data as FloatArray;
  const sum = state.sum.data;
  state.step += 1;
  const clr = o.lr / (1 + (state.step - 1) * o.lrDecay);
  for (let i = 0; i < x.length; i++) {
    const g = o.weightDecay !== 0 ? grad[i] + o.weightDecay * x[i] : grad[i];
    sum[i] += g * g;
    x[i] -= (clr * g) / (Math.sqrt(sum[i]) + o.eps);
  }
}

/**
 * Adagrad: each parameter's step shrinks with the history of its squared gradients, so
 * rarely-updated weights keep larger steps.
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super('Adagrad', params, DEFAULTS, options);
  }

  protected checkOptions(o: AdagradOptions): void {
    checkNonNegative('Adagrad', 'lrDecay', o.lrDecay);
    checkNonNegative('Adagrad', 'weightDecay', o.weightDecay);
    checkNonNegative('Adagrad', 'initialAccumulatorValue', o.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'eps', o.eps);
  }

  protected initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: this.buffer(p, group.initialAccumulatorValue) };
  }

  /** Updates every parameter that has a gradient; returns the closure's loss when one is given. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, adagradUpdate);
  }
}
