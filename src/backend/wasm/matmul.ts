/**
 * matmul on the wasm kernels: copy A and B into wasm memory, split C between the threads,
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
/** From this many multiply-adds a product is split between threads (≈40 µs on one). */
const MIN_PARALLEL_MACS = 1 << 20;

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
  const workBytes = rt.exports.gemmWorkBytes();
  const work = heap.alloc(workBytes * threads);
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
  const job = (t: number, b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): Job => ({
    fn: 'gemm',
    args: [pa, pb, pc, k, n, rsA, csA, rsB, csB, aBatchStride, bBatchStride, m * n, b0, b1, i0, i1, j0, j1, work + t * workBytes],
  });
  const jobs: Job[] = [];
  if (threads === 1) {
    jobs.push(job(0, 0, batch, 0, m, 0, n));
  } else if (batch >= 2 * threads || batch % threads === 0) {
    splitRange(batch, threads, 1).forEach(([b0, b1], t) => jobs.push(job(t, b0, b1, 0, m, 0, n)));
  } else if (m >= n) {
    // Rows: each chunk packs all of B but reads only its rows of A.
    splitRange(m, threads, MR).forEach(([i0, i1], t) => jobs.push(job(t, 0, batch, i0, i1, 0, n)));
  } else {
    splitRange(n, threads, NR).forEach(([j0, j1], t) => jobs.push(job(t, 0, batch, 0, m, j0, j1)));
  }
  runJobs(rt, jobs, threads);
  heap.read(pc, out);
}
