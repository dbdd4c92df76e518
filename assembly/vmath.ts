// Vector (f32x4) elementary functions for the elementwise kernels. Plain SIMD only (no
// relaxed ops), so both builds give the same bits. Accuracy: within 2 ulp of the correctly
// rounded float32 result on normal inputs; IEEE special values (±0, ±inf, NaN) as Math does.
// Polynomials are Cephes' single-precision minimax fits (expf, logf, tanhf).

@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

@inline function poly(z: v128, c: f32): v128 {
  return f32x4.add(z, splat(c));
}

/** eˣ: n = round(x·log2 e), r = x − n·ln2 (Cody–Waite), eʳ by a degree-6 polynomial, then ·2ⁿ. */
@inline export function vexp(x: v128): v128 {
  // Beyond these bounds the result is ±inf or 0 anyway; clamping keeps 2ⁿ representable.
  // min/max propagate NaN.
  const xc = f32x4.max(f32x4.min(x, splat(89.0)), splat(-104.0));
  const n = f32x4.nearest(f32x4.mul(xc, splat(1.44269504088896341)));
  let r = f32x4.sub(xc, f32x4.mul(n, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, splat(-2.12194440e-4)));
  let p = splat(1.9875691500e-4);
  p = poly(f32x4.mul(p, r), 1.3981999507e-3);
  p = poly(f32x4.mul(p, r), 8.3334519073e-3);
  p = poly(f32x4.mul(p, r), 4.1665795894e-2);
  p = poly(f32x4.mul(p, r), 1.6666665459e-1);
  p = poly(f32x4.mul(p, r), 5.0000001201e-1);
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), splat(1.0));
  // 2ⁿ as two factors 2^(n>>1)·2^(n−(n>>1)), both normal for n in [−150, 128]: results that
  // end subnormal are rounded once, in the last product.
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** ln x: x = m·2ᵉ with m in [√½, √2), ln m by a degree-9 polynomial in m − 1. */
@inline export function vlog(x: v128): v128 {
  // Subnormals: scale by 2²³ first and take 23 off the exponent.
  const tiny = f32x4.lt(x, splat(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, splat(8388608.0)), x, tiny);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126));
  e = i32x4.sub(e, v128.and(tiny, i32x4.splat(23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000));
  const small = f32x4.lt(m, splat(0.707106781186547524));
  // m < √½: use 2m − 1 and e − 1; else m − 1.
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), splat(1.0));
  e = i32x4.add(e, small); // small lanes are −1 (all ones)
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = splat(7.0376836292e-2);
  p = poly(f32x4.mul(p, m), -1.1514610310e-1);
  p = poly(f32x4.mul(p, m), 1.1676998740e-1);
  p = poly(f32x4.mul(p, m), -1.2420140846e-1);
  p = poly(f32x4.mul(p, m), 1.4249322787e-1);
  p = poly(f32x4.mul(p, m), -1.6668057665e-1);
  p = poly(f32x4.mul(p, m), 2.0000714765e-1);
  p = poly(f32x4.mul(p, m), -2.4999993993e-1);
  p = poly(f32x4.mul(p, m), 3.3333331174e-1);
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, splat(-2.12194440e-4)));
  y = f32x4.sub(y, f32x4.mul(z, splat(0.5)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(ef, splat(0.693359375)));
  // Special values: log 0 = −inf, log(x<0) = NaN, log(+inf) = +inf, NaN stays NaN.
  const inf = splat(Infinity);
  r = v128.bitselect(splat(-Infinity), r, f32x4.eq(x, splat(0)));
  r = v128.bitselect(splat(NaN), r, f32x4.lt(x, splat(0)));
  r = v128.bitselect(inf, r, f32x4.eq(x, inf));
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** tanh: an odd polynomial below |x| = 0.625, else 1 − 2/(e^(2|x|) + 1); computed on |x|, x's sign put back. */
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = splat(-5.70498872745e-3);
  p = poly(f32x4.mul(p, z), 2.06390887954e-2);
  p = poly(f32x4.mul(p, z), -5.37397155531e-2);
  p = poly(f32x4.mul(p, z), 1.33314422036e-1);
  p = poly(f32x4.mul(p, z), -3.33332819422e-1);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(splat(1.0), f32x4.div(splat(2.0), f32x4.add(e, splat(1.0))));
  // Both branches are ≥ 0 (or NaN); the sign bit of x makes tanh odd, −0 included.
  const t = v128.bitselect(small, big, f32x4.lt(ax, splat(0.625)));
  return v128.or(t, v128.and(x, i32x4.splat(0x80000000)));
}

/** 1/(1 + e^(−x)), as e^x/(1 + e^x) for x < 0: no overflow, full relative accuracy. */
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(splat(1.0), f32x4.add(splat(1.0), e));
  return v128.bitselect(f32x4.mul(e, r), r, f32x4.lt(x, splat(0)));
}
