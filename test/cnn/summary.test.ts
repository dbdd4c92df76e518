import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends } from '../helpers';
import { AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv2d, MaxPool2d, summary } from './layers';

/** A small CNN with a nested block, built on Module alone. */
class Block extends nb.nn.Module {
  readonly conv = this.registerModule('conv', new Conv2d(4, 8, 3, { padding: 1 }));
  readonly bn = this.registerModule('bn', new BatchNorm2d(8));
  forward(x: nb.Tensor): nb.Tensor {
    return this.bn.forward(this.conv.forward(x)).relu();
  }
}

class Net extends nb.nn.Module {
  readonly stem = this.registerModule('stem', new Conv2d(1, 4, 5));
  readonly pool = this.registerModule('pool', new MaxPool2d(2));
  readonly block = this.registerModule('block', new Block());
  readonly gap = this.registerModule('gap', new AdaptiveAvgPool2d(1));
  forward(x: nb.Tensor): nb.Tensor {
    return this.gap.forward(this.block.forward(this.pool.forward(this.stem.forward(x).relu()))).flatten(1);
  }
}

describe.each(backends)('summary on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(1);
  });

  it("records every layer's output shape and parameter count for a given input shape", () => {
    const net = new Net();
    const s = summary(net, [2, 1, 28, 28]);
    expect(s.layers.map((l) => [l.name, l.depth, l.outputShape, l.parameters])).toEqual([
      ['stem', 0, [2, 4, 24, 24], 4 * 25 + 4],
      ['pool', 0, [2, 4, 12, 12], 0],
      ['block', 0, [2, 8, 12, 12], 0],
      ['block.conv', 1, [2, 8, 12, 12], 8 * 4 * 9 + 8],
      ['block.bn', 1, [2, 8, 12, 12], 16],
      ['gap', 0, [2, 8, 1, 1], 0],
    ]);
    expect(s.outputShape).toEqual([2, 8]);
    expect(s.totalParameters).toBe(104 + 296 + 16);
    // The shapes agree with each layer's own outputShape.
    expect(net.stem.outputShape([2, 1, 28, 28])).toEqual([2, 4, 24, 24]);
    expect(net.pool.outputShape([2, 4, 24, 24])).toEqual([2, 4, 12, 12]);
    const text = s.toString();
    expect(text).toContain('stem: Conv2d(1→4, 5x5)');
    expect(text).toContain('  block.conv: Conv2d(4→8, 3x3, padding=1)');
    expect(text).toContain('[2,8,12,12]');
    expect(text).toContain('Total trainable parameters: 416');
  });

  it('works on a Sequential LeNet-style model with Flatten and Linear', () => {
    const { Sequential, ReLU, Flatten, Linear } = nb.nn;
    const model = new Sequential(
      new Conv2d(1, 6, 5, { padding: 2 }), new ReLU(), new MaxPool2d(2),
      new Conv2d(6, 16, 5), new ReLU(), new AvgPool2d(2),
      new Flatten(), new Linear(16 * 5 * 5, 10),
    );
    const s = summary(model, [1, 1, 28, 28]);
    expect(s.layers.map((l) => l.outputShape)).toEqual([
      [1, 6, 28, 28], [1, 6, 28, 28], [1, 6, 14, 14], [1, 16, 10, 10], [1, 16, 10, 10], [1, 16, 5, 5], [1, 400], [1, 10],
    ]);
    expect(s.layers.map((l) => l.parameters)).toEqual([156, 0, 0, 2416, 0, 0, 0, 4010]);
    expect(s.totalParameters).toBe(156 + 2416 + 4010);
    expect(() => summary(model, [1, 1, 20, 20])).toThrow('Linear');
  });

  it('leaves the model as it was: modes, running statistics, forward methods', () => {
    const net = new Net();
    net.block.bn.eval();
    const before = net.block.bn.runningMean.dataSync();
    summary(net, [1, 1, 12, 12]);
    expect(net.training).toBe(true);
    expect(net.stem.training).toBe(true);
    expect(net.block.bn.training).toBe(false);
    expect(net.block.bn.runningMean.dataSync()).toEqual(before);
    expect(net.block.bn.numBatchesTracked).toBe(0);
    expect(Object.prototype.hasOwnProperty.call(net.stem, 'forward')).toBe(false);
    expect(net.forward(nb.zeros([2, 1, 12, 12])).requiresGrad).toBe(true);
  });

  it('lets the shape error of the layer that rejects the input through', () => {
    expect(() => summary(new Net(), [1, 3, 28, 28])).toThrow('Conv2d(1→4, 5x5): input has 3 channels, expected 1');
    expect(() => summary(new Net(), [1, 1, 4, 4])).toThrow('Conv2d(1→4, 5x5): input of 4x4 is too small for the 5x5 kernel');
    expect(() => summary(new Net(), [1, 1, 5, 5])).toThrow('MaxPool2d(2x2): input of 1x1 is too small for the 2x2 window');
  });
});
