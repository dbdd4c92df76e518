import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

/** Two parameters with gradients [3, −4] and [12] (joint 2-norm 13, 1-norm 19, ∞-norm 12). */
function withGrads(): [nb.Tensor, nb.Tensor] {
  const a = f64([0, 0], true);
  const b = f64([0], true);
  a.grad = f64([3, -4]);
  b.grad = f64([12]);
  return [a, b];
}

describe.each(backends)('gradient clipping on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('clipGradNorm scales every gradient by maxNorm/(N + 1e-6) and returns N', () => {
    const [a, b] = withGrads();
    // N = √(9 + 16 + 144) = 13; coefficient 6.5/(13 + 1e-6)
    expect(nb.optim.clipGradNorm([a, b], 6.5)).toBe(13);
    const c = 6.5 / (13 + 1e-6);
    expectClose(a.grad!, [3 * c, -4 * c], { atol: 1e-15, rtol: 0 });
    expectClose(b.grad!, [12 * c], { atol: 1e-15, rtol: 0 });
    // the clipped joint norm is just under 6.5
    expect(Math.hypot(3 * c, 4 * c, 12 * c)).toBeCloseTo(6.5, 6);
  });

  it('leaves gradients alone when the norm is within maxNorm', () => {
    const [a, b] = withGrads();
    expect(nb.optim.clipGradNorm([a, b], 13.5)).toBe(13);
    expect(Array.from(a.grad!.data)).toEqual([3, -4]);
    expect(Array.from(b.grad!.data)).toEqual([12]);
  });

  it('other norms: 1-norm 19, ∞-norm 12', () => {
    let [a, b] = withGrads();
    expect(nb.optim.clipGradNorm([a, b], 1, 1)).toBe(19);
    expectClose(b.grad!, [12 / (19 + 1e-6)], { atol: 1e-15, rtol: 0 });
    [a, b] = withGrads();
    expect(nb.optim.clipGradNorm([a, b], 6, Infinity)).toBe(12);
    expectClose(a.grad!, [(3 * 6) / (12 + 1e-6), (-4 * 6) / (12 + 1e-6)], { atol: 1e-15, rtol: 0 });
  });

  it('skips parameters without gradients and does not scale a shared gradient twice', () => {
    const none = f64([1, 2], true);
    expect(nb.optim.clipGradNorm([none], 1)).toBe(0);
    expect(none.grad).toBeNull();
    // (x + y).sum(): the gradients of x and y may share storage; each must be scaled once.
    const x = f64([1, 2], true);
    const y = f64([3, 4], true);
    x.add(y).sum().backward();
    // N = √4 = 2; maxNorm 1 → each gradient element 1·1/(2 + 1e-6)
    expect(nb.optim.clipGradNorm([x, y], 1)).toBe(2);
    expectClose(x.grad!, [1 / (2 + 1e-6), 1 / (2 + 1e-6)], { atol: 1e-15, rtol: 0 });
    expectClose(y.grad!, [1 / (2 + 1e-6), 1 / (2 + 1e-6)], { atol: 1e-15, rtol: 0 });
  });

  it('clips a gradient kept by zeroGrad({ setToNone: false }) in place, once, with the same values', () => {
    // Two parameters whose gradients add's backward would share: kept ones have storage of their own.
    const x = f64([1, 2], true);
    const y = f64([3, 4], true);
    const opt = new nb.optim.SGD([x, y], { lr: 0.1 });
    x.add(y).sum().backward();
    opt.zeroGrad({ setToNone: false });
    const [gx, gy] = [x.grad!, y.grad!];
    x.add(y).mul(nb.tensor([3, 4], { dtype: 'float64' })).sum().backward(); // gradients [3, 4] each
    // N = √(9 + 16 + 9 + 16) = √50; maxNorm 1
    expect(nb.optim.clipGradNorm([x, y], 1)).toBeCloseTo(Math.sqrt(50), 12);
    const c = 1 / (Math.sqrt(50) + 1e-6);
    expect(x.grad).toBe(gx);
    expect(y.grad).toBe(gy);
    expectClose(x.grad!, [3 * c, 4 * c], { atol: 1e-15, rtol: 0 });
    expectClose(y.grad!, [3 * c, 4 * c], { atol: 1e-15, rtol: 0 });
    nb.optim.clipGradValue([x], 0.5);
    expect(x.grad).toBe(gx);
    expectClose(x.grad!, [3 * c, 0.5], { atol: 1e-15, rtol: 0 });
    expectClose(y.grad!, [3 * c, 4 * c], { atol: 1e-15, rtol: 0 });
  });

  it('keeps the gradient dtype (float32)', () => {
    const p = nb.zeros([2], { requiresGrad: true });
    p.grad = nb.tensor([3, 4]);
    expect(nb.optim.clipGradNorm(p, 1)).toBe(5);
    expect(p.grad.dtype).toBe('float32');
    expectClose(p.grad, [0.6, 0.8], { atol: 1e-6, rtol: 0 });
  });

  it('non-finite norms: NaN spreads as in PyTorch, or errorIfNonfinite throws', () => {
    const p = f64([0, 0], true);
    p.grad = f64([NaN, 1]);
    expect(() => nb.optim.clipGradNorm([p], 1, 2, { errorIfNonfinite: true })).toThrow(/clipGradNorm: the total gradient norm is NaN/);
    expect(nb.optim.clipGradNorm([p], 1)).toBeNaN();
    expect(Number.isNaN(p.grad.data[1])).toBe(true);
    expect(() => nb.optim.clipGradNorm([p], -1)).toThrow(/clipGradNorm: invalid maxNorm -1/);
    expect(() => nb.optim.clipGradNorm([p], 1, 0)).toThrow(/clipGradNorm: invalid normType 0/);
  });

  it('clipGradValue clamps each element into [−c, c]', () => {
    const [a, b] = withGrads();
    nb.optim.clipGradValue([a, b], 3.5);
    expect(Array.from(a.grad!.data)).toEqual([3, -3.5]);
    expect(Array.from(b.grad!.data)).toEqual([3.5]);
    expect(() => nb.optim.clipGradValue([a], -1)).toThrow(/clipGradValue: invalid clipValue -1/);
  });
});
