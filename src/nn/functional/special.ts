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
 *   where g(u) = log(erfc(z)·e^{z²}/t) is smooth. g is the Chebyshev interpolant of that
 *   function on t ∈ [0, 0.8] (60 nodes, computed at 60 significant digits with mpmath, cut
 *   after the 26 terms above 1e-17), converted exactly to powers of u. The powers'
 *   coefficients sum to Σ|a| ≈ 1.4, so Horner's rule (2 ops a term; Clenshaw needs 3) keeps
 *   every digit: about 1e-15 relative error for erfc down to 1e-300.
 */

/** Where the series hands over to the tail formula. */
const SPLIT = 0.5;
/** erfc(30) ≈ 2.6e-393 is 0 in float64: beyond it the tail is flat. */
const TAIL_END = 30;

const SERIES: number[] = Array.from({ length: 13 }, (_, n) => {
  let factorial = 1;
  for (let k = 2; k <= n; k++) factorial *= k;
  return ((2 / Math.sqrt(Math.PI)) * (n % 2 === 0 ? 1 : -1)) / (factorial * (2 * n + 1));
});

const TAIL: readonly number[] = [
  -0.8040723101069575, 0.5187684450161721, 0.04637608495282526, -0.01836747380936133,
  -0.0069752546839680594, 0.0016209949307738687, 0.0011597608925398434, -0.0002426619616434017,
  -0.00021131545013272982, 5.453578844429378e-5, 3.887322824420916e-5, -1.4770681226069618e-5,
  -6.395867939996976e-6, 4.009190885606338e-6, 6.910908363503222e-7, -9.70708608481551e-7,
  5.9413494393828355e-8, 1.862109320940805e-7, -6.00672424129015e-8, -2.1085169108233676e-8,
  1.865760872383171e-8, -1.3026757662660243e-9, -3.3523865967421454e-9, 1.037072378716121e-9,
  2.8931849694580855e-10, -1.4471085095824404e-10,
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
  let g = u.mul(TAIL[TAIL.length - 1]);
  for (let k = TAIL.length - 2; k > 0; k--) g = g.add(TAIL[k]).mul(u);
  g = g.add(TAIL[0]);
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
