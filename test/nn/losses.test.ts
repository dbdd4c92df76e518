import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const F = nb.nn.functional;
const REDUCTIONS = ['mean', 'sum', 'none', 'batchmean'] as const;
const labels = (v: number[]): nb.Tensor => nb.tensor(v, { dtype: 'int32' });

/** Independent reference: −Σ_c t_c·w_c·log softmax(z)_c per row, with plain numbers. */
function refCrossEntropyRows(logits: number[][], targets: number[][], weight?: number[]): number[] {
  return logits.map((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return -row.reduce((s, v, c) => s + targets[i][c] * (weight ? weight[c] : 1) * (v - lse), 0);
  });
}

const oneHot = (idx: number[], classes: number): number[][] => idx.map((k) => Array.from({ length: classes }, (_, c) => (c === k ? 1 : 0)));

describe.each(backends)('costs on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  describe('squared and absolute errors', () => {
    const yHat = f64([1, 2, 3]);
    const y = f64([1.5, 2, 1]);

    it('mseLoss by hand, every reduction', () => {
      expectClose(F.mseLoss(yHat, y), 4.25 / 3, { atol: 1e-15 });
      expectClose(F.mseLoss(yHat, y, { reduction: 'sum' }), 4.25, { atol: 1e-15 });
      expectClose(F.mseLoss(yHat, y, { reduction: 'none' }), [0.25, 0, 4], { atol: 1e-15 });
      expectClose(F.mseLoss(f64([[1, 2], [3, 4]]), f64([[0, 0], [0, 0]]), { reduction: 'batchmean' }), 30 / 2, { atol: 1e-15 });
    });

    it('3Blue1Brown\'s "cost of 3" is the sum of squared differences: 3.3585', () => {
      const out = f64([0.43, 0.28, 0.19, 0.88, 0.72, 0.01, 0.64, 0.86, 0.99, 0.63]);
      const expected = f64([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
      expectClose(F.mseLoss(out, expected, { reduction: 'sum' }), 3.3585, { atol: 1e-12 });
    });

    it('the notes\' J = Σ ½(y − ŷ)²: worked examples', () => {
      // Lecture 13: ŷ of the untrained 2-3-1 network against the test scores.
      expectClose(F.halfSumSquaredError(f64([[0.59470263], [0.58177822], [0.50641742]]), f64([[0.75], [0.82], [0.93]])), 0.13014454583737084, { atol: 1e-15 });
      // Backprop notes: ½(1 − 0.44)² = 0.1568.
      expectClose(F.halfSumSquaredError(f64([0.44]), f64([1])), 0.1568, { atol: 1e-15 });
      // Mazur's example: L_o1 = 0.274, L_o2 = 0.023, L_total = 0.298.
      const perOutput = F.halfSumSquaredError(f64([0.75136507, 0.772928465]), f64([0.01, 0.99]), { reduction: 'none' });
      expectClose(perOutput, [0.274811083, 0.023560026], { atol: 1e-9 });
      expectClose(F.halfSumSquaredError(f64([0.75136507, 0.772928465]), f64([0.01, 0.99])), 0.2983711091616805, { atol: 1e-15 });
      expectClose(new nb.nn.HalfSSELoss().forward(f64([0.44]), f64([1])), 0.1568, { atol: 1e-15 });
      expectClose(F.halfSumSquaredError(yHat, y, { reduction: 'mean' }), 4.25 / 6, { atol: 1e-15 });
    });

    it('∂J/∂ŷ = −(y − ŷ) (Mazur: 0.741 for o1)', () => {
      const out = f64([0.75136507, 0.772928465], true);
      F.halfSumSquaredError(out, f64([0.01, 0.99])).backward();
      expectClose(out.grad!, [0.74136507, -0.217071535], { atol: 1e-15 });
    });

    it('l1Loss and huberLoss by hand', () => {
      expectClose(F.l1Loss(yHat, y), 2.5 / 3, { atol: 1e-15 });
      expectClose(F.l1Loss(yHat, y, { reduction: 'none' }), [0.5, 0, 2]);
      const p = f64([0.5, 1, 3, -2]);
      const t = f64([1, 1, 1, 1]);
      expectClose(F.huberLoss(p, t, { reduction: 'none' }), [0.125, 0, 1.5, 2.5], { atol: 1e-15 });
      expectClose(F.huberLoss(p, t), 4.125 / 4, { atol: 1e-15 });
      expectClose(F.huberLoss(p, t, { delta: 2, reduction: 'none' }), [0.125, 0, 2, 4], { atol: 1e-15 });
    });

    it('int32 targets are accepted as numbers', () => {
      expectClose(F.mseLoss(f64([1, 2]), labels([0, 2])), 0.5, { atol: 1e-15 });
    });
  });

  describe('binary cross-entropy', () => {
    it('bceLoss by hand', () => {
      const p = f64([0.9, 0.2, 0.5]);
      const y = f64([1, 0, 1]);
      expectClose(F.bceLoss(p, y, { reduction: 'none' }), [0.10536051565782628, 0.2231435513142097, 0.6931471805599453], { atol: 1e-15 });
      expectClose(F.bceLoss(p, y), 0.34055041584399376, { atol: 1e-15 });
      expectClose(F.bceLoss(p, y, { weight: f64([1, 2, 0]), reduction: 'sum' }), 0.10536051565782628 + 2 * 0.2231435513142097, { atol: 1e-15 });
    });

    it('the notes\' −log(0.2) ≈ 0.69897 is written in base 10', () => {
      const natural = F.bceLoss(f64([0.8]), f64([0])).item();
      expect(natural / Math.LN10).toBeCloseTo(0.69897, 5);
    });

    it('the notes\' multi-class cost sums the binary terms over the class vector', () => {
      const h = [0.234, 0.678, 0.102, 0.02, 0.8];
      const y = [0, 1, 0, 0, 0];
      const reference = -h.reduce((s, hk, k) => s + y[k] * Math.log(hk) + (1 - y[k]) * Math.log(1 - hk), 0);
      expectClose(F.bceLoss(f64([h]), f64([y]), { reduction: 'batchmean' }), reference, { atol: 1e-14 });
    });

    it('is finite (value and gradient) at p = 0 and p = 1', () => {
      const p = f64([0, 0, 1, 1], true);
      const loss = F.bceLoss(p, f64([0, 1, 1, 0]), { reduction: 'none' });
      expectClose(loss, [0, 100, 0, 100], { atol: 1e-12 });
      loss.sum().backward();
      expect(Array.from(p.grad!.dataSync()).every(Number.isFinite)).toBe(true);
      const p32 = nb.tensor([0, 1], { requiresGrad: true });
      const l32 = F.bceLoss(p32, nb.tensor([1, 0]), { reduction: 'sum' });
      // float32 floors the probability at 2^−126 (log ≈ −87.34) so that 1/p stays finite.
      expectClose(l32, 2 * 126 * Math.LN2, { rtol: 1e-6 });
      l32.backward();
      expect(Array.from(p32.grad!.dataSync()).every(Number.isFinite)).toBe(true);
    });

    it('bceWithLogitsLoss by hand, equal to bce(sigmoid(z)), with posWeight', () => {
      const z = f64([2, -1, 0]);
      const y = f64([1, 0, 1]);
      expectClose(F.bceWithLogitsLoss(z, y, { reduction: 'none' }), [0.1269280110429725, 0.31326168751822286, 0.6931471805599453], { atol: 1e-15 });
      expectClose(F.bceWithLogitsLoss(z, y), F.bceLoss(z.sigmoid(), y), { atol: 1e-15 });
      expectClose(F.bceWithLogitsLoss(f64([0.5, 0.5]), f64([1, 0]), { posWeight: 3, reduction: 'none' }), [1.42223095254032, 0.9740769841801067], { atol: 1e-14 });
      expectClose(F.bceWithLogitsLoss(f64([0.5, 0.5]), f64([1, 0]), { posWeight: f64([3]), reduction: 'none' }), [1.42223095254032, 0.9740769841801067], { atol: 1e-14 });
    });

    it('bceWithLogitsLoss is stable at logits ±1e4 and its gradient is sigmoid(z) − y', () => {
      const z = f64([1e4, 1e4, -1e4, -1e4, 0], true);
      const y = f64([1, 0, 1, 0, 1]);
      const loss = F.bceWithLogitsLoss(z, y, { reduction: 'none' });
      expectClose(loss, [0, 1e4, 1e4, 0, Math.LN2], { atol: 1e-12 });
      loss.sum().backward();
      expectClose(z.grad!, [0, 1, -1, 0, -0.5], { atol: 1e-15 });
    });

    it('rejects probabilities outside [0, 1] and NaN', () => {
      expect(() => F.bceLoss(f64([0.5, 1.2]), f64([1, 0]))).toThrow(/bceLoss: predictions must be probabilities in \[0, 1\], found 1.2 at flat index 1/);
      expect(() => F.bceLoss(f64([NaN]), f64([1]))).toThrow(/found NaN/);
    });
  });

  describe('cross-entropy, NLL, KL', () => {
    const rows = [[1, 2, 3], [1, 1, 1], [-2, 0.5, 4]];
    const idx = [2, 0, 1];

    it('crossEntropy with class indices by hand', () => {
      const z = f64(rows.slice(0, 2));
      expectClose(F.crossEntropy(z, labels([2, 0]), { reduction: 'none' }), [0.4076059644443806, 1.09861228866811], { atol: 1e-15 });
      expectClose(F.crossEntropy(z, labels([2, 0])), 0.7531091265562453, { atol: 1e-15 });
      // One sample: logits [C] and a 0-D class.
      expectClose(F.crossEntropy(f64([1, 2, 3]), nb.tensor(2, { dtype: 'int32' })), 0.4076059644443806, { atol: 1e-15 });
    });

    it('one-hot / probability targets agree with indices and with the reference', () => {
      const z = f64(rows);
      const viaIndex = F.crossEntropy(z, labels(idx), { reduction: 'none' });
      const viaOneHot = F.crossEntropy(z, f64(oneHot(idx, 3)), { reduction: 'none' });
      expectClose(viaIndex, viaOneHot, { atol: 1e-15 });
      expectClose(viaIndex, refCrossEntropyRows(rows, oneHot(idx, 3)), { atol: 1e-14 });
      const soft = [[0.2, 0.3, 0.5], [1, 0, 0], [0.1, 0.6, 0.3]];
      expectClose(F.crossEntropy(z, f64(soft), { reduction: 'sum' }), refCrossEntropyRows(rows, soft).reduce((a, b) => a + b), { atol: 1e-14 });
    });

    it('is exact and finite at logits ±1e4', () => {
      const z = f64([[1e4, 0, -1e4], [1e4, 0, -1e4]], true);
      const loss = F.crossEntropy(z, labels([0, 2]), { reduction: 'none' });
      expectClose(loss, [0, 2e4], { atol: 1e-12 });
      loss.sum().backward();
      expectClose(z.grad!, [[0, 0, 0], [1, 0, -1]], { atol: 1e-15 });
      const z32 = nb.tensor([[1e4, -1e4]]);
      expectClose(F.crossEntropy(z32, labels([1])), 2e4, { rtol: 1e-6 });
    });

    it('label smoothing and class weights match the reference (PyTorch\'s definitions)', () => {
      const eps = 0.1;
      const w = [0.5, 2, 1];
      const smoothed = oneHot(idx, 3).map((r) => r.map((v) => (1 - eps) * v + eps / 3));
      const z = f64(rows);
      expectClose(F.crossEntropy(z, labels(idx), { labelSmoothing: eps, reduction: 'none' }), refCrossEntropyRows(rows, smoothed), { atol: 1e-14 });
      expectClose(F.crossEntropy(z, f64(oneHot(idx, 3)), { labelSmoothing: eps, reduction: 'none' }), refCrossEntropyRows(rows, smoothed), { atol: 1e-14 });
      // Weighted mean divides by the weights of the targets: (w2·l0 + w0·l1 + w1·l2)/(w2 + w0 + w1).
      const perRow = refCrossEntropyRows(rows, oneHot(idx, 3));
      const weighted = (w[2] * perRow[0] + w[0] * perRow[1] + w[1] * perRow[2]) / (w[2] + w[0] + w[1]);
      expectClose(F.crossEntropy(z, labels(idx), { weight: w }), weighted, { atol: 1e-14 });
      expectClose(F.crossEntropy(z, labels(idx), { weight: f64(w), reduction: 'sum' }), w[2] * perRow[0] + w[0] * perRow[1] + w[1] * perRow[2], { atol: 1e-14 });
      // Both together: −Σ_c w_c·t'_c·log p_c, mean over the targets' weights.
      const both = refCrossEntropyRows(rows, smoothed, w);
      expectClose(F.crossEntropy(z, labels(idx), { weight: w, labelSmoothing: eps }), both.reduce((a, b) => a + b) / (w[2] + w[0] + w[1]), { atol: 1e-14 });
    });

    it('nllLoss on logSoftmax equals crossEntropy', () => {
      const z = f64(rows);
      expectClose(F.nllLoss(z.logSoftmax(1), labels(idx)), F.crossEntropy(z, labels(idx)), { atol: 1e-15 });
      expectClose(F.nllLoss(f64([[-1, -2], [-3, -4]]), labels([1, 0]), { reduction: 'none' }), [2, 3]);
      expectClose(F.nllLoss(f64([[-1, -2], [-3, -4]]), labels([1, 0]), { weight: [1, 3] }), (3 * 2 + 1 * 3) / 4, { atol: 1e-15 });
    });

    it('klDiv follows the notes: Σ p log(p/q) = cross-entropy − H(p); p = 0 terms count 0', () => {
      const p = f64([0.5, 0.5, 0]);
      const q = f64([0.25, 0.5, 0.25]);
      expectClose(F.klDiv(p, q), 0.5 * Math.LN2, { atol: 1e-15 });
      const crossEntropyPQ = F.crossEntropy(q.log(), p);
      const entropyP = Math.LN2;
      expectClose(F.klDiv(p, q), crossEntropyPQ.sub(entropyP), { atol: 1e-15 });
      expectClose(F.klDiv(p, q.log(), { qIsLog: true }), 0.5 * Math.LN2, { atol: 1e-15 });
      // PyTorch's order and log input: kl_div(log q, p).
      expectClose(F.klDiv(q.log(), p, { convention: 'torch' }), 0.5 * Math.LN2, { atol: 1e-15 });
      expectClose(F.klDiv(q.log(), f64([0.5, 0.5, 0]).log(), { convention: 'torch', pIsLog: true }), 0.5 * Math.LN2, { atol: 1e-15 });
      // batchmean: per-distribution sums averaged over the batch.
      const P = f64([[0.5, 0.5, 0], [0.2, 0.3, 0.5]]);
      const Q = f64([[0.25, 0.5, 0.25], [0.2, 0.3, 0.5]]);
      expectClose(F.klDiv(P, Q), 0.25 * Math.LN2, { atol: 1e-15 });
      expectClose(F.klDiv(P, Q, { reduction: 'none' }), [[0.5 * Math.LN2, 0, 0], [0, 0, 0]], { atol: 1e-15 });
      expectClose(new nb.nn.KLDivLoss().forward(P, Q), 0.25 * Math.LN2, { atol: 1e-15 });
    });

    it('klDiv has a finite gradient where p = 0, and is infinite where q = 0 < p', () => {
      const q = f64([0.25, 0.5, 0.25], true);
      F.klDiv(f64([0.5, 0.5, 0]), q).backward();
      expectClose(q.grad!, [-2, -1, 0], { atol: 1e-15 });
      expect(F.klDiv(f64([0.5, 0.5]), f64([0, 1])).item()).toBe(Infinity);
    });
  });

  describe('gradients (float64 gradcheck)', () => {
    it('every cost, every reduction', () => {
      const pred = f64([[0.3, -1.2, 2.1], [0.7, 0.1, -0.4]]);
      const target = f64([[0.5, -1, 1.5], [0.2, 0.3, 0.1]]);
      const probs = f64([[0.3, 0.8, 0.6], [0.1, 0.45, 0.9]]);
      const binary = f64([[1, 0, 1], [0, 1, 1]]);
      const dist = f64([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]);
      for (const reduction of REDUCTIONS) {
        const o = { reduction };
        expect(nb.gradcheck((a, b) => F.mseLoss(a, b, o), [pred, target])).toBe(true);
        expect(nb.gradcheck((a, b) => F.halfSumSquaredError(a, b, o), [pred, target])).toBe(true);
        expect(nb.gradcheck((a, b) => F.l1Loss(a, b, o), [pred, target])).toBe(true);
        expect(nb.gradcheck((a, b) => F.huberLoss(a, b, { ...o, delta: 0.6 }), [pred, target])).toBe(true);
        expect(nb.gradcheck((p) => F.bceLoss(p, binary, o), [probs])).toBe(true);
        expect(nb.gradcheck((p, y) => F.bceLoss(p, y, o), [probs, dist])).toBe(true);
        expect(nb.gradcheck((z, y) => F.bceWithLogitsLoss(z, y, { ...o, posWeight: 2.5 }), [pred, dist])).toBe(true);
        expect(nb.gradcheck((z, y) => F.bceWithLogitsLoss(z, y, o), [pred, dist])).toBe(true);
        expect(nb.gradcheck((z) => F.crossEntropy(z, labels([2, 0]), { ...o, weight: [1, 2, 0.5], labelSmoothing: 0.2 }), [pred])).toBe(true);
        expect(nb.gradcheck((z, t) => F.crossEntropy(z, t, o), [pred, dist])).toBe(true);
        expect(nb.gradcheck((z) => F.nllLoss(z, labels([1, 2]), o), [pred])).toBe(true);
        expect(nb.gradcheck((p, q) => F.klDiv(p, q, o), [dist, probs])).toBe(true);
        expect(nb.gradcheck((lq, p) => F.klDiv(lq, p, { ...o, convention: 'torch' }), [pred.logSoftmax(1), dist])).toBe(true);
      }
    });
  });

  describe('modules and lookup', () => {
    it('loss modules equal the functions and rebuild from their config', () => {
      const pred = f64([[0.3, -1.2, 2.1], [0.7, 0.1, -0.4]]);
      const target = f64([[0.5, -1, 1.5], [0.2, 0.3, 0.1]]);
      const probs = pred.sigmoid();
      const cases: [nb.nn.Loss, nb.Tensor, nb.Tensor, nb.Tensor][] = [
        [new nb.nn.MSELoss({ reduction: 'sum' }), pred, target, F.mseLoss(pred, target, { reduction: 'sum' })],
        [new nb.nn.HalfSSELoss(), pred, target, F.halfSumSquaredError(pred, target)],
        [new nb.nn.L1Loss(), pred, target, F.l1Loss(pred, target)],
        [new nb.nn.HuberLoss({ delta: 0.5 }), pred, target, F.huberLoss(pred, target, { delta: 0.5 })],
        [new nb.nn.BCELoss({ weight: f64([1, 2, 3]) }), probs, probs.mul(0.5), F.bceLoss(probs, probs.mul(0.5), { weight: f64([1, 2, 3]) })],
        [new nb.nn.BCEWithLogitsLoss({ posWeight: 2 }), pred, probs, F.bceWithLogitsLoss(pred, probs, { posWeight: 2 })],
        [new nb.nn.CrossEntropyLoss({ weight: [1, 2, 3], labelSmoothing: 0.1 }), pred, labels([0, 2]), F.crossEntropy(pred, labels([0, 2]), { weight: [1, 2, 3], labelSmoothing: 0.1 })],
        [new nb.nn.NLLLoss(), pred.logSoftmax(1), labels([1, 1]), F.nllLoss(pred.logSoftmax(1), labels([1, 1]))],
        [new nb.nn.KLDivLoss({ convention: 'torch' }), pred.logSoftmax(1), probs.softmax(1), F.klDiv(pred.logSoftmax(1), probs.softmax(1), { convention: 'torch' })],
      ];
      for (const [m, a, b, expected] of cases) {
        expectClose(m.forward(a, b), expected, { atol: 0, rtol: 0 });
        const rebuilt = nb.nn.moduleFromConfig(JSON.parse(JSON.stringify(m.config()))) as nb.nn.Loss;
        expect(rebuilt.typeName).toBe(m.typeName);
        expectClose(rebuilt.call(a, b), expected, { atol: 0, rtol: 0 });
      }
      expect(new nb.nn.CrossEntropyLoss().describe()).toBe('CrossEntropyLoss(reduction="mean")');
      expect(() => new nb.nn.MSELoss().forward(pred)).toThrow(/MSELoss: forward\(prediction, target\) needs a target tensor/);
    });

    it('loss(name) understands the usual spellings', () => {
      expect(nb.nn.loss('mse')).toBeInstanceOf(nb.nn.MSELoss);
      expect(nb.nn.loss('crossEntropy')).toBeInstanceOf(nb.nn.CrossEntropyLoss);
      expect(nb.nn.loss('cross_entropy_loss')).toBeInstanceOf(nb.nn.CrossEntropyLoss);
      expect(nb.nn.loss('BCE')).toBeInstanceOf(nb.nn.BCELoss);
      expect(nb.nn.loss('bce-with-logits')).toBeInstanceOf(nb.nn.BCEWithLogitsLoss);
      expect(nb.nn.loss('mae')).toBeInstanceOf(nb.nn.L1Loss);
      expect(nb.nn.loss('halfSSE')).toBeInstanceOf(nb.nn.HalfSSELoss);
      expect((nb.nn.loss('huber', { delta: 3 }) as nb.nn.HuberLoss).delta).toBe(3);
      expect(nb.nn.loss('mse', { reduction: 'sum' }).reduction).toBe('sum');
      for (const name of nb.nn.LOSS_NAMES) expect(nb.nn.loss(name)).toBeInstanceOf(nb.nn.Loss);
      expect(() => nb.nn.loss('hinge')).toThrow(/loss: unknown loss "hinge" \(known: mse, halfSSE/);
    });
  });

  describe('errors', () => {
    it('names the loss, the shapes and what was expected', () => {
      expect(() => F.crossEntropy(nb.zeros([4, 10]), labels([1, 2, 3, 4, 5]))).toThrow('crossEntropy: logits [4,10] and targets [5] disagree on the batch size');
      expect(() => F.crossEntropy(nb.zeros([2, 10]), labels([3, 12]))).toThrow('crossEntropy: target class 12 at position 1 is out of range for 10 classes (expected 0..9)');
      expect(() => F.crossEntropy(nb.zeros([2, 10]), labels([-1, 0]))).toThrow(/target class -1 at position 0 is out of range/);
      expect(() => F.crossEntropy(nb.zeros([2, 3]), nb.tensor([0, 1]))).toThrow(nb.DTypeError);
      expect(() => F.crossEntropy(nb.zeros([2, 3]), nb.zeros([2, 4]))).toThrow(/crossEntropy: logits \[2,3\] and probability targets \[2,4\] have different shapes/);
      expect(() => F.crossEntropy(nb.zeros([2, 3, 4]), labels([0, 1]))).toThrow(/crossEntropy: logits must be \[N, C\]/);
      expect(() => F.crossEntropy(nb.zeros([2, 3]), labels([0, 1]), { weight: [1, 2] })).toThrow(/class weights \[2\] must be \[3\]/);
      expect(() => F.nllLoss(nb.zeros([3, 2]), labels([0, 1]))).toThrow('nllLoss: log-probabilities [3,2] and targets [2] disagree on the batch size');
      expect(() => F.mseLoss(nb.zeros([4, 1]), nb.zeros([4]))).toThrow('mseLoss: prediction [4,1] and target [4] have different shapes');
      expect(() => F.mseLoss(nb.zeros([2]), nb.zeros([2]), { reduction: 'avg' as 'mean' })).toThrow(/mseLoss: reduction must be one of 'mean', 'sum', 'none', 'batchmean', got "avg"/);
      expect(() => F.huberLoss(nb.zeros([2]), nb.zeros([2]), { delta: 0 })).toThrow(/huberLoss: delta must be positive/);
      expect(() => F.crossEntropy(nb.zeros([2, 3]), labels([0, 1]), { labelSmoothing: 1.5 })).toThrow(/labelSmoothing must be a number in \[0, 1\]/);
      expect(() => F.klDiv(nb.zeros([2]), nb.zeros([3]))).toThrow(/klDiv: p \[2\] and q \[3\] have different shapes/);
      expect(() => F.mseLoss(labels([1]), nb.zeros([1]))).toThrow(nb.DTypeError);
    });
  });
});
