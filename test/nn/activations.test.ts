import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose, f64 } from '../helpers';

const F = nb.nn.functional;
const Z = [-2, -0.5, 0, 0.5, 2];

/** The notes' table evaluated by hand (or from the closed forms with Math) at Z. */
const TABLE: [string, (z: nb.Tensor) => nb.Tensor, number[]][] = [
  ['identity', F.identity, [-2, -0.5, 0, 0.5, 2]],
  ['step (0.5 at 0)', F.step, [0, 0, 0.5, 1, 1]],
  ['sign (0 at 0)', F.sign, [-1, -1, 0, 1, 1]],
  ['piecewiseLinear', F.piecewiseLinear, [0, 0, 0.5, 1, 1]],
  ['sigmoid', F.sigmoid, [0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546, 0.8807970779778823]],
  ['tanh', F.tanh, [-0.9640275800758169, -0.46211715726000974, 0, 0.46211715726000974, 0.9640275800758169]],
  ['relu', F.relu, [0, 0, 0, 0.5, 2]],
  ['softplus', F.softplus, [0.1269280110429725, 0.4740769841801067, 0.6931471805599453, 0.9740769841801067, 2.1269280110429727]],
  ['leakyRelu ε=0.01', (z) => F.leakyRelu(z), [-0.02, -0.005, 0, 0.5, 2]],
  ['leakyRelu ε=0.2', (z) => F.leakyRelu(z, 0.2), [-0.4, -0.1, 0, 0.5, 2]],
  ['elu', (z) => F.elu(z), [-0.8646647167633873, -0.3934693402873666, 0, 0.5, 2]],
  ['elu α=2', (z) => F.elu(z, 2), [-1.7293294335267746, -0.7869386805747332, 0, 0.5, 2]],
  ['silu', F.silu, [-0.2384058440442351, -0.1887703343990727, 0, 0.3112296656009273, 1.7615941559557646]],
  ['gelu (exact, mpmath)', (z) => F.gelu(z), [-0.04550026389635842, -0.15426876936299344, 0, 0.34573123063700656, 1.9544997361036416]],
  ['gelu tanh', (z) => F.gelu(z, 'tanh'), [-0.04540230591222494, -0.15428599017485606, 0, 0.34571400982514394, 1.954597694087775]],
];

describe.each(backends)('activations on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it.each(TABLE)('%s matches the hand values at z ∈ {−2, −0.5, 0, 0.5, 2}', (_name, fn, expected) => {
    expectClose(fn(f64(Z)), expected, { atol: 1e-15, rtol: 1e-14 });
    expectClose(fn(nb.tensor(Z)), expected, { atol: 1e-6, rtol: 1e-6 });
  });

  it('piecewiseLinear is z + ½ on the middle interval', () => {
    expectClose(F.piecewiseLinear(f64([-0.25, 0.25, -0.6, 0.7])), [0.25, 0.75, 0, 1]);
  });

  it('the notes leaky ReLU formula εz + (1 − ε)max(0, z) holds for any ε', () => {
    const z = f64([-3, -1, 0, 1, 3]);
    for (const eps of [0, 0.01, 0.3, 1]) {
      const expected = [-3, -1, 0, 1, 3].map((v) => eps * v + (1 - eps) * Math.max(0, v));
      expectClose(F.leakyRelu(z, eps), expected, { atol: 1e-15 });
    }
  });

  it('softmax and logSoftmax agree with a direct computation and sum to 1', () => {
    const rows = [[1, 2, 3], [-1, 0, 5]];
    const reference = rows.map((r) => {
      const e = r.map(Math.exp);
      const s = e.reduce((a, b) => a + b);
      return e.map((v) => v / s);
    });
    expectClose(F.softmax(f64(rows)), reference, { atol: 1e-15 });
    expectClose(F.logSoftmax(f64(rows)), reference.map((r) => r.map(Math.log)), { atol: 1e-14 });
    expectClose(F.softmax(f64(rows), 0).sum(0), [1, 1, 1], { atol: 1e-15 });
  });

  it('softplus is stable: no overflow at z = 1000, no lost digits at z = −30', () => {
    expectClose(F.softplus(f64([1000, -1000, -30])), [1000, 0, 9.357622968839737e-14], { atol: 0, rtol: 1e-14 });
    expectClose(F.softplus(nb.tensor([1000, -1000])), [1000, 0], { atol: 0, rtol: 1e-6 });
    // beta: (1/β)·log(1 + e^{βz})
    expectClose(F.softplus(f64([1, -2]), 3), [Math.log1p(Math.exp(3)) / 3, Math.log1p(Math.exp(-6)) / 3], { atol: 1e-15 });
  });

  it('sigmoid, tanh, elu and gelu stay finite for huge inputs', () => {
    const z = f64([-1e4, 1e4]);
    expectClose(F.sigmoid(z), [0, 1]);
    expectClose(F.tanh(z), [-1, 1]);
    expectClose(F.elu(z), [-1, 1e4]);
    expectClose(F.gelu(z), [0, 1e4]);
    expectClose(F.silu(z), [0, 1e4]);
  });

  it('gelu keeps relative accuracy in the far negative tail (mpmath values)', () => {
    expectClose(F.gelu(f64([-10, -5, -3, -1])), [-7.619853024160526e-23, -1.4332578593959695e-6, -0.0040496940948902835, -0.15865525393145705], { atol: 0, rtol: 1e-13 });
  });

  it('gelu gradient equals Φ(z) + z·φ(z) (mpmath values)', () => {
    const z = f64([-5, -1, -0.5, 0, 0.5, 1, 3], true);
    F.gelu(z).sum().backward();
    expectClose(z.grad!, [-7.146946001792295e-6, -0.0833154705876863, 0.13250487534383715, 0.5, 0.8674951246561629, 1.0833154705876864, 1.011945647204184], { atol: 1e-15, rtol: 1e-13 });
  });

  it('step and sign have zero gradient; relu, leakyRelu and elu take PyTorch values at 0', () => {
    const z = f64([-1, 0, 2], true);
    F.step(z).add(F.sign(z)).sum().backward();
    expectClose(z.grad!, [0, 0, 0]);
    const r = f64([0], true);
    F.relu(r).backward();
    expectClose(r.grad!, [0]);
    const l = f64([0], true);
    F.leakyRelu(l, 0.1).sum().backward();
    expectClose(l.grad!, [0.1]);
    const e = f64([0], true);
    F.elu(e, 2).sum().backward();
    expectClose(e.grad!, [2]);
    const s = f64([0], true);
    F.softplus(s).sum().backward();
    expectClose(s.grad!, [0.5]);
  });

  it('gradcheck: every differentiable activation (away from kinks)', () => {
    const z = f64([-2.1, -0.7, -0.2, 0.3, 1.1, 2.4]);
    const fns: ((t: nb.Tensor) => nb.Tensor)[] = [
      F.identity, F.piecewiseLinear, F.sigmoid, F.tanh, F.relu, (t) => F.softplus(t), (t) => F.softplus(t, 2.5),
      (t) => F.leakyRelu(t, 0.05), (t) => F.elu(t, 1.5), (t) => F.gelu(t), (t) => F.gelu(t, 'tanh'), F.silu,
      (t) => F.softmax(t.reshape([2, 3]), 1), (t) => F.logSoftmax(t.reshape([2, 3]), 0),
    ];
    for (const fn of fns) expect(nb.gradcheck(fn, [z])).toBe(true);
    // At 0 the smooth ones are differentiable too.
    const zero = f64([0, 0.5, -0.5]);
    for (const fn of [F.sigmoid, F.tanh, (t: nb.Tensor) => F.softplus(t), (t: nb.Tensor) => F.gelu(t), F.silu, (t: nb.Tensor) => F.elu(t)]) {
      expect(nb.gradcheck(fn, [zero])).toBe(true);
    }
  });

  it('second derivatives of the smooth activations (gradgradcheck)', () => {
    const z = f64([-1.3, -0.4, 0.6, 1.7]);
    for (const fn of [F.sigmoid, F.tanh, (t: nb.Tensor) => F.softplus(t), (t: nb.Tensor) => F.gelu(t), F.silu]) {
      expect(nb.gradgradcheck(fn, [z])).toBe(true);
    }
  });

  it('modules wrap the functions and carry their options', () => {
    const z = f64(Z);
    const pairs: [nb.nn.Module, nb.Tensor][] = [
      [new nb.nn.Identity(), F.identity(z)], [new nb.nn.Step(), F.step(z)], [new nb.nn.Sign(), F.sign(z)],
      [new nb.nn.PiecewiseLinear(), F.piecewiseLinear(z)], [new nb.nn.Sigmoid(), F.sigmoid(z)], [new nb.nn.Tanh(), F.tanh(z)],
      [new nb.nn.ReLU(), F.relu(z)], [new nb.nn.Softplus(2), F.softplus(z, 2)], [new nb.nn.LeakyReLU(0.3), F.leakyRelu(z, 0.3)],
      [new nb.nn.ELU(0.5), F.elu(z, 0.5)], [new nb.nn.GELU('tanh'), F.gelu(z, 'tanh')], [new nb.nn.SiLU(), F.silu(z)],
      [new nb.nn.Softmax(0), F.softmax(z, 0)], [new nb.nn.LogSoftmax(), F.logSoftmax(z)],
    ];
    for (const [m, expected] of pairs) {
      expectClose(m.forward(z), expected, { atol: 0, rtol: 0 });
      const rebuilt = nb.nn.moduleFromConfig(JSON.parse(JSON.stringify(m.config())));
      expect(rebuilt.typeName).toBe(m.typeName);
      expectClose(rebuilt.forward(z), expected, { atol: 0, rtol: 0 });
      expect(m.numParameters()).toBe(0);
    }
    expect(new nb.nn.LeakyReLU(0.3).describe()).toBe('LeakyReLU(negativeSlope=0.3)');
    expect(new nb.nn.ReLU().describe()).toBe('ReLU()');
  });

  it('activation(name) builds modules from forgiving names', () => {
    expect(nb.nn.activation('relu')).toBeInstanceOf(nb.nn.ReLU);
    expect(nb.nn.activation('Leaky_ReLU')).toBeInstanceOf(nb.nn.LeakyReLU);
    expect(nb.nn.activation('soft ReLU')).toBeInstanceOf(nb.nn.Softplus);
    expect(nb.nn.activation('heaviside')).toBeInstanceOf(nb.nn.Step);
    expect(nb.nn.activation('linear')).toBeInstanceOf(nb.nn.Identity);
    expect(nb.nn.activation('piecewise-linear')).toBeInstanceOf(nb.nn.PiecewiseLinear);
    expect((nb.nn.activation('gelu_tanh') as nb.nn.GELU).approximate).toBe('tanh');
    for (const name of nb.nn.ACTIVATION_NAMES) expect(nb.nn.activation(name)).toBeInstanceOf(nb.nn.Module);
    expect(() => nb.nn.activation('relu6')).toThrow(/unknown activation "relu6" \(known: identity, linear/);
    expect(() => nb.nn.activation('toString')).toThrow(nb.ValueError);
  });

  it('rejects bad input with named errors', () => {
    expect(() => F.relu(nb.tensor([1, 2], { dtype: 'int32' }))).toThrow(/relu: input must be float32 or float64, got int32/);
    expect(() => F.gelu(f64([1]), 'fast' as nb.nn.functional.GeluApproximation)).toThrow(/gelu: approximate must be 'none' or 'tanh'/);
    expect(() => F.softplus(f64([1]), 0)).toThrow(/softplus: beta must be positive/);
    expect(() => new nb.nn.GELU('x' as 'none')).toThrow(nb.ValueError);
    expect(() => F.leakyRelu(f64([1]), NaN)).toThrow(/leakyRelu: negativeSlope must be a finite number/);
  });
});
