// Reductions and softmax over a float32 array viewed as [outer, len, inner]: the middle axis
// is reduced (or normalised). Sums accumulate in f64, as the js kernels do in their row
// loops, so results agree to the last bit or two. Work is split by outer rows [o0, o1) or,
// when there is one outer row, by inner columns [i0, i1) (multiples of 4).
//
// Op codes: keep in step with REDUCE_CODES in src/backend/wasm/reduce.ts.
import { vexp } from './vmath';

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

const SUM = 0, MAX = 1, MIN = 2;

/** acc := v if v > acc (max) / v < acc (min) or v is NaN: the js kernel's rule, NaN sticks. */
@inline function vpick(op: i32, acc: v128, v: v128): v128 {
  const better = op == MAX ? f32x4.gt(v, acc) : f32x4.lt(v, acc);
  return v128.bitselect(v, acc, v128.or(better, f32x4.ne(v, v)));
}

@inline function spick(op: i32, acc: f32, v: f32): f32 {
  return (op == MAX ? v > acc : v < acc) || v != v ? v : acc;
}

/** Lanes 2 and 3 of a float32 vector as an f64x2. */
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Reduces each row x[o, 0..len) (inner = 1) into out[o]. */
@inline function reduceRows(op: i32, x: usize, out: usize, len: i32, o0: i32, o1: i32): void {
  for (let o = o0; o < o1; o++) {
    const row = x + ((<usize>o * len) << 2);
    let j = 0;
    if (op == SUM) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      for (; j + 4 <= len; j += 4) {
        const v = v128.load(row + (<usize>j << 2));
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
        s1 = f64x2.add(s1, promoteHigh(v));
      }
      const s = f64x2.add(s0, s1);
      let total = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
      for (; j < len; j++) total += <f64>load<f32>(row + (<usize>j << 2));
      store<f32>(out + (<usize>o << 2), <f32>total);
    } else {
      const init: f32 = op == MAX ? -Infinity : Infinity;
      let acc = splat(init);
      for (; j + 4 <= len; j += 4) acc = vpick(op, acc, v128.load(row + (<usize>j << 2)));
      let r = spick(op, init, f32x4.extract_lane(acc, 0));
      r = spick(op, r, f32x4.extract_lane(acc, 1));
      r = spick(op, r, f32x4.extract_lane(acc, 2));
      r = spick(op, r, f32x4.extract_lane(acc, 3));
      for (; j < len; j++) r = spick(op, r, load<f32>(row + (<usize>j << 2)));
      store<f32>(out + (<usize>o << 2), r);
    }
  }
}

/**
 * Reduces the middle axis for columns [i0, i1) of each outer row: out[o, i] = ⊕ⱼ x[o, j, i].
 * Sums go through an f64 scratch row (8·(i1 − i0) bytes), read row by row in memory order.
 */
@inline function reduceColumns(op: i32, x: usize, out: usize, len: i32, inner: i32, o0: i32, o1: i32, i0: i32, i1: i32, scratch: usize): void {
  const width = i1 - i0;
  const vec = width & ~3;
  for (let o = o0; o < o1; o++) {
    const block = x + ((<usize>o * len * inner + i0) << 2);
    const dst = out + ((<usize>o * inner + i0) << 2);
    if (op == SUM) {
      memory.fill(scratch, 0, <usize>width << 3);
      for (let j = 0; j < len; j++) {
        const row = block + ((<usize>j * inner) << 2);
        let i = 0;
        for (; i < vec; i += 4) {
          const v = v128.load(row + (<usize>i << 2));
          const s = scratch + (<usize>i << 3);
          v128.store(s, f64x2.add(v128.load(s), f64x2.promote_low_f32x4(v)));
          v128.store(s, f64x2.add(v128.load(s, 16), promoteHigh(v)), 16);
        }
        for (; i < width; i++) {
          const s = scratch + (<usize>i << 3);
          store<f64>(s, load<f64>(s) + <f64>load<f32>(row + (<usize>i << 2)));
        }
      }
      for (let i = 0; i < width; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(scratch + (<usize>i << 3)));
    } else {
      const init: f32 = op == MAX ? -Infinity : Infinity;
      for (let i = 0; i < width; i++) store<f32>(dst + (<usize>i << 2), init);
      for (let j = 0; j < len; j++) {
        const row = block + ((<usize>j * inner) << 2);
        let i = 0;
        for (; i < vec; i += 4) {
          const d = dst + (<usize>i << 2);
          v128.store(d, vpick(op, v128.load(d), v128.load(row + (<usize>i << 2))));
        }
        for (; i < width; i++) {
          const d = dst + (<usize>i << 2);
          store<f32>(d, spick(op, load<f32>(d), load<f32>(row + (<usize>i << 2))));
        }
      }
    }
  }
}

/** x [outer, len, inner] → out [outer, inner] reduced over len (op: 0 sum, 1 max, 2 min). */
export function reduce(op: i32, x: usize, out: usize, len: i32, inner: i32, o0: i32, o1: i32, i0: i32, i1: i32, scratch: usize): void {
  if (inner == 1) {
    if (op == SUM) reduceRows(SUM, x, out, len, o0, o1);
    else if (op == MAX) reduceRows(MAX, x, out, len, o0, o1);
    else reduceRows(MIN, x, out, len, o0, o1);
  } else {
    if (op == SUM) reduceColumns(SUM, x, out, len, inner, o0, o1, i0, i1, scratch);
    else if (op == MAX) reduceColumns(MAX, x, out, len, inner, o0, o1, i0, i1, scratch);
    else reduceColumns(MIN, x, out, len, inner, o0, o1, i0, i1, scratch);
  }
}

/** e·inv (softmax) or x − lse (log-softmax) for 4 floats, per-half f64 scales, rounded once. */
@inline function finish2(v: v128, scaleLo: v128, scaleHi: v128, log: bool): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = promoteHigh(v);
  const rlo = log ? f64x2.sub(lo, scaleLo) : f64x2.mul(lo, scaleLo);
  const rhi = log ? f64x2.sub(hi, scaleHi) : f64x2.mul(hi, scaleHi);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(rlo), f32x4.demote_f64x2_zero(rhi), 0, 1, 4, 5);
}

@inline function finish(v: v128, scale: f64, log: bool): v128 {
  const s = f64x2.splat(scale);
  return finish2(v, s, s, log);
}

/** Softmax of each row x[o, 0..len) (inner = 1). */
@inline function softmaxRows(x: usize, out: usize, len: i32, log: bool, o0: i32, o1: i32): void {
  const vec = len & ~3;
  for (let o = o0; o < o1; o++) {
    const row = x + ((<usize>o * len) << 2);
    const dst = out + ((<usize>o * len) << 2);
    // Max, NaN-propagating like Math.max.
    let mv = splat(-Infinity);
    let j = 0;
    for (; j < vec; j += 4) mv = f32x4.max(mv, v128.load(row + (<usize>j << 2)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (; j < len; j++) m = max(m, load<f32>(row + (<usize>j << 2)));
    const ms = splat(m);
    // e = exp(x − max), summed in f64; softmax keeps e in out for the scaling pass.
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
    for (j = 0; j < vec; j += 4) {
      const e = expDiff(v128.load(row + (<usize>j << 2)), ms);
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
      s1 = f64x2.add(s1, promoteHigh(e));
      if (!log) v128.store(dst + (<usize>j << 2), e);
    }
    const s = f64x2.add(s0, s1);
    let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (; j < len; j++) {
      const e = f32x4.extract_lane(expDiff(splat(load<f32>(row + (<usize>j << 2))), ms), 0);
      sum += <f64>e;
      if (!log) store<f32>(dst + (<usize>j << 2), e);
    }
    const scale: f64 = log ? <f64>m + Math.log(sum) : 1.0 / sum;
    const src = log ? row : dst;
    for (j = 0; j < vec; j += 4) v128.store(dst + (<usize>j << 2), finish(v128.load(src + (<usize>j << 2)), scale, log));
    for (; j < len; j++) {
      const v = <f64>load<f32>(src + (<usize>j << 2));
      store<f32>(dst + (<usize>j << 2), <f32>(log ? v - scale : v * scale));
    }
  }
}

/**
 * exp(x − m) with the rounding error of the subtraction put back (TwoSum): x − m is exact in
 * the js kernel, and in float32 its rounding alone would cost up to 1e-6 relative error.
 */
@inline function expDiff(x: v128, m: v128): v128 {
  const d = f32x4.sub(x, m);
  const t = f32x4.sub(d, x);
  let err = f32x4.sub(f32x4.sub(x, f32x4.sub(d, t)), f32x4.add(m, t));
  err = v128.and(err, f32x4.eq(err, err)); // x = −inf: no correction (NaN → 0)
  const e = vexp(d);
  return f32x4.add(e, f32x4.mul(e, err));
}

/** f64 logs of the two lanes. */
@inline function log2x(v: v128): v128 {
  return f64x2.replace_lane(f64x2.splat(Math.log(f64x2.extract_lane(v, 0))), 1, Math.log(f64x2.extract_lane(v, 1)));
}

/**
 * Softmax over the middle axis of 4 adjacent columns (full) or 1 column (lane 0 of splats)
 * starting at x/out; element j of a column is j·inner floats further.
 */
@inline function softmaxColumn(x: usize, out: usize, len: i32, inner: i32, log: bool, full: bool): void {
  const stride = <usize>inner << 2;
  let mv = splat(-Infinity);
  for (let j = 0; j < len; j++) {
    const at = x + <usize>j * stride;
    mv = f32x4.max(mv, full ? v128.load(at) : v128.load32_splat(at));
  }
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  for (let j = 0; j < len; j++) {
    const at = x + <usize>j * stride;
    const e = expDiff(full ? v128.load(at) : v128.load32_splat(at), mv);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(e));
    s1 = f64x2.add(s1, promoteHigh(e));
    if (!log) {
      const to = out + <usize>j * stride;
      if (full) v128.store(to, e);
      else store<f32>(to, f32x4.extract_lane(e, 0));
    }
  }
  // Per-lane scale in f64: 1/sum, or max + log(sum) for log-softmax.
  const one = f64x2.splat(1);
  const scaleLo = log ? f64x2.add(f64x2.promote_low_f32x4(mv), log2x(s0)) : f64x2.div(one, s0);
  const scaleHi = log ? f64x2.add(promoteHigh(mv), log2x(s1)) : f64x2.div(one, s1);
  const src = log ? x : out;
  for (let j = 0; j < len; j++) {
    const off = <usize>j * stride;
    const v = full ? v128.load(src + off) : v128.load32_splat(src + off);
    const r = finish2(v, scaleLo, scaleHi, log);
    if (full) v128.store(out + off, r);
    else store<f32>(out + off, f32x4.extract_lane(r, 0));
  }
}

/** Softmax (log: log-softmax) of x [outer, len, inner] along len, rows [o0, o1), columns [i0, i1). */
export function softmax(x: usize, out: usize, len: i32, inner: i32, log: bool, o0: i32, o1: i32, i0: i32, i1: i32): void {
  if (inner == 1) {
    if (log) softmaxRows(x, out, len, true, o0, o1);
    else softmaxRows(x, out, len, false, o0, o1);
    return;
  }
  for (let o = o0; o < o1; o++) {
    const base = (<usize>o * len * inner) << 2;
    let i = i0;
    for (; i + 4 <= i1; i += 4) {
      const at = base + (<usize>i << 2);
      if (log) softmaxColumn(x + at, out + at, len, inner, true, true);
      else softmaxColumn(x + at, out + at, len, inner, false, true);
    }
    for (; i < i1; i++) {
      const at = base + (<usize>i << 2);
      if (log) softmaxColumn(x + at, out + at, len, inner, true, false);
      else softmaxColumn(x + at, out + at, len, inner, false, false);
    }
  }
}
