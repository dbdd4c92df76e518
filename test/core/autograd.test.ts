import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { expectError, values } from './util.js';

describe.each(backends)('backward on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('a scalar needs no gradient argument; a non-scalar takes one (vector-Jacobian product)', () => {
    const x = f64([1, 2, 3], true);
    x.square().sum().backward();
    expectClose(x.grad!, [2, 4, 6]);
    const y = f64([1, 2, 3], true);
    y.square().backward(f64([1, 0.5, -1]));
    expectClose(y.grad!, [2, 2, -6]);
    // A float32 gradient for a float64 output is converted.
    const z = f64([1, 2], true);
    z.mul(3).backward(nb.tensor([1, 1]));
    expectClose(z.grad!, [3, 3]);
    expect(z.grad!.dtype).toBe('float64');
  });

  it('gradients accumulate in .grad until zeroed', () => {
    const x = f64([1, -2], true);
    const loss = (): nb.Tensor => x.mul(f64([3, 4])).sum();
    loss().backward();
    loss().backward();
    expectClose(x.grad!, [6, 8]);
    x.zeroGrad();
    expect(x.grad).toBeNull();
    loss().backward();
    expectClose(x.grad!, [3, 4]);
    // The same graph can be walked twice: nothing is freed after backward.
    const y = x.square().sum();
    x.zeroGrad();
    y.backward();
    y.backward();
    expectClose(x.grad!, [4, -8]);
  });

  it('several paths into one tensor add up', () => {
    const x = f64([3], true);
    x.mul(x).add(x.mul(5)).sum().backward(); // d(x² + 5x) = 2x + 5
    expectClose(x.grad!, [11]);
    const a = f64([2], true);
    const q = a.exp();
    q.mul(q).add(q).sum().backward(); // d(e^{2a} + e^a) = 2e^{2a} + e^a
    expectClose(a.grad!, [2 * Math.exp(4) + Math.exp(2)], { rtol: 1e-14 });
  });

  it('only leaves get .grad; non-leaf tensors are marked', () => {
    const x = f64([1, 2], true);
    const h = x.mul(2);
    expect(x.isLeaf).toBe(true);
    expect(h.isLeaf).toBe(false);
    expect(h.requiresGrad).toBe(true);
    h.sum().backward();
    expect(h.grad).toBeNull();
    expectClose(x.grad!, [2, 2]);
  });

  it('ops on tensors without requiresGrad record nothing', () => {
    const y = f64([1, 2]).exp().sum();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradNode).toBeNull();
    expectError(() => y.backward(), nb.ValueError, 'backward', 'does not require gradients');
  });

  it('broadcast gradients are summed back to each input shape', () => {
    const x = f64([[1, 2, 3], [4, 5, 6]], true);
    const b = f64([10, 20, 30], true);
    const s = f64([[2], [3]], true);
    x.add(b).mul(s).sum().backward();
    expectClose(x.grad!, [[2, 2, 2], [3, 3, 3]]);
    expectClose(b.grad!, [5, 5, 5]);
    expectClose(s.grad!, [[66], [75]]); // Σ (x + b) per row: 11+22+33, 14+25+36
    const c = f64(2, true);
    c.mul(f64([1, 2, 3])).sum().backward();
    expect(c.grad!.shape).toEqual([]);
    expectClose(c.grad!, 6);
  });

  it('noGrad records nothing and restores the mode, also after an exception', () => {
    const x = f64([1, 2], true);
    const y = nb.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradNode).toBeNull();
    expect(nb.isGradEnabled()).toBe(true);
    nb.noGrad(() => {
      expect(nb.isGradEnabled()).toBe(false);
      expect(nb.enableGrad(() => x.mul(2)).requiresGrad).toBe(true);
      expect(nb.isGradEnabled()).toBe(false);
    });
    expect(() => nb.noGrad(() => { throw new Error('boom'); })).toThrow('boom');
    expect(nb.isGradEnabled()).toBe(true);
  });

  it('detach cuts the graph', () => {
    const x = f64([3], true);
    x.mul(x.detach()).sum().backward(); // only one factor is a variable
    expectClose(x.grad!, [3]);
    expect(x.detach().requiresGrad).toBe(false);
  });

  it('a long chain does not overflow the stack', () => {
    const x = f64([1], true);
    let y = x;
    for (let i = 0; i < 20_000; i++) y = y.add(1);
    y.sum().backward();
    expectClose(x.grad!, [1]);
  });

  it('backward errors: non-scalar without gradient, wrong gradient shape', () => {
    const x = f64([1, 2], true);
    expectError(() => x.mul(2).backward(), nb.ShapeError, 'backward', '[2]');
    expectError(() => x.mul(2).backward(f64([1, 2, 3])), nb.ShapeError, 'backward', '[3]', '[2]');
  });
});

describe.each(backends)('higher-order gradients on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('backward with createGraph gives a differentiable .grad', () => {
    const x = f64([2, -1], true);
    x.pow(3).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    expectClose(g, [12, 3]); // 3x²
    expect(g.requiresGrad).toBe(true);
    x.zeroGrad();
    g.sum().backward();
    expectClose(x.grad!, [12, -6]); // 6x
  });

  it('grad(fn, inputs): values, untouched .grad, zeros for unused inputs', () => {
    const x = f64([1, 2], true);
    const y = f64([3, 4]);
    const unused = f64([5]);
    const [gx, gy, gu] = nb.grad((a, b) => a.mul(b).sum(), [x, y, unused]);
    expectClose(gx, [3, 4]);
    expectClose(gy, [1, 2]);
    expectClose(gu, [0]);
    expect(x.grad).toBeNull();
    expect(gx.requiresGrad).toBe(false);
    expectError(() => nb.grad((a) => a.mul(2), [x]), nb.ShapeError, 'grad', '[2]');
    expectError(() => nb.grad((a) => a.sum(), [nb.tensor([1], { dtype: 'int32' })]), nb.DTypeError, 'int32');
  });

  it('grad of grad: d²/dx² sin = −sin, d²/dx² of x·eˣ = (x + 2)eˣ', () => {
    const x = f64([0.3, 1.2]);
    const d2 = nb.grad((v) => nb.grad((u) => u.sin().sum(), [v], { createGraph: true })[0].sum(), [x])[0];
    expectClose(d2, [-Math.sin(0.3), -Math.sin(1.2)], { atol: 1e-15 });
    const e2 = nb.grad((v) => nb.grad((u) => u.mul(u.exp()).sum(), [v], { createGraph: true })[0].sum(), [x])[0];
    expectClose(e2, [2.3 * Math.exp(0.3), 3.2 * Math.exp(1.2)], { rtol: 1e-14 });
  });

  it('hessian of a small function against its analytic Hessian', () => {
    // f = x0²·x1 + sin(x2)·x0 + x1³
    const f = (x: nb.Tensor): nb.Tensor => {
      const [x0, x1, x2] = [0, 1, 2].map((i) => x.slice([i], [i + 1]));
      return x0.square().mul(x1).add(x2.sin().mul(x0)).add(x1.pow(3)).sum();
    };
    const [a, b, c] = [0.7, -1.3, 0.4];
    const h = nb.hessian(f, f64([a, b, c]));
    expect(h.dtype).toBe('float64');
    expectClose(h, [
      [2 * b, 2 * a, Math.cos(c)],
      [2 * a, 6 * b, 0],
      [Math.cos(c), 0, -a * Math.sin(c)],
    ], { atol: 1e-14 });
  });

  it('hessian of ½xᵀAx + bᵀx is A (symmetric A); of a linear function, zero', () => {
    const A = f64([[2, 1, 0], [1, 3, -1], [0, -1, 4]]);
    const bv = f64([1, -2, 0.5]);
    const q = (x: nb.Tensor): nb.Tensor => x.matmul(A).matmul(x).mul(0.5).add(bv.matmul(x));
    expectClose(nb.hessian(q, f64([0.1, 0.2, 0.3])), A.toArray() as number[][], { atol: 1e-14 });
    expectClose(nb.hessian((x) => x.mul(bv).sum(), f64([1, 2, 3])), [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expectError(() => nb.hessian((x) => x.sum(), f64([[1, 2]])), nb.ShapeError, 'hessian', '[1,2]');
  });

  it('grad-of-grad of tanh/sigmoid/exp/log/matmul chains matches finite differences of the gradient', () => {
    const W = f64(values([3, 2], 8) as nb.NestedNumbers);
    const chain = (x: nb.Tensor): nb.Tensor => x.matmul(W).tanh().sigmoid().exp().add(1).log().sum();
    const x0 = [0.2, -0.4, 0.9];
    // Second derivative through the recorded backward pass: the Hessian rows.
    const hess = nb.hessian(chain, f64(x0));
    // Independent check: central differences of the first gradient, column by column.
    const gradAt = (x: number[]): number[] => Array.from(nb.grad(chain, [f64(x)])[0].dataSync());
    const eps = 1e-5;
    for (let k = 0; k < 3; k++) {
      const plus = gradAt(x0.map((v, i) => (i === k ? v + eps : v)));
      const minus = gradAt(x0.map((v, i) => (i === k ? v - eps : v)));
      const column = plus.map((p, i) => (p - minus[i]) / (2 * eps));
      expectClose(Array.from(hess.dataSync()).filter((_, idx) => idx % 3 === k), column, { atol: 1e-8, rtol: 1e-6 });
    }
    expect(nb.gradgradcheck((x, w) => x.matmul(w).tanh().sigmoid().exp().log(), [f64([[0.2, -0.4, 0.9]]), W])).toBe(true);
  });
});

describe.each(backends)('gradcheck itself on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('passes a correct gradient and fails a wrong one, naming the element', () => {
    expect(nb.gradcheck((x) => x.mul(x), [f64([1, 2])])).toBe(true);
    // Detaching one factor makes autograd's answer x instead of 2x: gradcheck must notice.
    expectError(() => nb.gradcheck((x) => x.mul(x.detach()), [f64([1, 2])]), nb.ValueError, 'gradcheck', 'input 0');
    expectError(() => nb.gradgradcheck((x) => x.mul(x.detach()).square(), [f64([1, 2])]), nb.ValueError, 'gradcheck');
  });

  it('handles several outputs, ops that return views, and refuses float32', () => {
    expect(nb.gradcheck((x) => [x.exp(), x.reshape([2, 1])], [f64([0.1, 0.2])])).toBe(true);
    expectError(() => nb.gradcheck((x) => x.exp(), [nb.tensor([1])]), nb.DTypeError, 'gradcheck', 'float64');
  });
});
