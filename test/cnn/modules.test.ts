import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d } from './layers';

/** Sample standard deviation of a tensor's values. */
function sampleStd(t: nb.Tensor): number {
  const v = Array.from(t.dataSync());
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

const maxAbs = (t: nb.Tensor): number => Math.max(...Array.from(t.dataSync(), Math.abs));

/** Rebuilds a module from its config sent through JSON, with the same weights. */
function roundTrip(m: nb.nn.Module): nb.nn.Module {
  const copy = nb.nn.moduleFromConfig(JSON.parse(JSON.stringify(m.config())));
  copy.loadStateDict(m.stateDict());
  return copy;
}

describe.each(backends)('CNN modules on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(42);
  });

  describe('Conv2d', () => {
    it('has weight [outC, inC/groups, kH, kW] and bias [outC], and the output shape it predicts', () => {
      const conv = new Conv2d(6, 8, [3, 2], { padding: 1, groups: 2 });
      expect(conv.weight.shape).toEqual([8, 3, 3, 2]);
      expect(conv.bias!.shape).toEqual([8]);
      expect(conv.numParameters()).toBe(8 * 3 * 3 * 2 + 8);
      expect(conv.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
      const x = nb.randn([2, 6, 7, 5]);
      const y = conv.forward(x);
      expect(y.shape).toEqual([2, 8, 7, 6]);
      expect(conv.outputShape([2, 6, 7, 5])).toEqual(y.shape);
      expect(new Conv2d(1, 2, 3, { bias: false }).bias).toBeNull();
    });

    it('computes the convolution with its own weights', () => {
      const conv = new Conv2d(1, 1, 2);
      conv.weight.assign([1, 0, 0, -1]);
      conv.bias!.assign([0.5]);
      expectClose(conv.forward(nb.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]])), [[[[-3.5, -3.5], [-3.5, -3.5]]]]);
    });

    it('names the layer in shape errors', () => {
      const conv = new Conv2d(1, 8, 5);
      expect(() => conv.forward(nb.zeros([2, 3, 28, 28]))).toThrow('Conv2d(1→8, 5x5): input has 3 channels, expected 1');
      expect(() => conv.forward(nb.zeros([2, 1, 4, 4]))).toThrow('Conv2d(1→8, 5x5): input of 4x4 is too small for the 5x5 kernel');
      expect(() => conv.outputShape([28, 28])).toThrow('Conv2d(1→8, 5x5): expected an input of shape [N, C, H, W] (or [C, H, W]), got [28,28]');
      expect(() => conv.forward(nb.zeros([2, 3, 28, 28]))).toThrow(nb.ShapeError);
    });

    it('checks its arguments when built', () => {
      expect(() => new Conv2d(3, 8, 3, { groups: 2 })).toThrow('Conv2d(3→8, 3x3): inChannels 3 and outChannels 8 must both be divisible by groups = 2');
      expect(() => new Conv2d(3, 8, 3, { stride: 2, padding: 'same' })).toThrow("padding 'same' needs stride 1");
      expect(() => new Conv2d(0, 8, 3)).toThrow(nb.ValueError);
      expect(() => new Conv2d(3, 8, [3, 0])).toThrow(nb.ValueError);
      expect(() => new Conv2d(3, 8, 3, { padding: -1 })).toThrow(nb.ValueError);
      expect(() => new Conv2d(3, 8, 3, { init: 'nonsense' as 'he' })).toThrow('unknown init');
    });

    it("initialises like PyTorch by default: weight and bias in U(±1/√fanIn), fanIn = inC/groups·kH·kW", () => {
      const conv = new Conv2d(8, 32, 3, { groups: 2 });
      const bound = 1 / Math.sqrt(4 * 9);
      expect(maxAbs(conv.weight)).toBeLessThanOrEqual(bound);
      expect(maxAbs(conv.weight)).toBeGreaterThan(0.95 * bound);
      // U(−b, b) has standard deviation b/√3; 1152 samples put the estimate within a few percent.
      expect(sampleStd(conv.weight)).toBeCloseTo(bound / Math.sqrt(3), 2);
      expect(maxAbs(conv.bias!)).toBeLessThanOrEqual(bound);
      expect(maxAbs(conv.bias!)).toBeGreaterThan(0);
    });

    it("offers He and Glorot initialisation (zero bias) and is reproducible under manualSeed", () => {
      const he = new Conv2d(16, 32, 3, { init: 'he' });
      expect(sampleStd(he.weight) / Math.sqrt(2 / 144)).toBeGreaterThan(0.95);
      expect(sampleStd(he.weight) / Math.sqrt(2 / 144)).toBeLessThan(1.05);
      expect(maxAbs(he.bias!)).toBe(0);
      const glorot = new Conv2d(16, 32, 3, { init: 'glorot' });
      const bound = Math.sqrt(6 / (16 * 9 + 32 * 9));
      expect(maxAbs(glorot.weight)).toBeLessThanOrEqual(bound);
      expect(maxAbs(glorot.weight)).toBeGreaterThan(0.95 * bound);
      nb.manualSeed(5);
      const a = new Conv2d(2, 3, 3).weight.dataSync();
      nb.manualSeed(5);
      expect(new Conv2d(2, 3, 3).weight.dataSync()).toEqual(a);
    });

    it('round-trips its config and reproduces its outputs', () => {
      const conv = new Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, init: 'glorot', dtype: 'float64' });
      const copy = roundTrip(conv);
      expect(copy).toBeInstanceOf(Conv2d);
      expect(copy.config()).toEqual(conv.config());
      const x = nb.randn([2, 4, 7, 6], { dtype: 'float64' });
      expectClose(copy.forward(x), conv.forward(x), { atol: 0, rtol: 0 });
      expect(roundTrip(new Conv2d(1, 2, 3, { padding: 'same', bias: false })).config()).toEqual(new Conv2d(1, 2, 3, { padding: 'same', bias: false }).config());
      expect(conv.describe()).toBe('Conv2d(4→6, 3x2, stride=[2,1], padding=[1,0], dilation=[1,2], groups=2)');
    });

    it('back-propagates into its parameters: d(Σy)/d(bias) counts the output positions', () => {
      const conv = new Conv2d(2, 3, 2, { stride: 2, padding: 1, dtype: 'float64' });
      const x = nb.randn([4, 2, 3, 3], { dtype: 'float64' });
      conv.forward(x).sum().backward();
      // Each bias entry is added at N·outH·outW = 4·2·2 positions.
      expectClose(conv.bias!.grad!, [16, 16, 16]);
      // d(Σy)/dW[o, c, ki, kj] is the sum of the pixels that tap reads, the same for every o.
      const tap00 = x.slice([0, 0, 1, 1], [4, 1, 3, 3], [1, 1, 2, 2]).sum().item(); // tap (0,0) reads rows/cols 1 only (padding 1, stride 2)
      expectClose(conv.weight.grad!.slice([0, 0, 0, 0], [3, 1, 1, 1]), [[[[tap00]]], [[[tap00]]], [[[tap00]]]], { atol: 1e-12 });
    });
  });

  describe('pooling layers', () => {
    it('MaxPool2d and AvgPool2d: shapes, values, config round-trip', () => {
      const x = nb.arange(0, 32, 1, { dtype: 'float32' }).reshape([2, 1, 4, 4]);
      const maxPool = new MaxPool2d(2);
      expectClose(maxPool.forward(x), [[[[5, 7], [13, 15]]], [[[21, 23], [29, 31]]]]);
      const avg = new AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false });
      expect(avg.outputShape([2, 1, 4, 4])).toEqual([2, 1, 2, 2]);
      expectClose(avg.forward(x.slice([0], [1])), [[[[(0 + 1 + 4 + 5) / 4, (1 + 2 + 3 + 5 + 6 + 7) / 6], [(4 + 5 + 8 + 9 + 12 + 13) / 6, (5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15) / 9]]]]);
      for (const m of [maxPool, avg, new MaxPool2d([3, 2], { stride: 1, padding: [1, 0], dilation: 2 }), new AdaptiveAvgPool2d([2, null]), new AdaptiveMaxPool2d([3, null]),
        new MaxPool2d(3, { stride: 2, ceilMode: true }), new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true })]) {
        const copy = roundTrip(m);
        expect(copy.config()).toEqual(m.config());
        expectClose(copy.forward(x), m.forward(x), { atol: 0, rtol: 0 });
      }
      expect(maxPool.numParameters()).toBe(0);
    });

    it('AdaptiveAvgPool2d(1) is global average pooling', () => {
      const x = nb.randn([3, 5, 6, 7]);
      expectClose(new AdaptiveAvgPool2d(1).forward(x), x.mean([2, 3], true), { atol: 1e-6 });
      expect(new AdaptiveAvgPool2d([4, null]).outputShape([3, 5, 6, 7])).toEqual([3, 5, 4, 7]);
    });

    it('AdaptiveMaxPool2d(1) is global max pooling; a divisible size is MaxPool2d', () => {
      const x = nb.randn([3, 5, 6, 7]);
      expectClose(new AdaptiveMaxPool2d(1).forward(x), new MaxPool2d([6, 7]).forward(x), { atol: 0, rtol: 0 });
      expectClose(new AdaptiveMaxPool2d([3, 7]).forward(x), new MaxPool2d([2, 1]).forward(x), { atol: 0, rtol: 0 });
      expect(new AdaptiveMaxPool2d([null, 4]).outputShape([3, 5, 6, 7])).toEqual([3, 5, 6, 4]);
    });

    it('ceilMode: in describe(), and a fused Conv2d-ReLU-MaxPool2d block gives the unfused values', () => {
      expect(new MaxPool2d(2, { ceilMode: true }).describe()).toBe('MaxPool2d(2x2, ceilMode=true)');
      nb.manualSeed(3);
      const seq = new nb.nn.Sequential(new Conv2d(1, 2, 3), new nb.nn.ReLU(), new MaxPool2d(2, { ceilMode: true }));
      const x = nb.randn([2, 1, 9, 9]);
      const y = seq.forward(x);
      expect(y.shape).toEqual([2, 2, 4, 4]);
      const layers = seq.children();
      const unfused = new MaxPool2d(2, { ceilMode: true }).forward(layers[1].forward(layers[0].forward(x)));
      expectClose(y, unfused, { atol: 0, rtol: 0 });
    });

    it('name the layer in errors', () => {
      expect(() => new MaxPool2d(3).forward(nb.zeros([1, 1, 2, 2]))).toThrow('MaxPool2d(3x3): input of 2x2 is too small for the 3x3 window');
      expect(() => new AvgPool2d(2).forward(nb.zeros([4, 4]))).toThrow('AvgPool2d(2x2): expected an input of shape [N, C, H, W]');
      expect(() => new MaxPool2d(2, { padding: 2 })).toThrow('MaxPool2d(2x2): padding [2, 2] must be at most half the kernel size');
      expect(() => new AdaptiveAvgPool2d(0)).toThrow('AdaptiveAvgPool2d(0x0): outputSize must hold positive integers');
      expect(() => new AdaptiveMaxPool2d([2, 1.5])).toThrow('AdaptiveMaxPool2d(2x1.5): outputSize must hold positive integers');
      expect(() => new AdaptiveMaxPool2d(2).forward(nb.zeros([4, 4]))).toThrow('AdaptiveMaxPool2d(2x2): expected an input of shape [N, C, H, W]');
    });
  });

  describe('BatchNorm2d', () => {
    // x [N=2, C=2, 1, 2]: channel 0 {1, 3, 5, 7} (mean 4, var 5, unbiased 20/3), channel 1 {2, 2, 4, 8} (mean 4, var 6, unbiased 8).
    const batch = (): nb.Tensor => nb.tensor([[[[1, 3]], [[2, 2]]], [[[5, 7]], [[4, 8]]]]);

    it('normalises with batch statistics in training and updates its buffers', () => {
      const bn = new BatchNorm2d(2);
      expect(Object.keys(bn.stateDict()).sort()).toEqual(['bias', 'numBatchesTracked', 'runningMean', 'runningVar', 'weight']);
      const y = bn.forward(batch());
      const c0 = (v: number): number => (v - 4) / Math.sqrt(5 + 1e-5);
      const c1 = (v: number): number => (v - 4) / Math.sqrt(6 + 1e-5);
      expectClose(y, [[[[c0(1), c0(3)]], [[c1(2), c1(2)]]], [[[c0(5), c0(7)]], [[c1(4), c1(8)]]]]);
      expectClose(bn.runningMean, [0.4, 0.4]);
      expectClose(bn.runningVar, [0.9 + 0.1 * (20 / 3), 0.9 + 0.1 * 8]);
      expect(bn.numBatchesTracked).toBe(1);
      bn.forward(batch());
      expect(bn.numBatchesTracked).toBe(2);
      expectClose(bn.runningMean, [0.9 * 0.4 + 0.4, 0.9 * 0.4 + 0.4]);
    });

    it('uses the running statistics in eval mode and leaves them alone', () => {
      const bn = new BatchNorm2d(2, { eps: 0 });
      bn.runningMean.assign([1, -2]);
      bn.runningVar.assign([4, 0.25]);
      bn.weight!.assign([2, 1]);
      bn.bias!.assign([0, 1]);
      bn.eval();
      expectClose(bn.forward(batch()), [[[[0, 2]], [[9, 9]]], [[[4, 6]], [[13, 21]]]]);
      expectClose(bn.runningMean, [1, -2]);
      expect(bn.numBatchesTracked).toBe(0);
      // One image alone gives the same answer in eval mode.
      expectClose(bn.forward(batch().slice([1], [2])), [[[[4, 6]], [[13, 21]]]]);
      bn.train();
      expect(() => bn.forward(nb.zeros([1, 2, 1, 1]))).toThrow(/more than (1|one) value per channel/);
    });

    it('with momentum null keeps the plain average of every batch', () => {
      const bn = new BatchNorm2d(2, { momentum: null });
      bn.forward(batch());
      bn.forward(batch().add(2));
      // Means 4 and 6 → 5; unbiased variances are unchanged by the shift.
      expectClose(bn.runningMean, [5, 5]);
      expectClose(bn.runningVar, [20 / 3, 8]);
    });

    it('without affine parameters: plain normalisation, buffers still kept', () => {
      const bn = new BatchNorm2d(2, { affine: false });
      expect(bn.numParameters()).toBe(0);
      expect(Object.keys(bn.stateDict()).sort()).toEqual(['numBatchesTracked', 'runningMean', 'runningVar']);
      const y = bn.forward(batch());
      expectClose(y.mean([0, 2, 3]), [0, 0], { atol: 1e-6 });
      expectClose(y.square().mean([0, 2, 3]), [5 / (5 + 1e-5), 6 / (6 + 1e-5)], { atol: 1e-6 });
    });

    it('names the layer in errors and round-trips its config', () => {
      const bn = new BatchNorm2d(16, { momentum: 0.3, eps: 1e-3 });
      expect(() => bn.forward(nb.zeros([2, 3, 4, 4]))).toThrow('BatchNorm2d(16): input has 3 channels, expected 16');
      expect(() => bn.forward(nb.zeros([2, 16]))).toThrow('BatchNorm2d(16): expected an input of shape [N, C, H, W], got [2,16]');
      expect(() => new BatchNorm2d(4, { momentum: 2 })).toThrow(nb.ValueError);
      bn.forward(nb.randn([2, 16, 3, 3]));
      const copy = roundTrip(bn) as BatchNorm2d;
      expect(copy.config()).toEqual(bn.config());
      expectClose(copy.runningMean, bn.runningMean, { atol: 0, rtol: 0 });
      expect(copy.numBatchesTracked).toBe(1);
      expect(bn.describe()).toBe('BatchNorm2d(16, eps=0.001, momentum=0.3)');
    });
  });
});
