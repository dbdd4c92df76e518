import { kernelsFor, residentZeros, ValueError, type Tensor } from '../tensor/index.js';
import { checkBoolean, checkNonNegative, gradientArray, Optimizer, type Closure, type Params } from './optimizer.js';

/** Options of SGD (PyTorch's names and defaults; lr defaults to 0.01 here). */
export type SGDOptions = {
  lr: number;
  /** Momentum factor μ (0: plain gradient descent). */
  momentum: number;
  /** Dampening τ of the momentum: buf ← μ·buf + (1 − τ)·g. */
  dampening: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** L2 penalty λ: λ·x is added to the gradient. */
  weightDecay: number;
};

/** The velocity buffer; null until the first step, which starts it at the gradient itself. */
export type SGDState = { momentumBuffer: Tensor | null };

const DEFAULTS: SGDOptions = { lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 };

/**
 * PyTorch's SGD rule for one parameter p with gradient g (both [n], flat):
 *   g ← g + λ·p;  buf ← g on the first step, else μ·buf + (1 − τ)·g;
 *   d ← g + μ·buf (Nesterov) or buf;  p ← p − lr·d   (d = g when μ = 0).
 */
export function sgdUpdate(p: Tensor, grad: ArrayLike<number>, state: SGDState, o: SGDOptions): void {
  const { lr, momentum, dampening, nesterov, weightDecay } = o;
  // The first step copies the gradient into the buffer undamped, as PyTorch does.
  const first = momentum !== 0 && state.momentumBuffer === null;
  if (first) state.momentumBuffer = residentZeros(p.shape, p.dtype);
  const buf = momentum !== 0 ? state.momentumBuffer!.data : null;
  kernelsFor(p.dtype).sgdStep(p.data, gradientArray(p, grad), buf, { lr, momentum, dampening, nesterov, weightDecay, first });
}

/**
 * Stochastic gradient descent, p ← p − lr·∇f, with optional momentum (heavy ball or
 * Nesterov), dampening and weight decay: `new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super('SGD', params, DEFAULTS, options);
  }

  protected checkOptions(o: SGDOptions): void {
    checkNonNegative('SGD', 'momentum', o.momentum);
    checkNonNegative('SGD', 'dampening', o.dampening);
    checkNonNegative('SGD', 'weightDecay', o.weightDecay);
    checkBoolean('SGD', 'nesterov', o.nesterov);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ValueError(`SGD: nesterov needs momentum > 0 and dampening 0 (got momentum ${o.momentum}, dampening ${o.dampening})`);
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  /** Updates every parameter that has a gradient; returns the closure's loss when one is given. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, sgdUpdate);
  }
}
