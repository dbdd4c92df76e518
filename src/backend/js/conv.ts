import type { Conv2dGeometry, TypedArray } from '../types.js';
import { matmul } from './matmul.js';

/*
 * Window kernels over NCHW images: im2col/col2im for convolution as a matrix product, and
 * the pooling kernels. A window tap k of output position o reads input position
 * o·stride − pad + k·dilation; instead of testing every tap, each loop computes the range of
 * taps (or outputs) that land inside the image, so the inner loops run branch-free.
 */

/** First tap k ≥ 0 with start + k·step ≥ 0. */
function firstInside(start: number, step: number): number {
  return start >= 0 ? 0 : Math.ceil(-start / step);
}

/** One past the last tap k < count with start + k·step ≤ size − 1 (may be ≤ firstInside: none). */
function endInside(start: number, step: number, size: number, count: number): number {
  return Math.max(0, Math.min(count, Math.floor((size - 1 - start) / step) + 1));
}

/**
 * x [N, C, inH, inW] → cols [C·kH·kW, N·outH·outW]. The batch is folded into the columns so
 * that a convolution is one matrix product W [outC, C·kH·kW] · cols.
 */
export function im2col(x: TypedArray, g: Conv2dGeometry, out: TypedArray): void {
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const plane = inH * inW;
  const perImage = outH * outW;
  const rowLen = batch * perImage;
  for (let c = 0; c < channels; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const dy = ki * dilationH - padH;
      // Output rows whose tap ki falls inside the image.
      const ohLo = Math.min(outH, firstInside(dy, strideH));
      const ohHi = Math.max(ohLo, endInside(dy, strideH, inH, outH));
      for (let kj = 0; kj < kW; kj++) {
        const dx = kj * dilationW - padW;
        const owLo = Math.min(outW, firstInside(dx, strideW));
        const owHi = Math.max(owLo, endInside(dx, strideW, inW, outW));
        const row = ((c * kH + ki) * kW + kj) * rowLen;
        for (let n = 0; n < batch; n++) {
          const base = row + n * perImage;
          const src0 = (n * channels + c) * plane;
          // Plain loops rather than fill(): the zeroed stretches are short and many.
          for (let o = base; o < base + ohLo * outW; o++) out[o] = 0;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = base + oh * outW;
            for (let ow = 0; ow < owLo; ow++) out[o + ow] = 0;
            let s = src0 + (oh * strideH + dy) * inW + owLo * strideW + dx;
            for (let ow = owLo; ow < owHi; ow++, s += strideW) out[o + ow] = x[s];
            for (let ow = owHi; ow < outW; ow++) out[o + ow] = 0;
          }
          for (let o = base + ohHi * outW; o < base + perImage; o++) out[o] = 0;
        }
      }
    }
  }
}

/** cols [C·kH·kW, N·outH·outW] → out [N, C, inH, inW]: each column entry added back to the pixel it read. */
export function col2im(cols: TypedArray, g: Conv2dGeometry, out: TypedArray): void {
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  out.fill(0);
  const plane = inH * inW;
  const perImage = outH * outW;
  const rowLen = batch * perImage;
  for (let c = 0; c < channels; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const dy = ki * dilationH - padH;
      const ohLo = Math.min(outH, firstInside(dy, strideH));
      const ohHi = Math.max(ohLo, endInside(dy, strideH, inH, outH));
      for (let kj = 0; kj < kW; kj++) {
        const dx = kj * dilationW - padW;
        const owLo = Math.min(outW, firstInside(dx, strideW));
        const owHi = Math.max(owLo, endInside(dx, strideW, inW, outW));
        const row = ((c * kH + ki) * kW + kj) * rowLen;
        for (let n = 0; n < batch; n++) {
          const base = row + n * perImage;
          const dst0 = (n * channels + c) * plane;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = base + oh * outW;
            let d = dst0 + (oh * strideH + dy) * inW + owLo * strideW + dx;
            for (let ow = owLo; ow < owHi; ow++, d += strideW) out[d] += cols[o + ow];
          }
        }
      }
    }
  }
}

/** Max over each window; argmax holds flat indices into x. Padding is never selected. */
export function maxPool2d(x: TypedArray, g: Conv2dGeometry, out: TypedArray, argmax: Int32Array): void {
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const plane = inH * inW;
  let o = 0;
  for (let p = 0; p < batch * channels; p++) {
    const src = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      const kiLo = firstInside(h0, dilationH);
      const kiHi = endInside(h0, dilationH, inH, kH);
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const kjLo = firstInside(w0, dilationW);
        const kjHi = endInside(w0, dilationW, inW, kW);
        let best = -Infinity;
        let bestAt = -1;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const rowAt = src + (h0 + ki * dilationH) * inW + w0;
          for (let kj = kjLo; kj < kjHi; kj++) {
            const at = rowAt + kj * dilationW;
            const v = x[at];
            // A NaN wins, and a later NaN takes over: PyTorch's `val > maxval || isnan(val)`, so
            // the gradient of a window with NaNs goes to its last NaN, as in PyTorch.
            if (v > best || bestAt < 0 || v !== v) {
              best = v;
              bestAt = at;
            }
          }
        }
        out[o] = best;
        argmax[o] = bestAt;
      }
    }
  }
}

/** See Kernels.adaptiveMaxPool2d: windows of varying size, NaN propagating as in maxPool2d. */
export function adaptiveMaxPool2d(x: TypedArray, g: Conv2dGeometry, out: TypedArray, argmax: Int32Array): void {
  const { batch, channels, inH, inW, outH, outW } = g;
  const plane = inH * inW;
  let o = 0;
  for (let p = 0; p < batch * channels; p++) {
    const src = p * plane;
    for (let i = 0; i < outH; i++) {
      const h0 = Math.floor((i * inH) / outH);
      const h1 = Math.ceil(((i + 1) * inH) / outH);
      for (let j = 0; j < outW; j++, o++) {
        const w0 = Math.floor((j * inW) / outW);
        const w1 = Math.ceil(((j + 1) * inW) / outW);
        let best = x[src + h0 * inW + w0];
        let bestAt = src + h0 * inW + w0;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) {
            const at = src + h * inW + w;
            const v = x[at];
            if (v > best || v !== v) { // NaN: the last one wins, as in maxPool2d
              best = v;
              bestAt = at;
            }
          }
        }
        out[o] = best;
        argmax[o] = bestAt;
      }
    }
  }
}

/** maxPool2d's adjoint: each output's gradient added to the input cell that won its window. */
export function maxPool2dBackward(grad: TypedArray, argmax: Int32Array, g: Conv2dGeometry, out: TypedArray): void {
  out.fill(0);
  // argmax −1: a window entirely in the padding (possible with dilation) reads no input cell.
  for (let o = 0; o < grad.length; o++) if (argmax[o] >= 0) out[argmax[o]] += grad[o];
}

/**
 * Divisor of the window at (h0, w0): with countIncludePad its cells inside the padded image (the
 * full kH·kW unless a ceilMode window hangs past the padding), else its rows × cols inside the image.
 */
function divisor(countIncludePad: boolean, g: Conv2dGeometry, h0: number, w0: number, rows: number, cols: number): number {
  if (!countIncludePad) return rows * cols;
  return (Math.min(h0 + g.kH, g.inH + g.padH) - h0) * (Math.min(w0 + g.kW, g.inW + g.padW) - w0);
}

/** Mean over each window. */
export function avgPool2d(x: TypedArray, g: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void {
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  const plane = inH * inW;
  let o = 0;
  for (let p = 0; p < batch * channels; p++) {
    const src = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      const kiLo = firstInside(h0, dilationH);
      const kiHi = Math.max(kiLo, endInside(h0, dilationH, inH, kH));
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const kjLo = firstInside(w0, dilationW);
        const kjHi = Math.max(kjLo, endInside(w0, dilationW, inW, kW));
        let s = 0;
        for (let ki = kiLo; ki < kiHi; ki++) {
          const rowAt = src + (h0 + ki * dilationH) * inW + w0;
          for (let kj = kjLo; kj < kjHi; kj++) s += x[rowAt + kj * dilationW];
        }
        out[o] = s / divisor(countIncludePad, g, h0, w0, kiHi - kiLo, kjHi - kjLo);
      }
    }
  }
}

/** The adjoint of avgPool2d: each output's gradient spread evenly over its window's cells. */
export function avgPool2dBackward(grad: TypedArray, g: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void {
  const { batch, channels, inH, inW, kH, kW, strideH, strideW, padH, padW, dilationH, dilationW, outH, outW } = g;
  out.fill(0);
  const plane = inH * inW;
  let o = 0;
  for (let p = 0; p < batch * channels; p++) {
    const dst = p * plane;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * strideH - padH;
      const kiLo = firstInside(h0, dilationH);
      const kiHi = Math.max(kiLo, endInside(h0, dilationH, inH, kH));
      for (let ow = 0; ow < outW; ow++, o++) {
        const w0 = ow * strideW - padW;
        const kjLo = firstInside(w0, dilationW);
        const kjHi = Math.max(kjLo, endInside(w0, dilationW, inW, kW));
        const share = grad[o] / divisor(countIncludePad, g, h0, w0, kiHi - kiLo, kjHi - kjLo);
        for (let ki = kiLo; ki < kiHi; ki++) {
          const rowAt = dst + (h0 + ki * dilationH) * inW + w0;
          for (let kj = kjLo; kj < kjHi; kj++) out[rowAt + kj * dilationW] += share;
        }
      }
    }
  }
}

/*
 * Convolution kernels (groups 1, any stride, padding and dilation) as im2col and one matrix
 * product over the whole batch: in plain JS the blocked product's register tiles beat direct
 * loops by ~1.6× on LeNet-sized layers. With K = C·kH·kW and NP = N·outH·outW:
 *   forward  Z [outC, NP] = W [outC, K] · cols [K, NP]
 *   input    dcols = Wᵀ · G [outC, NP], dx = col2im(dcols)
 *   weight   dW = G · colsᵀ, db = G's row sums
 * where G is grad [N, outC, outH, outW] with its first two axes swapped.
 */

/** A zeroed array of n elements of x's type. */
export function like(x: TypedArray, n: number): TypedArray {
  return x instanceof Float64Array ? new Float64Array(n) : x instanceof Int32Array ? new Int32Array(n) : new Float32Array(n);
}

/** Swaps the first two axes of [a, b, inner] into out [b, a, inner] (adding bias[i] along the first axis when given). */
function swapLeading(src: TypedArray, a: number, b: number, inner: number, out: TypedArray, bias: TypedArray | null = null): void {
  for (let i = 0; i < a; i++) {
    const add = bias ? bias[i] : 0;
    for (let j = 0; j < b; j++) {
      const from = (i * b + j) * inner;
      const to = (j * a + i) * inner;
      for (let p = 0; p < inner; p++) out[to + p] = src[from + p] + add;
    }
  }
}

const product = (m: number, k: number, n: number, transA: boolean, transB: boolean) => ({
  batch: 1, m, k, n, transA, transB, aBatchStride: 0, bBatchStride: 0,
});

/**
 * out [N, outC, outH, outW] = bias[o] + Σ_{c, ki, kj} weight[o, c, ki, kj] · x[n, c, oh·sH − pH + ki·dH, ow·sW − pW + kj·dW],
 * zero outside the image. x [N, C, inH, inW], weight [outC, C, kH, kW], bias [outC] or null.
 */
export function conv2d(x: TypedArray, weight: TypedArray, bias: TypedArray | null, g: Conv2dGeometry, outChannels: number, out: TypedArray): void {
  const K = g.channels * g.kH * g.kW;
  const P = g.outH * g.outW;
  const cols = like(x, K * g.batch * P);
  im2col(x, g, cols);
  const z = like(x, outChannels * g.batch * P);
  matmul(weight, cols, z, product(outChannels, K, g.batch * P, false, false));
  swapLeading(z, outChannels, g.batch, P, out, bias);
}

/** conv2d's gradient with respect to x: out [N, C, inH, inW] (overwritten) from grad [N, outC, outH, outW]. */
export function conv2dBackwardInput(grad: TypedArray, weight: TypedArray, g: Conv2dGeometry, outChannels: number, out: TypedArray): void {
  const K = g.channels * g.kH * g.kW;
  const NP = g.batch * g.outH * g.outW;
  const G = like(grad, outChannels * NP);
  swapLeading(grad, g.batch, outChannels, g.outH * g.outW, G);
  const dcols = like(grad, K * NP);
  matmul(weight, G, dcols, product(K, outChannels, NP, true, false));
  col2im(dcols, g, out);
}

/**
 * conv2d's gradient with respect to the weight: out [outC, C, kH, kW] (overwritten) =
 * Σ_{n, oh, ow} grad[n, o, oh, ow] · x[n, c, …]; biasOut [outC] (when given) = Σ_{n, oh, ow} grad.
 */
export function conv2dBackwardWeight(
  x: TypedArray, grad: TypedArray, g: Conv2dGeometry, outChannels: number, out: TypedArray, biasOut: TypedArray | null,
): void {
  const K = g.channels * g.kH * g.kW;
  const NP = g.batch * g.outH * g.outW;
  const G = like(grad, outChannels * NP);
  swapLeading(grad, g.batch, outChannels, g.outH * g.outW, G);
  const cols = like(x, K * NP);
  im2col(x, g, cols);
  matmul(G, cols, out, product(outChannels, NP, K, false, true));
  if (biasOut) {
    for (let o = 0; o < outChannels; o++) {
      let sum = 0;
      for (let i = o * NP; i < (o + 1) * NP; i++) sum += G[i];
      biasOut[o] = sum;
    }
  }
}
