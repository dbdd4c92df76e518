/**
 * The fused convolution block (conv → max-pool → ReLU) on plain typed arrays, composed from
 * the js kernels: the reference the wasm block kernel is tested against.
 */
import type { Conv2dGeometry, TypedArray } from '../types.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, like, maxPool2d, maxPool2dBackward } from './conv.js';

/** See Kernels.conv2dMaxPoolRelu. */
export function conv2dMaxPoolRelu(
  x: TypedArray, weight: TypedArray, bias: TypedArray | null, conv: Conv2dGeometry, outChannels: number,
  pool: Conv2dGeometry, y: TypedArray, argmax: Int32Array,
): void {
  const z = like(x, conv.batch * outChannels * conv.outH * conv.outW);
  conv2d(x, weight, bias, conv, outChannels, z);
  maxPool2d(z, pool, y, argmax);
  for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 ? y[i] : 0;
}

/** See Kernels.conv2dMaxPoolReluBackward. */
export function conv2dMaxPoolReluBackward(
  grad: TypedArray, y: TypedArray, argmax: Int32Array, x: TypedArray, weight: TypedArray,
  conv: Conv2dGeometry, outChannels: number, pool: Conv2dGeometry,
  dx: TypedArray | null, dw: TypedArray | null, db: TypedArray | null,
): void {
  // ReLU's gradient on the pooled values (y > 0 exactly where the pooled conv output is > 0).
  const masked = like(grad, grad.length);
  for (let i = 0; i < grad.length; i++) masked[i] = y[i] > 0 ? grad[i] : 0;
  const dz = like(grad, conv.batch * outChannels * conv.outH * conv.outW);
  maxPool2dBackward(masked, argmax, pool, dz);
  // A bias gradient alone still goes through the weight kernel, into a scratch dw.
  if (dw || db) conv2dBackwardWeight(x, dz, conv, outChannels, dw ?? like(weight, weight.length), db);
  if (dx) conv2dBackwardInput(dz, weight, conv, outChannels, dx);
}
