import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

const { lr } = nb.optim;

function sgd(rate = 0.1): nb.optim.SGD {
  return new nb.optim.SGD([nb.zeros([2], { requiresGrad: true })], { lr: rate });
}

/** getLastLr()[0] after construction and after each of n steps. */
function sequence(s: nb.optim.lr.LRScheduler, n: number, metrics: number[] = []): number[] {
  const out = [s.getLastLr()[0]];
  for (let t = 0; t < n; t++) {
    s.step(metrics[t]);
    out.push(s.getLastLr()[0]);
  }
  return out;
}

const exact = { atol: 1e-17, rtol: 1e-15 };

describe.each(backends)('learning-rate schedules on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('TimeDecay: lr₀/(1 + decay·t)', () => {
    // 0.1/1, 0.1/1.5, 0.1/2, 0.1/2.5
    expectClose(sequence(new lr.TimeDecay(sgd(), { decay: 0.5 }), 3), [0.1, 0.1 / 1.5, 0.05, 0.04], exact);
  });

  it('StepLR: ×gamma every stepSize steps, and the optimizer sees it', () => {
    const opt = sgd();
    const s = new lr.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    expectClose(sequence(s, 5), [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], exact);
    expect(opt.lr).toBe(0.025);
  });

  it('ExponentialLR: lr₀·gamma^t', () => {
    expectClose(sequence(new lr.ExponentialLR(sgd(), { gamma: 0.5 }), 3), [0.1, 0.05, 0.025, 0.0125], exact);
  });

  it('CosineAnnealingLR: etaMin + (lr₀ − etaMin)(1 + cos(πt/tMax))/2', () => {
    // t = 1: 0.01 + 0.09·(1 + √½)/2 = 0.0868198…; t = 2: 0.01 + 0.045; t = 3: 0.01 + 0.09·(1 − √½)/2
    const h = Math.SQRT1_2;
    expectClose(sequence(new lr.CosineAnnealingLR(sgd(), { tMax: 4, etaMin: 0.01 }), 4),
      [0.1, 0.01 + (0.09 * (1 + h)) / 2, 0.055, 0.01 + (0.09 * (1 - h)) / 2, 0.01], { atol: 1e-16, rtol: 1e-14 });
  });

  it('ReduceLROnPlateau: patience, relative threshold, cooldown and minLr', () => {
    const s = new lr.ReduceLROnPlateau(sgd(), { factor: 0.5, patience: 1, threshold: 0.1, cooldown: 1, minLr: 0.02 });
    // epoch 1 sets best 1; 0.95 is not below 1·(1 − 0.1): bad epochs 1, 2 > patience → 0.05 (cooldown 1);
    // epoch 4 is swallowed by the cooldown; 0.5 is a new best; two bad epochs later → 0.025; then
    // → max(0.0125, 0.02) = 0.02; at minLr further reductions change nothing.
    const metrics = [1, 0.95, 0.95, 0.95, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];
    expectClose(sequence(s, 13, metrics), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02], exact);
    expect(() => s.step()).toThrow(/ReduceLROnPlateau.step: needs the monitored metric/);
  });

  it("ReduceLROnPlateau in 'max' mode with an absolute threshold", () => {
    const s = new lr.ReduceLROnPlateau(sgd(), { mode: 'max', thresholdMode: 'abs', threshold: 0.05, patience: 0, factor: 0.1 });
    // 0.5 best; 0.54 is not above 0.5 + 0.05 → reduce at once (patience 0); 0.6 > 0.55 → no change
    expectClose(sequence(s, 3, [0.5, 0.54, 0.6]), [0.1, 0.1, 0.01, 0.01], exact);
  });

  it('LinearWarmup alone climbs from startFactor·lr₀ to lr₀ and stays', () => {
    expectClose(sequence(new lr.LinearWarmup(sgd(), { warmupSteps: 4 }), 5), [0, 0.025, 0.05, 0.075, 0.1, 0.1], exact);
  });

  it('LinearWarmup hands over to another schedule, which starts from its step 0', () => {
    const opt = sgd();
    const s = new lr.LinearWarmup(opt, { warmupSteps: 2, startFactor: 0.5, after: new lr.StepLR(opt, { stepSize: 1, gamma: 0.5 }) });
    // 0.05, 0.075, 0.1 (warmup), then StepLR's steps 1, 2: 0.05, 0.025
    expectClose(sequence(s, 4), [0.05, 0.075, 0.1, 0.05, 0.025], exact);
    expect(opt.lr).toBe(0.025);
    // and ReduceLROnPlateau after warmup gets the metrics
    const opt2 = sgd();
    const p = new lr.LinearWarmup(opt2, { warmupSteps: 1, after: new lr.ReduceLROnPlateau(opt2, { patience: 0 }) });
    expectClose(sequence(p, 3, [9, 1, 2]), [0, 0.1, 0.1, 0.01], exact);
    expect(() => new lr.LinearWarmup(opt, { warmupSteps: 2, after: new lr.StepLR(sgd(), { stepSize: 1 }) })).toThrow(/different optimizer/);
  });

  it('a second schedule on the same optimizer starts from the recorded initialLr', () => {
    const opt = sgd(0.2);
    new lr.ExponentialLR(opt, { gamma: 0.5 }).step();
    expect(opt.lr).toBe(0.1);
    const s = new lr.StepLR(opt, { stepSize: 10 });
    expect(s.baseLrs).toEqual([0.2]);
    expect(opt.paramGroups[0].initialLr).toBe(0.2);
  });

  it('each param group follows its own base rate', () => {
    const opt = new nb.optim.SGD([{ params: [nb.zeros([1], { requiresGrad: true })] }, { params: [nb.zeros([1], { requiresGrad: true })], lr: 1 }], { lr: 0.1 });
    const s = new lr.ExponentialLR(opt, { gamma: 0.5 });
    s.step();
    expect(s.getLastLr()).toEqual([0.05, 0.5]);
  });

  it('state save/restore resumes every schedule exactly (through JSON)', () => {
    const makers: [string, (o: nb.optim.SGD) => nb.optim.lr.LRScheduler][] = [
      ['TimeDecay', (o) => new lr.TimeDecay(o, { decay: 0.3 })],
      ['StepLR', (o) => new lr.StepLR(o, { stepSize: 2, gamma: 0.7 })],
      ['ExponentialLR', (o) => new lr.ExponentialLR(o, { gamma: 0.9 })],
      ['CosineAnnealingLR', (o) => new lr.CosineAnnealingLR(o, { tMax: 7, etaMin: 0.001 })],
      ['ReduceLROnPlateau', (o) => new lr.ReduceLROnPlateau(o, { patience: 1, cooldown: 1, factor: 0.5 })],
      ['LinearWarmup', (o) => new lr.LinearWarmup(o, { warmupSteps: 2, after: new lr.ReduceLROnPlateau(o, { patience: 0, factor: 0.5 }) })],
    ];
    const metrics = [5, 4, 4, 4, 4, 3, 3, 3, 3, 3];
    for (const [name, make] of makers) {
      const full = sequence(make(sgd()), 10, metrics);
      const o1 = sgd();
      const s1 = make(o1);
      const head = sequence(s1, 4, metrics);
      const saved = JSON.parse(JSON.stringify(s1.stateDict()));
      const o2 = sgd(0.5); // a different lr: the restored state must win
      const s2 = make(o2);
      s2.loadStateDict(saved);
      expect(o2.lr, name).toBe(head[4]);
      const tail = sequence(s2, 6, metrics.slice(4)).slice(1);
      expect([...head, ...tail], name).toEqual(full);
    }
    expect(() => new lr.StepLR(sgd(), { stepSize: 1 }).loadStateDict(new lr.ExponentialLR(sgd(), { gamma: 0.5 }).stateDict())).toThrow(/StepLR.loadStateDict: expected the state of a StepLR/);
  });

  it('rejects bad options with ValueErrors naming the schedule', () => {
    expect(() => new lr.StepLR(sgd(), { stepSize: 0 })).toThrow(/StepLR: invalid stepSize 0/);
    expect(() => new lr.ExponentialLR(sgd(), { gamma: -1 })).toThrow(/ExponentialLR: invalid gamma -1/);
    expect(() => new lr.ReduceLROnPlateau(sgd(), { factor: 1 })).toThrow(/ReduceLROnPlateau: invalid factor 1/);
    expect(() => new lr.ReduceLROnPlateau(sgd(), { mode: 'up' as 'min' })).toThrow(/ReduceLROnPlateau: invalid mode/);
    expect(() => new lr.LinearWarmup(sgd(), { warmupSteps: 3, startFactor: 2 })).toThrow(/LinearWarmup: invalid startFactor 2/);
    expect(() => new lr.TimeDecay({} as nb.optim.SGD, { decay: 1 })).toThrow(/TimeDecay: expected an optimizer/);
  });
});
