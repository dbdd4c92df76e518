// Direct 2-D convolution over float32 NCHW images (stride 1, any padding and dilation), 128-bit
// SIMD. No im2col matrix: each image is copied into a zero-bordered scratch (per thread), so
// every window read is in bounds and the inner loops are branch-free.
//
// conv2dCorrelate computes out[o][r][s] = bias[o] + Σ_{i,ki,kj} w[o][i][ki][kj]·src'[i][r + ki·dH][s + kj·dW]
// where src' is the source shifted by (offH, offW) and zero outside it. The forward pass is
// that with src = x and offset = padding; the input gradient is that with src = the output
// gradient, offset = span − 1 − padding, and the weight flipped and transposed
// (conv2dPackWeights). conv2dWeightGrad sums gradient × shifted input per tap.
//
// Register tiles (V8 has 15 xmm): 4 output channels × 2 positions of 4 columns = 8
// accumulators, plus 2 input vectors and 1 weight splat. The weight gradient is in conv2dgrad.ts.

/** Output channels per tile: one v128 of packed weights per tap. */
export const OB: i32 = 4;

@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline export function at(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

/** Zeroes n floats from dst (dst 16-byte aligned, n a multiple of 4). */
@inline export function zero4(dst: usize, n: i32): void {
  const end = at(dst, n);
  for (let p = dst; p < end; p += 16) v128.store(p, f32x4.splat(0));
}

/** Zeroes n ≥ 0 floats from any dst. */
@inline function zeroRun(dst: usize, n: i32): void {
  const end = at(dst, n);
  let p = dst;
  for (; p + 16 <= end; p += 16) v128.store(p, f32x4.splat(0));
  for (; p < end; p += 4) store<f32>(p, 0);
}

/**
 * dst[p][r][s] (planes of rows × cols floats, plane stride ps) = src[p][r − offH][s − offW]
 * where that lies inside the H × W source, else 0 (the plane's tail past rows × cols too).
 * Only the border is zeroed: the inside is written once.
 */
export function padPlanes(src: usize, planes: i32, H: i32, W: i32, dst: usize, rows: i32, cols: i32, ps: i32, offH: i32, offW: i32): void {
  const r0 = min(rows, max(0, offH)), r1 = max(r0, min(rows, H + offH));
  const s0 = min(cols, max(0, offW)), s1 = max(s0, min(cols, W + offW));
  const n = s1 - s0;
  for (let p = 0; p < planes; p++) {
    const plane = at(dst, p * ps);
    zeroRun(plane, r0 * cols);
    for (let r = r0; r < r1; r++) {
      const row = at(plane, r * cols);
      zeroRun(row, s0);
      let d = at(row, s0);
      let s = at(src, (p * H + r - offH) * W + s0 - offW);
      const end = d + (<usize>n << 2);
      for (; d + 16 <= end; d += 16, s += 16) v128.store(d, v128.load(s));
      for (; d < end; d += 4, s += 4) store<f32>(d, load<f32>(s));
      zeroRun(at(row, s1), cols - s1);
    }
    zeroRun(at(plane, r1 * cols), ps - r1 * cols);
  }
}

/**
 * Packs a weight [outC][C][kH][kW] for conv2dCorrelate: [⌈rows/4⌉][cols][kH][kW][4], where the
 * 4 lanes are 4 consecutive output channels (zero past the last). flip = 0: rows = outC,
 * cols = C (the forward pass). flip = 1: rows = C, cols = outC, taps reversed (the input gradient).
 */
export function conv2dPackWeights(w: usize, dst: usize, outC: i32, C: i32, kH: i32, kW: i32, flip: i32): void {
  const rows = flip ? C : outC;
  const cols = flip ? outC : C;
  const taps = kH * kW;
  const blocks = (rows + OB - 1) / OB;
  let d = dst;
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < cols; c++) {
      for (let t = 0; t < taps; t++) {
        for (let l = 0; l < OB; l++) {
          const row = b * OB + l;
          let v: f32 = 0;
          if (row < rows) {
            v = flip
              ? load<f32>(at(w, (c * C + row) * taps + taps - 1 - t))
              : load<f32>(at(w, (row * C + c) * taps + t));
          }
          store<f32>(d, v);
          d += 4;
        }
      }
    }
  }
}

/** Stores the first `lanes` (1..4) lanes of v at p. */
@inline function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// Parameters of conv2dCorrelate (an i32 block, see conv2dCorrelate).
let cIn = 0, srcH = 0, srcW = 0, cOut = 0, oH = 0, oW = 0, kH = 0, kW = 0, dH = 0, dW = 0, offH = 0, offW = 0;

/** Reads conv2dCorrelate's 12 parameters. */
@inline function loadParams(prm: usize): void {
  cIn = load<i32>(prm); srcH = load<i32>(prm, 4); srcW = load<i32>(prm, 8); cOut = load<i32>(prm, 12);
  oH = load<i32>(prm, 16); oW = load<i32>(prm, 20); kH = load<i32>(prm, 24); kW = load<i32>(prm, 28);
  dH = load<i32>(prm, 32); dW = load<i32>(prm, 36); offH = load<i32>(prm, 40); offW = load<i32>(prm, 44);
}

/** One image: src [cIn][srcH][srcW] → out [cOut][oH][oW], through the scratch at xs. */
function correlateImage(src: usize, wp: usize, bias: usize, out: usize, xs: usize): void {
  const nv = (oW + 3) >> 2;
  const rows = oH + (kH - 1) * dH;
  const cols = nv * 4 + (kW - 1) * dW;
  const ps = (rows * cols + 3) & ~3;
  // A zero bias block right after the source planes.
  const zeros = at(xs, cIn * ps);
  v128.store(zeros, f32x4.splat(0));
  const blocks = (cOut + OB - 1) / OB;
  const blockBytes = <usize>(cIn * kH * kW * OB * 4);
  padPlanes(src, cIn, srcH, srcW, xs, rows, cols, ps, offH, offW);
  for (let b = 0; b < blocks; b++) {
    // Bias lanes, one per channel of the block.
    const bb = bias ? bias + (<usize>b << 4) : zeros;
    block(xs, wp + <usize>b * blockBytes, bb, at(out, b * OB * oH * oW), min(OB, cOut - b * OB), oH * nv, nv, cols, ps);
  }
}

/**
 * out [n][cOut][oH][oW] for images [n0, n1) (see the file comment). src [n][cIn][srcH][srcW];
 * wp: conv2dPackWeights' layout; bias: ⌈cOut/4⌉·4 floats or 0 for none; prm: 12 i32
 * (cIn, srcH, srcW, cOut, oH, oW, kH, kW, dH, dW, offH, offW); scratch: scratchFloats per thread.
 */
export function conv2dCorrelate(
  src: usize, wp: usize, bias: usize, out: usize, prm: usize, scratch: usize, scratchFloats: i32,
  n0: i32, n1: i32, thread: i32,
): void {
  loadParams(prm);
  const xs = at(scratch, thread * scratchFloats);
  for (let n = n0; n < n1; n++) {
    correlateImage(at(src, n * cIn * srcH * srcW), wp, bias, at(out, n * cOut * oH * oW), xs);
  }
}

/** Stores a tile column: 4 channels' vectors at output position (r, v). */
@inline function storeTile(ob: usize, valid: i32, r: i32, v: i32, a0: v128, a1: v128, a2: v128, a3: v128): void {
  const lanes = min(4, oW - v * 4);
  const planeBytes = <usize>(oH * oW) << 2;
  let p = at(ob, r * oW + v * 4);
  storeLanes(p, a0, lanes);
  if (valid > 1) storeLanes(p + planeBytes, a1, lanes);
  if (valid > 2) storeLanes(p + planeBytes * 2, a2, lanes);
  if (valid > 3) storeLanes(p + planeBytes * 3, a3, lanes);
}

/** First tap row ki whose source row r + ki·dH − offH is ≥ 0 (rows before it read only zeros). */
@inline function firstRow(r: i32): i32 {
  const need = offH - r;
  return need <= 0 ? 0 : min(kH, (need + dH - 1) / dH);
}

/** One past the last tap row ki < kH whose source row is ≤ srcH − 1. */
@inline function endRow(r: i32): i32 {
  const room = srcH - 1 + offH - r;
  return room < 0 ? 0 : min(kH, room / dH + 1);
}

/** All output positions of one block of 4 channels: in pairs, and a last single one. */
function block(xs: usize, wb: usize, bb: usize, ob: usize, valid: i32, positions: i32, nv: i32, cols: i32, ps: i32): void {
  let p = 0;
  for (; p + 1 < positions; p += 2) pair(xs, wb, bb, ob, valid, p, nv, cols, ps);
  if (p < positions) single(xs, wb, bb, ob, valid, p, nv, cols, ps);
}

/** Two output positions p, p + 1 (each 4 columns of one row) × 4 channels. */
@inline function pair(xs: usize, wb: usize, bb: usize, ob: usize, valid: i32, p: i32, nv: i32, cols: i32, ps: i32): void {
  const r0 = p / nv, v0 = p - r0 * nv;
  const r1 = (p + 1) / nv, v1 = p + 1 - r1 * nv;
  const xa = at(xs, r0 * cols + v0 * 4);
  const delta = at(xs, r1 * cols + v1 * 4) - xa;
  let a0 = v128.load32_splat(bb), a1 = v128.load32_splat(bb, 4), a2 = v128.load32_splat(bb, 8), a3 = v128.load32_splat(bb, 12);
  let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  const step = <usize>dW << 2;
  const rowStep = <usize>(dH * cols) << 2;
  // Tap rows that read only the zero border for both positions are skipped (r1 ≥ r0).
  const kiLo = firstRow(r1), kiHi = endRow(r0);
  for (let c = 0; c < cIn; c++) {
    let row = xa + (<usize>(c * ps + kiLo * dH * cols) << 2);
    let w = wb + (<usize>((c * kH + kiLo) * kW) << 4);
    for (let ki = kiLo; ki < kiHi; ki++, row += rowStep) {
      let xp = row;
      const wend = w + <usize>(kW * OB * 4);
      while (w < wend) {
        const x0 = v128.load(xp);
        const x1 = v128.load(xp + delta);
        let s = v128.load32_splat(w);
        a0 = madd(s, x0, a0);
        b0 = madd(s, x1, b0);
        s = v128.load32_splat(w, 4);
        a1 = madd(s, x0, a1);
        b1 = madd(s, x1, b1);
        s = v128.load32_splat(w, 8);
        a2 = madd(s, x0, a2);
        b2 = madd(s, x1, b2);
        s = v128.load32_splat(w, 12);
        a3 = madd(s, x0, a3);
        b3 = madd(s, x1, b3);
        w += 16;
        xp += step;
      }
    }
  }
  storeTile(ob, valid, r0, v0, a0, a1, a2, a3);
  storeTile(ob, valid, r1, v1, b0, b1, b2, b3);
}

/** The last output position when their count is odd. */
function single(xs: usize, wb: usize, bb: usize, ob: usize, valid: i32, p: i32, nv: i32, cols: i32, ps: i32): void {
  const r0 = p / nv, v0 = p - r0 * nv;
  const xa = at(xs, r0 * cols + v0 * 4);
  let a0 = v128.load32_splat(bb), a1 = v128.load32_splat(bb, 4), a2 = v128.load32_splat(bb, 8), a3 = v128.load32_splat(bb, 12);
  const step = <usize>dW << 2;
  const rowStep = <usize>(dH * cols) << 2;
  const kiLo = firstRow(r0), kiHi = endRow(r0);
  for (let c = 0; c < cIn; c++) {
    let row = xa + (<usize>(c * ps + kiLo * dH * cols) << 2);
    let w = wb + (<usize>((c * kH + kiLo) * kW) << 4);
    for (let ki = kiLo; ki < kiHi; ki++, row += rowStep) {
      let xp = row;
      const wend = w + <usize>(kW * OB * 4);
      while (w < wend) {
        const x0 = v128.load(xp);
        a0 = madd(v128.load32_splat(w), x0, a0);
        a1 = madd(v128.load32_splat(w, 4), x0, a1);
        a2 = madd(v128.load32_splat(w, 8), x0, a2);
        a3 = madd(v128.load32_splat(w, 12), x0, a3);
        w += 16;
        xp += step;
      }
    }
  }
  storeTile(ob, valid, r0, v0, a0, a1, a2, a3);
}
