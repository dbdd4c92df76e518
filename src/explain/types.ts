/**
 * The shape of a backprop trace: plain numbers and nested arrays only, so a trace can be
 * printed, compared in tests and written as JSON without touching tensors.
 *
 * Conventions (the notes' column-vector notation, stored example-major):
 * - layer l runs from 1 to L; a^(0) is the input x;
 * - per-neuron quantities (z, a, ∂C/∂a, f'(z), δ) are [N][n_l]: row i is example i;
 * - W^(l) and ∂C/∂W^(l) are [n_l][n_(l−1)] (row k holds neuron k's incoming weights);
 * - b^(l) and ∂C/∂b^(l) are [n_l]; gradients are of the batch cost C (summed over examples).
 */

/** Optional names for neurons and parameters, to print the notes' w1…w8, h1, o1. */
export interface TraceLabels {
  /** Per layer 0..L, one name per neuron (layer 0: the inputs), e.g. [['i1','i2'], ['h1','h2'], ['o1','o2']]. */
  neurons?: string[][];
  /** Per layer 1..L (index 0 is layer 1), names of W^(l)'s entries [n_l][n_(l−1)], e.g. [[['w1','w2'],['w3','w4']], …]. */
  weights?: string[][][];
  /** Per layer 1..L, names of b^(l)'s entries [n_l]. */
  biases?: string[][];
}

/** A number the course notes print differently from the correct value, to show side by side. */
export interface NotesPrinted {
  /** Which trace quantity: a per-neuron one, a gradient, an updated parameter, or the loss. */
  quantity: 'z' | 'a' | 'dCda' | 'fprime' | 'delta' | 'dW' | 'db' | 'updatedWeight' | 'updatedBias' | 'loss';
  /** Layer l (1..L); ignored for 'loss'. */
  layer?: number;
  /** [example, neuron] for per-neuron quantities, [row, column] for W, [k] for b; ignored for 'loss'. */
  index?: number[];
  /** The number the notes print. */
  printed: number;
  /** What went wrong, in a few words (optional). */
  comment?: string;
}

/** One Linear layer and the activation after it, forward and backward. */
export interface LayerTrace {
  /** l, from 1 (first hidden layer) to L (output layer). */
  index: number;
  /** 'Linear(2 → 3)' */
  linear: string;
  /** The activation's name ('sigmoid', 'relu', 'identity', 'softmax', …). */
  activation: string;
  /** Its symbol in formulas: 'σ', 'tanh', 'relu', 'softmax', 'f'. */
  symbol: string;
  /** f'(z) written out, e.g. 'σ(z)(1 − σ(z))'; for softmax, how its Jacobian is applied. */
  derivative: string;
  /** a^(l−1) [N][n_(l−1)]. */
  input: number[][];
  /** W^(l) [n_l][n_(l−1)]. */
  weight: number[][];
  /** b^(l) [n_l], or null for a layer without bias. */
  bias: number[] | null;
  /** z^(l) = W^(l) a^(l−1) + b^(l), [N][n_l]. */
  z: number[][];
  /** a^(l) = f(z^(l)), [N][n_l]. */
  a: number[][];
  /**
   * ∂C/∂a^(l) [N][n_l] from the explicit chain rule: from the cost at the output layer,
   * (W^(l+1))ᵀ δ^(l+1) below it.
   */
  dCda: number[][];
  /** Where ∂C/∂a^(l) came from. */
  dCdaFrom: 'cost' | 'next layer';
  /** f'(z^(l)) elementwise [N][n_l]; null for softmax, whose Jacobian is not diagonal. */
  fprime: number[][] | null;
  /** δ^(l) = ∂C/∂z^(l) [N][n_l], from autograd. */
  delta: number[][];
  /** ∂C/∂W^(l) = Σ_i δ^(l)(i) (a^(l−1)(i))ᵀ [n_l][n_(l−1)], from autograd. */
  dW: number[][];
  /** ∂C/∂b^(l) = Σ_i δ^(l)(i) [n_l], from autograd; null without bias. */
  db: number[] | null;
  /** W^(l) − λ ∂C/∂W^(l), when a learning rate was given. */
  updatedWeight?: number[][];
  /** b^(l) − λ ∂C/∂b^(l), when a learning rate was given. */
  updatedBias?: number[] | null;
}

/** How the autograd values compare with the explicit chain rule. */
export interface TraceCheck {
  /** Largest |autograd − chain rule| over C, δ, ∂C/∂a, ∂C/∂W and ∂C/∂b of every layer. */
  maxAbsDiff: number;
  /** Where that largest difference is, e.g. 'δ^(1)[0][2]'. */
  worst: string;
  /** True when every value agrees within the dtype's tolerance. */
  ok: boolean;
  /** The tolerance used: |diff| ≤ atol + rtol·|autograd|. */
  atol: number;
  rtol: number;
}

/** The cost and its per-term values. */
export interface CostTrace {
  /** The loss's name, e.g. 'halfSSE', 'bce', 'crossEntropy'. */
  name: string;
  /** The formula in the notes' notation, e.g. 'C = Σ ½(y − a^(L))²'. */
  formula: string;
  /** ∂C/∂a^(L) written out, e.g. 'a^(L) − y'. */
  derivative: string;
  /** 'sum', 'mean' or 'batchmean'. */
  reduction: string;
  /** The factor the reduction puts on each term (1 for sum, 1/count for mean). */
  scale: number;
  /** Per-term values before the reduction: [N][n_L] (per sample [N][1] for crossEntropy). */
  terms: number[][];
  /** C, from the library's loss module. */
  value: number;
}

/** One forward and backward pass, per layer, in the notes' notation. */
export interface BackpropTrace {
  /** Format tag for the JSON form. */
  format: 'nabla.explain.backprop/1';
  dtype: 'float32' | 'float64';
  /** N, the number of examples. */
  batchSize: number;
  /** Layer sizes n_0..n_L. */
  sizes: number[];
  /** x = a^(0) [N][n_0]. */
  input: number[][];
  /** y [N][n_L]. */
  target: number[][];
  /** ŷ = a^(L) [N][n_L]. */
  output: number[][];
  cost: CostTrace;
  layers: LayerTrace[];
  /** λ, when the trace includes one gradient step. */
  learningRate?: number;
  check: TraceCheck;
  labels?: TraceLabels;
  notesPrinted?: NotesPrinted[];
  /** A line saying where the example comes from. */
  description?: string;
}
