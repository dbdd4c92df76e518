/** The notes' two worked examples, built by hand, and an independent plain-number backprop to compare with. */
import * as nb from 'nabla';

const { nn } = nb;

/** Sequential(Linear, activation, …) with the given weights [out][in] and biases, float64 unless told. */
export function buildMlp(weights: number[][][], biases: number[][], activations: string[], dtype: 'float32' | 'float64' = 'float64'): nb.nn.Sequential {
  const model = new nn.Sequential();
  weights.forEach((w, l) => {
    const linear = new nn.Linear(w[0].length, w.length, { dtype });
    linear.weight.assign(w.flat());
    linear.bias!.assign(biases[l]);
    model.add(linear).add(nn.activation(activations[l]));
  });
  return model;
}

/** Notes 003: 2-2-2 sigmoid, Σ½(target − out)², λ = 0.5. */
export const notes222 = {
  weights: [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
  biases: [[0.35, 0.35], [0.6, 0.6]],
  x: [0.05, 0.1],
  y: [0.01, 0.99],
  lr: 0.5,
  model: (): nb.nn.Sequential => buildMlp(notes222.weights, notes222.biases, ['sigmoid', 'sigmoid']),
};

/** Notes 004: 2-3-1 sigmoid, binary cross-entropy. */
export const notes231 = {
  weights: [[[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]], [[0.3, -0.2, 0.4]]],
  biases: [[0.1, -0.1, 0.05], [-0.2]],
  x: [0.5, 0.3],
  y: [1],
  model: (): nb.nn.Sequential => buildMlp(notes231.weights, notes231.biases, ['sigmoid', 'sigmoid']),
};

/** The values the issue lists (float64, to 8 decimals). */
export const expected222 = {
  out: [0.75136507, 0.77292847],
  loss: 0.29837111,
  dw5: 0.08216704,
  w5to8: [0.35891648, 0.40866619, 0.51130127, 0.56137012],
  w1to4: [0.14978072, 0.19956143, 0.24975114, 0.29950229],
};
export const expected231 = {
  yHat: 0.52390252,
  dz2: -0.47609748,
  dW2: [-0.27581482, -0.24280908, -0.26647826],
  db1: [-0.03480858, 0.02379535, -0.0469307],
  dW1: [[-0.01740429, -0.01044257], [0.01189768, 0.00713861], [-0.02346535, -0.01407921]],
};

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Backprop for sigmoid layers written from the notes with plain numbers, independent of
 * the library: per example z = Wa + b, a = σ(z), δ^(L) = dC/dŷ ⊙ σ', δ^(l) = Wᵀδ ⊙ σ',
 * gradients summed over the examples. dCdyHat gives the cost's derivative per output.
 */
export function referenceSigmoidBackprop(
  weights: number[][][], biases: number[][], xs: number[][], ys: number[][],
  dCdyHat: (yHat: number, y: number) => number,
): { a: number[][][]; delta: number[][][]; dW: number[][][]; db: number[][] } {
  const dW = weights.map((w) => w.map((r) => r.map(() => 0)));
  const db = biases.map((b) => b.map(() => 0));
  const aAll: number[][][] = [];
  const deltaAll: number[][][] = [];
  xs.forEach((x, i) => {
    const acts = [x];
    for (const [l, w] of weights.entries()) acts.push(w.map((row, k) => sigmoid(row.reduce((s, wkj, j) => s + wkj * acts[l][j], biases[l][k]))));
    const deltas: number[][] = new Array(weights.length);
    const L = weights.length;
    deltas[L - 1] = acts[L].map((a, k) => dCdyHat(a, ys[i][k]) * a * (1 - a));
    for (let l = L - 2; l >= 0; l--) {
      deltas[l] = acts[l + 1].map((a, j) => weights[l + 1].reduce((s, row, k) => s + row[j] * deltas[l + 1][k], 0) * a * (1 - a));
    }
    deltas.forEach((d, l) => d.forEach((dk, k) => {
      db[l][k] += dk;
      acts[l].forEach((aj, j) => { dW[l][k][j] += dk * aj; });
    }));
    aAll.push(acts.slice(1));
    deltaAll.push(deltas);
  });
  return { a: aAll, delta: deltaAll, dW, db };
}
