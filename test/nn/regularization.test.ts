import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const nn = nb.nn;

function model(): nb.nn.Sequential {
  const l1 = new nn.Linear(2, 2, { dtype: 'float64' });
  const l2 = new nn.Linear(2, 1, { dtype: 'float64' });
  l1.weight.assign(f64([[1, -2], [3, 0.5]]));
  l1.bias!.assign(f64([4, -1]));
  l2.weight.assign(f64([[-1, 2]]));
  l2.bias!.assign(f64([10]));
  return new nn.Sequential(l1, new nn.Tanh(), l2);
}

describe.each(backends)('regularisation on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('l2Penalty is the notes\' λ/(2m)·Σθ² over the weights, biases only if asked', () => {
    const m = model();
    const sumW2 = 1 + 4 + 9 + 0.25 + 1 + 4;
    expectClose(nn.l2Penalty(m, { lambda: 0.5, m: 4 }), (0.5 / 8) * sumW2, { atol: 1e-15 });
    expectClose(nn.l2Penalty(m, { lambda: 0.5, m: 4, includeBias: true }), (0.5 / 8) * (sumW2 + 16 + 1 + 100), { atol: 1e-15 });
    expectClose(nn.l2Penalty(m, { lambda: 2 }), sumW2, { atol: 1e-15 });
  });

  it('its gradient is (λ/m)·θ on weights and nothing on biases', () => {
    const m = model();
    nn.l2Penalty(m, { lambda: 0.3, m: 3 }).backward();
    const [l1, , l2] = m.children() as nb.nn.Linear[];
    expectClose(l1.weight.grad!, [[0.1, -0.2], [0.3, 0.05]], { atol: 1e-15 });
    expectClose(l2.weight.grad!, [[-0.1, 0.2]], { atol: 1e-15 });
    expect(l1.bias!.grad).toBeNull();
    expect(nb.gradcheck((w) => nn.l2Penalty([w], { lambda: 0.7, m: 5 }), [f64([[1, -2], [0.5, 3]])])).toBe(true);
  });

  it('l1Penalty is (λ/m)·Σ|θ|, gradient (λ/m)·sign θ', () => {
    const m = model();
    expectClose(nn.l1Penalty(m, { lambda: 0.5, m: 4 }), (0.5 / 4) * (1 + 2 + 3 + 0.5 + 1 + 2), { atol: 1e-15 });
    expectClose(nn.l1Penalty(m, { lambda: 1, includeBias: true }), 9.5 + 4 + 1 + 10, { atol: 1e-15 });
    const w = f64([[1, -2], [0.5, -3]], true);
    nn.l1Penalty([w], { lambda: 2, m: 4 }).backward();
    expectClose(w.grad!, [[0.5, -0.5], [0.5, -0.5]], { atol: 1e-15 });
  });

  it('adds to a cost and changes the gradient by exactly (λ/m)·θ', () => {
    const m = model();
    const x = f64([[0.5, -1], [2, 0.1], [1, 1]]);
    const y = f64([[1], [0], [2]]);
    const [l1] = m.children() as nb.nn.Linear[];
    nn.functional.mseLoss(m.forward(x), y).backward();
    const plain = l1.weight.grad!.dataSync();
    m.zeroGrad();
    nn.functional.mseLoss(m.forward(x), y).add(nn.l2Penalty(m, { lambda: 0.9, m: 3 })).backward();
    const theta = l1.weight.dataSync();
    expectClose(l1.weight.grad!.reshape([4]), Array.from(plain).map((g, i) => g + 0.3 * theta[i]), { atol: 1e-14 });
  });

  it('rejects a bad lambda or m', () => {
    const m = model();
    expect(() => nn.l2Penalty(m, { lambda: -1 })).toThrow('l2Penalty: lambda must be a finite number ≥ 0, got -1');
    expect(() => nn.l1Penalty(m, { lambda: 1, m: 0 })).toThrow(/l1Penalty: m \(the number of examples\) must be positive, got 0/);
    expect(() => nn.l2Penalty(m, {} as nb.nn.PenaltyOptions)).toThrow(/lambda must be a finite number/);
  });
});
