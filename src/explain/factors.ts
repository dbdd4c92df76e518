/**
 * The explicit chain-rule factors, written out with plain numbers: f'(z) for each of the
 * notes' activations and ∂C/∂ŷ for each cost. backprop() computes δ and the gradients with
 * autograd and checks them against these, so the trace shows both the factors the notes
 * multiply by hand and proof that they give autograd's numbers.
 */
import { ValueError } from '../tensor/index.js';
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, ELU, HalfSSELoss, HuberLoss, Identity, L1Loss, LeakyReLU, MSELoss,
  PiecewiseLinear, ReLU, Sigmoid, Sign, SiLU, Softmax, Softplus, Step, Tanh, type Loss, type Module,
} from '../nn/index.js';

/** One activation's derivative, explicitly. */
export interface ActivationSpec {
  /** The notes' name: 'sigmoid', 'tanh', 'relu', … */
  name: string;
  /** Symbol in formulas: 'σ', 'tanh', 'relu', 'softmax', 'f'. */
  symbol: string;
  /** f'(z) written out. */
  derivative: string;
  /** f'(z) from z and a = f(z); absent for softmax, whose Jacobian is not diagonal. */
  prime?: (z: number, a: number) => number;
}

const sigm = (v: number): number => 1 / (1 + Math.exp(-v));

/** Every activation module the trace supports, by class. */
const SUPPORTED_ACTIVATIONS = 'Identity, Sigmoid, Tanh, ReLU, LeakyReLU, Softplus, ELU, SiLU, Step, Sign, PiecewiseLinear, Softmax';

/**
 * The explicit derivative of an activation module (null: no activation, i.e. the identity).
 * Throws a ValueError naming the module when the trace cannot write its derivative out.
 */
export function activationSpec(m: Module | null, where: string): ActivationSpec {
  if (m === null || m instanceof Identity) return { name: 'identity', symbol: 'id', derivative: '1', prime: () => 1 };
  if (m instanceof Sigmoid) return { name: 'sigmoid', symbol: 'σ', derivative: 'σ(z)(1 − σ(z))', prime: (_z, a) => a * (1 - a) };
  if (m instanceof Tanh) return { name: 'tanh', symbol: 'tanh', derivative: '1 − tanh(z)²', prime: (_z, a) => 1 - a * a };
  // relu'(0) = 0, as autograd (and PyTorch) take it.
  if (m instanceof ReLU) return { name: 'relu', symbol: 'relu', derivative: '1 if z > 0, else 0', prime: (z) => (z > 0 ? 1 : 0) };
  if (m instanceof LeakyReLU) {
    const eps = m.negativeSlope;
    return { name: 'leakyRelu', symbol: 'f', derivative: `1 if z > 0, else ε = ${eps}`, prime: (z) => (z > 0 ? 1 : eps) };
  }
  if (m instanceof Softplus) {
    const beta = m.beta;
    return {
      name: 'softplus', symbol: 'softplus', derivative: beta === 1 ? 'σ(z)' : `σ(${beta}·z)`, prime: (z) => sigm(beta * z),
    };
  }
  if (m instanceof ELU) {
    const alpha = m.alpha;
    return { name: 'elu', symbol: 'elu', derivative: `1 if z > 0, else ${alpha}·e^z`, prime: (z) => (z > 0 ? 1 : alpha * Math.exp(z)) };
  }
  if (m instanceof SiLU) {
    return { name: 'silu', symbol: 'silu', derivative: 'σ(z) + z·σ(z)(1 − σ(z))', prime: (z) => { const s = sigm(z); return s + z * s * (1 - s); } };
  }
  if (m instanceof Step) return { name: 'step', symbol: 'step', derivative: '0 (nothing learns through a step)', prime: () => 0 };
  if (m instanceof Sign) return { name: 'sign', symbol: 'sign', derivative: '0 (nothing learns through sign)', prime: () => 0 };
  if (m instanceof PiecewiseLinear) {
    return { name: 'piecewiseLinear', symbol: 'f', derivative: '1 for −½ ≤ z ≤ ½, else 0', prime: (z) => (z >= -0.5 && z <= 0.5 ? 1 : 0) };
  }
  if (m instanceof Softmax) {
    if (m.axis !== -1 && m.axis !== 1) throw new ValueError(`${where}: Softmax over axis ${m.axis} is not supported (the trace needs the neuron axis, -1)`);
    return { name: 'softmax', symbol: 'softmax', derivative: 'its Jacobian is diag(a) − a aᵀ' };
  }
  throw new ValueError(`${where}: the trace cannot write out the derivative of ${m.describe()} (supported: ${SUPPORTED_ACTIVATIONS})`);
}

/** δ = Jᵀg for softmax, row by row: δ_k = a_k (g_k − Σ_j g_j a_j). */
export function softmaxBackward(a: readonly number[], g: readonly number[]): number[] {
  const dot = a.reduce((s, ak, k) => s + ak * g[k], 0);
  return a.map((ak, k) => ak * (g[k] - dot));
}

/** One cost, explicitly: its terms and ∂C/∂ŷ. */
export interface CostSpec {
  /** The notes' name: 'halfSSE', 'mse', 'bce', 'crossEntropy', … */
  name: string;
  /** C in the notes' notation (ŷ = a^(L)). */
  formula: string;
  /** ∂C/∂ŷ per term, written out (before the reduction's factor). */
  derivative: string;
  reduction: 'sum' | 'mean' | 'batchmean';
  /** True when the loss module takes z^(L) (softmax output + crossEntropy: the stable form). */
  onLogits: boolean;
  /** Per-term values [N][n_L], or per sample [N][1]. */
  terms(yHat: number[][], y: number[][]): number[][];
  /** The reduction's factor on each term, for N examples of n outputs. */
  scale(n: number, outputs: number): number;
  /** ∂C/∂ŷ [N][n_L], the reduction's factor included. */
  dCda(yHat: number[][], y: number[][], scale: number): number[][];
}

type Elementwise = { name: string; formula: string; derivative: string; term: (p: number, t: number) => number; d: (p: number, t: number) => number };

/** The loss's class, with the options the trace cannot follow refused. */
function elementwiseCost(loss: Loss, where: string): Elementwise | null {
  if (loss instanceof HalfSSELoss) {
    return { name: 'halfSSE', formula: 'C = Σ ½(y − ŷ)²', derivative: 'ŷ − y', term: (p, t) => 0.5 * (t - p) ** 2, d: (p, t) => p - t };
  }
  if (loss instanceof MSELoss) {
    return { name: 'mse', formula: 'C = Σ (ŷ − y)²', derivative: '2(ŷ − y)', term: (p, t) => (p - t) ** 2, d: (p, t) => 2 * (p - t) };
  }
  if (loss instanceof L1Loss) {
    return { name: 'l1', formula: 'C = Σ |ŷ − y|', derivative: 'sign(ŷ − y)', term: (p, t) => Math.abs(p - t), d: (p, t) => Math.sign(p - t) };
  }
  if (loss instanceof HuberLoss) {
    const dl = loss.delta;
    return {
      name: 'huber', formula: `C = Σ huber_${dl}(ŷ − y)`, derivative: `ŷ − y if |ŷ − y| ≤ ${dl}, else ${dl}·sign(ŷ − y)`,
      term: (p, t) => (Math.abs(p - t) <= dl ? 0.5 * (p - t) ** 2 : dl * (Math.abs(p - t) - dl / 2)),
      d: (p, t) => (Math.abs(p - t) <= dl ? p - t : dl * Math.sign(p - t)),
    };
  }
  if (loss instanceof BCELoss) {
    if (loss.weight) throw new ValueError(`${where}: BCELoss with element weights is not supported by the trace`);
    // The library floors each log at −100 (float64); the same floor here keeps the terms equal.
    const log = (v: number): number => Math.log(Math.max(v, Math.exp(-100)));
    return {
      name: 'bce', formula: 'C = −Σ [y log ŷ + (1 − y) log(1 − ŷ)]', derivative: '(ŷ − y) / (ŷ(1 − ŷ))',
      term: (p, t) => -(t * log(p) + (1 - t) * log(1 - p)), d: (p, t) => -t / p + (1 - t) / (1 - p),
    };
  }
  if (loss instanceof BCEWithLogitsLoss) {
    if (loss.weight || loss.posWeight !== undefined) throw new ValueError(`${where}: BCEWithLogitsLoss with weight or posWeight is not supported by the trace`);
    return {
      name: 'bceWithLogits', formula: 'C = −Σ [y log σ(ŷ) + (1 − y) log(1 − σ(ŷ))]', derivative: 'σ(ŷ) − y',
      term: (p, t) => Math.max(p, 0) - p * t + Math.log1p(Math.exp(-Math.abs(p))), d: (p, t) => sigm(p) - t,
    };
  }
  return null;
}

const map2 = (a: number[][], b: number[][], f: (p: number, t: number) => number): number[][] => a.map((row, i) => row.map((v, k) => f(v, b[i][k])));

/**
 * The explicit form of a loss module, given the output layer's activation. crossEntropy
 * after a final softmax is the notes' C = −Σ y log ŷ (the module then takes z^(L), as it
 * applies softmax itself); without one, ŷ are logits.
 */
export function costSpec(loss: Loss, output: ActivationSpec, where: string): CostSpec {
  const reduction = loss.reduction;
  if (reduction === 'none') throw new ValueError(`${where}: the loss must reduce to one number (reduction 'sum', 'mean' or 'batchmean'), got 'none'`);
  const ew = elementwiseCost(loss, where);
  if (ew) {
    return {
      name: ew.name, formula: ew.formula, derivative: ew.derivative, reduction, onLogits: false,
      terms: (p, t) => map2(p, t, ew.term),
      scale: (n, outputs) => (reduction === 'sum' ? 1 : reduction === 'mean' ? 1 / (n * outputs) : 1 / n),
      dCda: (p, t, s) => map2(p, t, (a, b) => s * ew.d(a, b)),
    };
  }
  if (loss instanceof CrossEntropyLoss) {
    if (loss.weight || loss.labelSmoothing) throw new ValueError(`${where}: CrossEntropyLoss with class weights or label smoothing is not supported by the trace`);
    // Per-sample terms: 'mean' divides by N; 'batchmean' of a per-sample vector divides by 1.
    const scale = (n: number): number => (reduction === 'mean' ? 1 / n : 1);
    if (output.name === 'softmax') {
      return {
        name: 'crossEntropy', formula: 'C = −Σ y log ŷ', derivative: '−y / ŷ', reduction, onLogits: true,
        terms: (p, t) => p.map((row, i) => [-row.reduce((s, v, k) => s + (t[i][k] === 0 ? 0 : t[i][k] * Math.log(v)), 0)]),
        scale, dCda: (p, t, s) => map2(p, t, (a, b) => (b === 0 ? 0 : (-s * b) / a)),
      };
    }
    const logSoftmax = (row: number[]): number[] => {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      return row.map((v) => v - lse);
    };
    return {
      name: 'crossEntropy', formula: 'C = −Σ y log softmax(ŷ)  (ŷ: logits)', derivative: 'softmax(ŷ)·Σy − y', reduction, onLogits: false,
      terms: (p, t) => p.map((row, i) => [-logSoftmax(row).reduce((s, v, k) => s + t[i][k] * v, 0)]),
      scale,
      dCda: (p, t, s) => p.map((row, i) => {
        const total = t[i].reduce((acc, v) => acc + v, 0);
        return logSoftmax(row).map((lp, k) => s * (Math.exp(lp) * total - t[i][k]));
      }),
    };
  }
  throw new ValueError(`${where}: the trace cannot write out ∂C/∂ŷ for ${loss.typeName} (supported: halfSSE, mse, l1, huber, bce, bceWithLogits, crossEntropy)`);
}
