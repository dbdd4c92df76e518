/**
 * The CNN layers under test. They are imported from their source files until nb.nn exports
 * them; then this file can become `export const { Conv2d, … } = nb.nn`.
 */
export { Conv2d } from '../../src/nn/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from '../../src/nn/pooling.js';
export { BatchNorm2d } from '../../src/nn/batchnorm2d.js';
export { summary } from '../../src/nn/summary.js';
