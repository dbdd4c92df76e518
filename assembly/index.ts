// Entry of the wasm kernels (AssemblyScript); built by scripts/build-wasm.mjs.
export { gemm, gemmPackB, gemmPacked, gemmWorkBytes, gemmSliceK, gemmKernelLoop, gemmKernelLoopBytes, heapBase } from './gemm';
export { unary, binary, fillZero } from './elementwise';
export { reduce, softmax } from './reduce';
export { im2col, col2im, maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward } from './conv';
export { conv2dCorrelate, conv2dPackWeights } from './conv2d';
export { conv2dSumParts, conv2dWeightGrad } from './conv2dgrad';
export { adamStep, sgdStep } from './optim';
