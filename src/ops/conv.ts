import type { Conv2dGeometry } from '../backend/types.js';
import { ShapeError, ValueError, fmtShape, promote, shapesEqual, type Tensor } from '../tensor/index.js';
import { checkFloat, checkTensor, output, record } from './core.js';
import { bmm } from './matmul.js';
import { checkGeometry, imageDims, pair, windowGeometry, type Padding2d, type Pair } from './window.js';

export type { Pair, Padding2d };

/** Options of a 2-D convolution; every pair is [height, width] or one number for both. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Pair;
  /** Zeros added on each side (default 0); 'same' keeps H×W (stride 1 only), 'valid' is 0. */
  padding?: Padding2d;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups: input and output channels split into this many independent convolutions (default 1). */
  groups?: number;
}

/** How a convolution runs: its geometry, and the extra bottom/right padding of an odd 'same'. */
export interface ConvPlan {
  geometry: Conv2dGeometry;
  groups: number;
  outChannels: number;
  /** 'same' with an even span pads one more row/column after than before, as PyTorch does. */
  extra: [number, number];
}

export function planConv2d(layer: string, inputShape: readonly number[], weightShape: readonly number[], options: Conv2dOptions): ConvPlan {
  const dims = imageDims(layer, inputShape);
  if (weightShape.length !== 4) throw new ShapeError(`${layer}: weight must be [outChannels, inChannels/groups, kH, kW], got ${fmtShape(weightShape)}`);
  const [outChannels, groupChannels, kH, kW] = weightShape;
  if (weightShape.some((d) => d < 1)) throw new ShapeError(`${layer}: weight shape ${fmtShape(weightShape)} has an empty dimension`);
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ValueError(`${layer}: groups must be a positive integer, got ${groups}`);
  if (outChannels % groups !== 0) throw new ValueError(`${layer}: ${outChannels} output channels are not divisible by groups = ${groups}`);
  if (dims[1] !== groupChannels * groups) throw new ShapeError(`${layer}: input has ${dims[1]} channels, expected ${groupChannels * groups}`);
  const stride = pair(layer, 'stride', options.stride ?? 1, 1);
  const dilation = pair(layer, 'dilation', options.dilation ?? 1, 1);
  const padOpt = options.padding ?? 0;
  let padding: [number, number];
  const extra: [number, number] = [0, 0];
  if (padOpt === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ValueError(`${layer}: padding 'same' needs stride 1, got stride [${stride.join(', ')}]`);
    const total = [dilation[0] * (kH - 1), dilation[1] * (kW - 1)];
    padding = [Math.floor(total[0] / 2), Math.floor(total[1] / 2)];
    extra[0] = total[0] % 2;
    extra[1] = total[1] % 2;
  } else if (padOpt === 'valid') {
    padding = [0, 0];
  } else {
    padding = pair(layer, 'padding', padOpt, 0);
  }
  const padded: [number, number, number, number] = [dims[0], dims[1], dims[2] + extra[0], dims[3] + extra[1]];
  const geometry = windowGeometry(layer, padded, [kH, kW], stride, padding, dilation);
  return { geometry, groups, outChannels, extra };
}

/**
 * Output shape of conv2d for an input of inputShape ([N, C, H, W] or [C, H, W]) and a weight of
 * weightShape [outC, C/groups, kH, kW]; throws the ShapeError conv2d would, prefixed by `layer`.
 */
export function conv2dOutputShape(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: Conv2dOptions = {},
  layer = 'conv2d',
): number[] {
  const { geometry: g, outChannels } = planConv2d(layer, inputShape, weightShape, options);
  return inputShape.length === 3 ? [outChannels, g.outH, g.outW] : [g.batch, outChannels, g.outH, g.outW];
}

/**
 * Image patches as matrix columns: x [N, C, H, W] → [C·kH·kW, N·outH·outW] (row (c, ki, kj),
 * column (n, oh, ow)), zeros where a tap falls in the padding. Its gradient is col2im.
 */
export function im2col(x: Tensor, geometry: Conv2dGeometry): Tensor {
  checkTensor('im2col', x);
  checkGeometry('im2col', geometry);
  const g = geometry;
  if (!shapesEqual(x.shape, [g.batch, g.channels, g.inH, g.inW])) {
    throw new ShapeError(`im2col: input has shape ${fmtShape(x.shape)}, the geometry expects [${g.batch}, ${g.channels}, ${g.inH}, ${g.inW}]`);
  }
  const [cols, k] = output([g.channels * g.kH * g.kW, g.batch * g.outH * g.outW], x.dtype);
  k.im2col(x.data, g, cols.data);
  return record(cols, 'im2col', [x], (grad) => [col2im(grad, g)]);
}

/**
 * The adjoint of im2col: cols [C·kH·kW, N·outH·outW] → [N, C, H, W], each entry added back to
 * the pixel it was read from (overlapping windows sum). Its gradient is im2col.
 */
export function col2im(cols: Tensor, geometry: Conv2dGeometry): Tensor {
  checkTensor('col2im', cols);
  checkGeometry('col2im', geometry);
  const g = geometry;
  const expected = [g.channels * g.kH * g.kW, g.batch * g.outH * g.outW];
  if (!shapesEqual(cols.shape, expected)) throw new ShapeError(`col2im: cols have shape ${fmtShape(cols.shape)}, the geometry expects ${fmtShape(expected)}`);
  const [x, k] = output([g.batch, g.channels, g.inH, g.inW], cols.dtype);
  k.col2im(cols.data, g, x.data);
  return record(x, 'col2im', [cols], (grad) => [im2col(grad, g)]);
}

/*
 * Direct convolution (groups 1, stride 1): three ops over the conv2d / conv2dBackwardInput /
 * conv2dBackwardWeight kernels. All three are bilinear and each one's gradients are the other
 * two, so derivatives of any order stay within the family:
 *   y = conv(x, w)            ⟨ȳ, y⟩ = ⟨inputGrad(ȳ, w), x⟩ = ⟨weightGrad(x, ȳ), w⟩.
 */

/** y [N, outC, outH, outW] = conv(x, w) + bias; x [N, C, inH, inW] already padded for an odd 'same'. */
export function directConv(x: Tensor, w: Tensor, bias: Tensor | null, g: Conv2dGeometry): Tensor {
  const outChannels = w.shape[0];
  const [y, k] = output([g.batch, outChannels, g.outH, g.outW], x.dtype);
  k.conv2d(x.data, w.data, bias?.data ?? null, g, outChannels, y.data);
  const inputs = bias === null ? [x, w] : [x, w, bias];
  return record(y, 'conv2d', inputs, (grad) => {
    const dx = x.requiresGrad ? convInputGrad(grad, w, g) : null;
    const [dw, db] = w.requiresGrad || bias?.requiresGrad ? convWeightGrad(x, grad, g, bias !== null) : [null, null];
    return [dx, dw, db];
  });
}

/** dx [N, C, inH, inW] = conv(·, w)'s adjoint applied to grad [N, outC, outH, outW]. */
export function convInputGrad(grad: Tensor, w: Tensor, g: Conv2dGeometry): Tensor {
  const [dx, k] = output([g.batch, g.channels, g.inH, g.inW], grad.dtype);
  k.conv2dBackwardInput(grad.data, w.data, g, w.shape[0], dx.data);
  return record(dx, 'conv2dBackwardInput', [grad, w], (gx) => [
    grad.requiresGrad ? directConv(gx, w, null, g) : null,
    w.requiresGrad ? convWeightGrad(gx, grad, g, false)[0] : null,
  ]);
}

/**
 * dw [outC, C, kH, kW] = Σ grad · x over images and positions, and (withBias) the bias
 * gradient [outC] = grad summed over N, outH, outW, computed by the same kernel call.
 */
export function convWeightGrad(x: Tensor, grad: Tensor, g: Conv2dGeometry, withBias: boolean): [Tensor, Tensor | null] {
  const outChannels = grad.shape[1];
  const [dw, k] = output([outChannels, g.channels, g.kH, g.kW], grad.dtype);
  const [db] = withBias ? output([outChannels], grad.dtype) : [null];
  k.conv2dBackwardWeight(x.data, grad.data, g, outChannels, dw.data, db?.data ?? null);
  const dwRecorded = record(dw, 'conv2dBackwardWeight', [x, grad], (gw) => [
    x.requiresGrad ? convInputGrad(grad, gw, g) : null,
    grad.requiresGrad ? directConv(x, gw, null, g) : null,
  ]);
  // The bias gradient is linear in grad alone: its adjoint spreads gb over every position.
  const dbRecorded = db && record(db, 'conv2dBackwardBias', [grad], (gb) => [gb.reshape([1, outChannels, 1, 1]).broadcastTo(grad.shape)]);
  return [dwRecorded, dbRecorded];
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch): x [N, C, H, W] (or [C, H, W]), weight
 * [outC, C/groups, kH, kW], optional bias [outC] → [N, outC, outH, outW] (or [outC, outH, outW]).
 *
 * Stride 1 without groups runs the direct convolution kernels (their gradients are each other).
 * Other geometries are im2col and one batched matrix product (groups are the batch), written
 * with differentiable ops: dW = dY·colsᵀ, dCols = Wᵀ·dY, dX = col2im(dCols). Second
 * derivatives work on both paths.
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  checkTensor('conv2d', x);
  checkTensor('conv2d', weight, 'weight');
  checkFloat('conv2d', x);
  checkFloat('conv2d', weight);
  const { geometry: g, groups, outChannels, extra } = planConv2d('conv2d', x.shape, weight.shape, options);
  let dtype = promote(x.dtype, weight.dtype);
  if (bias !== null) {
    checkTensor('conv2d', bias, 'bias');
    checkFloat('conv2d', bias);
    if (!shapesEqual(bias.shape, [outChannels])) throw new ShapeError(`conv2d: bias must have shape [${outChannels}], got ${fmtShape(bias.shape)}`);
    dtype = promote(dtype, bias.dtype);
  }
  let input = x.dtype === dtype ? x : x.cast(dtype);
  const w = weight.dtype === dtype ? weight : weight.cast(dtype);
  if (input.ndim === 3) input = input.unsqueeze(0);
  if (extra[0] || extra[1]) input = input.pad([[0, extra[0]], [0, extra[1]]]);
  if (groups === 1 && g.strideH === 1 && g.strideW === 1) {
    const b = bias === null || bias.dtype === dtype ? bias : bias.cast(dtype);
    const y = directConv(input, w, b, g);
    return x.ndim === 3 ? y.squeeze(0) : y;
  }
  const perGroup = (g.channels / groups) * g.kH * g.kW;
  const columns = g.batch * g.outH * g.outW;
  const cols = im2col(input, g).reshape([groups, perGroup, columns]);
  // [groups, outC/groups, perGroup] · [groups, perGroup, N·outH·outW] → [outC, N, outH, outW]
  const z = bmm(w.reshape([groups, outChannels / groups, perGroup]), cols).reshape([outChannels, g.batch, g.outH, g.outW]);
  let y = g.batch === 1 ? z.reshape([1, outChannels, g.outH, g.outW]) : z.permute([1, 0, 2, 3]);
  if (bias !== null) y = y.add((bias.dtype === dtype ? bias : bias.cast(dtype)).reshape([1, outChannels, 1, 1]));
  return x.ndim === 3 ? y.squeeze(0) : y;
}
