/**
 * matmul on the wasm kernels: copy A and B into wasm memory, cut C into chunks for the threads,
 * run the blocked SIMD GEMM (assembly/gemm.ts), copy C back. Tiny products stay in js,
 * where the copies would cost more than the product.
 */
import { jsBackend } from '../js/index.js';
import type { MatmulSpec, TypedArray } from '../types.js';
import type { Job } from './pool.js';
import { currentRuntime, participants, runJobs, splitRange } from './runtime.js';

/** Register tile of the GEMM micro-kernel: work is split on multiples of it. */
const MR = 2;
const NR = 16;
/** Below this many multiply-adds (m·n·k·batch) the js kernel is as fast: no copies. */
const MIN_WASM_MACS = 4096;
/** From this many multiply-adds a product is split between threads (≈50 µs on one). */
const MIN_PARALLEL_MACS = 1 << 20;
/**
 * Chunks per thread, and the smallest chunk worth its packing: a chunk of r rows repacks all
 * of B, which costs about as much as 9/r of its product (≈7% at 128 rows); columns likewise.
 */
const CHUNKS_PER_THREAD = 4;
const MIN_CHUNK_ROWS = 128;
const MIN_CHUNK_COLUMNS = 128;

/** out[b] = op(A[b])·op(B[b]); see Kernels.matmul. Non-float32 arrays go to js. */
export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void {
  const rt = currentRuntime();
  const { transA, transB, k } = spec;
  let { batch, m, aBatchStride } = spec;
  const { n, bBatchStride } = spec;
  const macs = batch * m * n * k;
  if (
    !rt || macs < MIN_WASM_MACS ||
    !(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array)
  ) {
    jsBackend.matmul(a, b, out, spec);
    return;
  }
  // One B for every batch and A's batches stacked by rows: a single taller product.
  if (batch > 1 && bBatchStride === 0 && !transA && aBatchStride === m * k) {
    m *= batch;
    batch = 1;
    aBatchStride = 0;
  }
  const threads = participants(rt, macs, MIN_PARALLEL_MACS);
  const heap = rt.heap;
  heap.reset();
  const pa = heap.alloc(a.length * 4);
  const pb = heap.alloc(b.length * 4);
  const pc = heap.alloc(out.length * 4);
  const work = heap.alloc(rt.exports.gemmWorkBytes() * threads); // packing scratch per thread
  if (pa < 0 || pb < 0 || pc < 0 || work < 0) {
    jsBackend.matmul(a, b, out, spec);
    return;
  }
  heap.write(pa, a);
  heap.write(pb, b);
  // A(i,p) = a[i·rsA + p·csA], B(p,j) = b[p·rsB + j·csB], for either storage order.
  const rsA = transA ? 1 : k;
  const csA = transA ? m : 1;
  const rsB = transB ? 1 : n;
  const csB = transB ? k : 1;
  const chunk = (b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): Job => ({
    fn: 'gemm',
    args: [pa, pb, pc, k, n, rsA, csA, rsB, csB, aBatchStride, bBatchStride, m * n, b0, b1, i0, i1, j0, j1, work],
  });
  // Several chunks per thread, so that a thread that starts late (a parked worker, a busy
  // machine) leaves its share to the others; each chunk repacks its panels (a few percent).
  const maxChunks = threads * CHUNKS_PER_THREAD;
  let chunks: Job[];
  if (threads === 1) {
    chunks = [chunk(0, batch, 0, m, 0, n)];
  } else if (batch >= maxChunks || batch % threads === 0) {
    chunks = splitRange(batch, Math.min(batch, maxChunks), 1).map(([b0, b1]) => chunk(b0, b1, 0, m, 0, n));
  } else if (m >= n) {
    // Rows: each chunk packs all of B but reads only its rows of A.
    const parts = Math.max(threads, Math.min(maxChunks, Math.floor(m / MIN_CHUNK_ROWS)));
    chunks = splitRange(m, parts, MR).map(([i0, i1]) => chunk(0, batch, i0, i1, 0, n));
  } else {
    const parts = Math.max(threads, Math.min(maxChunks, Math.floor(n / MIN_CHUNK_COLUMNS)));
    chunks = splitRange(n, parts, NR).map(([j0, j1]) => chunk(0, batch, 0, m, j0, j1));
  }
  runJobs(rt, chunks, threads);
  heap.read(pc, out);
}
