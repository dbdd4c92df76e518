// The zero-step skipping of the wasm GEMM on the plain-SIMD build: see sparse-suite.ts.
import { skippingSuite } from './sparse-suite.js';

skippingSuite('simd');
