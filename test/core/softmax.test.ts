import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers.js';
import { checkOp, expectError, refReduce, toNested, values, type Ref } from './util.js';

/** Softmax along one axis in plain JS, stabilised by the maximum like any careful implementation. */
function refSoftmax(x: Ref, axis: number, log: boolean): Ref {
  const nd = x.shape.length;
  const a = axis < 0 ? axis + nd : axis;
  const inner = x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const len = x.shape[a];
  const data = [...x.data];
  for (let base = 0; base < x.data.length; base++) {
    if (Math.floor(base / inner) % len !== 0) continue; // first element of each slice only
    const idx = Array.from({ length: len }, (_, j) => base + j * inner);
    const m = Math.max(...idx.map((i) => x.data[i]));
    const z = idx.reduce((s, i) => s + Math.exp(x.data[i] - m), 0);
    for (const i of idx) data[i] = log ? x.data[i] - m - Math.log(z) : Math.exp(x.data[i] - m) / z;
  }
  return { shape: [...x.shape], data };
}

describe.each(backends)('softmax and logSoftmax on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));
  const x = values([2, 3, 2], 41, -3, 3);

  it.each([-1, 0, 1, 2])('softmax over axis %i', (axis) => {
    checkOp({ inputs: [x], fn: (t) => t.softmax(axis), expected: (r) => refSoftmax(r, axis, false), gradgrad: true });
  });

  it.each([-1, 0, 1])('logSoftmax over axis %i', (axis) => {
    checkOp({ inputs: [x], fn: (t) => t.logSoftmax(axis), expected: (r) => refSoftmax(r, axis, true), gradgrad: true });
  });

  it('hand values of softmax([1, 2, 3]) and logSoftmax([1, 2, 3])', () => {
    expectClose(f64([1, 2, 3]).softmax(), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219], { atol: 1e-15 });
    expectClose(f64([1, 2, 3]).logSoftmax(), [-2.4076059644443806, -1.4076059644443806, -0.4076059644443806], { atol: 1e-15 });
    expectClose(f64([[0, 0], [0, Math.log(3)]]).softmax(1), [[0.5, 0.5], [0.25, 0.75]], { atol: 1e-15 });
  });

  it('rows sum to one and a constant shift changes nothing', () => {
    const t = f64(values([3, 4], 2, -5, 5) as nb.NestedNumbers);
    const s = t.softmax(-1);
    expectClose(refReduce({ shape: [3, 4], data: Array.from(s.dataSync()) }, 1, false, (v) => v.reduce((p, q) => p + q, 0)).data, [1, 1, 1], { atol: 1e-15 });
    expectClose(t.add(1000).softmax(-1), s, { atol: 1e-12 });
  });

  it('stable at ±1e4 in float32 and float64: no NaN, exact limits', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const big = nb.tensor([1e4, 0, -1e4], { dtype });
      expectClose(big.softmax(), [1, 0, 0]);
      expectClose(big.logSoftmax(), [0, -1e4, -2e4]);
      expectClose(nb.tensor([1e4, 1e4], { dtype }).softmax(), [0.5, 0.5]);
      expectClose(nb.tensor([-1e4, -1e4], { dtype }).logSoftmax(), [-Math.LN2, -Math.LN2]);
      // Near −1e4 float32 holds ~3 decimals, so the expected odds come from the stored inputs.
      const pair = nb.tensor([[-1e4, -1e4 + Math.log(3)]], { dtype });
      const odds = Math.exp(pair.dataSync()[1] - pair.dataSync()[0]);
      expectClose(pair.softmax(1), [[1 / (1 + odds), odds / (1 + odds)]]);
      if (dtype === 'float64') expectClose(pair.softmax(1), [[0.25, 0.75]], { atol: 1e-12 });
    }
    const t = f64([1e4, 0, -1e4], true);
    t.logSoftmax().sum().backward();
    expectClose(t.grad!, [-2, 1, 1]); // 1 − 3·softmax
    expect(Array.from(t.grad!.dataSync()).some(Number.isNaN)).toBe(false);
  });

  it('softmax gradient by hand: Jacobian diag(s) − s·sᵀ', () => {
    const t = f64([1, 2, 3], true);
    const w = f64([1, 0, 0]);
    t.softmax().mul(w).sum().backward();
    const s = toNested(refSoftmax({ shape: [3], data: [1, 2, 3] }, 0, false)) as number[];
    expectClose(t.grad!, [s[0] - s[0] * s[0], -s[0] * s[1], -s[0] * s[2]], { atol: 1e-15 });
  });

  it('int32 input and bad axes are refused', () => {
    expectError(() => nb.tensor([1, 2], { dtype: 'int32' }).softmax(), nb.DTypeError, 'softmax', 'int32');
    expectError(() => nb.tensor([1, 2], { dtype: 'int32' }).logSoftmax(), nb.DTypeError, 'logSoftmax');
    expectError(() => f64([[1, 2]]).softmax(2), nb.ValueError, 'softmax', 'axis 2');
    expectError(() => f64([[1, 2]]).logSoftmax(-3), nb.ValueError, 'logSoftmax', 'axis -3');
  });
});
