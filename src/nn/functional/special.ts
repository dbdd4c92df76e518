import { where } from '../../ops/index.js';
import type { Tensor } from '../../tensor/index.js';
import { checkFloatInput } from './checks.js';

/*
 * erf and erfc as composites of existing ops (so their gradients, and gradients of those,
 * come from autograd). Accurate to about 1e-15 relative in float64 over the whole range,
 * erfc included deep in its tail, which GELU needs for very negative inputs.
 *
 * |x| < 1/2: the Taylor series erf(x) = 2/√π Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), 13 terms.
 * |x| ≥ 1/2: erfc(z) = t · exp(−z² + g(u)), t = 2/(2+z), u = 2.5·t − 1 ∈ (−1, 0.6],
 *   where g(u) = log(erfc(z)·e^{z²}/t) is smooth and is evaluated as a Chebyshev series.
 *   The coefficients are the Chebyshev interpolant of g on t ∈ [0, 0.8] (60 nodes,
 *   computed at 60 significant digits with mpmath), cut where they fall below 1e-17.
 */

/** Where the series hands over to the Chebyshev tail. */
const SPLIT = 0.5;
/** erfc(30) ≈ 2.6e-393 is 0 in float64: beyond it the tail is flat. */
const TAIL_END = 30;

const SERIES: number[] = Array.from({ length: 13 }, (_, n) => {
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return ((2 / Math.sqrt(Math.PI)) * (n % 2 === 0 ? 1 : -1)) / (factorial * (2 * n + 1));
});

const CHEBYSHEV: readonly number[] = [
  -0.78318707272406, 0.5058947933173407, 0.020165332295700413, -0.004150784270483714,
  -0.0006929393033131829, 8.061304448090166e-5, 2.5850999510766174e-5, -2.4532413619366538e-6,
  -1.0665628949056516e-6, 1.0956136201272647e-7, 4.618283721422925e-8, -6.305089137369667e-9,
  -1.9633309872353595e-9, 3.979371116364933e-10, 7.359712081538667e-11, -2.4619582503772172e-11,
  -1.769647748682444e-12, 1.3810080809606214e-12, -4.600206617963027e-14, -6.380484046552098e-14,
  9.937718418245514e-15, 1.856958347210499e-15, -7.707956385933372e-16, 3.1621351296209296e-17,
  3.448945247480971e-17, -8.625438866510632e-18,
];

/** erf(x) for |x| ≤ 1/2 by Horner's rule in x². */
function erfSeries(x: Tensor): Tensor {
  const x2 = x.square();
  let acc = x2.mul(SERIES[SERIES.length - 1]);
  for (let n = SERIES.length - 2; n > 0; n--) acc = acc.add(SERIES[n]).mul(x2);
  return acc.add(SERIES[0]).mul(x);
}

/** erfc(z) for z ≥ 1/2 (z already clamped to [1/2, TAIL_END]). */
function erfcTail(z: Tensor): Tensor {
  const t = z.add(2).reciprocal().mul(2);
  const u = t.mul(2.5).sub(1);
  const twoU = u.mul(2);
  // Clenshaw's recurrence: b_k = 2u·b_{k+1} − b_{k+2} + c_k.
  let b1 = u.mul(0).add(CHEBYSHEV[CHEBYSHEV.length - 1]);
  let b2 = u.mul(0);
  for (let k = CHEBYSHEV.length - 2; k >= 1; k--) {
    const b = twoU.mul(b1).sub(b2).add(CHEBYSHEV[k]);
    b2 = b1;
    b1 = b;
  }
  const g = u.mul(b1).sub(b2).add(CHEBYSHEV[0]);
  // z² = h² + (z−h)(z+h) with h = ⌊16z⌋/16 exact, so exp(−z²) keeps full relative accuracy
  // far into the tail (a rounded z² would cost up to z²·2⁻⁵³ there). floor has zero gradient,
  // and the derivative of the sum is still 2z.
  const h = z.mul(16).floor().div(16);
  return t.mul(h.square().neg().exp()).mul(z.sub(h).mul(z.add(h)).neg().add(g).exp());
}

/**
 * The error function erf(x) = 2/√π ∫₀ˣ e^{−t²} dt, elementwise (x [...] → [...]), as a
 * composite of differentiable ops (d/dx = 2/√π·e^{−x²} by autograd). About 1e-15 relative
 * accuracy in float64.
 */
export function erf(x: Tensor): Tensor {
  checkFloatInput('erf', x);
  const ax = x.abs();
  const small = ax.lt(SPLIT);
  const allSmall = small.data.every((v) => v !== 0);
  const noneSmall = small.data.every((v) => v === 0);
  // Each branch is evaluated only where needed (an empty tensor takes the series).
  const series = noneSmall && !allSmall ? null : erfSeries(x.clamp(-SPLIT, SPLIT));
  const tail = allSmall ? null : erfcTail(ax.clamp(SPLIT, TAIL_END)).neg().add(1).mul(x.sign());
  if (!tail) return series as Tensor;
  if (!series) return tail;
  return where(small, series, tail);
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), elementwise, computed without
 * cancellation: erfc(10) ≈ 2.09e-45 comes out with full relative accuracy.
 */
export function erfc(x: Tensor): Tensor {
  checkFloatInput('erfc', x);
  const ax = x.abs();
  const small = ax.lt(SPLIT);
  const allSmall = small.data.every((v) => v !== 0);
  const noneSmall = small.data.every((v) => v === 0);
  const series = noneSmall && !allSmall ? null : erfSeries(x.clamp(-SPLIT, SPLIT)).neg().add(1);
  let tail: Tensor | null = null;
  if (!allSmall) {
    const upper = erfcTail(ax.clamp(SPLIT, TAIL_END));
    // erfc(−z) = 2 − erfc(z)
    tail = where(x.gt(0), upper, upper.neg().add(2));
  }
  if (!tail) return series as Tensor;
  if (!series) return tail;
  return where(small, series, tail);
}

/** The standard normal CDF Φ(x) = ½·erfc(−x/√2), accurate in both tails. */
export function normalCdf(x: Tensor): Tensor {
  checkFloatInput('normalCdf', x);
  return erfc(x.mul(-Math.SQRT1_2)).mul(0.5);
}
