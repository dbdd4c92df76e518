import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { expectError } from './util.js';

const N = 100_000;

/** Mean and (population) standard deviation in plain JS. */
function moments(xs: ArrayLike<number>): { mean: number; std: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
  return { mean, std: Math.sqrt(v / xs.length) };
}

// Bounds are 5 standard errors: a correct generator fails one with probability ~6e-7.
describe('seeded RNG', () => {
  afterEach(() => vi.restoreAllMocks());

  it('manualSeed gives the same numbers twice, for every random function', () => {
    const draw = (): number[][] => [
      Array.from(nb.rand([50]).dataSync()),
      Array.from(nb.randn([50], { dtype: 'float64' }).dataSync()),
      Array.from(nb.randint(-5, 5, [50]).dataSync()),
      Array.from(nb.randperm(50).dataSync()),
    ];
    nb.manualSeed(42);
    const first = draw();
    nb.manualSeed(42);
    expect(draw()).toEqual(first);
  });

  it('different seeds give different numbers', () => {
    nb.manualSeed(1);
    const a = Array.from(nb.rand([20], { dtype: 'float64' }).dataSync());
    nb.manualSeed(2);
    const b = Array.from(nb.rand([20], { dtype: 'float64' }).dataSync());
    expect(a.filter((v, i) => v === b[i]).length).toBe(0);
    // Seeds that agree in their low 32 bits (negative ones too) are different seeds.
    const first = (seed: number): number => {
      nb.manualSeed(seed);
      return nb.rand([1], { dtype: 'float64' }).item();
    };
    const draws = [0, -1, 2 ** 32, 2 ** 32 + 1, 1, -(2 ** 32), 2 ** 33 + 1, 3].map(first);
    expect(new Set(draws).size).toBe(draws.length);
  });

  it('a Generator with the same seed draws the global sequence; state round-trips', () => {
    nb.manualSeed(7);
    const global = Array.from(nb.rand([5], { dtype: 'float64' }).dataSync());
    const g = new nb.Generator(7);
    expect(Array.from({ length: 5 }, () => g.uniform())).toEqual(global);
    g.normal(); // leaves a spare normal in the state
    const state = g.getState();
    const next = [g.normal(), g.uniform(), g.normal()];
    const h = new nb.Generator(0);
    h.setState(state);
    expect([h.normal(), h.uniform(), h.normal()]).toEqual(next);
    expectError(() => nb.manualSeed(0.5), nb.ValueError, 'seed');
  });

  it('uniform over 100k samples: in [0, 1), mean ≈ 1/2, variance ≈ 1/12, flat histogram', () => {
    nb.manualSeed(123);
    const u = nb.rand([N], { dtype: 'float64' }).dataSync();
    let lo = Infinity;
    let hi = -Infinity;
    const bins = new Array<number>(10).fill(0);
    for (const v of u) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      bins[Math.floor(v * 10)]++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const { mean, std } = moments(u);
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / N)); // 0.0046
    // SE of the variance: sqrt((μ4 − σ⁴)/n) with μ4 = 1/80, σ² = 1/12.
    expect(Math.abs(std * std - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / N));
    // χ² with 9 degrees of freedom: P(χ² > 45) ≈ 1e-6.
    const chi2 = bins.reduce((s, c) => s + (c - N / 10) ** 2 / (N / 10), 0);
    expect(chi2).toBeLessThan(45);
  });

  it('rand with bounds stays in [low, high), also when rounding would reach high', () => {
    nb.manualSeed(5);
    const r = nb.rand([1000], { low: -3, high: 2 }).dataSync();
    expect(Math.min(...r)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...r)).toBeLessThan(2);
    // The largest uniform draw, 1 − 2⁻⁵³, rounds to 1 in float32 (and 1 + u to 2 in float64).
    const top = 1 - 2 ** -53;
    vi.spyOn(nb.globalGenerator, 'uniform').mockReturnValueOnce(top).mockReturnValueOnce(0.25);
    expect(nb.rand([1]).item()).toBe(0.25);
    vi.spyOn(nb.globalGenerator, 'uniform').mockReturnValueOnce(top).mockReturnValueOnce(0.5);
    expect(nb.rand([1], { low: 1, high: 2, dtype: 'float64' }).item()).toBe(1.5);
    expectError(() => nb.rand([2], { low: 1, high: 0 }), nb.ValueError, 'rand');
  });

  it('normal over 100k samples: mean ≈ 0, std ≈ 1, 68.27% within one std', () => {
    nb.manualSeed(321);
    const z = nb.randn([N], { dtype: 'float64' }).dataSync();
    const { mean, std } = moments(z);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(N)); // 0.016
    expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * N)); // 0.011
    let inside = 0;
    for (const v of z) if (Math.abs(v) < 1) inside++;
    const p = 0.6826894921370859;
    expect(Math.abs(inside / N - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
  });

  it('randn with mean and std scales the samples', () => {
    nb.manualSeed(9);
    const { mean, std } = moments(nb.randn([N], { mean: 3, std: 2, dtype: 'float64' }).dataSync());
    expect(Math.abs(mean - 3)).toBeLessThan(5 * 2 / Math.sqrt(N));
    expect(Math.abs(std - 2)).toBeLessThan(5 * 2 / Math.sqrt(2 * N));
    expectError(() => nb.randn([2], { std: -1 }), nb.ValueError, 'randn');
  });

  it('randint stays in [low, high) and hits every value about equally often', () => {
    nb.manualSeed(11);
    const n = 70_000;
    const r = nb.randint(-3, 4, [n]).dataSync();
    const counts = new Map<number, number>();
    for (const v of r) counts.set(v, (counts.get(v) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    const p = 1 / 7;
    for (const c of counts.values()) expect(Math.abs(c / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(Array.from(nb.randint(5, 6, [4]).dataSync())).toEqual([5, 5, 5, 5]);
    expectError(() => nb.randint(3, 3, [2]), nb.ValueError, 'randint');
    expectError(() => nb.randint(0, 2.5, [2]), nb.ValueError, 'randint');
  });

  it('randperm is a permutation of 0..n−1 (and shuffles)', () => {
    nb.manualSeed(3);
    for (const n of [0, 1, 2, 17, 1000]) {
      const p = Array.from(nb.randperm(n).dataSync());
      expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const p = Array.from(nb.randperm(1000).dataSync());
    expect(p.filter((v, i) => v === i).length).toBeLessThan(10); // ~1 fixed point expected
    expectError(() => nb.randperm(-1), nb.ValueError, 'randperm');
  });
});
