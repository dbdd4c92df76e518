import { kernelsFor, ValueError, type Tensor } from '../tensor/index.js';
import {
  checkBoolean, checkNonNegative, checkUnitInterval, Optimizer,
  gradientArray, type Closure, type ParamGroup, type Params,
} from './optimizer.js';

/** Options of Adam and AdamW (PyTorch's names and defaults). */
export type AdamOptions = {
  lr: number;
  /** Decay rates [β₁, β₂] of the first and second moment estimates, each in [0, 1). */
  betas: readonly [number, number];
  /** Added to the bias-corrected root of the second moment. */
  eps: number;
  /** Adam: λ·p is added to the gradient (L2). AdamW: p ← p·(1 − lr·λ) before the step (decoupled). */
  weightDecay: number;
  /** AMSGrad: divide by the largest second moment seen so far instead of the current one. */
  amsgrad: boolean;
  /** Decoupled weight decay (what AdamW sets; PyTorch's Adam option of the same name). */
  decoupledWeightDecay: boolean;
};

/** Keras-style names accepted besides `betas`. */
export type AdamAliases = { beta1: number; beta2: number };

/** step: t; expAvg: m; expAvgSq: v; maxExpAvgSq: max over steps of v (amsgrad only). */
export type AdamState = { step: number; expAvg: Tensor; expAvgSq: Tensor; maxExpAvgSq: Tensor | null };

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupledWeightDecay: false };
const ADAMW_DEFAULTS: AdamOptions = { ...ADAM_DEFAULTS, weightDecay: 0.01, decoupledWeightDecay: true };

/**
 * PyTorch's Adam / AdamW rule for one parameter p [n] with gradient g [n] at step t:
 *   AdamW: p ← p·(1 − lr·λ);  Adam: g ← g + λ·p;
 *   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  (amsgrad) v̂ ← max(v̂, v), used for v below;
 *   p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps).
 */
export function adamUpdate(p: Tensor, grad: ArrayLike<number>, state: AdamState, o: AdamOptions): void {
  state.step += 1;
  const [beta1, beta2] = o.betas;
  kernelsFor(p.dtype).adamStep(
    p.data, gradientArray(p, grad), state.expAvg.data, state.expAvgSq.data, state.maxExpAvgSq?.data ?? null,
    { lr: o.lr, beta1, beta2, eps: o.eps, weightDecay: o.weightDecay, decoupledWeightDecay: o.decoupledWeightDecay, step: state.step },
  );
}

function checkAdam(name: string, o: AdamOptions): void {
  if (!Array.isArray(o.betas) || o.betas.length !== 2) throw new ValueError(`${name}: invalid betas ${String(o.betas)} (expected [beta1, beta2])`);
  checkUnitInterval(name, 'betas[0]', o.betas[0]);
  checkUnitInterval(name, 'betas[1]', o.betas[1]);
  checkNonNegative(name, 'eps', o.eps);
  checkNonNegative(name, 'weightDecay', o.weightDecay);
  checkBoolean(name, 'amsgrad', o.amsgrad);
  checkBoolean(name, 'decoupledWeightDecay', o.decoupledWeightDecay);
}

/** betas from beta1/beta2 when those are given (a missing one takes its usual default, 0.9 or 0.999). */
function normalizeBetas(name: string, raw: Record<string, unknown>): Record<string, unknown> {
  const { beta1, beta2, ...rest } = raw;
  if (beta1 === undefined && beta2 === undefined) return raw;
  if (rest.betas !== undefined) throw new ValueError(`${name}: give betas or beta1/beta2, not both`);
  return { ...rest, betas: [beta1 ?? ADAM_DEFAULTS.betas[0], beta2 ?? ADAM_DEFAULTS.betas[1]] };
}

type AdamInput = Partial<AdamOptions & AdamAliases>;

/** The shared class behind Adam and AdamW (they differ in name and defaults). */
export abstract class AdamFamily extends Optimizer<AdamOptions, AdamState> {
  protected constructor(name: string, params: Params<AdamOptions & AdamAliases>, defaults: AdamOptions, options: AdamInput) {
    super(name, params as Params<AdamOptions>, defaults, options as Partial<AdamOptions>);
  }

  protected override normalizeOptions(raw: Record<string, unknown>): Record<string, unknown> {
    return normalizeBetas(this.name, raw);
  }

  protected checkOptions(o: AdamOptions): void {
    checkAdam(this.name, o);
  }

  protected initState(p: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    return { step: 0, expAvg: this.buffer(p), expAvgSq: this.buffer(p), maxExpAvgSq: group.amsgrad ? this.buffer(p) : null };
  }

  /** Updates every parameter that has a gradient; returns the closure's loss when one is given. */
  step(closure?: Closure): Tensor | number | undefined {
    return this.stepEach(closure, adamUpdate);
  }
}

/**
 * Adam: momentum on the gradient (first moment m) divided by the root of the running mean of
 * its square (second moment v), both bias-corrected for their zero start. `weightDecay` adds
 * λ·p to the gradient (L2, PyTorch's Adam); AdamW decouples it. Keras' beta1/beta2 are
 * accepted for betas: `new Adam(params, { lr: 1e-3, betas: [0.9, 0.999] })`.
 */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions & AdamAliases>, options: AdamInput = {}) {
    super('Adam', params, ADAM_DEFAULTS, options);
  }
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter): the parameters shrink by
 * lr·λ each step instead of λ·p joining the gradient, so the decay is not rescaled by v.
 * weightDecay defaults to 0.01.
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions & AdamAliases>, options: AdamInput = {}) {
    super('AdamW', params, ADAMW_DEFAULTS, options);
  }
}
