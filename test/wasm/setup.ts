/**
 * Shared pieces of the wasm backend tests: loading the backend once, seeded random data,
 * an independent float64 matrix product, and ulp distances.
 */
import type { MatmulSpec } from '../../src/backend/types.js';
import { initWasmBackend } from '../../src/backend/wasm/index.js';

/** Loads and registers the wasm backend (throws if this Node lacks SIMD: the tests need it). */
export async function loadWasm(): Promise<void> {
  const ok = await initWasmBackend();
  if (!ok) throw new Error('the wasm backend did not load: WebAssembly SIMD missing?');
}

/** A small deterministic generator (mulberry32), so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n float32 values uniform in [lo, hi). */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * r();
  return x;
}

/** A product's shape and flags: the kernel contract's own MatmulSpec. */
export type ProductSpec = MatmulSpec;

/**
 * The product in float64, written directly from the definition, and Σ|a||b| per element
 * (the scale a float32 dot product's rounding error is measured against).
 */
export function referenceProduct(a: Float32Array, b: Float32Array, s: ProductSpec): { c: Float64Array; scale: Float64Array } {
  const c = new Float64Array(s.batch * s.m * s.n);
  const scale = new Float64Array(c.length);
  for (let bt = 0; bt < s.batch; bt++) {
    for (let i = 0; i < s.m; i++) {
      for (let j = 0; j < s.n; j++) {
        let sum = 0;
        let abs = 0;
        for (let p = 0; p < s.k; p++) {
          const av = a[bt * s.aBatchStride + (s.transA ? p * s.m + i : i * s.k + p)];
          const bv = b[bt * s.bBatchStride + (s.transB ? j * s.k + p : p * s.n + j)];
          sum += av * bv;
          abs += Math.abs(av * bv);
        }
        c[(bt * s.m + i) * s.n + j] = sum;
        scale[(bt * s.m + i) * s.n + j] = abs;
      }
    }
  }
  return { c, scale };
}

/** Distance in float32 units in the last place between two float32 values (same sign assumed). */
export function ulps(a: number, b: number): number {
  if (Object.is(a, b)) return 0;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  return Math.abs(i[0] - i[1]);
}
