/**
 * `explain.gradcheck(model, x, y, {loss})`: backprop's gradients against numerical ones, for
 * every parameter of a Sequential of Linear layers and activations.
 */
import { noGrad } from '../autograd/index.js';
import type { Loss, Sequential } from '../nn/index.js';
import { DTypeError, ValueError, type NestedNumbers, type Tensor } from '../tensor/index.js';
import { asBatch, backprop, forwardPass, resolveLoss, tracedLayers } from './backprop.js';
import { costSpec } from './factors.js';

const OP = 'explain.gradcheck';

/** Options of `explain.gradcheck`. */
export interface GradcheckOptions {
  /** The cost, as for explain.backprop (default 'halfSSE'). */
  loss?: Loss | string;
  /** Finite-difference step h (default 1e-4; the five-point stencil's error is O(h⁴)). */
  eps?: number;
  /**
   * Relative errors are |b − n| / max(|b|, |n|, floor), so gradients below floor compare
   * absolutely: the numerical derivative carries rounding noise of about 1e-16·|C|/h
   * (default 1e-6).
   */
  floor?: number;
}

/** The comparison for one parameter tensor. */
export interface ParameterCheck {
  /** Dotted parameter name, e.g. '0.weight'. */
  name: string;
  /** The notes' symbol, e.g. 'W^(1)' or 'b^(2)'. */
  symbol: string;
  shape: number[];
  /** Largest relative error over the tensor's elements. */
  maxRelError: number;
  /** Largest absolute error over the tensor's elements. */
  maxAbsError: number;
  /** The element with the largest relative error, as [row, column] or [k]. */
  worstIndex: number[];
  /** backprop's value there. */
  backprop: number;
  /** The numerical value there. */
  numerical: number;
}

/** What `explain.gradcheck` found. */
export interface GradcheckReport {
  format: 'nabla.explain.gradcheck/1';
  eps: number;
  floor: number;
  /** How the numerical gradient was taken. */
  method: string;
  parameters: ParameterCheck[];
  /** The largest relative error over every parameter. */
  maxRelError: number;
  /** The parameter holding it. */
  worst: ParameterCheck;
}

/**
 * For every weight and bias, compares ∂C/∂θ from explain.backprop (autograd) with the
 * numerical derivative (8[C(θ+h) − C(θ−h)] − [C(θ+2h) − C(θ−2h)]) / 12h, in float64 (the
 * model must be float64: float32 cannot resolve the differences). The model's values are
 * restored afterwards. x [n_0] or [N, n_0], y [n_L] or [N, n_L].
 */
export function gradcheck(model: Sequential, x: Tensor | NestedNumbers, y: Tensor | NestedNumbers, options: GradcheckOptions = {}): GradcheckReport {
  const layers = tracedLayers(model, OP);
  const dtype = layers[0].linear.weight.dtype;
  if (dtype !== 'float64') throw new DTypeError(`${OP}: the model is ${dtype}; gradient checks need float64 parameters (finite differences in float32 are too coarse)`);
  const h = options.eps ?? 1e-4;
  const floor = options.floor ?? 1e-6;
  if (!(h > 0 && Number.isFinite(h))) throw new ValueError(`${OP}: eps must be a positive number, got ${String(h)}`);
  if (!(floor > 0 && Number.isFinite(floor))) throw new ValueError(`${OP}: floor must be a positive number, got ${String(floor)}`);
  const lossModule = resolveLoss(OP, options.loss);
  const trace = backprop(model, x, y, { loss: lossModule });
  const sizes = trace.sizes;
  const xt = asBatch(OP, 'input x', x, sizes[0], 'float64');
  const yt = asBatch(OP, 'target y', y, sizes[sizes.length - 1], 'float64');
  const cost = costSpec(lossModule, layers[layers.length - 1].spec, OP);
  const evaluate = (): number => noGrad(() => forwardPass(layers, lossModule, cost, xt, yt).cost.item());

  const parameters: ParameterCheck[] = [];
  const names = new Map(model.namedParameters().map(([name, p]) => [p, name]));
  layers.forEach((layer, l) => {
    const entries: [Tensor | null, string, number[]][] = [
      [layer.linear.weight, `W^(${l + 1})`, trace.layers[l].dW.flat()],
      [layer.linear.bias, `b^(${l + 1})`, trace.layers[l].db ?? []],
    ];
    for (const [p, symbol, analytic] of entries) {
      if (!p) continue;
      const check: ParameterCheck = {
        name: names.get(p) ?? symbol, symbol, shape: [...p.shape], maxRelError: 0, maxAbsError: 0, worstIndex: [], backprop: 0, numerical: 0,
      };
      for (let k = 0; k < p.size; k++) {
        const orig = p.data[k];
        const at = (v: number): number => { p.data[k] = v; return evaluate(); };
        let numerical: number;
        try {
          // Differences first: equal costs (a dead ReLU) give exactly 0, not rounding noise.
          const near = at(orig + h) - at(orig - h);
          const far = at(orig + 2 * h) - at(orig - 2 * h);
          numerical = (8 * near - far) / (12 * h);
        } finally {
          p.data[k] = orig;
        }
        const b = analytic[k];
        const abs = Math.abs(b - numerical);
        const rel = abs / Math.max(Math.abs(b), Math.abs(numerical), floor);
        check.maxAbsError = Math.max(check.maxAbsError, abs);
        if (rel > check.maxRelError || check.worstIndex.length === 0 || Number.isNaN(rel)) {
          check.maxRelError = Number.isNaN(rel) ? Number.NaN : rel;
          check.worstIndex = p.ndim === 2 ? [Math.floor(k / p.shape[1]), k % p.shape[1]] : [k];
          check.backprop = b;
          check.numerical = numerical;
        }
      }
      parameters.push(check);
    }
  });
  const worst = parameters.reduce((w, c) => (c.maxRelError > w.maxRelError || Number.isNaN(c.maxRelError) ? c : w), parameters[0]);
  return {
    format: 'nabla.explain.gradcheck/1', eps: h, floor, method: 'five-point central differences',
    parameters, maxRelError: worst.maxRelError, worst,
  };
}
