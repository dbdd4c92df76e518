/**
 * `explain.backprop(model, x, y, {loss, lr})`: one forward and backward pass of a Sequential
 * of Linear layers and activations, written out per layer as the notes do it by hand.
 */
import { propagate, enableGrad } from '../autograd/index.js';
import { Linear, Loss, Module, Sequential, loss as lossByName } from '../nn/index.js';
import { ShapeError, Tensor, ValueError, fmtShape, onesLike, tensor, type NestedNumbers } from '../tensor/index.js';
import { activationSpec, costSpec, softmaxBackward, type ActivationSpec, type CostSpec } from './factors.js';
import type { BackpropTrace, LayerTrace, NotesPrinted, TraceCheck, TraceLabels } from './types.js';

const OP = 'explain.backprop';

/** A Linear layer and the activation module after it (null: none, the identity). */
export interface TracedLayer {
  linear: Linear;
  activation: Module | null;
  spec: ActivationSpec;
}

/**
 * Splits a Sequential into (Linear, activation) pairs. Throws a ValueError naming the
 * module when the model holds anything else (Dropout, Conv2d, …) or two activations in a row.
 */
export function tracedLayers(model: Sequential, op = OP): TracedLayer[] {
  if (!(model instanceof Sequential)) throw new ValueError(`${op}: the model must be an nn.Sequential of Linear layers and activations`);
  const layers: { linear: Linear; activation: Module | null }[] = [];
  for (const [name, m] of model.namedChildren()) {
    if (m instanceof Linear) {
      layers.push({ linear: m, activation: null });
      continue;
    }
    const last = layers.at(-1);
    if (!last) throw new ValueError(`${op}: module ${name} (${m.describe()}) comes before any Linear layer; the trace starts with a Linear layer`);
    if (last.activation) throw new ValueError(`${op}: module ${name} (${m.describe()}) follows another activation; the trace expects Linear, activation, Linear, …`);
    last.activation = m;
  }
  if (layers.length === 0) throw new ValueError(`${op}: the model has no Linear layer`);
  const dtype = layers[0].linear.weight.dtype;
  return layers.map((l, i) => {
    if (l.linear.weight.dtype !== dtype) throw new ValueError(`${op}: layer ${i + 1} is ${l.linear.weight.dtype} but layer 1 is ${dtype}; use one dtype`);
    if (i > 0 && l.linear.inFeatures !== layers[i - 1].linear.outFeatures) {
      throw new ShapeError(`${op}: layer ${i + 1} (${l.linear.describe()}) takes ${l.linear.inFeatures} inputs but layer ${i} gives ${layers[i - 1].linear.outFeatures}`);
    }
    return { ...l, spec: activationSpec(l.activation, `${op}: layer ${i + 1}`) };
  });
}

/** x or y as an [N, n] tensor of the model's dtype (a single example [n] becomes [1, n]). */
export function asBatch(op: string, what: string, v: Tensor | NestedNumbers, n: number, dtype: 'float32' | 'float64'): Tensor {
  let t: Tensor;
  try {
    t = v instanceof Tensor ? v : tensor(v, { dtype });
  } catch (e) {
    throw new ValueError(`${op}: ${what} must be numbers, [n] for one example or [N, n] for a batch (${(e as Error).message})`);
  }
  if (t.dtype !== dtype) t = t.cast(dtype);
  if (t.ndim === 1) t = t.reshape([1, t.shape[0]]);
  if (t.ndim !== 2 || t.shape[1] !== n || t.shape[0] === 0) {
    throw new ShapeError(`${op}: ${what} has shape ${fmtShape(t.shape)}, expected [${n}] for one example or [N, ${n}] for a batch`);
  }
  return t.detach();
}

/** The loss module to use: a Loss, a name for nn.loss(), or the notes' default Σ½(y − ŷ)². */
export function resolveLoss(op: string, l: Loss | string | undefined): Loss {
  if (l === undefined) return lossByName('halfSSE');
  if (typeof l === 'string') return lossByName(l);
  if (l instanceof Loss) return l;
  throw new ValueError(`${op}: loss must be an nn.Loss or a loss name, got ${typeof l}`);
}

/** The forward pass recorded for autograd: z and a per layer, and the cost C. */
export interface ForwardPass {
  z: Tensor[];
  a: Tensor[];
  cost: Tensor;
}

/** Runs x through the layers and the cost, recording the graph (even inside noGrad). */
export function forwardPass(layers: readonly TracedLayer[], lossModule: Loss, cost: CostSpec, x: Tensor, y: Tensor): ForwardPass {
  return enableGrad(() => {
    const z: Tensor[] = [];
    const a: Tensor[] = [];
    let prev = x;
    for (const l of layers) {
      const zl = l.linear.forward(prev);
      const al = l.activation ? l.activation.forward(zl) : zl;
      z.push(zl);
      a.push(al);
      prev = al;
    }
    const c = lossModule.forward(cost.onLogits ? z[z.length - 1] : prev, y);
    if (c.size !== 1) throw new ShapeError(`${OP}: the cost has shape ${fmtShape(c.shape)}, expected one number`);
    return { z, a, cost: c };
  });
}

/** Options of `explain.backprop`. */
export interface BackpropOptions {
  /** The cost: an nn.Loss or a name for nn.loss() ('halfSSE', 'bce', 'crossEntropy', …); default 'halfSSE'. */
  loss?: Loss | string;
  /** λ: include W − λ ∂C/∂W and b − λ ∂C/∂b (the model itself is not changed). */
  lr?: number;
  /** Names for neurons and parameters, carried into the trace for the renderers. */
  labels?: TraceLabels;
  /** Numbers the notes print differently, shown next to the correct ones. */
  notesPrinted?: NotesPrinted[];
  /** A line saying where the example comes from. */
  description?: string;
}

const rows = (t: Tensor): number[][] => {
  const [n, k] = t.shape;
  return Array.from({ length: n }, (_, i) => Array.from(t.data.subarray(i * k, (i + 1) * k)));
};
const matrix = (t: Tensor): number[][] => rows(t.ndim === 1 ? t.reshape([1, t.size]) : t);
const zerosLikeRows = (m: number[][]): number[][] => m.map((r) => r.map(() => 0));

/** Collects the largest disagreement between autograd and the chain rule. */
class Comparison {
  maxAbsDiff = 0;
  worst = '';
  ok = true;
  constructor(readonly atol: number, readonly rtol: number) {}

  add(what: string, autograd: number[][], explicit: number[][]): void {
    autograd.forEach((row, i) => row.forEach((g, k) => {
      const d = Math.abs(g - explicit[i][k]);
      if (!(d <= this.atol + this.rtol * Math.abs(g))) this.ok = false;
      if (d > this.maxAbsDiff || Number.isNaN(d)) {
        this.maxAbsDiff = Number.isNaN(d) ? Number.NaN : d;
        this.worst = what === 'C' ? 'C' : `${what}[${i}][${k}]`;
      }
    }));
  }

  result(): TraceCheck {
    return { maxAbsDiff: this.maxAbsDiff, worst: this.worst, ok: this.ok, atol: this.atol, rtol: this.rtol };
  }
}

/**
 * One forward and backward pass for one example x [n_0] or a batch [N, n_0] with targets
 * y [n_L] / [N, n_L], written out per layer: the input a^(l−1), z^(l), a^(l), the chain-rule
 * factors ∂C/∂a^(l), f'(z^(l)) and (W^(l+1))ᵀ δ^(l+1), δ^(l), ∂C/∂W^(l) and ∂C/∂b^(l) (those
 * three from autograd, checked against the chain rule written out with plain numbers, see
 * `trace.check`), and with `lr` the weights after one gradient step. The model is not
 * changed and no `.grad` is touched.
 *
 *     const trace = nb.explain.backprop(model, [0.05, 0.1], [0.01, 0.99], { loss: 'halfSSE', lr: 0.5 });
 *     console.log(nb.explain.renderText(trace));
 */
export function backprop(model: Sequential, x: Tensor | NestedNumbers, y: Tensor | NestedNumbers, options: BackpropOptions = {}): BackpropTrace {
  const layers = tracedLayers(model);
  const dtype = layers[0].linear.weight.dtype as 'float32' | 'float64';
  const sizes = [layers[0].linear.inFeatures, ...layers.map((l) => l.linear.outFeatures)];
  const xt = asBatch(OP, 'input x', x, sizes[0], dtype);
  const yt = asBatch(OP, 'target y', y, sizes[sizes.length - 1], dtype);
  if (xt.shape[0] !== yt.shape[0]) throw new ShapeError(`${OP}: ${xt.shape[0]} inputs but ${yt.shape[0]} targets`);
  const lr = options.lr;
  if (lr !== undefined && !(typeof lr === 'number' && Number.isFinite(lr))) throw new ValueError(`${OP}: lr must be a finite number, got ${String(lr)}`);
  const lossModule = resolveLoss(OP, options.loss);
  const cost = costSpec(lossModule, layers[layers.length - 1].spec, OP);

  const pass = forwardPass(layers, lossModule, cost, xt, yt);
  const grads = propagate([pass.cost], [onesLike(pass.cost)], false);
  const gradOf = (t: Tensor | null, like: number[][]): number[][] => {
    const g = t ? grads.get(t) : undefined;
    return g ? matrix(g) : zerosLikeRows(like);
  };

  const n = xt.shape[0];
  const target = rows(yt);
  const input = rows(xt);
  const yHat = rows(pass.a[pass.a.length - 1]);
  const scale = cost.scale(n, sizes[sizes.length - 1]);
  const terms = cost.terms(yHat, target);
  const explicitCost = scale * terms.flat().reduce((s, v) => s + v, 0);
  const check = dtype === 'float64' ? new Comparison(1e-12, 1e-9) : new Comparison(1e-6, 1e-3);
  const costValue = pass.cost.item();
  check.add('C', [[costValue]], [[explicitCost]]);

  // The chain rule from the output back, with plain numbers.
  const traces: LayerTrace[] = new Array(layers.length);
  let dCda = cost.dCda(yHat, target, scale);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    const z = rows(pass.z[l]);
    const a = rows(pass.a[l]);
    const prev = l === 0 ? input : rows(pass.a[l - 1]);
    const weight = matrix(layer.linear.weight);
    const bias = layer.linear.bias ? Array.from(layer.linear.bias.data) : null;
    const prime = layer.spec.prime;
    const fprime = prime ? z.map((row, i) => row.map((v, k) => prime(v, a[i][k]))) : null;
    const deltaExplicit = fprime ? dCda.map((row, i) => row.map((g, k) => g * fprime[i][k])) : dCda.map((g, i) => softmaxBackward(a[i], g));
    const dWExplicit = weight.map((row, k) => row.map((_, j) => deltaExplicit.reduce((s, d, i) => s + d[k] * prev[i][j], 0)));
    const dbExplicit = weight.map((_, k) => deltaExplicit.reduce((s, d) => s + d[k], 0));

    const sup = `^(${l + 1})`;
    const delta = gradOf(pass.z[l], z);
    const dW = gradOf(layer.linear.weight, weight);
    const db = layer.linear.bias ? gradOf(layer.linear.bias, [bias ?? []])[0] : null;
    const fromNext = l < layers.length - 1;
    // ∂C/∂a^(L) has no autograd value when the cost takes z^(L) (softmax + crossEntropy).
    if (grads.has(pass.a[l]) || fromNext) check.add(`∂C/∂a${sup}`, gradOf(pass.a[l], a), dCda);
    check.add(`δ${sup}`, delta, deltaExplicit);
    check.add(`∂C/∂W${sup}`, dW, dWExplicit);
    if (db) check.add(`∂C/∂b${sup}`, [db], [dbExplicit]);

    traces[l] = {
      index: l + 1, linear: layer.linear.describe(), activation: layer.spec.name, symbol: layer.spec.symbol,
      derivative: layer.spec.derivative, input: prev, weight, bias, z, a, dCda, dCdaFrom: fromNext ? 'next layer' : 'cost',
      fprime, delta, dW, db,
      ...(lr !== undefined ? {
        updatedWeight: weight.map((row, k) => row.map((w, j) => w - lr * dW[k][j])),
        updatedBias: bias && db ? bias.map((b, k) => b - lr * db[k]) : null,
      } : {}),
    };
    // ∂C/∂a^(l−1) = (W^(l))ᵀ δ^(l), one example (row) at a time.
    dCda = deltaExplicit.map((d) => weight[0].map((_, j) => d.reduce((s, dk, k) => s + dk * weight[k][j], 0)));
  }

  return {
    format: 'nabla.explain.backprop/1', dtype, batchSize: n, sizes, input, target, output: yHat,
    cost: {
      name: cost.name, formula: cost.formula, derivative: cost.derivative, reduction: cost.reduction, scale, terms, value: costValue,
    },
    layers: traces,
    ...(lr !== undefined ? { learningRate: lr } : {}),
    check: check.result(),
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.notesPrinted ? { notesPrinted: options.notesPrinted } : {}),
    ...(options.description ? { description: options.description } : {}),
  };
}
