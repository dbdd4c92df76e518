export * from './unary.js';
export * from './binary.js';
export * from './movement.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './softmax.js';
export { type TensorLike } from './core.js';
