import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { expectClose } from '../helpers';

function points(d: nb.data.Points2D): { p: number[][]; y: number[] } {
  return { p: d.x.toArray() as number[][], y: Array.from(d.y.dataSync()) };
}

function classCounts(y: nb.Tensor, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  for (const v of y.dataSync()) out[v]++;
  return out;
}

describe('synthetic 2-D datasets', () => {
  it('xor with n = 4 and no noise is the truth table', () => {
    const d = nb.data.xor({ n: 4, noise: 0 });
    expect(d.x.shape).toEqual([4, 2]);
    expect(d.x.dtype).toBe('float32');
    expect(d.y.dtype).toBe('int32');
    expect(d.x.toArray()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(Array.from(d.y.dataSync())).toEqual([0, 1, 1, 0]);
    const noisy = nb.data.xor();
    expect(noisy.x.shape).toEqual([200, 2]);
    expect(classCounts(noisy.y, 2)).toEqual([100, 100]);
  });

  it('circles without noise: class 0 on the unit circle, class 1 on radius factor', () => {
    const { p, y } = points(nb.data.circles({ n: 10, noise: 0, factor: 0.3 }));
    expect(y).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    p.forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo(i < 5 ? 1 : 0.3, 6));
    // Evenly spaced angles: the second point of each circle is at 2π/5.
    expectClose(p[1], [Math.cos((2 * Math.PI) / 5), Math.sin((2 * Math.PI) / 5)]);
    expectClose(p[6], [0.3 * Math.cos((2 * Math.PI) / 5), 0.3 * Math.sin((2 * Math.PI) / 5)]);
  });

  it('moons without noise: the two half circles, hand-computed', () => {
    // Three points per moon at t = 0, π/2, π.
    const { p, y } = points(nb.data.moons({ n: 6, noise: 0 }));
    expect(y).toEqual([0, 0, 0, 1, 1, 1]);
    expectClose(p, [[1, 0], [0, 1], [-1, 0], [0, 0.5], [1, -0.5], [2, 0.5]]);
  });

  it('spiral without noise: radius k/(size−1), angle 4(c + radius)', () => {
    const d = nb.data.spiral({ n: 9, classes: 3, noise: 0 });
    const { p, y } = points(d);
    expect(y).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    p.forEach(([a, b], i) => expect(Math.hypot(a, b)).toBeCloseTo([0, 0.5, 1][i % 3], 6));
    // Class 1, last point: radius 1, angle 8 rad → (sin 8, cos 8).
    expectClose(p[5], [Math.sin(8), Math.cos(8)]);
    expectClose(p[4], [0.5 * Math.sin(6), 0.5 * Math.cos(6)]);
    expect(classCounts(nb.data.spiral({ n: 10, classes: 3 }).y, 3)).toEqual([4, 3, 3]);
    expect(nb.data.spiral({ classes: 5 }).x.shape).toEqual([300, 2]);
  });

  it('gaussians: centres on a circle of radius 2; with noise the class means land near them', () => {
    const exact = points(nb.data.gaussians({ n: 4, classes: 4, noise: 0 }));
    expectClose(exact.p, [[2, 0], [0, 2], [-2, 0], [0, -2]], { atol: 1e-6 });
    nb.manualSeed(0);
    const d = nb.data.gaussians({ n: 3000, classes: 3, noise: 0.5 });
    const { p, y } = points(d);
    for (let c = 0; c < 3; c++) {
      const members = p.filter((_, i) => y[i] === c);
      expect(members.length).toBe(1000);
      const mean = [0, 1].map((k) => members.reduce((a, m) => a + m[k], 0) / members.length);
      const centre = [2 * Math.cos((2 * Math.PI * c) / 3), 2 * Math.sin((2 * Math.PI * c) / 3)];
      // Standard error of each mean: 0.5/√1000 ≈ 0.016; allow 5 of them.
      expectClose(mean, centre, { atol: 0.08 });
      const sd = Math.sqrt(members.reduce((a, m) => a + (m[0] - mean[0]) ** 2, 0) / members.length);
      expect(sd).toBeGreaterThan(0.45);
      expect(sd).toBeLessThan(0.55);
    }
  });

  it('noise is seeded: same seed, same points; another seed, other points', () => {
    for (const make of [nb.data.xor, nb.data.circles, nb.data.moons, nb.data.spiral, nb.data.gaussians]) {
      nb.manualSeed(123);
      const a = Array.from(make({ n: 50 }).x.dataSync());
      nb.manualSeed(123);
      const b = Array.from(make({ n: 50 }).x.dataSync());
      nb.manualSeed(124);
      const c = Array.from(make({ n: 50 }).x.dataSync());
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      expect(Array.from(make({ n: 50, generator: new nb.Generator(5) }).x.dataSync()))
        .toEqual(Array.from(make({ n: 50, generator: new nb.Generator(5) }).x.dataSync()));
    }
  });

  it('rejects bad n, noise and classes', () => {
    expect(() => nb.data.xor({ n: 0 })).toThrow(/n must be a positive integer, got 0/);
    expect(() => nb.data.moons({ noise: -1 })).toThrow(/noise must be a finite number ≥ 0/);
    expect(() => nb.data.spiral({ classes: 1 })).toThrow(/classes must be an integer ≥ 2/);
    expect(() => nb.data.circles({ factor: 1 })).toThrow(nb.ValueError);
    expect(() => nb.data.gaussians({ radius: -2 })).toThrow(nb.ValueError);
  });
});
