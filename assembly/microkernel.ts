// The GEMM's register-tiled micro-kernels (see gemm.ts for the loops around them): MR×NR of C
// in 8 v128 accumulators, dense over kc steps or over a list of the steps that are not all
// zero in the A or the B panel.
//
// Skipping: images (MNIST's pixels are ~80% zero), one-hot inputs and ReLU outputs leave
// many k steps of an MR-tall A panel, or of an NR-wide B panel, all zero. A product a·b with
// a = ±0 and b finite is ±0, and adding ±0 to the running sum leaves it unchanged (the sums
// start at +0), so dropping those steps gives the same bits with only the others' work.
// Two limits: the other operand must be finite (0·∞ and 0·NaN are NaN: the callers check);
// and with FMA a sum can round to −0 (a product below 2⁻¹⁴⁹ in magnitude on a +0 sum), which
// a skipped +0 product would have made +0 again. The FMA kernels therefore add +0 to their
// sums before storing them: −0 becomes +0 on every path, and nothing else changes.

import { MR, NR } from './pack';

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

/**
 * C[2×16] (+)= Apanel·Bpanel. pa: kc groups of 2 floats, pb: kc groups of 16 floats, c: the
 * tile's top-left with row stride ldc bytes. Dense (`steps` = 0): all kc steps. Otherwise the
 * `count` steps whose byte offsets into the A panel (p·8) are listed at `steps`. Accumulators
 * are summed from zero, then added to C (or stored when first). The loops run on one pointer:
 * V8 keeps all 8 accumulators and the loaded vectors in registers (13 of 15 xmm).
 */
@inline function kernel2x16(kc: i32, count: i32, steps: usize, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  if (steps == 0) {
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
  } else {
    const end = steps + (<usize>count << 2);
    while (steps < end) {
      const offset = <usize>load<u32>(steps);
      const bp = pb + (offset << 3); // B panel steps are 64 bytes to A's 8
      const ap = pa + offset;
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      const b2 = v128.load(bp, 32);
      const b3 = v128.load(bp, 48);
      let a = v128.load32_splat(ap);
      c00 = madd(a, b0, c00);
      c01 = madd(a, b1, c01);
      c02 = madd(a, b2, c02);
      c03 = madd(a, b3, c03);
      a = v128.load32_splat(ap, 4);
      c10 = madd(a, b0, c10);
      c11 = madd(a, b1, c11);
      c12 = madd(a, b2, c12);
      c13 = madd(a, b3, c13);
      steps += 4;
    }
  }
  if (ASC_FEATURE_RELAXED_SIMD) {
    // +0 turns a −0 sum into +0 (see the file comment): the bits then do not depend on
    // which steps were skipped, hence not on the split or the thread count.
    const zero = f32x4.splat(0);
    c00 = f32x4.add(c00, zero); c01 = f32x4.add(c01, zero); c02 = f32x4.add(c02, zero); c03 = f32x4.add(c03, zero);
    c10 = f32x4.add(c10, zero); c11 = f32x4.add(c11, zero); c12 = f32x4.add(c12, zero); c13 = f32x4.add(c13, zero);
  }
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

/** The 4×8 tile of the plain build: same contract as kernel2x16 (A steps of 16 bytes, B of 32). */
@inline function kernel4x8(kc: i32, count: i32, steps: usize, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  if (steps == 0) {
    const end = pb + <usize>kc * 32;
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
  } else {
    const end = steps + (<usize>count << 2);
    while (steps < end) {
      const offset = <usize>load<u32>(steps);
      const bp = pb + (offset << 1);
      const ap = pa + offset;
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let a = v128.load32_splat(ap);
      c00 = madd(a, b0, c00);
      c01 = madd(a, b1, c01);
      a = v128.load32_splat(ap, 4);
      c10 = madd(a, b0, c10);
      c11 = madd(a, b1, c11);
      a = v128.load32_splat(ap, 8);
      c20 = madd(a, b0, c20);
      c21 = madd(a, b1, c21);
      a = v128.load32_splat(ap, 12);
      c30 = madd(a, b0, c30);
      c31 = madd(a, b1, c31);
      steps += 4;
    }
  }
  if (ASC_FEATURE_RELAXED_SIMD) {
    const zero = f32x4.splat(0);
    c00 = f32x4.add(c00, zero); c01 = f32x4.add(c01, zero); c10 = f32x4.add(c10, zero); c11 = f32x4.add(c11, zero);
    c20 = f32x4.add(c20, zero); c21 = f32x4.add(c21, zero); c30 = f32x4.add(c30, zero); c31 = f32x4.add(c31, zero);
  }
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

/**
 * The build's register tile (2×16 with FMA, 4×8 without) over a panel pair's steps: all kc
 * when `count` = kc, otherwise
 * only the `count` steps listed at `steps` (as indexStepsA/B write them; count may be 0).
 */
@inline export function tileKernel(kc: i32, count: i32, steps: usize, pa: usize, pb: usize, c: usize, ldc: usize, first: bool): void {
  const list = count == kc ? 0 : steps;
  if (ASC_FEATURE_RELAXED_SIMD) kernel2x16(kc, count, list, pa, pb, c, ldc, first);
  else kernel4x8(kc, count, list, pa, pb, c, ldc, first);
}

/** An indexed step costs about one more load than a dense one: lists pay below ~7/8 of kc. */
@inline function worthListing(count: i32, kc: i32): bool {
  return count < kc - (kc >> 3);
}

/**
 * For each MR-tall panel of a packed A block (mc rows, kc steps; panel q at
 * packedA + q·kc·MR·4): the byte offsets into the panel (p·MR·4) of the steps holding a
 * nonzero value (NaN and ±∞ count as nonzero), at steps + q·stepsStride, and their count at
 * counts + q·4 — or kc there when a panel skips too few steps to pay for the list (then the
 * dense loop runs). Returns how many panels take their list.
 */
export function indexStepsA(packedA: usize, mc: i32, kc: i32, steps: usize, stepsStride: i32, counts: usize): i32 {
  const panels = (mc + MR - 1) / MR;
  const magnitude = i32x4.splat(0x7fffffff);
  let listed = 0;
  let pa = packedA;
  for (let q = 0; q < panels; q++) {
    const list = steps + <usize>q * stepsStride;
    let count = 0;
    let p = 0;
    if (MR == 2) {
      // Two steps per vector: a 64-bit lane each.
      for (; p + 2 <= kc; p += 2) {
        const bits = i64x2.bitmask(i64x2.ne(v128.and(v128.load(pa), magnitude), i64x2.splat(0)));
        store<u32>(list + (<usize>count << 2), <u32>(p * 8)); // branch-free: kept when counted
        count += bits & 1;
        store<u32>(list + (<usize>count << 2), <u32>(p * 8 + 8));
        count += bits >> 1;
        pa += 16;
      }
    }
    for (; p < kc; p++) {
      let nonzero: bool;
      if (MR == 2) nonzero = (load<u64>(pa) & 0x7fffffff7fffffff) != 0;
      else nonzero = v128.any_true(v128.and(v128.load(pa), magnitude));
      store<u32>(list + (<usize>count << 2), <u32>(p * MR * 4)); // branch-free: kept when counted
      count += <i32>nonzero;
      pa += MR * 4;
    }
    if (worthListing(count, kc)) listed++;
    else count = kc;
    store<i32>(counts + (<usize>q << 2), count);
  }
  return listed;
}

/**
 * The same for the NR-wide panels of a packed B slice (nc columns, kc steps; panel r at
 * packedB + r·kc·NR·4): the steps where the panel's row is not all zero, listed as A panel
 * offsets (p·MR·4, what the micro-kernel indexes by) at steps + r·kc·4, counts at counts + r·4.
 */
export function indexStepsB(packedB: usize, nc: i32, kc: i32, steps: usize, counts: usize): i32 {
  const panels = (nc + NR - 1) / NR;
  const magnitude = i32x4.splat(0x7fffffff);
  let listed = 0;
  let pb = packedB;
  for (let r = 0; r < panels; r++) {
    const list = steps + <usize>r * kc * 4;
    let count = 0;
    for (let p = 0; p < kc; p++) {
      let bits = v128.or(v128.load(pb), v128.load(pb, 16));
      if (NR == 16) bits = v128.or(bits, v128.or(v128.load(pb, 32), v128.load(pb, 48)));
      store<u32>(list + (<usize>count << 2), <u32>(p * MR * 4));
      count += <i32>v128.any_true(v128.and(bits, magnitude));
      pb += NR * 4;
    }
    if (worthListing(count, kc)) listed++;
    else count = kc;
    store<i32>(counts + (<usize>r << 2), count);
  }
  return listed;
}

/** True when the `n` floats at `p` are all finite: x − x is +0 only then. */
export function allFinite(p: usize, n: i32): bool {
  let bad = i32x4.splat(0);
  const end = p + (<usize>n << 2);
  for (; p + 16 <= end; p += 16) {
    const v = v128.load(p);
    bad = v128.or(bad, f32x4.sub(v, v));
  }
  // A packed A block of an odd kc and mc ≡ 2 (mod 4) ends with 2 floats.
  for (; p < end; p += 4) {
    const x = load<f32>(p);
    if (x - x != 0) return false;
  }
  return !v128.any_true(bad);
}
