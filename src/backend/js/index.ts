import type { Backend } from '../types.js';
import { binary, cast, fill, unary, where } from './elementwise.js';
import { concat, gather, pad, permute, scatterAdd, slice } from './layout.js';
import { matmul } from './matmul.js';
import { argReduce, reduce, softmax } from './reduce.js';
import { adamStep, sgdStep } from './optim.js';
import { conv2dMaxPoolRelu, conv2dMaxPoolReluBackward } from './block.js';
import { adaptiveMaxPool2d, avgPool2d, avgPool2dBackward, col2im, im2col, maxPool2d } from './conv.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight, maxPool2dBackward } from './conv.js';

/**
 * The reference backend: plain TypeScript over typed arrays, every dtype. It is the
 * specification the other backends are tested against.
 */
export const jsBackend: Backend = {
  name: 'js',
  dtypes: ['float32', 'float64', 'int32'],
  unary,
  binary,
  where,
  reduce,
  argReduce,
  matmul,
  permute,
  slice,
  pad,
  concat,
  gather,
  scatterAdd,
  softmax,
  cast,
  fill,
  im2col,
  col2im,
  maxPool2d,
  adaptiveMaxPool2d,
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2dBackward,
  adamStep,
  sgdStep,
  conv2dMaxPoolRelu,
  conv2dMaxPoolReluBackward,
};
