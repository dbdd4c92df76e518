// Packing of GEMM operands into the register tile's panels (see gemm.ts): B into NR-wide,
// A into MR-tall panels of one K slice, zero-padded at the edges, with vector paths for the
// contiguous and the transposed layouts.

/**
 * Register tile: MR rows × NR columns of C in 8 v128 accumulators. With FMA 2×16 beats 4×8 by
 * ~5%. Without FMA each multiply needs a temporary register; 4×8 keeps 12 vectors live (V8's
 * optimised loop has no spills) and measured the same ~34 GFLOP/s as 2×16, so the plain
 * build uses the tile with the most headroom.
 */
export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 2 : 4;
export const NR: i32 = ASC_FEATURE_RELAXED_SIMD ? 16 : 8;

/**
 * Four vectors of 4 floats read `srcStride` bytes apart, transposed in registers, stored
 * `dstStride` bytes apart: vector i of the result holds element i of each source vector.
 */
@inline function transpose4x4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const x0 = v128.load(src);
  const x1 = v128.load(src + srcStride);
  const x2 = v128.load(src + 2 * srcStride);
  const x3 = v128.load(src + 3 * srcStride);
  const t0 = v128.shuffle<f32>(x0, x1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(x2, x3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(x0, x1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(x2, x3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs B(p0..p0+kc, j0..j0+nc) into ceil(nc/NR) panels of kc×NR floats, zero-padded.
 * B(p, j) is at b + (p·rsB + j·csB)·4.
 */
export function packB(b: usize, rsB: i32, csB: i32, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    const src = b + (<usize>p0 * rsB + <usize>(j0 + jr) * csB) * 4;
    if (nr == NR && csB == 1) {
      // Rows of B are contiguous: NR/4 vector copies per k step.
      let s = src;
      const stride = <usize>rsB * 4;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        if (NR == 16) {
          v128.store(dst, v128.load(s, 32), 32);
          v128.store(dst, v128.load(s, 48), 48);
        }
        s += stride;
        dst += NR * 4;
      }
    } else if (nr == NR && rsB == 1) {
      // Bᵀ stored: each column of the panel is contiguous along k. Four k steps of four
      // columns at a time: four vector loads, a 4×4 transpose in registers, four stores.
      const colStride = <usize>csB * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const s = src + (<usize>p << 2);
        const d = dst + <usize>p * (NR * 4);
        for (let j = 0; j < NR; j += 4) {
          transpose4x4(s + <usize>j * colStride, colStride, d + (<usize>j << 2), NR * 4);
        }
      }
      for (; p < kc; p++) {
        const s = src + (<usize>p << 2);
        const d = dst + <usize>p * (NR * 4);
        for (let j = 0; j < NR; j++) store<f32>(d + (j << 2), load<f32>(s + <usize>j * colStride));
      }
      dst += <usize>kc * NR * 4;
    } else {
      for (let p = 0; p < kc; p++) {
        for (let j = 0; j < NR; j++) {
          const v: f32 = j < nr ? load<f32>(src + (<usize>p * rsB + <usize>j * csB) * 4) : 0;
          store<f32>(dst + (j << 2), v);
        }
        dst += NR * 4;
      }
    }
  }
}

/**
 * Packs A(i0..i0+mc, p0..p0+kc) into ceil(mc/MR) panels of kc×MR floats, zero-padded.
 * A(i, p) is at a + (i·rsA + p·csA)·4.
 */
export function packA(a: usize, rsA: i32, csA: i32, i0: i32, mc: i32, p0: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const src = a + (<usize>(i0 + ir) * rsA + <usize>p0 * csA) * 4;
    if (mr == MR && rsA == 1) {
      // Aᵀ stored: the MR values of one k step are adjacent.
      let s = src;
      const stride = <usize>csA * 4;
      for (let p = 0; p < kc; p++) {
        if (MR == 4) v128.store(dst, v128.load(s));
        else store<u64>(dst, load<u64>(s));
        s += stride;
        dst += MR * 4;
      }
    } else if (mr == MR && csA == 1 && MR == 2) {
      // Rows of A are contiguous along k: interleave the two rows four steps at a time.
      const r0 = src;
      const r1 = src + <usize>rsA * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const off = <usize>p * 4;
        const x0 = v128.load(r0 + off);
        const x1 = v128.load(r1 + off);
        v128.store(dst, v128.shuffle<f32>(x0, x1, 0, 4, 1, 5));
        v128.store(dst, v128.shuffle<f32>(x0, x1, 2, 6, 3, 7), 16);
        dst += MR * 16;
      }
      for (; p < kc; p++) {
        const off = <usize>p * 4;
        store<f32>(dst, load<f32>(r0 + off));
        store<f32>(dst, load<f32>(r1 + off), 4);
        dst += MR * 4;
      }
    } else if (mr == MR && csA == 1 && MR == 4) {
      // Four rows contiguous along k: a 4×4 transpose per four k steps.
      const rowStride = <usize>rsA * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        transpose4x4(src + (<usize>p << 2), rowStride, dst, 16);
        dst += 64;
      }
      for (; p < kc; p++) {
        const r = src + (<usize>p << 2);
        for (let i = 0; i < 4; i++) store<f32>(dst + (i << 2), load<f32>(r + <usize>i * rowStride));
        dst += 16;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let i = 0; i < MR; i++) {
          const v: f32 = i < mr ? load<f32>(src + (<usize>i * rsA + <usize>p * csA) * 4) : 0;
          store<f32>(dst + (i << 2), v);
        }
        dst += MR * 4;
      }
    }
  }
}
