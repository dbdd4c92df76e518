/**
 * The worked examples of the course notes, built from tensor ops and `backward`, exactly as
 * the notes compute them by hand (003: computational graph and the 2-2-2 network; 004: the
 * J = 3(a+bc) and shared-variable graphs and the 2-3-1 network).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';

const scalar = (v: number): nb.Tensor => f64(v, true);
const near = { atol: 1e-8, rtol: 0 };

describe.each(backends)('computational-graph examples of the notes on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('003: f = (x + y)·z at x = 2, y = 5, z = −4', () => {
    const [x, y, z] = [scalar(2), scalar(5), scalar(-4)];
    const q = x.add(y);
    const f = q.mul(z);
    expect(f.item()).toBe(-28);
    f.backward();
    expect(x.grad!.item()).toBe(-4); // ∂f/∂q·∂q/∂x = z
    expect(y.grad!.item()).toBe(-4);
    expect(z.grad!.item()).toBe(7); // q = x + y
  });

  it('004: J = 3(a + bc) gives (3, 3c, 3b)', () => {
    const [a, b, c] = [scalar(5), scalar(3), scalar(2)];
    const u = b.mul(c);
    const v = a.add(u);
    const J = v.mul(3);
    expect(J.item()).toBe(33);
    J.backward();
    expect(a.grad!.item()).toBe(3);
    expect(b.grad!.item()).toBe(3 * 2);
    expect(c.grad!.item()).toBe(3 * 3);
  });

  it('004: f = (a + b)c + (a + b)d: the shared variable a + b collects both paths', () => {
    const [a, b, c, d] = [scalar(1.5), scalar(-2), scalar(3), scalar(0.25)];
    const u = a.add(b); // used by both products
    const f = u.mul(c).add(u.mul(d));
    f.backward();
    expect(a.grad!.item()).toBe(3 + 0.25); // c + d
    expect(b.grad!.item()).toBe(3 + 0.25);
    expect(c.grad!.item()).toBe(1.5 - 2); // a + b
    expect(d.grad!.item()).toBe(1.5 - 2);
  });
});

describe.each(backends)('003: the 2-2-2 sigmoid network learns one step on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('forward, loss, ∂L/∂w5 and the updated weights to 1e-8', () => {
    // in_h1 = w1·i1 + w2·i2 + b1, in_h2 = w3·i1 + w4·i2 + b1, in_o1 = w5·out_h1 + w6·out_h2 + b2,
    // in_o2 = w7·out_h1 + w8·out_h2 + b2: each row of a weight matrix feeds one neuron ([out, in]).
    const input = f64([0.05, 0.1]);
    const target = f64([0.01, 0.99]);
    const W1 = f64([[0.15, 0.2], [0.25, 0.3]], true); // [[w1, w2], [w3, w4]]
    const W2 = f64([[0.4, 0.45], [0.5, 0.55]], true); // [[w5, w6], [w7, w8]]
    const b1 = f64(0.35, true); // one bias shared by both hidden neurons, as in the notes
    const b2 = f64(0.6, true);
    const lr = 0.5;

    const outH = W1.matmul(input).add(b1).sigmoid();
    expectClose(W1.matmul(input).add(b1), [0.3775, 0.3925], { atol: 1e-15 });
    const outO = W2.matmul(outH).add(b2).sigmoid();
    expectClose(outO, [0.75136507, 0.77292847], near);
    const loss = target.sub(outO).square().mul(0.5).sum();
    expectClose(loss, 0.29837111, near);

    loss.backward();
    expectClose(W2.grad!.slice([0, 0], [1, 1]), [[0.08216704]], near); // ∂L/∂w5
    nb.noGrad(() => {
      for (const w of [W1, W2]) w.assign(w.sub(w.grad!.mul(lr)));
    });
    expectClose(W2, [[0.35891648, 0.40866619], [0.51130127, 0.56137012]], near);
    expectClose(W1, [[0.14978072, 0.19956143], [0.24975114, 0.29950229]], near);
  });
});

describe.each(backends)('004: the 2-3-1 network with binary cross-entropy on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('ŷ, ∂L/∂z2, ∂L/∂W2, ∂L/∂b1 and ∂L/∂W1 to 1e-8', () => {
    const x = f64([0.5, 0.3]);
    const y = f64(1);
    const W1 = f64([[0.2, 0.4], [0.1, 0.3], [0.5, -0.2]], true);
    const b1 = f64([0.1, -0.1, 0.05], true);
    const W2 = f64([0.3, -0.2, 0.4], true);
    const b2 = f64(-0.2, true);

    const z1 = W1.matmul(x).add(b1);
    expectClose(z1, [0.32, 0.04, 0.24], { atol: 1e-15 });
    const A1 = z1.sigmoid();
    const z2 = W2.matmul(A1).add(b2);
    // Split the graph at z2 so its gradient can be read, then continue with backward(gradient).
    const z2Leaf = z2.detach().requiresGrad_(true);
    const yHat = z2Leaf.sigmoid();
    expectClose(yHat, 0.52390252, near);
    const L = y.mul(yHat.log()).add(y.neg().add(1).mul(yHat.neg().add(1).log())).neg();
    L.backward();
    const dz2 = z2Leaf.grad!;
    expectClose(dz2, -0.47609748, near); // ŷ − y
    z2.backward(dz2);

    expectClose(W2.grad!, [-0.27581482, -0.24280908, -0.26647826], near);
    expectClose(b2.grad!, -0.47609748, near);
    expectClose(b1.grad!, [-0.03480858, 0.02379535, -0.0469307], near);
    expectClose(W1.grad!, [[-0.01740429, -0.01044257], [0.01189768, 0.00713861], [-0.02346535, -0.01407921]], near);
  });
});
