// Vector (f32x4) elementary functions for the elementwise kernels. Plain SIMD only (no
// relaxed ops), so both builds give the same bits. Accuracy: within 2 ulp of the correctly
// rounded float32 result on normal inputs; IEEE special values (±0, ±inf, NaN) as Math does.
// Polynomials are Cephes' single-precision minimax fits (expf, logf, tanhf).
//
// Constants come from a static table through load32_splat (one broadcast load each): V8 11.3
// rebuilds every v128.const inside a loop with three instructions on each iteration.

const KF = memory.data<f32>([
  89.0, -104.0, 12582912.0, 1.44269504088896341, 0.693359375, -2.12194440e-4, // 0..5 exp
  1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1, // 6..11
  1.0, 0.0, 2.0, -1.0, 0.5, // 12..16
  1.17549435e-38, 8388608.0, 0.707106781186547524, // 17..19 log
  7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, // 20..24
  -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1, // 25..28
  -5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1, // 29..33 tanh
  0.625, Infinity, -Infinity, NaN, // 34..37
]);
const KI = memory.data<i32>([0x4b400000, 127, 23, 0x007fffff, 0x3f000000, <i32>0x80000000, 126]);

// Names of the table entries.
const EXP_HI = 0, EXP_LO = 1, MAGIC = 2, LOG2E = 3, LN2_HI = 4, LN2_LO = 5;
const EXP_P0 = 6;
const ONE = 12, ZERO = 13, TWO = 14, MINUS_ONE = 15, HALF = 16;
const MIN_NORMAL = 17, TWO_23 = 18, SQRT_HALF = 19, LOG_P0 = 20, TANH_P0 = 29;
const TANH_SMALL = 34, INF = 35, NEG_INF = 36, NAN = 37;
const I_MAGIC = 0, I_BIAS = 1, I_23 = 2, I_MANT = 3, I_HALF_EXP = 4, I_SIGN = 5, I_126 = 6;

/** The f32 constant number i of the table, in all four lanes. */
@inline export function kf(i: i32): v128 {
  return v128.load32_splat(KF + (<usize>i << 2));
}

@inline function ki(i: i32): v128 {
  return v128.load32_splat(KI + (<usize>i << 2));
}

/** Common constants for the kernels. */
@inline export function one(): v128 {
  return kf(ONE);
}
@inline export function minusOne(): v128 {
  return kf(MINUS_ONE);
}
@inline export function nan(): v128 {
  return kf(NAN);
}

/** Horner step p·z + table[i] (written out: binaryen does not unroll loops). */
@inline function step(p: v128, z: v128, i: i32): v128 {
  return f32x4.add(f32x4.mul(p, z), kf(i));
}

/** eˣ: n = round(x·log2 e), r = x − n·ln2 (Cody–Waite), eʳ by a degree-6 polynomial, then ·2ⁿ. */
@inline export function vexp(x: v128): v128 {
  // Beyond these bounds the result is ±inf or 0 anyway; clamping keeps 2ⁿ representable.
  // pmin/pmax are single instructions and return their first operand when it is NaN.
  const xc = f32x4.pmax(f32x4.pmin(x, kf(EXP_HI)), kf(EXP_LO));
  // Adding 1.5·2²³ rounds x·log2 e to an integer (ties to even) held in the low mantissa
  // bits: n as a float and as an int without the costly nearest/trunc_sat sequences.
  const t = f32x4.add(f32x4.mul(xc, kf(LOG2E)), kf(MAGIC));
  const n = f32x4.sub(t, kf(MAGIC));
  const ni = i32x4.sub(t, ki(I_MAGIC));
  let r = f32x4.sub(xc, f32x4.mul(n, kf(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, kf(LN2_LO)));
  let p = kf(EXP_P0);
  p = step(p, r, EXP_P0 + 1);
  p = step(p, r, EXP_P0 + 2);
  p = step(p, r, EXP_P0 + 3);
  p = step(p, r, EXP_P0 + 4);
  p = step(p, r, EXP_P0 + 5);
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), kf(ONE));
  // 2ⁿ as two factors 2^(n>>1)·2^(n−(n>>1)), both normal for n in [−150, 128]: results that
  // end subnormal are rounded once, in the last product.
  const n1 = i32x4.shr_s(ni, 1);
  const n2 = i32x4.sub(ni, n1);
  const s1 = i32x4.shl(i32x4.add(n1, ki(I_BIAS)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, ki(I_BIAS)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** ln x: x = m·2ᵉ with m in [√½, √2), ln m by a degree-9 polynomial in m − 1. */
@inline export function vlog(x: v128): v128 {
  // Subnormals: scale by 2²³ first and take 23 off the exponent.
  const tiny = f32x4.lt(x, kf(MIN_NORMAL));
  const bits = v128.bitselect(f32x4.mul(x, kf(TWO_23)), x, tiny);
  let e = i32x4.sub(i32x4.shr_u(bits, 23), ki(I_126));
  e = i32x4.sub(e, v128.and(tiny, ki(I_23)));
  // Mantissa in [0.5, 1).
  let m = v128.or(v128.and(bits, ki(I_MANT)), ki(I_HALF_EXP));
  const small = f32x4.lt(m, kf(SQRT_HALF));
  // m < √½: use 2m − 1 and e − 1; else m − 1.
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), kf(ONE));
  e = i32x4.add(e, small); // small lanes are −1 (all ones)
  const ef = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(m, m);
  let p = kf(LOG_P0);
  p = step(p, m, LOG_P0 + 1);
  p = step(p, m, LOG_P0 + 2);
  p = step(p, m, LOG_P0 + 3);
  p = step(p, m, LOG_P0 + 4);
  p = step(p, m, LOG_P0 + 5);
  p = step(p, m, LOG_P0 + 6);
  p = step(p, m, LOG_P0 + 7);
  p = step(p, m, LOG_P0 + 8);
  let y = f32x4.mul(f32x4.mul(p, m), z);
  y = f32x4.add(y, f32x4.mul(ef, kf(LN2_LO)));
  y = f32x4.sub(y, f32x4.mul(z, kf(HALF)));
  let r = f32x4.add(m, y);
  r = f32x4.add(r, f32x4.mul(ef, kf(LN2_HI)));
  // Special values: log 0 = −inf, log(x<0) = NaN, log(+inf) = +inf, NaN stays NaN.
  const inf = kf(INF);
  r = v128.bitselect(kf(NEG_INF), r, f32x4.eq(x, kf(ZERO)));
  r = v128.bitselect(kf(NAN), r, f32x4.lt(x, kf(ZERO)));
  r = v128.bitselect(inf, r, f32x4.eq(x, inf));
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

/** tanh: an odd polynomial below |x| = 0.625, else 1 − 2/(e^(2|x|) + 1); computed on |x|, x's sign put back. */
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = kf(TANH_P0);
  p = step(p, z, TANH_P0 + 1);
  p = step(p, z, TANH_P0 + 2);
  p = step(p, z, TANH_P0 + 3);
  p = step(p, z, TANH_P0 + 4);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), ax), ax);
  const e = vexp(f32x4.add(ax, ax));
  const big = f32x4.sub(kf(ONE), f32x4.div(kf(TWO), f32x4.add(e, kf(ONE))));
  // Both branches are ≥ 0 (or NaN); the sign bit of x makes tanh odd, −0 included.
  const t = v128.bitselect(small, big, f32x4.lt(ax, kf(TANH_SMALL)));
  return v128.or(t, v128.and(x, ki(I_SIGN)));
}

/** 1/(1 + e^(−x)), as e^x/(1 + e^x) for x < 0: no overflow, full relative accuracy. */
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(kf(ONE), f32x4.add(kf(ONE), e));
  return v128.bitselect(f32x4.mul(e, r), r, f32x4.lt(x, kf(ZERO)));
}
