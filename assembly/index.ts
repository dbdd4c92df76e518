// Entry of the wasm kernels (AssemblyScript); built by scripts/build-wasm.mjs.
export { gemm, gemmWorkBytes, gemmSliceK, heapBase } from './gemm';
export { unary, binary } from './elementwise';
export { reduce, softmax } from './reduce';
export { im2col, col2im, maxPool2d, avgPool2d, avgPool2dBackward } from './conv';
