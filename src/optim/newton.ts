import { fmtShape, onesLike, Tensor, ValueError, zerosLike } from '../tensor/index.js';
import { enableGrad, propagate } from '../autograd/index.js';
import { choleskySolve, luSolve } from './linalg.js';
import {
  checkNonNegative, checkPositiveInt, Optimizer,
  type Closure, type FloatArray, type ParamGroupInput, type Params,
} from './optimizer.js';

/** Options of Newton's method. */
export type NewtonOptions = {
  /** Step length λ of the notes' W ← W − λ·H⁻¹∇f (1: the full Newton step). */
  lr: number;
  /** Levenberg damping μ: the step solves (H + μI)·Δ = −∇f (0: pure Newton). */
  damping: number;
  /** Largest number of scalar parameters accepted: the Hessian has n² entries and takes n backward passes. */
  maxParams: number;
};

const DEFAULTS: NewtonOptions = { lr: 1, damping: 0, maxParams: 5000 };

/**
 * The gradient g [n] and Hessian H [n, n] (float64, row-major) of a scalar loss with respect
 * to params flattened in order: one backward pass with createGraph gives g as a graph, then
 * one pass per entry of g gives a row of H.
 */
export function gradientAndHessian(loss: Tensor, params: readonly Tensor[]): { g: Float64Array; h: Float64Array } {
  const n = params.reduce((s, p) => s + p.size, 0);
  const offsets = params.map((_, k) => params.slice(0, k).reduce((s, p) => s + p.size, 0));
  const g = new Float64Array(n);
  const h = new Float64Array(n * n);
  const grads = propagate([loss], [onesLike(loss)], true);
  params.forEach((p, k) => {
    const gk = grads.get(p);
    if (!gk) return;
    g.set(gk.data, offsets[k]);
    // A gradient without a graph is constant: those rows of H are zero.
    if (!gk.requiresGrad) return;
    for (let j = 0; j < p.size; j++) {
      const e = zerosLike(gk);
      e.data[j] = 1;
      const row = propagate([gk], [e], false);
      const r = offsets[k] + j;
      params.forEach((q, m) => {
        const hq = row.get(q);
        if (hq) h.set(hq.data, r * n + offsets[m]);
      });
    }
  });
  // H is symmetric in exact arithmetic; averaging removes rounding asymmetry before Cholesky.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (h[i * n + j] + h[j * n + i]);
      h[i * n + j] = s;
      h[j * n + i] = s;
    }
  }
  return { g, h };
}

/**
 * Newton's method with the exact Hessian from autograd: W ← W + lr·Δ with
 * (H + damping·I)·Δ = −∇f, solved in float64 (Cholesky, or LU with pivoting when H + damping·I
 * is not positive definite). It minimises a quadratic in one step; near a minimum it converges
 * quadratically. `step(closure)` needs a closure returning the loss as a Tensor with its graph
 * (it need not call backward). One param group; at most `maxParams` scalars (default 5000).
 */
export class Newton extends Optimizer<NewtonOptions, Record<string, never>> {
  constructor(params: Params<NewtonOptions>, options: Partial<NewtonOptions> = {}) {
    super('Newton', params, DEFAULTS, options);
    this.checkSize();
  }

  /** Throws when the parameters hold more scalars than maxParams; returns their number. */
  private checkSize(): number {
    const { params, maxParams } = this.paramGroups[0];
    const n = params.reduce((s, p) => s + p.size, 0);
    if (n > maxParams) {
      throw new ValueError(`Newton: ${n} parameters exceed maxParams ${maxParams} (the Hessian would be ${n}×${n}); raise maxParams or use LBFGS`);
    }
    return n;
  }

  protected checkOptions(o: NewtonOptions): void {
    checkNonNegative('Newton', 'damping', o.damping);
    checkPositiveInt('Newton', 'maxParams', o.maxParams);
  }

  protected initState(): Record<string, never> {
    return {};
  }

  override addParamGroup(group: ParamGroupInput<NewtonOptions>): void {
    if (this.paramGroups.length > 0) throw new ValueError('Newton: takes one param group (the Hessian couples every parameter)');
    super.addParamGroup(group);
  }

  /** One (damped) Newton step; returns the loss the closure computed before the step. */
  step(closure?: Closure): Tensor {
    if (typeof closure !== 'function') throw new ValueError('Newton.step: needs a closure that returns the loss (a Tensor with its graph)');
    const { params, lr, damping } = this.paramGroups[0];
    const n = this.checkSize();
    const loss = enableGrad(closure);
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      throw new ValueError(`Newton.step: the closure must return the loss as a one-element Tensor, got ${loss instanceof Tensor ? `shape ${fmtShape(loss.shape)}` : typeof loss}`);
    }
    if (!loss.requiresGrad) throw new ValueError('Newton.step: the loss does not depend on the parameters (no graph was recorded)');
    const { g, h } = gradientAndHessian(loss, params);
    for (let i = 0; i < n; i++) {
      h[i * n + i] += damping;
      g[i] = -g[i];
    }
    const delta = choleskySolve(h, g, n) ?? luSolve(h, g, n);
    if (!delta) throw new ValueError(`Newton.step: the Hessian${damping ? ` + ${damping}·I` : ''} is singular; set damping > 0`);
    let offset = 0;
    for (const p of params) {
      const x = p.data as FloatArray;
      for (let i = 0; i < x.length; i++) x[i] += lr * delta[offset + i];
      offset += x.length;
    }
    return loss;
  }
}
