/**
 * matmul on the wasm kernels: copy A and B into wasm memory (unless resident), cut C into
 * chunks for the threads, run the blocked SIMD GEMM (assembly/gemm.ts), copy C back. Tiny
 * products stay in js, where the copies would cost more than the product.
 */
import { jsBackend } from '../js/index.js';
import type { MatmulSpec, TypedArray } from '../types.js';
import type { Job } from './pool.js';
import { currentRuntime, participants, runJobs, splitRange, type WasmRuntime } from './runtime.js';

/** Work is split on multiples of both builds' register tiles (2×16 relaxed, 4×8 plain). */
const MR = 4;
const NR = 16;
/** The narrower build's B panels (4×8 plain): sizes the per-panel lists for either build. */
const MIN_NR = 8;
/** Below this many multiply-adds (m·n·k·batch) the js kernel is as fast: no copies. */
const MIN_WASM_MACS = 4096;
/** From this many multiply-adds a product is split between threads (≈50 µs on one). */
const MIN_PARALLEL_MACS = 1 << 20;
/**
 * Chunks per thread (a thread that starts late leaves its share to the others), and the
 * smallest chunks: with B packed once, a row chunk packs only its own rows of A; a column
 * chunk packs all of A, so it needs more columns to be worth it.
 */
const CHUNKS_PER_THREAD = 4;
const MIN_CHUNK_ROWS_SHARED = 32;
const MIN_CHUNK_COLUMNS = 128;
/**
 * Private packing (each chunk repacks the operand its split does not cut) saves the second
 * hand-off of shared packing, but the copies cost more than that: at 512³ and at the MLP's
 * shapes sharing B measured as fast or faster (512³, 2 threads: 94 vs 93 GFLOP/s). So only
 * when the repacked operand, ×1000, is at most a thread's share of the product.
 */
const PRIVATE_PACKING_RATIO = 1000;

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
  // Resident operands (parameters) are used in place; others are copied into scratch.
  const pa = heap.input(a);
  const pb = heap.input(b);
  // Accumulating into a non-resident out needs its contents in scratch first.
  const pc = spec.accumulate ? heap.input(out as Float32Array) : heap.output(out);
  const accumulate = spec.accumulate ? 1 : 0;
  const work = heap.alloc(rt.exports.gemmWorkBytes() * threads); // packing scratch per thread
  if (pa < 0 || pb < 0 || pc < 0 || work < 0) {
    jsBackend.matmul(a, b, out, spec);
    return;
  }
  // A(i,p) = a[i·rsA + p·csA], B(p,j) = b[p·rsB + j·csB], for either storage order.
  const rsA = transA ? 1 : k;
  const csA = transA ? m : 1;
  const rsB = transB ? 1 : n;
  const csB = transB ? k : 1;
  const chunk = (b0: number, b1: number, i0: number, i1: number, j0: number, j1: number): Job => ({
    fn: 'gemm',
    args: [pa, pb, pc, k, n, rsA, csA, rsB, csB, aBatchStride, bBatchStride, m * n, b0, b1, i0, i1, j0, j1, accumulate, work],
  });
  if (threads > 1 && batch === 1) {
    // A product split into one chunk per thread repacks, in every chunk but one, the operand
    // its split does not cut (all of B for a row split, all of A for a column split). When
    // that copy is small next to the product, one task with private packing beats packing B
    // once in a separate task (a second hand-off between the threads); otherwise share B.
    const rowSplitCopy = k * n;
    const columnSplitCopy = m * k;
    if (Math.min(rowSplitCopy, columnSplitCopy) * PRIVATE_PACKING_RATIO <= (m * n * k) / threads) {
      const privateChunks = rowSplitCopy <= columnSplitCopy
        ? splitRange(m, threads, MR).map(([i0, i1]) => chunk(0, 1, i0, i1, 0, n))
        : splitRange(n, threads, NR).map(([j0, j1]) => chunk(0, 1, 0, m, j0, j1));
      runJobs(rt, privateChunks, threads);
      heap.finishOutput(pc, out);
      return;
    }
    if (sharedPackingProduct(rt, { pa, pb, pc, work, m, k, n, rsA, csA, rsB, csB, accumulate }, threads)) {
      heap.finishOutput(pc, out);
      return;
    }
  }
  // Several chunks per thread, so that a thread that starts late (a parked worker, a busy
  // machine) leaves its share to the others; each chunk repacks its panels (a few percent).
  const maxChunks = threads * CHUNKS_PER_THREAD;
  let chunks: Job[];
  if (threads === 1) {
    chunks = [chunk(0, batch, 0, m, 0, n)];
  } else if (batch >= maxChunks || batch % threads === 0) {
    chunks = splitRange(batch, Math.min(batch, maxChunks), 1).map(([b0, b1]) => chunk(b0, b1, 0, m, 0, n));
  } else if (m >= n) {
    // Fewer batches than chunks would leave threads idle: split every batch's rows instead.
    chunks = splitRange(m, Math.max(threads, Math.min(maxChunks, Math.floor(m / MIN_CHUNK_ROWS_SHARED))), MR).map(([i0, i1]) => chunk(0, batch, i0, i1, 0, n));
  } else {
    chunks = splitRange(n, Math.max(threads, Math.min(maxChunks, Math.floor(n / MIN_CHUNK_COLUMNS))), NR).map(([j0, j1]) => chunk(0, batch, 0, m, j0, j1));
  }
  runJobs(rt, chunks, threads);
  heap.finishOutput(pc, out);
}

/** Addresses and layout of one (unbatched) product. */
interface Product {
  pa: number;
  pb: number;
  pc: number;
  work: number;
  m: number;
  k: number;
  n: number;
  rsA: number;
  csA: number;
  rsB: number;
  csB: number;
  /** 1: add to C's contents. */
  accumulate: number;
}

/**
 * One matrix product on several threads: B is packed once (its columns split between the
 * threads), then C's rows (or, for a short C, its columns) are cut into more chunks than
 * threads, each packing only its rows of A. Repacking B per chunk cost 5–10% at MLP sizes.
 * Returns false when the scratch for the packed B does not fit (the caller then repacks per chunk).
 */
function sharedPackingProduct(rt: WasmRuntime, p: Product, threads: number): boolean {
  const { m, k, n } = p;
  const packed = rt.heap.alloc(k * Math.ceil(n / NR) * NR * 4);
  if (packed < 0) return false;
  // Each NR-wide panel's list of nonzero steps (one u32 per step) and its count per K slice,
  // and two flags: B holds ±∞ or NaN; some panel took a list (assembly/gemm.ts, gemmPackB).
  const panels = Math.ceil(n / MIN_NR);
  const slices = Math.ceil(k / (rt.exports.gemmSliceK(k) as number));
  const steps = rt.heap.alloc(k * panels * 4);
  const counts = rt.heap.alloc(slices * panels * 4);
  const flags = rt.heap.alloc(8);
  if (steps < 0 || counts < 0 || flags < 0) return false;
  rt.heap.i32.fill(0, flags >> 2, (flags >> 2) + 2);
  const packJobs = splitRange(n, threads, NR).map(([j0, j1]): Job => ({
    fn: 'gemmPackB', args: [p.pb, p.rsB, p.csB, k, n, j0, j1, packed, steps, counts, flags],
  }));
  runJobs(rt, packJobs, threads);
  const maxChunks = threads * CHUNKS_PER_THREAD;
  const job = (i0: number, i1: number, j0: number, j1: number): Job => ({
    fn: 'gemmPacked', args: [p.pa, packed, p.pc, k, n, p.rsA, p.csA, i0, i1, j0, j1, p.accumulate, steps, counts, flags, p.work],
  });
  const rowParts = Math.min(maxChunks, Math.floor(m / MIN_CHUNK_ROWS_SHARED));
  const chunks = rowParts >= threads
    ? splitRange(m, rowParts, MR).map(([i0, i1]) => job(i0, i1, 0, n))
    : splitRange(n, Math.max(1, Math.min(maxChunks, Math.floor(n / MIN_CHUNK_COLUMNS))), NR).map(([j0, j1]) => job(0, m, j0, j1));
  runJobs(rt, chunks, threads);
  return true;
}

/** k steps of the panels the ceiling's micro-kernel runs over (they stay in L1). */
const CEILING_KC = 256;
/** Milliseconds of work per chunk of the ceiling's rounds (longer where a round would need more chunks). */
const CEILING_CHUNK_MS = 2;
/** The most chunks a ceiling round posts (the pool takes at most MAX_CHUNKS a task). */
const CEILING_MAX_CHUNKS = 128;

/**
 * The compute ceiling of the GEMM on `threads` threads now, in GFLOP/s: the build's
 * micro-kernel over packed panels that stay in L1, run by every thread at once for `rounds`
 * rounds of about `roundMs` (the median round). No packing, no cache misses, no copies: a
 * product's GFLOP/s divided by this is the share its blocking and hand-offs keep, and this
 * at 2 threads divided by this at 1 is what the second core adds at the moment (on a shared
 * VM, less than 2). Workers that are not ready yet do not count (call startWasmThreads
 * first). For benchmarks; null before the wasm backend loaded.
 */
export function gemmKernelCeiling(threads: number, rounds = 5, roundMs = 100): number | null {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`gemmKernelCeiling: expected an integer ≥ 1 threads, got ${threads}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`gemmKernelCeiling: expected an integer ≥ 1 rounds, got ${rounds}`);
  if (!(roundMs > 0)) throw new RangeError(`gemmKernelCeiling: expected a positive round length, got ${roundMs} ms`);
  const rt = currentRuntime();
  if (!rt) return null;
  const ex = rt.exports;
  // Both builds' register tiles hold 32 elements of C (2×16 relaxed, 4×8 plain).
  const flopsPerRep = 2 * 32 * CEILING_KC;
  const scratch = (workers: number): number => {
    rt.heap.reset();
    const at = rt.heap.alloc((ex.gemmKernelLoopBytes() as number) * workers);
    if (at < 0) throw new Error(`gemmKernelCeiling: no room for ${workers} threads' panels in wasm memory`);
    return at;
  };
  // Calibrate a chunk of about CEILING_CHUNK_MS on this thread (after a warm-up: V8 optimises hot wasm late).
  let work = scratch(1);
  ex.gemmKernelLoop(CEILING_KC, 20_000, work, 0);
  const start = performance.now();
  ex.gemmKernelLoop(CEILING_KC, 2000, work, 0);
  const repsPerMs = 2000 / Math.max(1e-3, performance.now() - start);
  const reps = Math.max(1, Math.round(repsPerMs * CEILING_CHUNK_MS));
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const used = participants(rt, 1, 0, threads);
    // Chunks of CEILING_CHUNK_MS, or fewer and longer ones where that would be too many.
    const wanted = Math.max(1, Math.round((roundMs / CEILING_CHUNK_MS) * used));
    const count = Math.min(wanted, CEILING_MAX_CHUNKS);
    const chunkReps = Math.max(1, Math.round((reps * wanted) / count));
    work = scratch(used);
    const chunks: Job[] = Array.from({ length: count }, () => ({ fn: 'gemmKernelLoop', args: [CEILING_KC, chunkReps, work] }));
    const t0 = performance.now();
    runJobs(rt, chunks, used);
    results.push((count * chunkReps * flopsPerRep) / ((performance.now() - t0) / 1000) / 1e9);
  }
  results.sort((a, b) => a - b);
  return results[Math.floor(results.length / 2)];
}
