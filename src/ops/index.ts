export * from './unary.js';
export * from './binary.js';
export * from './movement.js';
export * from './reduce.js';
export { bmm, matmul, type MatmulOptions } from './matmul.js';
export { linearMap } from './linear.js';
export * from './softmax.js';
export { conv2d, conv2dOutputShape, im2col, col2im, type Conv2dOptions, type Pair, type Padding2d } from './conv.js';
export {
  maxPool2d, avgPool2d, adaptiveAvgPool2d, adaptiveMaxPool2d, pool2dOutputShape, adaptiveAvgPool2dOutputShape,
  adaptivePool2dOutputShape,
  type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize,
} from './pool.js';
export { conv2dMaxPoolRelu } from './block.js';
export * from './batchnorm.js';
export { type TensorLike } from './core.js';
