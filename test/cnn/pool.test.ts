import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const randn64 = (shape: number[]): nb.Tensor => nb.randn(shape, { dtype: 'float64' });

// A 4x4 image whose window maxima sit in different places.
const image = (): nb.Tensor => nb.tensor([[[[1, 9, 2, 0], [3, 4, 8, 5], [7, 6, 1, 2], [0, 3, 9, 4]]]], { dtype: 'float64' });

/** PyTorch's adaptive windows, written directly: cells ⌊i·in/out⌋ … ⌈(i+1)·in/out⌉ − 1. */
function adaptiveReference(x: nb.Tensor, oh: number, ow: number): Float64Array {
  const [n, c, h, w] = x.shape;
  const d = x.dataSync();
  const out: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      const h0 = Math.floor((i * h) / oh);
      const h1 = Math.ceil(((i + 1) * h) / oh);
      for (let j = 0; j < ow; j++) {
        const w0 = Math.floor((j * w) / ow);
        const w1 = Math.ceil(((j + 1) * w) / ow);
        let s = 0;
        for (let a = h0; a < h1; a++) for (let b = w0; b < w1; b++) s += d[p * h * w + a * w + b];
        out.push(s / ((h1 - h0) * (w1 - w0)));
      }
    }
  }
  return Float64Array.from(out);
}

/** Adaptive max pooling written directly: the max (first on ties) over PyTorch's windows. */
function adaptiveMaxReference(x: nb.Tensor, oh: number, ow: number): Float64Array {
  const [n, c, h, w] = x.shape;
  const d = x.dataSync();
  const out: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        for (let a = Math.floor((i * h) / oh); a < Math.ceil(((i + 1) * h) / oh); a++) {
          for (let b = Math.floor((j * w) / ow); b < Math.ceil(((j + 1) * w) / ow); b++) best = Math.max(best, d[p * h * w + a * w + b]);
        }
        out.push(best);
      }
    }
  }
  return Float64Array.from(out);
}

describe.each(backends)('pooling on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(11);
  });

  describe('maxPool2d', () => {
    it('takes the maximum of each 2x2 tile (stride defaults to the kernel)', () => {
      expectClose(nb.maxPool2d(image(), 2), [[[[9, 8], [7, 9]]]]);
    });

    it('overlapping windows (kernel 3, stride 2, padding 1): padding never wins, gradients add up', () => {
      const x = image().requiresGrad_();
      const y = nb.maxPool2d(x, 3, { stride: 2, padding: 1 });
      expectClose(y, [[[[9, 9], [7, 9]]]]);
      y.sum().backward();
      // The 9 at (0,1) is the maximum of two windows.
      expectClose(x.grad!, [[[[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 1, 0]]]]);
    });

    it('padding wins against nothing: an all-negative image keeps its values', () => {
      const y = nb.maxPool2d(image().neg(), 3, { stride: 2, padding: 1 });
      expectClose(y, [[[[-1, 0], [0, -1]]]]);
    });

    it('routes a tie to the first maximum and propagates NaN', () => {
      const x = nb.ones([1, 1, 2, 2], { dtype: 'float64', requiresGrad: true });
      nb.maxPool2d(x, 2).sum().backward();
      expectClose(x.grad!, [[[[1, 0], [0, 0]]]]);
      const withNaN = nb.tensor([[[[1, NaN, 3, 4]]]]);
      expectClose(nb.maxPool2d(withNaN, [1, 2]), [[[[NaN, 4]]]]);
    });

    it('supports dilation and unbatched [C, H, W] input', () => {
      // Taps (0,0), (0,2), (2,0), (2,2) of each window.
      const y = nb.maxPool2d(image().reshape([1, 4, 4]), 2, { stride: 1, dilation: 2 });
      expect(y.shape).toEqual([1, 2, 2]);
      expectClose(y, [[[7, 9], [9, 5]]]);
    });

    it('passes gradcheck with overlapping, padded and dilated windows', () => {
      const x = randn64([2, 2, 5, 5]);
      expect(nb.gradcheck((xi) => nb.maxPool2d(xi, 3, { stride: 2, padding: 1 }), [x])).toBe(true);
      expect(nb.gradcheck((xi) => nb.maxPool2d(xi, [2, 3], { stride: [1, 2], dilation: [2, 1] }), [x])).toBe(true);
      expect(nb.gradgradcheck((xi) => nb.maxPool2d(xi.tanh(), 2, { stride: 1 }).square(), [randn64([1, 1, 3, 3])])).toBe(true);
    });

    it('names the problem in its errors', () => {
      expect(() => nb.maxPool2d(nb.zeros([1, 1, 4, 4]), 3, { padding: 2 })).toThrow('maxPool2d: padding [2, 2] must be at most half the kernel size [3, 3]');
      expect(() => nb.maxPool2d(nb.zeros([1, 1, 2, 5]), 3)).toThrow('maxPool2d: input of 2x5 is too small for the 3x3 window');
      expect(() => nb.maxPool2d(nb.zeros([4, 4]), 2)).toThrow(nb.ShapeError);
      expect(() => nb.maxPool2d(nb.zeros([1, 1, 4, 4]), 0)).toThrow(nb.ValueError);
      expect(nb.pool2dOutputShape([8, 3, 28, 28], 3, { stride: 2, padding: 1 })).toEqual([8, 3, 14, 14]);
    });
  });

  describe('avgPool2d', () => {
    it('averages each 2x2 tile', () => {
      expectClose(nb.avgPool2d(image(), 2), [[[[17 / 4, 15 / 4], [16 / 4, 16 / 4]]]]);
    });

    it('counts the padding in the divisor by default, and not when countIncludePad is false', () => {
      expectClose(nb.avgPool2d(image(), 3, { stride: 2, padding: 1 }), [[[[17 / 9, 28 / 9], [23 / 9, 42 / 9]]]]);
      expectClose(nb.avgPool2d(image(), 3, { stride: 2, padding: 1, countIncludePad: false }), [[[[17 / 4, 28 / 6], [23 / 6, 42 / 9]]]]);
    });

    it('spreads the gradient evenly over each window', () => {
      const x = nb.zeros([1, 1, 3, 3], { dtype: 'float64', requiresGrad: true });
      nb.avgPool2d(x, 2, { stride: 1 }).sum().backward();
      // Each cell gets 1/4 from every 2x2 window that covers it.
      expectClose(x.grad!, [[[[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]]]);
    });

    it.each([true, false])('passes gradcheck and gradgradcheck (countIncludePad %s)', (countIncludePad) => {
      const x = randn64([2, 2, 5, 4]);
      const opts = { stride: 2, padding: 1, countIncludePad };
      expect(nb.gradcheck((xi) => nb.avgPool2d(xi, 3, opts), [x])).toBe(true);
      expect(nb.gradcheck((xi) => nb.avgPool2d(xi, [2, 3], { stride: [1, 2], countIncludePad }), [x])).toBe(true);
      expect(nb.gradgradcheck((xi) => nb.avgPool2d(xi, 3, opts).tanh(), [randn64([1, 1, 4, 4])])).toBe(true);
    });

    it('rejects int32 input and oversized padding', () => {
      expect(() => nb.avgPool2d(nb.zeros([1, 1, 4, 4], { dtype: 'int32' }), 2)).toThrow(nb.DTypeError);
      expect(() => nb.avgPool2d(nb.zeros([1, 1, 4, 4]), 2, { padding: 2 })).toThrow('avgPool2d: padding');
    });
  });

  describe('adaptiveAvgPool2d', () => {
    it('is avgPool2d when the sizes divide, and the global average at 1x1', () => {
      expectClose(nb.adaptiveAvgPool2d(image(), 2), [[[[17 / 4, 15 / 4], [16 / 4, 16 / 4]]]]);
      expectClose(nb.adaptiveAvgPool2d(image(), 1), [[[[64 / 16]]]]);
      expect(nb.adaptiveAvgPool2d(image(), [null, 2]).shape).toEqual([1, 1, 4, 2]);
    });

    it("uses PyTorch's overlapping windows when the sizes do not divide", () => {
      const x = randn64([2, 3, 5, 7]);
      expectClose(nb.adaptiveAvgPool2d(x, [3, 4]), adaptiveReference(x, 3, 4), { atol: 1e-12, rtol: 1e-12 });
      // Larger than the input: cells are repeated.
      const small = randn64([1, 2, 3, 2]);
      const y = nb.adaptiveAvgPool2d(small, [5, 3]);
      expect(y.shape).toEqual([1, 2, 5, 3]);
      expectClose(y, adaptiveReference(small, 5, 3), { atol: 1e-12, rtol: 1e-12 });
      // Hand-worked: a 1x3 row to 2 outputs averages cells {0,1} and {1,2}.
      expectClose(nb.adaptiveAvgPool2d(nb.tensor([[[[1, 2, 6]]]]), [1, 2]), [[[[1.5, 4]]]]);
    });

    it('passes gradcheck', () => {
      expect(nb.gradcheck((xi) => nb.adaptiveAvgPool2d(xi, [2, 3]), [randn64([2, 2, 5, 4])])).toBe(true);
      expect(nb.gradcheck((xi) => nb.adaptiveAvgPool2d(xi, 2), [randn64([1, 2, 4, 4])])).toBe(true);
    });

    it('rejects bad output sizes', () => {
      expect(() => nb.adaptiveAvgPool2d(image(), 0)).toThrow('adaptiveAvgPool2d: outputSize must hold positive integers');
      expect(nb.adaptiveAvgPool2dOutputShape([3, 9, 9], [2, null])).toEqual([3, 2, 9]);
    });
  });

  describe('adaptiveMaxPool2d', () => {
    it('is maxPool2d when the sizes divide, and the global max at 1x1', () => {
      expectClose(nb.adaptiveMaxPool2d(image(), 2), [[[[9, 8], [7, 9]]]]);
      expectClose(nb.adaptiveMaxPool2d(image(), 1), [[[[9]]]]);
      expectClose(nb.adaptiveMaxPool2d(image(), [null, 1]), [[[[9], [8], [7], [9]]]]);
    });

    it("uses PyTorch's overlapping windows when the sizes do not divide", () => {
      // Hand-worked: a 1x3 row to 2 outputs takes the max of cells {0,1} and {1,2}.
      expectClose(nb.adaptiveMaxPool2d(nb.tensor([[[[3, 1, 2]]]]), [1, 2]), [[[[3, 2]]]]);
      const x = randn64([2, 3, 5, 7]);
      expectClose(nb.adaptiveMaxPool2d(x, [3, 4]), adaptiveMaxReference(x, 3, 4), { atol: 0, rtol: 0 });
      // Larger than the input: cells are repeated. Unbatched input keeps its rank.
      const small = randn64([2, 3, 2]);
      const y = nb.adaptiveMaxPool2d(small, [5, 3]);
      expect(y.shape).toEqual([2, 5, 3]);
      expectClose(y, adaptiveMaxReference(small.unsqueeze(0), 5, 3), { atol: 0, rtol: 0 });
      const big = nb.randn([4, 8, 13, 11]); // float32: the backend's own kernels
      expectClose(nb.adaptiveMaxPool2d(big, [5, 4]), adaptiveMaxReference(big, 5, 4), { atol: 0, rtol: 0 });
    });

    it('propagates NaN and keeps int32', () => {
      const y = nb.adaptiveMaxPool2d(nb.tensor([[[[1, NaN, 2, 0]]]]), [1, 2]).dataSync();
      expect(Number.isNaN(y[0])).toBe(true);
      expect(y[1]).toBe(2);
      const yi = nb.adaptiveMaxPool2d(nb.tensor([[[[4, 7, 1], [2, 0, 9]]]], { dtype: 'int32' }), [1, 2]);
      expect(yi.dtype).toBe('int32');
      expect(Array.from(yi.dataSync())).toEqual([7, 9]);
    });

    it('sends the gradient to each window\'s arg-max, summed where windows overlap', () => {
      // Windows {0,1} and {1,2} of [1, 5, 2] both pick the 5.
      const x = nb.tensor([[[[1, 5, 2]]]], { requiresGrad: true });
      nb.adaptiveMaxPool2d(x, [1, 2]).sum().backward();
      expectClose(x.grad!, [[[[0, 2, 0]]]]);
      const xb = nb.randn([4, 8, 13, 11], { requiresGrad: true });
      const w = nb.randn([4, 8, 5, 4]);
      nb.adaptiveMaxPool2d(xb, [5, 4]).mul(w).sum().backward();
      const expected = new Float64Array(xb.size);
      const d = xb.dataSync();
      const wd = w.dataSync();
      let o = 0;
      for (let p = 0; p < 32; p++) {
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 4; j++, o++) {
            let at = -1;
            for (let a = Math.floor((i * 13) / 5); a < Math.ceil(((i + 1) * 13) / 5); a++) {
              for (let b = Math.floor((j * 11) / 4); b < Math.ceil(((j + 1) * 11) / 4); b++) {
                const k = p * 143 + a * 11 + b;
                if (at < 0 || d[k] > d[at]) at = k;
              }
            }
            expected[at] += wd[o];
          }
        }
      }
      expectClose(xb.grad!, expected, { atol: 1e-6 });
    });

    it('passes gradcheck and gradgradcheck', () => {
      expect(nb.gradcheck((xi) => nb.adaptiveMaxPool2d(xi, [2, 3]), [randn64([2, 2, 5, 4])])).toBe(true);
      expect(nb.gradcheck((xi) => nb.adaptiveMaxPool2d(xi, [4, 5]), [randn64([1, 2, 3, 3])])).toBe(true);
      expect(nb.gradgradcheck((xi) => nb.adaptiveMaxPool2d(xi, 2).tanh(), [randn64([1, 1, 5, 5])])).toBe(true);
    });

    it('rejects bad output sizes and empty images', () => {
      expect(() => nb.adaptiveMaxPool2d(image(), 0)).toThrow('adaptiveMaxPool2d: outputSize must hold positive integers');
      expect(() => nb.adaptiveMaxPool2d(nb.zeros([1, 1, 0, 3]), 2)).toThrow(nb.ShapeError);
      expect(() => nb.adaptiveMaxPool2d(nb.zeros([3, 3]), 2)).toThrow('adaptiveMaxPool2d: expected an input of shape [N, C, H, W]');
      expect(nb.adaptivePool2dOutputShape([3, 9, 9], [2, null])).toEqual([3, 2, 9]);
    });
  });
});
