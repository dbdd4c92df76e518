import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';
import { buildMlp, expected222, expected231, notes222, notes231, referenceSigmoidBackprop } from './fixtures';

const { nn } = nb;
const tight = { atol: 1e-8, rtol: 0 };

/** ∂C/∂W of every Linear by the library's own loss.backward(), for comparison. */
function autogradGrads(model: nb.nn.Sequential, x: number[][], y: number[][], loss: nb.nn.Loss): number[][][] {
  model.zeroGrad();
  const dtype = model.parameters()[0].dtype;
  loss.forward(model.forward(nb.tensor(x, { dtype })), nb.tensor(y, { dtype })).backward();
  const grads = model.parameters().filter((p) => p.ndim === 2).map((p) => p.grad!.toArray() as number[][]);
  model.zeroGrad();
  return grads;
}

describe.each(backends)('explain.backprop on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  describe('notes 003: the 2-2-2 sigmoid network', () => {
    const trace = (): nb.explain.BackpropTrace => nb.explain.backprop(notes222.model(), notes222.x, notes222.y, { loss: 'halfSSE', lr: notes222.lr });

    it('reproduces out_o1, out_o2, the loss and ∂L/∂w5 to 1e-8', () => {
      const t = trace();
      expectClose(t.output[0], expected222.out, tight);
      expectClose(t.layers[1].a[0], expected222.out, tight);
      expectClose(t.cost.value, expected222.loss, tight);
      expectClose(t.layers[1].dW[0][0], expected222.dw5, tight);
      // The notes' intermediate numbers: in_h1 = 0.3775, L_o1 = 0.274…, L_o2 = 0.023…
      expectClose(t.layers[0].z[0][0], 0.3775, { atol: 1e-15 });
      expectClose(t.cost.terms[0], [0.5 * (0.01 - 0.75136507) ** 2, 0.5 * (0.99 - 0.77292847) ** 2], { atol: 1e-8 });
    });

    it('the chain-rule factors of w5 are the notes\' 0.741 × 0.186 × 0.593', () => {
      const out = trace().layers[1];
      expectClose(out.dCda[0][0], 0.75136507 - 0.01, tight);
      expectClose(out.fprime![0][0], 0.75136507 * (1 - 0.75136507), { atol: 1e-8 });
      expectClose(out.input[0][0], 1 / (1 + Math.exp(-0.3775)), { atol: 1e-15 });
      expectClose(out.delta[0][0] * out.input[0][0], expected222.dw5, tight);
    });

    it('the weights after one step with λ = 0.5: w5..w8 and w1..w4', () => {
      const t = trace();
      expectClose(t.layers[1].updatedWeight!.flat(), expected222.w5to8, tight);
      expectClose(t.layers[0].updatedWeight!.flat(), expected222.w1to4, tight);
      expect(t.learningRate).toBe(0.5);
    });

    it('leaves the model and every .grad untouched', () => {
      const model = notes222.model();
      nb.explain.backprop(model, notes222.x, notes222.y, { lr: 0.5 });
      expect(model.parameters().map((p) => p.toArray())).toEqual([...notes222.weights.flatMap((w, l) => [w, notes222.biases[l]])]);
      expect(model.parameters().every((p) => p.grad === null)).toBe(true);
    });
  });

  describe('notes 004: the 2-3-1 sigmoid network with binary cross-entropy', () => {
    const trace = (): nb.explain.BackpropTrace => nb.explain.backprop(notes231.model(), notes231.x, notes231.y, { loss: 'bce' });

    it('reproduces ŷ, ∂L/∂z2, ∂L/∂W2, ∂L/∂b1 and ∂L/∂W1 to 1e-8', () => {
      const t = trace();
      expectClose(t.output[0][0], expected231.yHat, tight);
      expectClose(t.layers[1].delta[0][0], expected231.dz2, tight);
      expectClose(t.layers[1].dW[0], expected231.dW2, tight);
      expectClose(t.layers[0].db!, expected231.db1, tight);
      expectClose(t.layers[0].dW, expected231.dW1, tight);
      expectClose(t.layers[0].z[0], [0.32, 0.04, 0.24], { atol: 1e-15 });
      expectClose(t.cost.value, -Math.log(expected231.yHat), { atol: 1e-8 });
      expect(t.learningRate).toBeUndefined();
      expect(t.layers[0].updatedWeight).toBeUndefined();
    });

    it('δ^(2) = ŷ − y (σ\' cancels against the cross-entropy), and (W^(2))ᵀ δ^(2) is the hidden ∂C/∂a', () => {
      const t = trace();
      expectClose(t.layers[1].delta[0][0], expected231.yHat - 1, tight);
      expectClose(t.layers[0].dCda[0], notes231.weights[1][0].map((w) => w * (expected231.yHat - 1)), tight);
      expect(t.layers[0].dCdaFrom).toBe('next layer');
      expect(t.layers[1].dCdaFrom).toBe('cost');
    });
  });

  it('both examples agree with an independent plain-number backprop and with loss.backward()', () => {
    for (const [ex, loss, d] of [
      [notes222, 'halfSSE', (p: number, t: number) => p - t],
      [notes231, 'bce', (p: number, t: number) => (p - t) / (p * (1 - p))],
    ] as const) {
      const t = nb.explain.backprop(ex.model(), ex.x, ex.y, { loss });
      const ref = referenceSigmoidBackprop(ex.weights, ex.biases, [ex.x], [ex.y], d);
      t.layers.forEach((layer, l) => {
        expectClose(layer.dW, ref.dW[l], { atol: 1e-15, rtol: 1e-12 });
        expectClose(layer.db!, ref.db[l], { atol: 1e-15, rtol: 1e-12 });
        expectClose(layer.delta[0], ref.delta[0][l], { atol: 1e-15, rtol: 1e-12 });
      });
      const model = ex.model();
      const grads = autogradGrads(model, [ex.x], [ex.y], nn.loss(loss));
      t.layers.forEach((layer, l) => expectClose(layer.dW, grads[l], { atol: 1e-15, rtol: 1e-12 }));
      expect(t.check.ok).toBe(true);
      expect(t.check.maxAbsDiff).toBeLessThan(1e-14);
    }
  });

  it('∂C/∂W rebuilt from the trace\'s own chain-rule factors equals autograd\'s', () => {
    for (const t of [
      nb.explain.backprop(notes222.model(), notes222.x, notes222.y),
      nb.explain.backprop(notes231.model(), notes231.x, notes231.y, { loss: 'bce' }),
    ]) {
      const L = t.layers.length;
      for (const [i, layer] of t.layers.entries()) {
        // ∂C/∂a^(l) comes from the cost at the top and from (W^(l+1))ᵀ δ^(l+1) below it.
        const above = t.layers[i + 1];
        const dCda = i === L - 1 ? layer.dCda : above.delta.map((d) => layer.weight.map((_, j) => d.reduce((s, dk, k) => s + dk * above.weight[k][j], 0)));
        expectClose(layer.dCda, dCda, { atol: 1e-15 });
        const delta = dCda.map((row, n) => row.map((g, k) => g * layer.fprime![n][k]));
        const dW = layer.weight.map((row, k) => row.map((_, j) => delta.reduce((s, d, n) => s + d[k] * layer.input[n][j], 0)));
        expectClose(layer.delta, delta, { atol: 1e-15 });
        expectClose(layer.dW, dW, { atol: 1e-15 });
      }
    }
  });

  describe('a batch of 2 examples', () => {
    const xs = [[0.05, 0.1], [0.3, -0.2]];
    const ys = [[0.01, 0.99], [0.7, 0.2]];

    it('ΣC: the gradients are the sums of the per-example gradients, rows keep the examples apart', () => {
      const t = nb.explain.backprop(notes222.model(), xs, ys, { loss: 'halfSSE', lr: 0.5 });
      expect(t.batchSize).toBe(2);
      const singles = xs.map((x, i) => nb.explain.backprop(notes222.model(), x, ys[i], { loss: 'halfSSE' }));
      expectClose(t.layers[1].a[0], expected222.out, tight);
      expectClose(t.layers[1].a[1], singles[1].layers[1].a[0], { atol: 1e-15 });
      t.layers.forEach((layer, l) => {
        expectClose(layer.dW, layer.dW.map((row, k) => row.map((_, j) => singles[0].layers[l].dW[k][j] + singles[1].layers[l].dW[k][j])), { atol: 1e-15 });
        expectClose(layer.delta[1], singles[1].layers[l].delta[0], { atol: 1e-15 });
      });
      const ref = referenceSigmoidBackprop(notes222.weights, notes222.biases, xs, ys, (p, q) => p - q);
      t.layers.forEach((layer, l) => expectClose(layer.dW, ref.dW[l], { atol: 1e-15, rtol: 1e-12 }));
      expectClose(t.cost.value, singles[0].cost.value + singles[1].cost.value, { atol: 1e-15 });
    });

    it('mean reductions divide by the number of terms (mse: 2·2 terms)', () => {
      const t = nb.explain.backprop(notes222.model(), xs, ys, { loss: 'mse' });
      expect(t.cost.scale).toBe(1 / 4);
      const ref = referenceSigmoidBackprop(notes222.weights, notes222.biases, xs, ys, (p, q) => (2 * (p - q)) / 4);
      t.layers.forEach((layer, l) => expectClose(layer.dW, ref.dW[l], { atol: 1e-15, rtol: 1e-12 }));
      expect(t.check.ok).toBe(true);
    });
  });

  it('relu/tanh hidden layers and a softmax output with cross-entropy: δ^(L) = (ŷ − y)/N and autograd agrees', () => {
    const model = buildMlp(
      [[[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], [[0.1, -0.7, 0.4], [0.9, 0.2, -0.3]], [[0.2, -0.5], [0.6, 0.1], [-0.4, 0.3]]],
      [[0.1, -0.2, 0.05], [0.0, 0.1], [0.01, -0.02, 0.03]],
      ['relu', 'tanh', 'softmax'],
    );
    const x = [[0.4, 0.9], [-0.5, 0.2]];
    const y = [[0, 1, 0], [1, 0, 0]];
    const t = nb.explain.backprop(model, x, y, { loss: 'crossEntropy' });
    expect(t.layers.map((l) => l.activation)).toEqual(['relu', 'tanh', 'softmax']);
    expect(t.layers[2].fprime).toBeNull();
    expect(t.check.ok).toBe(true);
    t.output.forEach((row, i) => expectClose(t.layers[2].delta[i], row.map((p, k) => (p - y[i][k]) / 2), { atol: 1e-15 }));
    // C = −(1/N) Σ y log ŷ, from the printed probabilities.
    expectClose(t.cost.value, -(Math.log(t.output[0][1]) + Math.log(t.output[1][0])) / 2, { atol: 1e-14 });
    // The library's crossEntropy takes logits: the same network without the final softmax.
    const logits = buildMlp(
      [[[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], [[0.1, -0.7, 0.4], [0.9, 0.2, -0.3]], [[0.2, -0.5], [0.6, 0.1], [-0.4, 0.3]]],
      [[0.1, -0.2, 0.05], [0.0, 0.1], [0.01, -0.02, 0.03]],
      ['relu', 'tanh', 'identity'],
    );
    const right = autogradGrads(logits, x, y, nn.loss('crossEntropy'));
    t.layers.forEach((layer, l) => expectClose(layer.dW, right[l], { atol: 1e-15, rtol: 1e-12 }));
  });

  it('float32 models: same numbers to float32 precision, checked with a float32 tolerance', () => {
    const model = buildMlp(notes222.weights, notes222.biases, ['sigmoid', 'sigmoid'], 'float32');
    const t = nb.explain.backprop(model, notes222.x, notes222.y, { lr: 0.5 });
    expect(t.dtype).toBe('float32');
    expect(t.check.ok).toBe(true);
    expectClose(t.layers[1].updatedWeight!.flat(), expected222.w5to8, { atol: 1e-6 });
  });

  it('the check catches a derivative that does not match the forward pass', () => {
    // Claims to be a sigmoid (so the trace uses σ' = a(1 − a)) but computes tanh.
    class NotASigmoid extends nn.Sigmoid {
      override forward(z: nb.Tensor): nb.Tensor { return z.tanh(); }
    }
    const model = buildMlp(notes222.weights, notes222.biases, ['sigmoid', 'sigmoid']);
    const fake = new nn.Sequential(model.at(0), new NotASigmoid(), model.at(2), model.at(3));
    const t = nb.explain.backprop(fake, notes222.x, notes222.y);
    expect(t.check.ok).toBe(false);
    expect(t.check.worst).toMatch(/\^\(1\)/);
    expect(nb.explain.renderText(t)).toContain('WARNING: autograd and the explicit chain rule disagree');
  });

  describe('errors', () => {
    it('names what it cannot trace', () => {
      const withDropout = new nn.Sequential(new nn.Linear(2, 2, { dtype: 'float64' }), new nn.Dropout(0.5), new nn.Linear(2, 1, { dtype: 'float64' }));
      expect(() => nb.explain.backprop(withDropout, [1, 2], [1])).toThrow(/Dropout/);
      const gelu = new nn.Sequential(new nn.Linear(2, 1, { dtype: 'float64' }), new nn.GELU());
      expect(() => nb.explain.backprop(gelu, [1, 2], [1])).toThrow(/GELU.*supported: Identity, Sigmoid/);
      const twoActs = new nn.Sequential(new nn.Linear(2, 1, { dtype: 'float64' }), new nn.ReLU(), new nn.Sigmoid());
      expect(() => nb.explain.backprop(twoActs, [1, 2], [1])).toThrow(/follows another activation/);
      expect(() => nb.explain.backprop(new nn.Sequential(new nn.ReLU()), [1], [1])).toThrow(/before any Linear/);
    });

    it('checks x, y, the loss and λ', () => {
      const model = notes222.model();
      expect(() => nb.explain.backprop(model, [1, 2, 3], [0, 1])).toThrow(nb.ShapeError);
      expect(() => nb.explain.backprop(model, [1, 2, 3], [0, 1])).toThrow(/input x has shape \[1,3\], expected \[2\]/);
      expect(() => nb.explain.backprop(model, [[1, 2], [3, 4]], [0, 1])).toThrow(/2 inputs but 1 targets/);
      expect(() => nb.explain.backprop(model, [1, 2], [0, 1], { loss: nn.loss('mse', { reduction: 'none' }) })).toThrow(/reduction/);
      expect(() => nb.explain.backprop(model, [1, 2], [0, 1], { loss: 'nll' })).toThrow(/NLLLoss/);
      expect(() => nb.explain.backprop(model, [1, 2], [0, 1], { lr: Number.NaN })).toThrow(/lr must be a finite number/);
    });
  });
});
