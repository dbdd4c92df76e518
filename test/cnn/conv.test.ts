import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const randn64 = (shape: number[]): nb.Tensor => nb.randn(shape, { dtype: 'float64' });

/** Sum of elementwise products (an inner product of two same-shaped tensors). */
function dot(a: nb.Tensor, b: nb.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

describe.each(backends)('conv2d on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(7);
  });

  const x33 = (): nb.Tensor => nb.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
  // y[i][j] = x[i][j] − x[i+1][j+1]
  const diagonalDiff = (): nb.Tensor => nb.tensor([[[[1, 0], [0, -1]]]]);

  it('computes a hand-worked 2x2 kernel without padding, with bias', () => {
    const y = nb.conv2d(x33(), diagonalDiff(), nb.tensor([0.5]));
    expectClose(y, [[[[-3.5, -3.5], [-3.5, -3.5]]]]);
  });

  it('zero-pads: padding 1 gives a 4x4 output', () => {
    const y = nb.conv2d(x33(), diagonalDiff(), null, { padding: 1 });
    expectClose(y, [[[[-1, -2, -3, 0], [-4, -4, -4, 3], [-7, -4, -4, 6], [0, 7, 8, 9]]]]);
  });

  it('strides: a 1x1 kernel of 2 with stride 2 picks the corners, doubled', () => {
    const y = nb.conv2d(x33(), nb.tensor([[[[2]]]]), null, { stride: 2 });
    expectClose(y, [[[[2, 6], [14, 18]]]]);
  });

  it('dilates: a 2x2 kernel of ones with dilation 2 sums the four corners', () => {
    const y = nb.conv2d(x33(), nb.ones([1, 1, 2, 2]), null, { dilation: 2 });
    expectClose(y, [[[[1 + 3 + 7 + 9]]]]);
  });

  it('groups: each output channel sees only its group of input channels', () => {
    // Two channels, the second = 10 × the first; groups 2 with kernels of 1 and −1.
    const x = nb.tensor([[[[1, 2], [3, 4]], [[10, 20], [30, 40]]]]);
    const w = nb.tensor([[[[1]]], [[[-1]]]]);
    expectClose(nb.conv2d(x, w, null, { groups: 2 }), [[[[1, 2], [3, 4]], [[-10, -20], [-30, -40]]]]);
  });

  it("pads 'same' like PyTorch: an even kernel gets its extra row and column after", () => {
    // 2x2 kernel of ones: total padding 1, all of it bottom/right, so y[i][j] = x[i][j] + x[i][j+1] + x[i+1][j] + x[i+1][j+1].
    const y = nb.conv2d(x33(), nb.ones([1, 1, 2, 2]), null, { padding: 'same' });
    expectClose(y, [[[[12, 16, 9], [24, 28, 15], [15, 17, 9]]]]);
    expect(nb.conv2d(x33(), nb.ones([1, 1, 2, 2]), null, { padding: 'valid' }).shape).toEqual([1, 1, 2, 2]);
  });

  it('accepts one unbatched image [C, H, W]', () => {
    const y = nb.conv2d(x33().reshape([1, 3, 3]), diagonalDiff(), null, { padding: [1, 0] });
    expect(y.shape).toEqual([1, 4, 2]);
    expectClose(y, [[[-2, -3], [-4, -4], [-4, -4], [7, 8]]]);
  });

  it('gives output shapes by the formula ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1', () => {
    expect(nb.conv2dOutputShape([8, 3, 32, 28], [16, 3, 5, 3], { stride: [2, 1], padding: [2, 0], dilation: [1, 2] })).toEqual([8, 16, 16, 24]);
    expect(nb.conv2dOutputShape([3, 6, 7, 7], [6, 2, 4, 3], { groups: 3, padding: 'same' })).toEqual([3, 6, 7, 7]);
    expect(nb.conv2dOutputShape([2, 9, 9], [5, 2, 3, 3], { stride: 2 })).toEqual([5, 4, 4]);
  });

  it('names the problem in its errors', () => {
    const w = nb.zeros([8, 1, 5, 5]);
    expect(() => nb.conv2d(nb.zeros([2, 3, 28, 28]), w)).toThrow('conv2d: input has 3 channels, expected 1');
    expect(() => nb.conv2d(nb.zeros([2, 1, 4, 4]), w)).toThrow('conv2d: input of 4x4 is too small for the 5x5 kernel');
    expect(() => nb.conv2d(nb.zeros([2, 1, 2, 2]), w, null, { padding: 1 })).toThrow('input of 2x2 (4x4 with padding) is too small');
    expect(() => nb.conv2d(nb.zeros([1, 1, 8, 8]), w, null, { dilation: 2 })).toThrow('too small for the 5x5 kernel (spanning 9x9 with dilation 2x2)');
    expect(() => nb.conv2d(nb.zeros([1, 28, 28]).reshape([28, 28]), w)).toThrow(nb.ShapeError);
    expect(() => nb.conv2d(nb.zeros([1, 4, 8, 8]), nb.zeros([6, 2, 3, 3]), null, { groups: 4 })).toThrow('not divisible by groups');
    expect(() => nb.conv2d(nb.zeros([1, 1, 8, 8]), w, null, { stride: 2, padding: 'same' })).toThrow("padding 'same' needs stride 1");
    expect(() => nb.conv2d(nb.zeros([1, 1, 8, 8]), w, null, { stride: 0 })).toThrow(nb.ValueError);
    expect(() => nb.conv2d(nb.zeros([1, 1, 8, 8]), w, nb.zeros([3]))).toThrow('bias must have shape [8]');
    expect(() => nb.conv2d(nb.zeros([1, 1, 8, 8], { dtype: 'int32' }), w)).toThrow(nb.DTypeError);
  });

  it('im2col and col2im are adjoint: <col2im(c), x> = <c, im2col(x)>', () => {
    const g = { batch: 2, channels: 3, inH: 5, inW: 6, kH: 3, kW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 2, outH: 3, outW: 6 };
    const x = randn64([2, 3, 5, 6]);
    const c = randn64([3 * 3 * 2, 2 * 3 * 6]);
    const lhs = dot(nb.col2im(c, g), x);
    const rhs = dot(c, nb.im2col(x, g));
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)));
  });

  it('im2col lays patches out as [C·kH·kW, N·outH·outW]', () => {
    const g = { batch: 1, channels: 1, inH: 3, inW: 3, kH: 2, kW: 2, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 2, outW: 2 };
    // Row (ki, kj) lists the tap's pixel for each of the 4 output positions.
    expectClose(nb.im2col(x33(), g), [[1, 2, 4, 5], [2, 3, 5, 6], [4, 5, 7, 8], [5, 6, 8, 9]]);
    expect(() => nb.im2col(x33(), { ...g, outH: 3 })).toThrow('geometry gives a 2x2 output');
  });

  describe('gradcheck (float64) with respect to input, weight and bias', () => {
    const cases: [string, number[], number[], nb.Conv2dOptions][] = [
      ['stride 1, padding 0', [2, 2, 4, 4], [3, 2, 3, 3], {}],
      ['stride 2, padding 1', [2, 2, 5, 5], [2, 2, 3, 3], { stride: 2, padding: 1 }],
      ["padding 'same', even kernel", [1, 2, 4, 3], [2, 2, 2, 2], { padding: 'same' }],
      ['dilation 2', [1, 1, 6, 5], [2, 1, 2, 2], { dilation: 2 }],
      ['groups 2', [2, 4, 4, 4], [4, 2, 2, 2], { groups: 2, padding: 1 }],
      ['non-square kernel and input, mixed pairs', [2, 2, 5, 4], [2, 2, 3, 1], { stride: [2, 1], padding: [1, 0], dilation: [1, 2] }],
    ];
    it.each(cases)('%s', (_name, xShape, wShape, options) => {
      const x = randn64(xShape);
      const w = randn64(wShape);
      const b = randn64([wShape[0]]);
      expect(nb.gradcheck((xi, wi, bi) => nb.conv2d(xi, wi, bi, options), [x, w, b])).toBe(true);
    });
  });

  it('has second derivatives (gradgradcheck)', () => {
    const x = randn64([1, 2, 4, 4]);
    const w = randn64([2, 2, 2, 2]);
    expect(nb.gradgradcheck((xi, wi) => nb.conv2d(xi, wi, null, { stride: 2, padding: 1 }).tanh(), [x, w])).toBe(true);
  });

  it('gives dW by hand: each tap sums the pixels it reads', () => {
    // With y = Σ conv(x, w) (1 output channel, 2x2 kernel), dL/dw[ki][kj] is the sum of the pixels tap (ki, kj) reads.
    const x = x33().cast('float64');
    const w = nb.zeros([1, 1, 2, 2], { dtype: 'float64', requiresGrad: true });
    nb.conv2d(x, w).sum().backward();
    expectClose(w.grad!, [[[[1 + 2 + 4 + 5, 2 + 3 + 5 + 6], [4 + 5 + 7 + 8, 5 + 6 + 8 + 9]]]]);
  });
});
