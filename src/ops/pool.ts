import type { Conv2dGeometry } from '../backend/types.js';
import { ShapeError, ValueError, fmtShape, tensor, type DType, type Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, output, record } from './core.js';
import { imageDims, pair, windowGeometry, type Pair } from './window.js';

/** Options of max pooling; every pair is [height, width] or one number for both. */
export interface MaxPool2dOptions {
  /** Step between windows (default: the kernel size, so windows tile the image). */
  stride?: Pair | null;
  /** Implicit −∞ border on each side (default 0); at most half the kernel size. */
  padding?: Pair;
  /** Spacing between window taps (default 1). */
  dilation?: Pair;
  /** Round the output size up, adding a last window that hangs over the image's end (default false, as PyTorch). */
  ceilMode?: boolean;
}

/** Options of average pooling. */
export interface AvgPool2dOptions {
  /** Step between windows (default: the kernel size). */
  stride?: Pair | null;
  /** Implicit zero border on each side (default 0); at most half the kernel size. */
  padding?: Pair;
  /**
   * Divide by the whole window, padding included (default true, as PyTorch), or only by its cells
   * inside the image. A ceilMode window's part beyond the padding never counts.
   */
  countIncludePad?: boolean;
  /** Round the output size up, adding a last window that hangs over the image's end (default false). */
  ceilMode?: boolean;
}

export function planPool(layer: string, inputShape: readonly number[], kernelSize: Pair, options: MaxPool2dOptions): Conv2dGeometry {
  const dims = imageDims(layer, inputShape);
  const kernel = pair(layer, 'kernelSize', kernelSize, 1);
  const stride = pair(layer, 'stride', options.stride ?? kernel, 1);
  const padding = pair(layer, 'padding', options.padding ?? 0, 0);
  const dilation = pair(layer, 'dilation', options.dilation ?? 1, 1);
  const ceilMode = options.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') throw new ValueError(`${layer}: ceilMode must be a boolean, got ${JSON.stringify(ceilMode)}`);
  // Beyond half the kernel a window could lie entirely in the padding (PyTorch has the same rule).
  if (padding[0] > kernel[0] / 2 || padding[1] > kernel[1] / 2) {
    throw new ValueError(`${layer}: padding [${padding.join(', ')}] must be at most half the kernel size [${kernel.join(', ')}]`);
  }
  return windowGeometry(layer, dims, kernel, stride, padding, dilation, 'window', ceilMode);
}

/**
 * Output shape of max or average pooling for inputShape ([N, C, H, W] or [C, H, W]); throws
 * the error the pooling op would, prefixed by `layer`.
 */
export function pool2dOutputShape(inputShape: readonly number[], kernelSize: Pair, options: MaxPool2dOptions = {}, layer = 'pool2d'): number[] {
  const g = planPool(layer, inputShape, kernelSize, options);
  return inputShape.length === 3 ? [g.channels, g.outH, g.outW] : [g.batch, g.channels, g.outH, g.outW];
}

/** Runs a 4-D op on a 3-D (unbatched) input by adding and removing the batch axis. */
function batched(x: Tensor, fn: (x4: Tensor) => Tensor): Tensor {
  return x.ndim === 3 ? fn(x.unsqueeze(0)).squeeze(0) : fn(x);
}

/**
 * Max over each kH×kW window: x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. The gradient
 * goes to the arg-max of each window (the first one on ties; a window's last NaN, as in PyTorch),
 * summed where windows overlap.
 */
export function maxPool2d(x: Tensor, kernelSize: Pair, options: MaxPool2dOptions = {}): Tensor {
  checkTensor('maxPool2d', x);
  const g = planPool('maxPool2d', x.shape, kernelSize, options);
  return batched(x, (x4) => {
    const [y, k] = output([g.batch, g.channels, g.outH, g.outW], x4.dtype);
    const argmax = new Int32Array(y.size);
    k.maxPool2d(x4.data, g, y.data, argmax);
    return record(y, 'maxPool2d', [x4], (grad) => [maxPoolAdjoint(grad, argmax, g)]);
  });
}

/**
 * Max pooling's gradient: grad [N, C, outH, outW] added at the arg-max cells of x [N, C, H, W].
 * Linear in grad; its own gradient gathers gg at the same cells (a scatter's adjoint).
 */
export function maxPoolAdjoint(grad: Tensor, argmax: Int32Array, g: Conv2dGeometry): Tensor {
  const [dx, k] = output([g.batch, g.channels, g.inH, g.inW], grad.dtype);
  k.maxPool2dBackward(grad.data, argmax, g, dx.data);
  return record(dx, 'maxPool2dBackward', [grad], (gg) => [gg.reshape([gg.size]).indexSelect(0, argmax).reshape(grad.shape)]);
}

function avgPoolForward(x4: Tensor, g: Conv2dGeometry, countIncludePad: boolean): Tensor {
  const [y, k] = output([g.batch, g.channels, g.outH, g.outW], x4.dtype);
  k.avgPool2d(x4.data, g, countIncludePad, y.data);
  return record(y, 'avgPool2d', [x4], (grad) => [avgPoolAdjoint(grad, g, countIncludePad)]);
}

/** Average pooling's gradient; both are linear and each is the other's adjoint. */
function avgPoolAdjoint(grad: Tensor, g: Conv2dGeometry, countIncludePad: boolean): Tensor {
  const [dx, k] = output([g.batch, g.channels, g.inH, g.inW], grad.dtype);
  k.avgPool2dBackward(grad.data, g, countIncludePad, dx.data);
  return record(dx, 'avgPool2dBackward', [grad], (gg) => [avgPoolForward(gg, g, countIncludePad)]);
}

/**
 * Mean over each kH×kW window: x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. With padding,
 * countIncludePad (default true, as PyTorch) divides by kH·kW (less a ceilMode window's part beyond
 * the padding), otherwise by the cells inside the image.
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, options: AvgPool2dOptions = {}): Tensor {
  checkTensor('avgPool2d', x);
  checkFloat('avgPool2d', x);
  const g = planPool('avgPool2d', x.shape, kernelSize, { stride: options.stride, padding: options.padding, ceilMode: options.ceilMode });
  return batched(x, (x4) => avgPoolForward(x4, g, options.countIncludePad ?? true));
}

/** Output size of adaptive pooling: a number for both axes, or [height, width] where null keeps the input's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** Output shape of adaptive (average or max) pooling; throws its error, prefixed by `layer`. */
export function adaptivePool2dOutputShape(inputShape: readonly number[], outputSize: AdaptiveSize, layer = 'adaptivePool2d'): number[] {
  const [n, c, h, w] = imageDims(layer, inputShape);
  const size = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (!Array.isArray(size) || size.length !== 2) throw new ValueError(`${layer}: outputSize must be a number or [height, width], got ${JSON.stringify(outputSize)}`);
  const out = [size[0] ?? h, size[1] ?? w];
  if (!out.every((d) => Number.isInteger(d) && d >= 1)) throw new ValueError(`${layer}: outputSize must hold positive integers (or null), got ${JSON.stringify(outputSize)}`);
  return inputShape.length === 3 ? [c, out[0], out[1]] : [n, c, out[0], out[1]];
}

/** Output shape of adaptiveAvgPool2d; throws its error, prefixed by `layer`. */
export function adaptiveAvgPool2dOutputShape(inputShape: readonly number[], outputSize: AdaptiveSize, layer = 'adaptiveAvgPool2d'): number[] {
  return adaptivePool2dOutputShape(inputShape, outputSize, layer);
}

/**
 * The transposed averaging matrix of adaptive pooling along one axis: [inSize, outSize], column j
 * averages input cells ⌊j·in/out⌋ … ⌈(j+1)·in/out⌉ − 1 (PyTorch's windows).
 */
function adaptiveMatrixT(inSize: number, outSize: number, dtype: DType): Tensor {
  const m = new (dtype === 'float64' ? Float64Array : Float32Array)(inSize * outSize);
  for (let j = 0; j < outSize; j++) {
    const start = Math.floor((j * inSize) / outSize);
    const end = Math.ceil(((j + 1) * inSize) / outSize);
    for (let i = start; i < end; i++) m[i * outSize + j] = 1 / (end - start);
  }
  return tensor(m, { shape: [inSize, outSize] });
}

/**
 * Average pooling to a fixed output size whatever the input size: x [N, C, H, W] (or [C, H, W]) →
 * [N, C, outH, outW], with PyTorch's windows. When the sizes divide it is avgPool2d; otherwise the
 * two axes are averaged by matrix products (the windows are separable), so it is differentiable.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  checkTensor('adaptiveAvgPool2d', x);
  checkFloat('adaptiveAvgPool2d', x);
  const shape = adaptiveAvgPool2dOutputShape(x.shape, outputSize);
  const [h, w] = x.shape.slice(-2);
  const [oh, ow] = shape.slice(-2);
  if (h % oh === 0 && w % ow === 0) return avgPool2d(x, [h / oh, w / ow]);
  // Average along W, then along H (on the transposed result, so both products fold the batch).
  return x.matmul(adaptiveMatrixT(w, ow, x.dtype)).transpose().matmul(adaptiveMatrixT(h, oh, x.dtype)).transpose();
}

/**
 * Max pooling to a fixed output size whatever the input size: x [N, C, H, W] (or [C, H, W]) →
 * [N, C, outH, outW], output (i, j) the max over PyTorch's window of rows ⌊i·H/outH⌋ …
 * ⌈(i+1)·H/outH⌉ − 1 and the same for columns (windows overlap when the sizes do not divide).
 * The gradient goes to each window's arg-max (the first one on ties; its last NaN, as in
 * PyTorch), summed where windows overlap.
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  checkTensor('adaptiveMaxPool2d', x);
  const shape = adaptivePool2dOutputShape(x.shape, outputSize, 'adaptiveMaxPool2d');
  const [n, c, h, w] = imageDims('adaptiveMaxPool2d', x.shape);
  const [oh, ow] = shape.slice(-2);
  if (h === 0 || w === 0) throw new ShapeError(`adaptiveMaxPool2d: the image is empty (${fmtShape(x.shape)}); every window needs a cell`);
  // Only the sizes matter to the kernels; the window fields describe the largest window.
  const g: Conv2dGeometry = {
    batch: n, channels: c, inH: h, inW: w, outH: oh, outW: ow,
    kH: Math.ceil(h / oh) + 1, kW: Math.ceil(w / ow) + 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1,
  };
  return batched(x, (x4) => {
    const [y, k] = output([n, c, oh, ow], x4.dtype);
    const argmax = new Int32Array(y.size);
    k.adaptiveMaxPool2d(x4.data, g, y.data, argmax);
    return record(y, 'adaptiveMaxPool2d', [x4], (grad) => [maxPoolAdjoint(grad, argmax, g)]);
  });
}
