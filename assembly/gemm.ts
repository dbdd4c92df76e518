// Blocked float32 matrix product C = op(A)·op(B) (GotoBLAS/BLIS loop order), 128-bit SIMD.
// Every pointer is a byte address in the shared linear memory; JS allocates all buffers.
//
// Loop nest per call (one chunk of C): jc (NC columns) → pc (KC slice of K) → pack B into
// NR-wide panels → ic (MC rows) → pack A into MR-tall panels → jr → ir → micro-kernel.
// Each element of C is summed in the same order whatever the chunk's row/column range (edge
// tiles included), so splitting the work between threads never changes a bit of the result.
//
// Measured on the 2-core AMD EPYC (Zen 3) dev VM, V8 11.3: the relaxed (FMA) micro-kernel
// runs at ~46 GFLOP/s per core, the plain one at ~35 (mul + add + 6 loads per k step saturate
// the FP dispatch); tiles with more accumulators spill (V8 hoists every load of the loop).

import { MR, NR, packA, packB } from './pack';

/** Cache blocks: an MC×KC block of A stays in L2, a KC×NR panel of B in L1. */
const MC: i32 = 64;
const KC_MAX: i32 = 512;
const NC: i32 = 1024;

/** Bytes of scratch one thread needs: packed A block, packed B block, one edge tile. */
export function gemmWorkBytes(): i32 {
  return (MC * KC_MAX + NC * KC_MAX + MR * NR) * 4;
}

/** The K slice length: at most KC_MAX, slices of (nearly) equal size. */
export function gemmSliceK(k: i32): i32 {
  const slices = (k + KC_MAX - 1) / KC_MAX;
  return (k + slices - 1) / slices;
}

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * C[MR×NR] (+)= Apanel·Bpanel over kc steps. pa: kc groups of MR floats, pb: kc groups of
 * NR floats, c: the tile's top-left with row stride ldc bytes. Accumulators are summed from
 * zero, then added to C (or stored when first). The loop runs on the B pointer alone: V8
 * keeps all 8 accumulators and 6 loaded vectors in registers (14 of 15 xmm).
 */
@inline function microKernel2x16(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const end = pb + <usize>kc * 64;
  // kc ≥ 1: a do-while is one compare and branch per step.
  do {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const b2 = v128.load(pb, 32);
    const b3 = v128.load(pb, 48);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    c02 = madd(a, b2, c02);
    c03 = madd(a, b3, c03);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    c12 = madd(a, b2, c12);
    c13 = madd(a, b3, c13);
    pa += 8;
    pb += 64;
  } while (pb < end);
  const c1 = c + ldc;
  if (!first) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c12 = f32x4.add(v128.load(c1, 32), c12);
    c13 = f32x4.add(v128.load(c1, 48), c13);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c1, c12, 32);
  v128.store(c1, c13, 48);
}


/** The 4×8 tile of the plain build: same contract as microKernel2x16. */
@inline function microKernel4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + <usize>kc * 32;
  // kc ≥ 1: a do-while is one compare and branch per step.
  do {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  } while (pb < end);
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  if (!first) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c20 = f32x4.add(v128.load(c2), c20);
    c21 = f32x4.add(v128.load(c2, 16), c21);
    c30 = f32x4.add(v128.load(c3), c30);
    c31 = f32x4.add(v128.load(c3, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c2, c20);
  v128.store(c2, c21, 16);
  v128.store(c3, c30);
  v128.store(c3, c31, 16);
}

/** The build's register tile. */
@inline function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  if (ASC_FEATURE_RELAXED_SIMD) microKernel2x16(kc, pa, pb, c, ldc, first);
  else microKernel4x8(kc, pa, pb, c, ldc, first);
}

/** A partial tile (mr < MR or nr < NR): computed into a scratch tile, then the valid part added. */
function edgeTile(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, first: bool, mr: i32, nr: i32, tile: usize): void {
  microKernel(kc, pa, pb, tile, NR * 4, true);
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

/**
 * One chunk of a batched product: batches [b0, b1), rows [i0, i1) and columns [j0, j1) of
 * C = op(A)·op(B). A(i,p) = a[i·rsA + p·csA], B(p,j) = b[p·rsB + j·csB]; C is dense [m, n]
 * per batch. Batch strides are in elements. Scratch: gemmWorkBytes() per thread from `work`,
 * this thread's at work + thread·gemmWorkBytes() (the pool passes the thread's index).
 * accumulate: C += the product (C's contents are kept) instead of C = the product.
 */
export function gemm(
  a: usize, b: usize, c: usize, k: i32, n: i32,
  rsA: i32, csA: i32, rsB: i32, csB: i32,
  aBatch: i32, bBatch: i32, cBatch: i32,
  b0: i32, b1: i32, i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool, work: usize, thread: i32,
): void {
  const packedA = work + <usize>thread * <usize>gemmWorkBytes();
  const packedB = packedA + <usize>(MC * KC_MAX * 4);
  const tile = packedB + <usize>(NC * KC_MAX * 4);
  const ldc = <usize>n * 4;
  const kcMax = gemmSliceK(k);
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
        for (let ic = i0; ic < i1; ic += MC) {
          const mc = min(MC, i1 - ic);
          packA(ab, rsA, csA, ic, mc, pc, kc, packedA);
          for (let jr = 0; jr < nc; jr += NR) {
            const nr = min(NR, nc - jr);
            const pb = packedB + <usize>jr * kc * 4;
            const ccol = cb + <usize>(jc + jr) * 4;
            for (let ir = 0; ir < mc; ir += MR) {
              const mr = min(MR, mc - ir);
              const pa = packedA + <usize>ir * kc * 4;
              const ct = ccol + <usize>(ic + ir) * ldc;
              if (mr == MR && nr == NR) microKernel(kc, pa, pb, ct, ldc, first);
              else edgeTile(kc, pa, pb, ct, ldc, first, mr, nr, tile);
            }
          }
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

/**
 * Packs columns [j0, j1) of B (k×n, B(p,j) = b[p·rsB + j·csB]) for `gemmPacked`: for each K
 * slice, NR-wide panels; the panel of column j in the slice starting at pc is at
 * dst + (pc·nPadded + j·kc)·4. j0 is a multiple of NR. Threads pack disjoint column ranges.
 */
export function gemmPackB(b: usize, rsB: i32, csB: i32, k: i32, n: i32, j0: i32, j1: i32, dst: usize, thread: i32): void {
  const kcMax = gemmSliceK(k);
  const nPadded = paddedColumns(n);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    packB(b, rsB, csB, pc, kc, j0, j1 - j0, dst + (<usize>pc * nPadded + <usize>j0 * kc) * 4);
  }
}

/**
 * Rows [i0, i1) and columns [j0, j1) of C = op(A)·B with B already packed by gemmPackB (one
 * matrix, no batch): every thread shares one packing of B instead of repacking it. Sums in
 * the same order as `gemm`, so the bits do not depend on the path or the split.
 */
export function gemmPacked(
  a: usize, pb: usize, c: usize, k: i32, n: i32, rsA: i32, csA: i32,
  i0: i32, i1: i32, j0: i32, j1: i32, accumulate: bool, work: usize, thread: i32,
): void {
  const packedA = work + <usize>thread * <usize>gemmWorkBytes();
  const tile = packedA + <usize>(MC * KC_MAX * 4) + <usize>(NC * KC_MAX * 4);
  const ldc = <usize>n * 4;
  const kcMax = gemmSliceK(k);
  const nPadded = paddedColumns(n);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    const first = pc == 0 && !accumulate;
    const slice = pb + <usize>pc * nPadded * 4;
    for (let ic = i0; ic < i1; ic += MC) {
      const mc = min(MC, i1 - ic);
      packA(a, rsA, csA, ic, mc, pc, kc, packedA);
      for (let jr = j0; jr < j1; jr += NR) {
        const nr = min(NR, j1 - jr);
        const panel = slice + <usize>jr * kc * 4;
        const ccol = c + <usize>jr * 4;
        for (let ir = 0; ir < mc; ir += MR) {
          const mr = min(MR, mc - ir);
          const pa = packedA + <usize>ir * kc * 4;
          const ct = ccol + <usize>(ic + ir) * ldc;
          if (mr == MR && nr == NR) microKernel(kc, pa, panel, ct, ldc, first);
          else edgeTile(kc, pa, panel, ct, ldc, first, mr, nr, tile);
        }
      }
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
  for (let r = 0; r < reps; r++) microKernel(kc, pa, pb, c, NR * 4, false);
}
