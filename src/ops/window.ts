import type { Conv2dGeometry } from '../backend/types.js';
import { ShapeError, ValueError, fmtShape } from '../tensor/index.js';

/*
 * Argument handling shared by convolution and pooling: (height, width) pairs, output sizes,
 * and the error messages for inputs that do not fit a window. Not exported from ops/index.
 */

/** One number for both spatial axes, or [height, width]. */
export type Pair = number | readonly [number, number];

/** Convolution padding: per-axis amounts, 'valid' (none) or 'same' (output as large as the input). */
export type Padding2d = Pair | 'same' | 'valid';

/** A (height, width) pair of integers ≥ min, or a ValueError naming the layer and the argument. */
export function pair(layer: string, what: string, value: Pair, min: number): [number, number] {
  const v: readonly number[] = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(v) || v.length !== 2 || !v.every((d) => Number.isInteger(d) && d >= min)) {
    throw new ValueError(`${layer}: ${what} must be an integer ≥ ${min} or a pair [height, width] of them, got ${JSON.stringify(value)}`);
  }
  return [v[0], v[1]];
}

/**
 * Output length of a window sliding over `size` cells: ⌊(size + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1,
 * or with ceilMode the ceiling, which adds a last window hanging over the end, except one that
 * would start past the image and its left padding (PyTorch's rule).
 */
export function slidingOutSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode = false): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  const out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  return ceilMode && (out - 1) * stride >= size + pad ? out - 1 : out;
}

/** Checks an image batch [N, C, H, W] (or one image [C, H, W]) and returns it as 4 numbers. */
export function imageDims(layer: string, shape: readonly number[]): [number, number, number, number] {
  if (shape.length === 4) return [shape[0], shape[1], shape[2], shape[3]];
  if (shape.length === 3) return [1, shape[0], shape[1], shape[2]];
  throw new ShapeError(`${layer}: expected an input of shape [N, C, H, W] (or [C, H, W]), got ${fmtShape(shape)}`);
}

/** The full geometry of a window over an image batch, or a ShapeError when the input is too small. */
export function windowGeometry(
  layer: string,
  dims: readonly [number, number, number, number],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  padding: readonly [number, number],
  dilation: readonly [number, number],
  what = 'kernel',
  ceilMode = false,
): Conv2dGeometry {
  const [batch, channels, inH, inW] = dims;
  const outH = slidingOutSize(inH, kernel[0], stride[0], padding[0], dilation[0], ceilMode);
  const outW = slidingOutSize(inW, kernel[1], stride[1], padding[1], dilation[1], ceilMode);
  if (outH < 1 || outW < 1) {
    const spanH = dilation[0] * (kernel[0] - 1) + 1;
    const spanW = dilation[1] * (kernel[1] - 1) + 1;
    const padded = padding[0] || padding[1] ? ` (${inH + 2 * padding[0]}x${inW + 2 * padding[1]} with padding)` : '';
    const span = spanH !== kernel[0] || spanW !== kernel[1] ? ` (spanning ${spanH}x${spanW} with dilation ${dilation[0]}x${dilation[1]})` : '';
    throw new ShapeError(`${layer}: input of ${inH}x${inW}${padded} is too small for the ${kernel[0]}x${kernel[1]} ${what}${span}`);
  }
  return {
    batch, channels, inH, inW,
    kH: kernel[0], kW: kernel[1],
    strideH: stride[0], strideW: stride[1],
    padH: padding[0], padW: padding[1],
    dilationH: dilation[0], dilationW: dilation[1],
    outH, outW,
  };
}

/** Checks that a geometry is self-consistent and fits an input shape (for the raw im2col/col2im ops). */
export function checkGeometry(op: string, g: Conv2dGeometry): void {
  const fields = ['batch', 'channels', 'inH', 'inW', 'kH', 'kW', 'strideH', 'strideW', 'padH', 'padW', 'dilationH', 'dilationW', 'outH', 'outW'] as const;
  for (const f of fields) {
    const v = g[f];
    const min = f.startsWith('pad') || f === 'batch' ? 0 : 1;
    if (!Number.isInteger(v) || v < min) throw new ValueError(`${op}: geometry.${f} must be an integer ≥ ${min}, got ${v}`);
  }
  const outH = slidingOutSize(g.inH, g.kH, g.strideH, g.padH, g.dilationH);
  const outW = slidingOutSize(g.inW, g.kW, g.strideW, g.padW, g.dilationW);
  if (outH !== g.outH || outW !== g.outW) {
    throw new ValueError(`${op}: geometry gives a ${outH}x${outW} output, but outH x outW is ${g.outH}x${g.outW}`);
  }
}
