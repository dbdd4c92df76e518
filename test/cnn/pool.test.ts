import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const randn64 = (shape: number[]): nb.Tensor => nb.randn(shape, { dtype: 'float64' });

// A 4x4 image whose window maxima sit in different places.
const image = (): nb.Tensor => nb.tensor([[[[1, 9, 2, 0], [3, 4, 8, 5], [7, 6, 1, 2], [0, 3, 9, 4]]]], { dtype: 'float64' });

/**
 * PyTorch's adaptive windows, written directly: cells ⌊i·in/out⌋ … ⌈(i+1)·in/out⌉ − 1 along
 * each axis, reduced by `reduce` (the values of one window in row-major order).
 */
function adaptiveWindows(x: nb.Tensor, oh: number, ow: number, reduce: (cells: number[]) => number): Float64Array {
  const [n, c, h, w] = x.shape;
  const d = x.dataSync();
  const out: number[] = [];
  for (let p = 0; p < n * c; p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const cells: number[] = [];
        for (let a = Math.floor((i * h) / oh); a < Math.ceil(((i + 1) * h) / oh); a++) {
          for (let b = Math.floor((j * w) / ow); b < Math.ceil(((j + 1) * w) / ow); b++) cells.push(d[p * h * w + a * w + b]);
        }
        out.push(reduce(cells));
      }
    }
  }
  return Float64Array.from(out);
}

const adaptiveReference = (x: nb.Tensor, oh: number, ow: number): Float64Array =>
  adaptiveWindows(x, oh, ow, (cells) => cells.reduce((s, v) => s + v, 0) / cells.length);
const adaptiveMaxReference = (x: nb.Tensor, oh: number, ow: number): Float64Array =>
  adaptiveWindows(x, oh, ow, (cells) => Math.max(...cells));

/**
 * Average pooling as PyTorch writes it: window rows h0 … min(h0 + k, H + pad) − 1 (ceilMode's last
 * window cut at the padding) divide with countIncludePad; only the rows inside the image are summed.
 */
function avgReference(x: nb.Tensor, k: [number, number], s: [number, number], p: [number, number], includePad: boolean, oh: number, ow: number): Float64Array {
  const [n, c, h, w] = x.shape;
  const d = x.dataSync();
  const out: number[] = [];
  for (let q = 0; q < n * c; q++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const h0 = i * s[0] - p[0];
        const w0 = j * s[1] - p[1];
        const h1 = Math.min(h0 + k[0], h + p[0]);
        const w1 = Math.min(w0 + k[1], w + p[1]);
        let sum = 0;
        let cells = 0;
        for (let a = Math.max(h0, 0); a < Math.min(h1, h); a++) {
          for (let b = Math.max(w0, 0); b < Math.min(w1, w); b++, cells++) sum += d[q * h * w + a * w + b];
        }
        out.push(sum / (includePad ? (h1 - h0) * (w1 - w0) : cells));
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

    it('sends a window\'s gradient to its last NaN, as PyTorch does', () => {
      // PyTorch 1.13, max_pool2d and adaptive_max_pool2d with return_indices: [1, NaN, 3, NaN] → index 3,
      // [NaN, 5, NaN, 2] → index 2 (its kernels keep `val > maxval || isnan(val)`).
      for (const [row, at] of [[[1, NaN, 3, NaN], 3], [[NaN, 5, NaN, 2], 2]] as [number[], number][]) {
        for (const pool of [(t: nb.Tensor) => nb.maxPool2d(t, [1, 4]), (t: nb.Tensor) => nb.adaptiveMaxPool2d(t, [1, 1])]) {
          const x = nb.tensor([[[row]]], { requiresGrad: true });
          const y = pool(x);
          expect(Number.isNaN(y.item())).toBe(true);
          y.backward(nb.tensor([[[[5]]]]));
          expect(Array.from(x.grad!.dataSync())).toEqual(row.map((_, i) => (i === at ? 5 : 0)));
        }
      }
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

  describe('ceilMode', () => {
    const grid = (): nb.Tensor => nb.arange(0, 25, 1, { dtype: 'float64' }).reshape([1, 1, 5, 5]);

    it("rounds the output size up, with PyTorch's rule for a last window past the padding", () => {
      expect(nb.pool2dOutputShape([1, 1, 5, 5], 2, { ceilMode: true })).toEqual([1, 1, 3, 3]);
      expect(nb.pool2dOutputShape([1, 1, 5, 5], 2)).toEqual([1, 1, 2, 2]);
      expect(nb.pool2dOutputShape([1, 1, 6, 6], 3, { stride: 2, padding: 1, ceilMode: true })).toEqual([1, 1, 4, 4]);
      // A third window would start at padded row 6 = 5 + 1: past the image and its left padding.
      expect(nb.pool2dOutputShape([1, 1, 5, 5], 3, { stride: 3, padding: 1, ceilMode: true })).toEqual([1, 1, 2, 2]);
      // A window larger than the image: no output without ceilMode, one with it.
      expect(nb.pool2dOutputShape([1, 1, 2, 2], 3, { stride: 2, ceilMode: true })).toEqual([1, 1, 1, 1]);
      expect(() => nb.pool2dOutputShape([1, 1, 2, 2], 3, { stride: 2 })).toThrow(nb.ShapeError);
      expect(() => nb.maxPool2d(grid(), 2, { ceilMode: 1 as unknown as boolean })).toThrow('maxPool2d: ceilMode must be a boolean');
    });

    it('max and average over the windows that hang over the edge (hand-worked)', () => {
      expectClose(nb.maxPool2d(grid(), 2, { ceilMode: true }), [[[[6, 8, 9], [16, 18, 19], [21, 23, 24]]]]);
      const avg = [[[[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]]];
      expectClose(nb.avgPool2d(grid(), 2, { ceilMode: true }), avg);
      expectClose(nb.avgPool2d(grid(), 2, { ceilMode: true, countIncludePad: false }), avg);
      // Padding 1, window 3, stride 2 on 6 cells: the 4th window covers cell 5 and one padding cell.
      const row = nb.tensor([[[[1, 2, 3, 4, 5, 6]]]], { dtype: 'float64' });
      expectClose(nb.avgPool2d(row, [1, 3], { stride: [1, 2], padding: [0, 1], ceilMode: true }), [[[[3 / 3, 9 / 3, 15 / 3, 6 / 2]]]]);
      expectClose(nb.avgPool2d(row, [1, 3], { stride: [1, 2], padding: [0, 1], ceilMode: true, countIncludePad: false }), [[[[3 / 2, 9 / 3, 15 / 3, 6 / 1]]]]);
    });

    it.each([true, false])('matches the direct formula forward and backward (countIncludePad %s)', (includePad) => {
      const x = nb.randn([2, 3, 9, 10], { requiresGrad: true }); // float32: the backend's own kernels
      for (const [k, st, p] of [[[3, 3], [2, 2], [1, 1]], [[3, 2], [2, 3], [1, 0]], [[2, 2], [2, 2], [0, 0]]] as [number, number][][]) {
        const opts = { stride: st as nb.Pair, padding: p as nb.Pair, countIncludePad: includePad, ceilMode: true };
        const y = nb.avgPool2d(x, k as nb.Pair, opts);
        const [oh, ow] = y.shape.slice(2);
        expectClose(y, avgReference(x, k as [number, number], st as [number, number], p as [number, number], includePad, oh, ow), { atol: 1e-6 });
      }
      // Backward: each output's gradient shared over its window's cells inside the image.
      const g = nb.randn([2, 3, 5, 6]); // 9x10 → 5x6: the last column of windows hangs over the padding
      nb.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: includePad, ceilMode: true }).mul(g).sum().backward();
      const expected = new Float64Array(x.size);
      const gd = g.dataSync();
      let o = 0;
      for (let q = 0; q < 6; q++) {
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 6; j++, o++) {
            const [h0, w0] = [i * 2 - 1, j * 2 - 1];
            const [h1, w1] = [Math.min(h0 + 3, 10), Math.min(w0 + 3, 11)];
            const rows = [Math.max(h0, 0), Math.min(h1, 9)];
            const cols = [Math.max(w0, 0), Math.min(w1, 10)];
            const div = includePad ? (h1 - h0) * (w1 - w0) : (rows[1] - rows[0]) * (cols[1] - cols[0]);
            for (let a = rows[0]; a < rows[1]; a++) for (let b = cols[0]; b < cols[1]; b++) expected[q * 90 + a * 10 + b] += gd[o] / div;
          }
        }
      }
      expectClose(x.grad!, expected, { atol: 1e-6 });
    });

    it('2x2 windows hanging over the edge: the max and its gradient stay inside each plane', () => {
      // float32 and large enough for the wasm kernel's vector path (2 wide, stride 2, no padding).
      const [c, h, w] = [4, 9, 17];
      const x = nb.arange(0, c * h * w, 1, { dtype: 'float32' }).reshape([1, c, h, w]).requiresGrad_(true);
      const y = nb.maxPool2d(x, 2, { ceilMode: true });
      expect(y.shape).toEqual([1, c, 5, 9]);
      const expected: number[] = [];
      const expectedGrad = new Float64Array(x.size);
      for (let p = 0; p < c; p++) {
        for (let i = 0; i < 5; i++) {
          for (let j = 0; j < 9; j++) {
            // Increasing values: the window's last row and column inside the image win.
            const at = p * h * w + Math.min(2 * i + 1, h - 1) * w + Math.min(2 * j + 1, w - 1);
            expected.push(at);
            expectedGrad[at] += 1;
          }
        }
      }
      expectClose(y.dataSync(), expected, { atol: 0, rtol: 0 });
      y.sum().backward();
      expectClose(x.grad!.dataSync(), expectedGrad, { atol: 0, rtol: 0 });
    });

    it('passes gradcheck for max and average pooling', () => {
      const x = randn64([1, 2, 6, 5]);
      expect(nb.gradcheck((xi) => nb.maxPool2d(xi, 3, { stride: 2, padding: 1, ceilMode: true }), [x])).toBe(true);
      expect(nb.gradcheck((xi) => nb.avgPool2d(xi, 3, { stride: 2, padding: 1, ceilMode: true }), [x])).toBe(true);
      expect(nb.gradcheck((xi) => nb.avgPool2d(xi, 2, { ceilMode: true, countIncludePad: false }), [x])).toBe(true);
    });
  });
});
