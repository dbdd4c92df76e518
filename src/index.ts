/**
 * nabla: tensors, reverse-mode autograd and neural networks in TypeScript.
 * `import * as nb from 'nabla'`.
 */
import { backward } from './autograd/engine.js';
import * as ops from './ops/index.js';
import { installTensorHooks } from './tensor/tensor.js';
import { initDefaultBackend } from './backend/wasm/index.js';

installTensorHooks({ ops, backward });

export {
  Tensor, NablaError, ShapeError, DTypeError, ValueError, FormatError,
  tensor, zeros, ones, full, zerosLike, onesLike, fullLike, eye, arange, linspace, rand, randn, randint, randperm,
  manualSeed, Generator, globalGenerator, setBackend, getBackend, listBackends, makeResident, residentZeros,
  type DType, type TypedArray, type TensorLike, type TensorOptions, type NestedNumbers, type BackwardOptions,
} from './tensor/index.js';
export { registerBackend, type Backend, type Kernels, type KernelName } from './backend/index.js';
export {
  initWasmBackend, initDefaultBackend, setNumThreads, getNumThreads, startWasmThreads, wasmInfo,
  type WasmOptions, type WasmInfo, type WasmFeatures, type WasmVariant,
} from './backend/wasm/index.js';
export { noGrad, enableGrad, isGradEnabled, grad, hessian, gradcheck, gradgradcheck, type GradOptions, type GradcheckOptions } from './autograd/index.js';
export * from './ops/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * from './train/index.js';
export * from './io/index.js';
export * as explain from './explain/index.js';
export { OPTIMIZER_NAMES } from './train/optimizers.js';

// The fastest backend that loads becomes the default: wasm (SIMD, worker threads) where the
// engine has WebAssembly SIMD, else js. NABLA_BACKEND=js|wasm or setBackend() override.
await initDefaultBackend();
