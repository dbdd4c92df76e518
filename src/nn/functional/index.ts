/**
 * `nb.nn.functional`: activations, costs and stateless layers as plain functions of tensors.
 */
export * from './activations.js';
export * from './losses.js';
export { linear, dropout, flatten, batchNorm, type BatchNormOptions } from './layers.js';
export { erf, erfc, normalCdf } from './special.js';
export type { Reduction } from './checks.js';
