import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends } from '../helpers';

/** A small non-quadratic problem over two float32 parameters W [2,3] and v [3]. */
function makeParams(): nb.Tensor[] {
  const w = nb.tensor([[0.5, -0.3, 0.8], [0.1, 0.9, -0.6]], { requiresGrad: true });
  const v = nb.tensor([0.4, -0.7, 0.2], { requiresGrad: true });
  return [w, v];
}

function loss([w, v]: nb.Tensor[]): nb.Tensor {
  const target = nb.tensor([0.3, -0.2]);
  const z = w.matmul(v.reshape([3, 1])).reshape([2]).tanh();
  return z.sub(target).square().sum().add(v.pow(4).sum().mul(0.1)).add(w.square().sum().mul(0.01));
}

type Make = (params: nb.Tensor[]) => nb.optim.Optimizer<nb.optim.BaseOptions>;

const optimizers: [string, Make][] = [
  ['SGD', (p) => new nb.optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['SGD with dampening', (p) => new nb.optim.SGD(p, { lr: 0.1, momentum: 0.8, dampening: 0.2 })],
  ['Adagrad', (p) => new nb.optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ['RMSprop', (p) => new nb.optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adam', (p) => new nb.optim.Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01 })],
  ['AdamW', (p) => new nb.optim.AdamW(p, { lr: 0.05 })],
  ['LBFGS', (p) => new nb.optim.LBFGS(p, { lineSearchFn: 'strongWolfe', maxIter: 3, historySize: 4 })],
  ['Newton', (p) => new nb.optim.Newton(p, { damping: 0.1 })],
];

/** One step the way each kind wants it: a closure that zeroes, computes, back-propagates. */
function step(opt: nb.optim.Optimizer<nb.optim.BaseOptions>, params: nb.Tensor[]): void {
  opt.step(() => {
    opt.zeroGrad();
    const l = loss(params);
    l.backward();
    return l;
  });
}

/** Through JSON, as a serialiser would: Tensors as {dtype, shape, values}. */
function roundTrip(sd: nb.optim.OptimizerStateDict): nb.optim.OptimizerStateDict {
  const text = JSON.stringify(sd, (_k, v: unknown) => (v instanceof nb.Tensor ? { tensor: v.dtype, shape: v.shape, values: Array.from(v.data) } : v));
  return JSON.parse(text, (_k, v: { tensor?: nb.DType; shape: number[]; values: number[] }) => {
    if (v && typeof v === 'object' && v.tensor) {
      const data = v.tensor === 'float64' ? Float64Array.from(v.values) : Float32Array.from(v.values);
      return nb.tensor(data, { shape: v.shape });
    }
    return v;
  }) as nb.optim.OptimizerStateDict;
}

const bits = (ps: nb.Tensor[]): number[][] => ps.map((p) => Array.from(p.dataSync()));

describe.each(backends)('optimizer state save/restore on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it.each(optimizers)('%s resumes bit-identically from a restored state', (_name, make) => {
    // Uninterrupted: 6 steps.
    const ref = makeParams();
    const refOpt = make(ref);
    for (let t = 0; t < 6; t++) step(refOpt, ref);
    // Interrupted after 3: save parameters and optimizer state, go on training the original
    // (the saved dict must not change), then resume in a fresh optimizer over fresh tensors.
    const a = makeParams();
    const optA = make(a);
    for (let t = 0; t < 3; t++) step(optA, a);
    const savedParams = bits(a);
    const saved = optA.stateDict();
    const text = JSON.stringify(roundTrip(saved));
    for (let t = 0; t < 2; t++) step(optA, a);
    expect(JSON.stringify(roundTrip(saved))).toBe(text);

    const b = makeParams();
    b.forEach((p, i) => p.assign(savedParams[i]));
    const optB = make(b);
    optB.loadStateDict(roundTrip(saved));
    for (let t = 0; t < 3; t++) step(optB, b);
    expect(bits(b)).toEqual(bits(ref));
    expect(b[0].dtype).toBe('float32');
  });

  it('restores hyper-parameters (a schedule-changed lr) with the state', () => {
    const p = makeParams();
    const opt = new nb.optim.Adam(p, { lr: 0.05 });
    step(opt, p);
    opt.lr = 0.01;
    const fresh = new nb.optim.Adam(makeParams(), { lr: 0.05 });
    fresh.loadStateDict(opt.stateDict());
    expect(fresh.lr).toBe(0.01);
    const st = fresh.stateDict().state;
    expect(Object.keys(st)).toEqual(['0', '1']);
    expect(st['0'].step).toBe(1);
    expect((st['0'].expAvg as nb.Tensor).shape).toEqual([2, 3]);
  });

  it('refuses state that does not fit, writing nothing', () => {
    const p = makeParams();
    const adam = new nb.optim.Adam(p, { lr: 0.05 });
    step(adam, p);
    const sd = adam.stateDict();
    expect(() => new nb.optim.SGD(makeParams()).loadStateDict(sd)).toThrow(/SGD.loadStateDict: the state was saved by Adam/);
    expect(() => new nb.optim.Adam([makeParams()[0]]).loadStateDict(sd)).toThrow(/param group 0 has 2 parameters in the state, 1 here/);
    const swapped = makeParams().reverse();
    const target = new nb.optim.Adam(swapped, { lr: 0.3 });
    expect(() => target.loadStateDict(sd)).toThrow(/state 'expAvg' of parameter 0 has shape \[2,3\], the parameter \[3\]/);
    expect(target.lr).toBe(0.3);
    const bad = { ...sd, paramGroups: [{ ...sd.paramGroups[0], betas: [1, 0.5] }] };
    expect(() => new nb.optim.Adam(makeParams()).loadStateDict(bad)).toThrow(/Adam: invalid betas\[0\] 1/);
    const missing = { ...sd, state: { 0: { step: 1, expAvg: sd.state['0'].expAvg } } };
    expect(() => new nb.optim.Adam(makeParams()).loadStateDict(missing)).toThrow(/state 'expAvgSq' of parameter 0 is missing/);
  });
});
