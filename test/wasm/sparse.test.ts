// The zero-step skipping of the wasm GEMM on the relaxed-SIMD (FMA) build: see sparse-suite.ts.
import { skippingSuite } from './sparse-suite.js';

skippingSuite('relaxed-simd');
