// Register-tile micro-kernels alone, for bench/microkernel.ts: each runs `reps` times over
// kc k-steps of packed panels that stay in L1, so the figure is the tile's compute ceiling
// on one core, with no packing, no cache misses and no threads. Not part of the library build.

@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Folds the accumulators into c so that the optimiser keeps every multiply-add. */
@inline function keep(c: usize, x: v128, y: v128): void {
  v128.store(c, f32x4.add(v128.load(c), f32x4.add(x, y)));
}

/** Row i's value of A at this k step, broadcast to 4 lanes: loaded with a splat, or stored pre-broadcast. */
@inline function aRow(a0: usize, i: i32, preBroadcast: bool): v128 {
  return preBroadcast ? v128.load(a0 + <usize>(i << 4)) : v128.load32_splat(a0 + <usize>(i << 2));
}

/** The 4×8 tile: per k step 2 panel loads of B, 4 loads of A, 8 multiply-adds. */
@inline function run4x8(kc: i32, pa: usize, pb: usize, c: usize, reps: i32, preBroadcast: bool): void {
  const aStep: usize = preBroadcast ? 64 : 16;
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 32;
    do {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let a = aRow(a0, 0, preBroadcast); c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = aRow(a0, 1, preBroadcast); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a = aRow(a0, 2, preBroadcast); c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
      a = aRow(a0, 3, preBroadcast); c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
      a0 += aStep;
      b += 32;
    } while (b < end);
    keep(c, f32x4.add(c00, c01), f32x4.add(c10, c11));
    keep(c + 16, f32x4.add(c20, c21), f32x4.add(c30, c31));
  }
}

/** 4×8 tile with broadcast loads of A (the plain build's tile). */
export function tile4x8(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  run4x8(kc, pa, pb, c, reps, false);
}

/** 4×8 tile with A stored pre-broadcast (16 bytes per value): plain loads in place of load32_splat. */
export function tile4x8Broadcast(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  run4x8(kc, pa, pb, c, reps, true);
}

/** 2×16 tile: 4 panel loads of B, 2 broadcasts of A, 8 multiply-adds (the relaxed build's tile). */
export function tile2x16(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 64;
    do {
      const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32), b3 = v128.load(b, 48);
      let a = v128.load32_splat(a0);
      c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02); c03 = madd(a, b3, c03);
      a = v128.load32_splat(a0, 4);
      c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12); c13 = madd(a, b3, c13);
      a0 += 8;
      b += 64;
    } while (b < end);
    keep(c, f32x4.add(c00, c01), f32x4.add(c10, c11));
    keep(c + 16, f32x4.add(c02, c03), f32x4.add(c12, c13));
  }
}

/** 3×12 tile: 9 accumulators, 3 panel loads of B, 3 broadcasts of A, 9 multiply-adds. */
export function tile3x12(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
    let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 48;
    do {
      const b0 = v128.load(b), b1 = v128.load(b, 16), b2 = v128.load(b, 32);
      let a = v128.load32_splat(a0); c00 = madd(a, b0, c00); c01 = madd(a, b1, c01); c02 = madd(a, b2, c02);
      a = v128.load32_splat(a0, 4); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11); c12 = madd(a, b2, c12);
      a = v128.load32_splat(a0, 8); c20 = madd(a, b0, c20); c21 = madd(a, b1, c21); c22 = madd(a, b2, c22);
      a0 += 12;
      b += 48;
    } while (b < end);
    keep(c, f32x4.add(c00, c01), f32x4.add(f32x4.add(c10, c11), c02));
    keep(c + 16, f32x4.add(c12, c20), f32x4.add(c21, c22));
  }
}

/**
 * 2×8 tile: 4 accumulators. With FMA its 4 chains of 4-cycle latency cap it at one FMA a cycle
 * (half of the 2×16's); without, the add chain binds it (see tile2x8Pair).
 */
export function tile2x8(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 32;
    do {
      const b0 = v128.load(b), b1 = v128.load(b, 16);
      let a = v128.load32_splat(a0); c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
      a = v128.load32_splat(a0, 4); c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
      a0 += 8;
      b += 32;
    } while (b < end);
    keep(c, f32x4.add(c00, c01), f32x4.add(c10, c11));
  }
}

/** Two k steps' products summed before they reach the accumulator: half the accumulator chain. */
@inline function pair(a: v128, b: v128, a2: v128, b2: v128, c: v128): v128 {
  return f32x4.add(c, f32x4.add(f32x4.mul(a, b), f32x4.mul(a2, b2)));
}

/**
 * 2×8 tile, two k steps per iteration: half the accumulator chain. Without FMA it lifts the
 * 2×8 to the 4×8's rate and no higher, so latency is not what holds mul + add at ~35 per core
 * here; the figures fit a limit of about 4 vector µops a cycle, loads included.
 */
export function tile2x8Pair(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 32;
    do {
      const b0 = v128.load(b), b1 = v128.load(b, 16), d0 = v128.load(b, 32), d1 = v128.load(b, 48);
      let a = v128.load32_splat(a0), e = v128.load32_splat(a0, 8);
      c00 = pair(a, b0, e, d0, c00); c01 = pair(a, b1, e, d1, c01);
      a = v128.load32_splat(a0, 4); e = v128.load32_splat(a0, 12);
      c10 = pair(a, b0, e, d0, c10); c11 = pair(a, b1, e, d1, c11);
      a0 += 16;
      b += 64;
    } while (b < end);
    keep(c, f32x4.add(c00, c01), f32x4.add(c10, c11));
  }
}

/**
 * 1×32 tile: 8 B vectors each used once (a multiply could take them as memory operands), one
 * broadcast of A per k step. Measured slower than 4×8 on both builds.
 */
export function tile1x32(kc: i32, pa: usize, pb: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
    let a0 = pa, b = pb;
    const end = pb + <usize>kc * 128;
    do {
      const a = v128.load32_splat(a0);
      c0 = madd(a, v128.load(b), c0); c1 = madd(a, v128.load(b, 16), c1);
      c2 = madd(a, v128.load(b, 32), c2); c3 = madd(a, v128.load(b, 48), c3);
      c4 = madd(a, v128.load(b, 64), c4); c5 = madd(a, v128.load(b, 80), c5);
      c6 = madd(a, v128.load(b, 96), c6); c7 = madd(a, v128.load(b, 112), c7);
      a0 += 4;
      b += 128;
    } while (b < end);
    keep(c, f32x4.add(c0, c1), f32x4.add(c2, c3));
    keep(c + 16, f32x4.add(c4, c5), f32x4.add(c6, c7));
  }
}
