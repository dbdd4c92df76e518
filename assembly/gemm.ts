// Blocked float32 matrix product C = op(A)·op(B) (GotoBLAS/BLIS loop order), 128-bit SIMD.
// Every pointer is a byte address in the shared linear memory; JS allocates all buffers.
//
// Loop nest per call (one chunk of C): jc (NC columns) → pc (KC slice of K) → pack B into
// NR-wide panels and list their nonzero steps → ic (MC rows) → pack A into MR-tall panels and
// list theirs → jr → ir → micro-kernel (microkernel.ts) over the shorter list, or all steps.
// Each element of C is summed in the same order whatever the chunk's row/column range (edge
// tiles included), and a skipped step adds nothing, so splitting the work between threads
// never changes a bit of the result.
//
// Measured on the 2-core AMD EPYC (Zen 3) dev VM, V8 11.3: the relaxed (FMA) micro-kernel
// runs at ~46 GFLOP/s per core, the plain one at ~35 (mul + add + 6 loads per k step saturate
// the FP dispatch); tiles with more accumulators spill (V8 hoists every load of the loop).

import { allFinite, indexStepsA, indexStepsB, tileKernel } from './microkernel';
import { MR, NR, packA, packB } from './pack';

/** Cache blocks: an MC×KC block of A stays in L2, a KC×NR panel of B in L1. */
const MC: i32 = 64;
const KC_MAX: i32 = 512;
const NC: i32 = 1024;

/** Panels of A in one MC block, of B in one NC block. */
const PANELS_A: i32 = (MC + MR - 1) / MR;
const PANELS_B: i32 = (NC + NR - 1) / NR;

/**
 * Bytes of scratch one thread needs: packed A block, packed B block, one edge tile, and the
 * panels' lists of nonzero steps with their counts (see indexStepsA/B).
 */
export function gemmWorkBytes(): i32 {
  return (MC * KC_MAX + NC * KC_MAX + MR * NR + (PANELS_A + PANELS_B) * (KC_MAX + 1)) * 4;
}

/** The K slice length: at most KC_MAX, slices of (nearly) equal size. */
export function gemmSliceK(k: i32): i32 {
  const slices = (k + KC_MAX - 1) / KC_MAX;
  return (k + slices - 1) / slices;
}

/** A partial tile (mr < MR or nr < NR): computed into a scratch tile, then the valid part added. */
function edgeTile(kc: i32, count: i32, steps: usize, pa: usize, pb: usize, c: usize, ldc: usize, first: bool, mr: i32, nr: i32, tile: usize): void {
  tileKernel(kc, count, steps, pa, pb, tile, NR * 4, true);
  for (let i = 0; i < mr; i++) {
    const crow = c + <usize>i * ldc;
    const trow = tile + <usize>(i * NR * 4);
    if (first) {
      for (let j = 0; j < nr; j++) store<f32>(crow + (j << 2), load<f32>(trow + (j << 2)));
    } else {
      for (let j = 0; j < nr; j++) {
        const at = crow + (j << 2);
        store<f32>(at, load<f32>(at) + load<f32>(trow + (j << 2)));
      }
    }
  }
}

/** A thread's scratch: where each part of gemmWorkBytes() starts. */
@inline function packedAAt(work: usize, thread: i32): usize {
  return work + <usize>thread * <usize>gemmWorkBytes();
}
@inline function packedBAt(work: usize, thread: i32): usize {
  return packedAAt(work, thread) + <usize>(MC * KC_MAX * 4);
}
@inline function tileAt(work: usize, thread: i32): usize {
  return packedBAt(work, thread) + <usize>(NC * KC_MAX * 4);
}
@inline function stepsAAt(work: usize, thread: i32): usize {
  return tileAt(work, thread) + <usize>(MR * NR * 4);
}
@inline function countsAAt(work: usize, thread: i32): usize {
  return stepsAAt(work, thread) + <usize>(PANELS_A * KC_MAX * 4);
}
@inline function stepsBAt(work: usize, thread: i32): usize {
  return countsAAt(work, thread) + <usize>(PANELS_A * 4);
}
@inline function countsBAt(work: usize, thread: i32): usize {
  return stepsBAt(work, thread) + <usize>(PANELS_B * KC_MAX * 4);
}

/** Finiteness of an operand's packed data, checked lazily: only when a list would skip against it. */
const UNCHECKED: i32 = -1;

/**
 * One packed block of A (mc rows, kc steps) times nc columns of packed B (NR-wide panels from
 * `panels`), into C from `ct` (its top-left, row stride ldc bytes): every register tile, over
 * the shorter of its A panel's and its B panel's lists of steps where those are used
 * (useA, useB: lists and counts as indexStepsA wrote them, with panel stride KC_MAX, and as
 * indexStepsB wrote them, with stride kc), else over all kc steps.
 */
function block(
  packedA: usize, mc: i32, kc: i32, panels: usize, nc: i32, ct: usize, ldc: usize, first: bool,
  useA: bool, stepsA: usize, countsA: usize, useB: bool, stepsB: usize, countsB: usize, tile: usize,
): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const r = jr / NR;
    const pb = panels + <usize>jr * kc * 4;
    const ccol = ct + <usize>jr * 4;
    const countB = useB ? load<i32>(countsB + (<usize>r << 2)) : kc;
    const listB = stepsB + <usize>r * kc * 4;
    for (let ir = 0; ir < mc; ir += MR) {
      const mr = min(MR, mc - ir);
      const q = ir / MR;
      let count = countB;
      let list = listB;
      if (useA) {
        const countA = load<i32>(countsA + (<usize>q << 2));
        if (countA < count) {
          count = countA;
          list = stepsA + <usize>q * (KC_MAX * 4);
        }
      }
      const pa = packedA + <usize>ir * kc * 4;
      const c = ccol + <usize>ir * ldc;
      if (mr == MR && nr == NR) tileKernel(kc, count, list, pa, pb, c, ldc, first);
      else edgeTile(kc, count, list, pa, pb, c, ldc, first, mr, nr, tile);
    }
  }
}

/**
 * One chunk of a batched product: batches [b0, b1), rows [i0, i1) and columns [j0, j1) of
 * C = op(A)·op(B). A(i,p) = a[i·rsA + p·csA], B(p,j) = b[p·rsB + j·csB]; C is dense [m, n]
 * per batch. Batch strides are in elements. Scratch: gemmWorkBytes() per thread from `work`,
 * this thread's at work + thread·gemmWorkBytes() (the pool passes the thread's index).
 * accumulate: C += the product (C's contents are kept) instead of C = the product.
 * Steps where an A or a B panel is all zero are skipped (see microkernel.ts): same bits.
 */
export function gemm(
  a: usize, b: usize, c: usize, k: i32, n: i32,
  rsA: i32, csA: i32, rsB: i32, csB: i32,
  aBatch: i32, bBatch: i32, cBatch: i32,
  b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool, work: usize, thread: i32,
): void {
  const packedA = packedAAt(work, thread);
  const packedB = packedBAt(work, thread);
  const tile = tileAt(work, thread);
  const stepsA = stepsAAt(work, thread);
  const countsA = countsAAt(work, thread);
  const stepsB = stepsBAt(work, thread);
  const countsB = countsBAt(work, thread);
  const ldc = <usize>n * 4;
  const kcMax = gemmSliceK(k);
  // Each operand is scanned until a block of it has no panel worth a list (a dense operand
  // costs one scan of one block).
  let scanA = true;
  let scanB = true;
  for (let bt = b0; bt < b1; bt++) {
    const ab = a + <usize>bt * aBatch * 4;
    const bb = b + <usize>bt * bBatch * 4;
    const cb = c + <usize>bt * cBatch * 4;
    for (let jc = j0; jc < j1; jc += NC) {
      const nc = min(NC, j1 - jc);
      for (let pc = 0; pc < k; pc += kcMax) {
        const kc = min(kcMax, k - pc);
        const first = pc == 0 && !accumulate;
        packB(bb, rsB, csB, pc, kc, jc, nc, packedB);
        const listedB = scanB && indexStepsB(packedB, nc, kc, stepsB, countsB) > 0;
        scanB = listedB;
        let bFinite = UNCHECKED;
        for (let ic = i0; ic < i1; ic += MC) {
          const mc = min(MC, i1 - ic);
          packA(ab, rsA, csA, ic, mc, pc, kc, packedA);
          let useA = false;
          if (scanA) {
            useA = indexStepsA(packedA, mc, kc, stepsA, KC_MAX * 4, countsA) > 0;
            scanA = useA;
            if (useA && bFinite == UNCHECKED) bFinite = <i32>allFinite(packedB, kc * paddedColumns(nc));
            useA = useA && bFinite == 1;
          }
          const useB = listedB && allFinite(packedA, kc * paddedRows(mc));
          block(packedA, mc, kc, packedB, nc, cb + <usize>ic * ldc + <usize>jc * 4, ldc, first, useA, stepsA, countsA, useB, stepsB, countsB, tile);
        }
      }
    }
  }
}

/** First free byte after the module's static data: JS allocates above it. */
export function heapBase(): usize {
  return __heap_base;
}

/** Columns of a prepacked B, rounded up to whole NR-wide panels. */
@inline function paddedColumns(n: i32): i32 {
  return ((n + NR - 1) / NR) * NR;
}

/** Rows of a packed A block, rounded up to whole MR-tall panels. */
@inline function paddedRows(m: i32): i32 {
  return ((m + MR - 1) / MR) * MR;
}

/**
 * Packs columns [j0, j1) of B (k×n, B(p,j) = b[p·rsB + j·csB]) for `gemmPacked`: for each K
 * slice, NR-wide panels; the panel of column j in the slice starting at pc is at
 * dst + (pc·nPadded + j·kc)·4. j0 is a multiple of NR. Threads pack disjoint column ranges.
 * Also lists each panel's nonzero steps (indexStepsB): the list of panel r of the slice at pc
 * at steps + (pc·panels + r·kc)·4, its count at counts + (s·panels + r)·4 for the s-th slice.
 * flags (two i32 the caller zeroes): the first set to 1 when these columns hold ±∞ or NaN,
 * the second when a panel took a list.
 */
export function gemmPackB(
  b: usize, rsB: i32, csB: i32, k: i32, n: i32, j0: i32, j1: i32, dst: usize,
  steps: usize, counts: usize, flags: usize, thread: i32,
): void {
  const kcMax = gemmSliceK(k);
  const nPadded = paddedColumns(n);
  const panels = nPadded / NR;
  let finite = true;
  let listed = 0;
  for (let pc = 0, s = 0; pc < k; pc += kcMax, s++) {
    const kc = min(kcMax, k - pc);
    const at = dst + (<usize>pc * nPadded + <usize>j0 * kc) * 4;
    packB(b, rsB, csB, pc, kc, j0, j1 - j0, at);
    if (finite) finite = allFinite(at, kc * paddedColumns(j1 - j0));
    const r0 = j0 / NR;
    listed += indexStepsB(at, j1 - j0, kc, steps + (<usize>pc * panels + <usize>r0 * kc) * 4, counts + <usize>(s * panels + r0) * 4);
  }
  if (!finite) store<i32>(flags, 1);
  if (listed > 0) store<i32>(flags, 1, 4);
}

/**
 * Rows [i0, i1) and columns [j0, j1) of C = op(A)·B with B already packed by gemmPackB (one
 * matrix, no batch): every thread shares one packing of B instead of repacking it. Sums in
 * the same order as `gemm`, so the bits do not depend on the path or the split. steps,
 * counts, flags: as gemmPackB wrote them (B's finiteness and lists decide what is skipped).
 */
export function gemmPacked(
  a: usize, pb: usize, c: usize, k: i32, n: i32, rsA: i32, csA: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool,
  steps: usize, counts: usize, flags: usize, work: usize, thread: i32,
): void {
  const packedA = packedAAt(work, thread);
  const tile = tileAt(work, thread);
  const stepsA = stepsAAt(work, thread);
  const countsA = countsAAt(work, thread);
  const bFinite = load<i32>(flags) == 0;
  const listedB = load<i32>(flags, 4) != 0;
  let scanA = bFinite;
  const ldc = <usize>n * 4;
  const kcMax = gemmSliceK(k);
  const nPadded = paddedColumns(n);
  const panels = nPadded / NR;
  const r0 = j0 / NR;
  for (let pc = 0, s = 0; pc < k; pc += kcMax, s++) {
    const kc = min(kcMax, k - pc);
    const first = pc == 0 && !accumulate;
    const slice = pb + <usize>pc * nPadded * 4;
    const stepsB = steps + (<usize>pc * panels + <usize>r0 * kc) * 4;
    const countsB = counts + <usize>(s * panels + r0) * 4;
    for (let ic = i0; ic < i1; ic += MC) {
      const mc = min(MC, i1 - ic);
      packA(a, rsA, csA, ic, mc, pc, kc, packedA);
      let useA = false;
      if (scanA) {
        useA = indexStepsA(packedA, mc, kc, stepsA, KC_MAX * 4, countsA) > 0;
        scanA = useA;
      }
      const useB = listedB && allFinite(packedA, kc * paddedRows(mc));
      block(packedA, mc, kc, slice + <usize>j0 * kc * 4, j1 - j0, c + <usize>ic * ldc + <usize>j0 * 4, ldc, first, useA, stepsA, countsA, useB, stepsB, countsB, tile);
    }
  }
}

/** Bytes of the scratch `gemmKernelLoop` uses per thread (kc ≤ 256). */
export function gemmKernelLoopBytes(): i32 {
  return (MR + NR) * 256 * 4 + MR * NR * 4 + 64;
}

/**
 * Benchmark only: the build's micro-kernel `reps` times over one pair of packed panels of kc
 * (≤ 256) steps that stay in L1 (the thread's gemmKernelLoopBytes() of scratch from `work`):
 * no packing, no cache misses, so 2·MR·NR·kc·reps flops at the rate the GEMM's inner loop
 * can reach on this core. The panels are zeroed, so C stays finite.
 */
export function gemmKernelLoop(kc: i32, reps: i32, work: usize, thread: i32): void {
  const pa = work + <usize>thread * <usize>gemmKernelLoopBytes();
  const pb = pa + <usize>(MR * 256 * 4);
  const c = pb + <usize>(NR * 256 * 4);
  memory.fill(pa, 0, <usize>gemmKernelLoopBytes());
  for (let r = 0; r < reps; r++) tileKernel(kc, kc, 0, pa, pb, c, NR * 4, false);
}
