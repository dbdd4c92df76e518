import { DTypeError, Generator, ShapeError, ValueError, fmtShape, tensor, zerosLike, Tensor } from '../tensor/index.js';
import { checkDifferentiable, propagate } from './engine.js';

export interface GradOptions {
  /** Record the gradient computation so its result can be differentiated again. */
  createGraph?: boolean;
}

/** Inputs that can be differentiated: ones already in a graph are used as they are. */
function asVariables(op: string, inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((x) => {
    checkDifferentiable(op, x);
    return x.requiresGrad ? x : x.detach().requiresGrad_(true);
  });
}

/**
 * Gradients of a scalar function: `grad(fn, [x, y])` returns [∂fn/∂x, ∂fn/∂y] with the
 * inputs' shapes (zeros where fn does not depend on an input). Leaves' `.grad` stay untouched.
 * With createGraph the results are differentiable (grad of grad).
 */
export function grad(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const vars = asVariables('grad', inputs);
  const out = fn(...vars);
  if (out.size !== 1) throw new ShapeError(`grad: fn must return a one-element tensor, got shape ${fmtShape(out.shape)}`);
  if (!out.requiresGrad) return vars.map((v) => zerosLike(v));
  const grads = propagate([out], [tensor(1, { dtype: out.dtype }).reshape(out.shape)], options.createGraph ?? false);
  return vars.map((v) => grads.get(v) ?? zerosLike(v));
}

/**
 * The Hessian of a scalar function of a flat vector x [n]: an [n, n] tensor from n
 * backward passes through the recorded gradient.
 */
export function hessian(fn: (x: Tensor) => Tensor, x: Tensor): Tensor {
  if (x.ndim !== 1) throw new ShapeError(`hessian: x must be a flat vector [n], got shape ${fmtShape(x.shape)}`);
  checkDifferentiable('hessian', x);
  const xv = x.detach().requiresGrad_(true);
  const [g] = grad(fn, [xv], { createGraph: true });
  const n = x.size;
  const h = new (x.dtype === 'float64' ? Float64Array : Float32Array)(n * n);
  for (let i = 0; i < n; i++) {
    if (!g.requiresGrad) break;
    const e = zerosLike(g);
    e.data[i] = 1;
    const row = propagate([g], [e], false).get(xv);
    if (row) h.set(row.data, i * n);
  }
  return tensor(h, { shape: [n, n] });
}

export interface GradcheckOptions {
  /** Central-difference step. */
  eps?: number;
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance (of the numerical value). */
  rtol?: number;
  /** Shorthand that sets both atol and rtol. */
  tol?: number;
}

function asList(out: Tensor | readonly Tensor[]): Tensor[] {
  return out instanceof Tensor ? [out] : [...out];
}

/**
 * Compares the Jacobian autograd computes with central differences, element by element, in
 * float64 (as PyTorch's gradcheck). Returns true or throws a ValueError naming the input,
 * the element and both values. fn may return one tensor or several.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? options.tol ?? 1e-5;
  const rtol = options.rtol ?? options.tol ?? 1e-3;
  for (const [i, x] of inputs.entries()) {
    if (x.dtype !== 'float64') throw new DTypeError(`gradcheck: input ${i} is ${x.dtype}; gradient checks need float64 (finite differences in float32 are too coarse)`);
  }
  const vars = inputs.map((x) => tensor(x.dataSync(), { shape: x.shape }).requiresGrad_(true));
  const outs = asList(fn(...vars));
  // Analytic Jacobian, one backward pass per output element.
  const analytic: Float64Array[][] = vars.map((v) => outs.map((o) => new Float64Array(o.size * v.size)));
  outs.forEach((o, oi) => {
    if (!o.requiresGrad) return;
    for (let j = 0; j < o.size; j++) {
      const e = zerosLike(o);
      e.data[j] = 1;
      const grads = propagate([o], [e], false);
      vars.forEach((v, vi) => {
        const g = grads.get(v);
        if (g) analytic[vi][oi].set(g.data, j * v.size);
      });
    }
  });
  // Numerical Jacobian by central differences. Recording stays on: fn may itself take
  // gradients (gradgradcheck), which needs the graph. Outputs are copied: a view op
  // (reshape, squeeze) shares the input's storage, which the next perturbation rewrites.
  const evaluate = (): Float64Array[] => asList(fn(...vars)).map((o) => Float64Array.from(o.data));
  vars.forEach((v, vi) => {
    for (let k = 0; k < v.size; k++) {
      const orig = v.data[k];
      v.data[k] = orig + eps;
      const plus = evaluate();
      v.data[k] = orig - eps;
      const minus = evaluate();
      v.data[k] = orig;
      outs.forEach((o, oi) => {
        for (let j = 0; j < o.size; j++) {
          const numeric = (plus[oi][j] - minus[oi][j]) / (2 * eps);
          const a = analytic[vi][oi][j * v.size + k];
          if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
            throw new ValueError(
              `gradcheck: d(output ${oi}[${j}])/d(input ${vi}[${k}]) is ${a} by autograd but ${numeric} numerically (atol ${atol}, rtol ${rtol})`,
            );
          }
        }
      });
    }
  });
  return true;
}

/**
 * Checks second derivatives: gradcheck of x ↦ ∂(Σ w·fn(x))/∂x with fixed random weights w,
 * where the inner gradient is recorded (createGraph).
 */
export function gradgradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const gen = new Generator(1234);
  let weights: Tensor | null = null;
  const firstOrder = (...xs: Tensor[]): Tensor[] => {
    const out = fn(...xs);
    if (!weights) {
      const w = new Float64Array(out.size);
      for (let i = 0; i < w.length; i++) w[i] = 0.5 + gen.uniform();
      weights = tensor(w, { shape: out.shape });
    }
    const w = weights;
    return grad((...ys) => fn(...ys).mul(w).sum(), xs, { createGraph: true });
  };
  return gradcheck(firstOrder, inputs, options);
}
