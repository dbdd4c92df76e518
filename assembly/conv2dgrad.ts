// The weight (and bias) gradient of conv2d.ts's direct convolution: float32 NCHW, stride 1,
// any padding and dilation, 128-bit SIMD. Split by images into chunks, each summing into its
// own partial; conv2dSumParts adds the partials in chunk order.
//
// The lanes past outW multiply a zero gradient by pixels of x: with finite x they add exactly 0,
// but an infinite pixel there can turn a tap's sum into NaN where the exact sum is ±Inf.

import { OB, at, hsum, madd, padPlanes, zero4 } from './conv2d';

// Geometry of conv2dWeightGrad's scratch (set per call): grad' rows per image, vectors per
// grad' row, floats per x' row, floats per grad' plane, bytes per image of x' and of grad'.
let gRows = 0, gNv = 0, xCols = 0, gPlane = 0, xImage: usize = 0, gImage: usize = 0, tapCount = 0;

/**
 * Weight and bias gradient of images [n0, n1) into part (zeroed here): [outC][C][kH][kW] then
 * [outC]. x [n][C][inH][inW], grad [n][outC][outH][outW]; prm: 12 i32 (C, inH, inW, outC,
 * outH, outW, kH, kW, dH, dW, padH, padW); scratch: scratchFloats per thread, room for
 * `group` images.
 *
 * x goes to scratch zero-bordered (rows of xCols floats), grad compacted to rows of ⌈outW/4⌉
 * vectors (zero past outW, so the extra lanes add nothing). Each tap (c, ki, kj) is then a dot
 * product of grad' with x' shifted by (ki·dH, kj·dW), row by row, summed in registers over a
 * group of images before the (costly) horizontal sums.
 */
export function conv2dWeightGrad(
  x: usize, grad: usize, part: usize, prm: usize, scratch: usize, scratchFloats: i32, group: i32,
  n0: i32, n1: i32, thread: i32,
): void {
  const C = load<i32>(prm), inH = load<i32>(prm, 4), inW = load<i32>(prm, 8), outC = load<i32>(prm, 12);
  const outH = load<i32>(prm, 16), outW = load<i32>(prm, 20), kh = load<i32>(prm, 24), kw = load<i32>(prm, 28);
  const dh = load<i32>(prm, 32), dw = load<i32>(prm, 36), padH = load<i32>(prm, 40), padW = load<i32>(prm, 44);
  gRows = outH;
  gNv = (outW + 3) >> 2;
  xCols = gNv * 4 + (kw - 1) * dw;
  gPlane = outH * gNv * 4;
  const rows = outH + (kh - 1) * dh;
  const ps = (rows * xCols + 3) & ~3;
  const blocks = (outC + OB - 1) / OB;
  xImage = <usize>(C * ps) << 2;
  gImage = <usize>(blocks * OB * gPlane) << 2;
  tapCount = C * kh * kw;
  const xs = at(scratch, thread * scratchFloats);
  const gs = xs + xImage * group;
  const khw = kh * kw;
  const biasPart = at(part, outC * tapCount);
  zero4Any(part, outC * tapCount + outC);
  for (let m0 = n0; m0 < n1; m0 += group) {
    const count = min(group, n1 - m0);
    for (let i = 0; i < count; i++) {
      const n = m0 + i;
      const gi = gs + gImage * i;
      padPlanes(at(x, n * C * inH * inW), C, inH, inW, xs + xImage * i, rows, xCols, ps, padH, padW);
      padPlanes(at(grad, n * outC * outH * outW), outC, outH, outW, gi, outH, gNv * 4, gPlane, 0, 0);
      // Planes past outC up to the block's end read as zero.
      zero4(at(gi, outC * gPlane), (blocks * OB - outC) * gPlane);
      for (let o = 0; o < outC; o++) {
        const ga = at(gi, o * gPlane);
        let sum = f32x4.splat(0);
        for (let j = 0; j < gPlane; j += 4) sum = f32x4.add(sum, v128.load(at(ga, j)));
        addTo(at(biasPart, o), sum);
      }
    }
    for (let b = 0; b < blocks; b++) {
      const g0 = at(gs, b * OB * gPlane);
      const valid = min(OB, outC - b * OB);
      const pb = at(part, b * OB * tapCount);
      let t = 0;
      for (; t + 1 < tapCount; t += 2) {
        const oa = tapOffset(t, khw, kw, ps, dh * xCols, dw);
        const ob = tapOffset(t + 1, khw, kw, ps, dh * xCols, dw);
        weightPair(at(xs, oa), <usize>(ob - oa) << 2, g0, at(pb, t), valid, count);
      }
      if (t < tapCount) weightSingle(at(xs, tapOffset(t, khw, kw, ps, dh * xCols, dw)), g0, at(pb, t), valid, count);
    }
  }
}

/** Zeroes n floats from a 16-byte aligned dst (any n). */
@inline function zero4Any(dst: usize, n: i32): void {
  zero4(dst, n & ~3);
  for (let i = n & ~3; i < n; i++) store<f32>(at(dst, i), 0);
}

/** Offset (floats) into x' of tap t = (c, ki, kj). */
@inline function tapOffset(t: i32, khw: i32, kw: i32, ps: i32, rowStep: i32, dw: i32): i32 {
  const c = t / khw;
  const r = t - c * khw;
  const ki = r / kw;
  return c * ps + ki * rowStep + (r - ki * kw) * dw;
}

/** Adds v's lane sum to the float at p. */
@inline function addTo(p: usize, v: v128): void {
  store<f32>(p, load<f32>(p) + hsum(v));
}

/**
 * Two taps (x' at xa and xa + delta) × 4 grad planes from g0, over `images` images: adds
 * Σ grad'·x' to part[l·taps] and part[l·taps + 1] for the valid planes l.
 */
function weightPair(xa: usize, delta: usize, g0: usize, part: usize, valid: i32, images: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  const gs1 = <usize>gPlane << 2, gs2 = gs1 * 2, gs3 = gs1 * 3;
  const rowBytes = <usize>gNv << 4;
  const xRow = <usize>xCols << 2;
  for (let i = 0; i < images; i++) {
    let g = g0 + gImage * i;
    const end = g + <usize>gRows * rowBytes;
    for (let xr = xa + xImage * i; g < end; xr += xRow) {
      const rowEnd = g + rowBytes;
      for (let xp = xr; g < rowEnd; g += 16, xp += 16) {
        const x0 = v128.load(xp);
        const x1 = v128.load(xp + delta);
        let s = v128.load(g);
        a0 = madd(s, x0, a0);
        b0 = madd(s, x1, b0);
        s = v128.load(g + gs1);
        a1 = madd(s, x0, a1);
        b1 = madd(s, x1, b1);
        s = v128.load(g + gs2);
        a2 = madd(s, x0, a2);
        b2 = madd(s, x1, b2);
        s = v128.load(g + gs3);
        a3 = madd(s, x0, a3);
        b3 = madd(s, x1, b3);
      }
    }
  }
  const stride = <usize>tapCount << 2;
  addTo(part, a0);
  addTo(part + 4, b0);
  if (valid > 1) {
    addTo(part + stride, a1);
    addTo(part + stride + 4, b1);
  }
  if (valid > 2) {
    addTo(part + stride * 2, a2);
    addTo(part + stride * 2 + 4, b2);
  }
  if (valid > 3) {
    addTo(part + stride * 3, a3);
    addTo(part + stride * 3 + 4, b3);
  }
}

/** The last tap when their count is odd. */
function weightSingle(xa: usize, g0: usize, part: usize, valid: i32, images: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const gs1 = <usize>gPlane << 2, gs2 = gs1 * 2, gs3 = gs1 * 3;
  const rowBytes = <usize>gNv << 4;
  const xRow = <usize>xCols << 2;
  for (let i = 0; i < images; i++) {
    let g = g0 + gImage * i;
    const end = g + <usize>gRows * rowBytes;
    for (let xr = xa + xImage * i; g < end; xr += xRow) {
      const rowEnd = g + rowBytes;
      for (let xp = xr; g < rowEnd; g += 16, xp += 16) {
        const x0 = v128.load(xp);
        a0 = madd(v128.load(g), x0, a0);
        a1 = madd(v128.load(g + gs1), x0, a1);
        a2 = madd(v128.load(g + gs2), x0, a2);
        a3 = madd(v128.load(g + gs3), x0, a3);
      }
    }
  }
  const stride = <usize>tapCount << 2;
  addTo(part, a0);
  if (valid > 1) addTo(part + stride, a1);
  if (valid > 2) addTo(part + stride * 2, a2);
  if (valid > 3) addTo(part + stride * 3, a3);
}

/** part[0][i] += part[p][i] for p in 1 … parts − 1, i < len (in order: the sum does not depend on threads). */
export function conv2dSumParts(part: usize, partFloats: i32, parts: i32, len: i32): void {
  const end = at(part, len);
  for (let p = 1; p < parts; p++) {
    let src = at(part, p * partFloats);
    let d = part;
    for (; d + 16 <= end; d += 16, src += 16) v128.store(d, f32x4.add(v128.load(d), v128.load(src)));
    for (; d < end; d += 4, src += 4) store<f32>(d, load<f32>(d) + load<f32>(src));
  }
}
