/**
 * The `wasm` backend object: the wasm kernels where they exist and pay, the js kernels for
 * everything else (any kernel added to the js backend later is inherited automatically).
 */
import { jsBackend } from '../js/index.js';
import type { Backend, DType, Kernels, OptimizerKernels, TypedArray } from '../types.js';
import { avgPool2d, avgPool2dBackward, col2im, im2col, maxPool2d, maxPool2dBackward } from './conv.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv2d.js';
import { binary, fill, unary } from './elementwise.js';
import { matmul } from './matmul.js';
import { reduce, softmax } from './reduce.js';
import { adamStep, sgdStep } from './optim.js';
import { conv2dMaxPoolRelu, conv2dMaxPoolReluBackward } from './block.js';
import { currentRuntime } from './runtime.js';

/** Kernels with a wasm implementation; each falls back to js per call where it does not pay. */
const wasmKernels: Partial<Kernels & OptimizerKernels> = {
  adamStep,
  sgdStep,
  conv2dMaxPoolRelu,
  conv2dMaxPoolReluBackward,
  matmul,
  fill,
  unary,
  binary,
  reduce,
  softmax,
  im2col,
  col2im,
  maxPool2d,
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2dBackward,
};

/** float32 only: the op layer sends float64 and int32 work to the js backend (kernelsFor). */
export const wasmBackend: Backend = {
  ...jsBackend,
  ...wasmKernels,
  name: 'wasm',
  dtypes: ['float32'],
  residentArray(dtype: DType, length: number): TypedArray | null {
    const heap = currentRuntime()?.heap;
    if (!heap || dtype === 'float64' || length === 0) return null;
    return heap.residentArray(dtype, length);
  },
};

/** Names of the kernels that run in wasm (the rest are js). */
export const WASM_KERNELS: readonly (keyof (Kernels & OptimizerKernels))[] = Object.keys(wasmKernels) as (keyof (Kernels & OptimizerKernels))[];
