import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const F = nb.nn.functional;

// Reference values from mpmath at 40 significant digits, rounded to float64.
const ERF: [number, number][] = [
  [-3, -0.9999779095030014], [-1.5, -0.9661051464753108], [-0.7, -0.6778011938374184], [-0.5, -0.5204998778130465],
  [-0.3, -0.3286267594591274], [0, 0], [1e-8, 1.1283791670955126e-8], [0.2, 0.22270258921047847],
  [0.49999, 0.5204910899433182], [0.5, 0.5204998778130465], [0.9, 0.7969082124228322], [2, 0.9953222650189527],
  [4, 0.9999999845827421], [6, 1],
];
const ERFC: [number, number][] = [
  [-2, 1.9953222650189528], [0.1, 0.887537083981715], [0.5, 0.4795001221869535], [1, 0.15729920705028513],
  [3, 2.209049699858544e-5], [5, 1.537459794428035e-12], [10, 2.088487583762545e-45], [20, 5.395865611607901e-176],
  [26, 5.663192408856143e-296],
];

describe.each(backends)('erf and erfc on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('erf matches mpmath to ~1e-15 relative on both sides of the series/tail split', () => {
    expectClose(F.erf(f64(ERF.map(([x]) => x))), ERF.map(([, v]) => v), { atol: 1e-300, rtol: 2e-15 });
  });

  it('erfc keeps full relative accuracy deep in the tail', () => {
    expectClose(F.erfc(f64(ERFC.map(([x]) => x))), ERFC.map(([, v]) => v), { atol: 0, rtol: 5e-15 });
    expectClose(F.erfc(f64([40, -40, Infinity])), [0, 2, 0], { atol: 0, rtol: 0 });
  });

  it('each branch alone and mixed give the same values', () => {
    const small = [-0.4, 0.1, 0.3];
    const large = [-2, 0.7, 3];
    const mixed = F.erf(f64([...small, ...large]));
    expectClose(mixed, [...F.erf(f64(small)).toArray() as number[], ...F.erf(f64(large)).toArray() as number[]], { atol: 0, rtol: 0 });
  });

  it('derivative is 2/√π·e^{−x²}, through both branches', () => {
    const xs = [-2.5, -0.6, -0.2, 0, 0.3, 0.55, 1.7];
    const x = f64(xs, true);
    F.erf(x).sum().backward();
    expectClose(x.grad!, xs.map((v) => (2 / Math.sqrt(Math.PI)) * Math.exp(-v * v)), { atol: 1e-16, rtol: 1e-14 });
    expect(nb.gradcheck((t) => F.erfc(t), [f64(xs)])).toBe(true);
  });

  it('normalCdf is Φ; float32 works to float32 precision', () => {
    expectClose(F.normalCdf(f64([-1, 0, 1.5])), [0.15865525393145705, 0.5, 0.9331927987311419], { atol: 0, rtol: 1e-14 });
    expectClose(F.erf(nb.tensor([-1.5, 0.2, 4])), [-0.9661051464753108, 0.22270258921047847, 0.9999999845827421], { rtol: 1e-6 });
  });

  it('empty tensors pass through', () => {
    expect(F.erf(nb.zeros([0, 3], { dtype: 'float64' })).shape).toEqual([0, 3]);
    expect(F.erfc(nb.zeros([0]))).toBeInstanceOf(nb.Tensor);
    expect(F.gelu(nb.zeros([2, 0])).shape).toEqual([2, 0]);
  });

  it('rejects int32', () => {
    expect(() => F.erf(nb.tensor([1], { dtype: 'int32' }))).toThrow(/erf: input must be float32 or float64/);
  });
});
