import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';

const p = (): nb.Tensor => nb.zeros([2], { requiresGrad: true });

describe('optimizer options and parameters', () => {
  it('defaults follow PyTorch', () => {
    expect(new nb.optim.SGD([p()]).defaults).toEqual({ lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(new nb.optim.Adagrad([p()]).defaults).toEqual({ lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
    expect(new nb.optim.RMSprop([p()]).defaults).toEqual({ lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false });
    expect(new nb.optim.Adam([p()]).defaults).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, decoupledWeightDecay: false });
    expect(new nb.optim.AdamW([p()]).defaults).toMatchObject({ lr: 1e-3, weightDecay: 0.01, decoupledWeightDecay: true });
    expect(new nb.optim.LBFGS([p()]).defaults).toEqual({
      lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
    });
    expect(new nb.optim.Newton([p()]).defaults).toEqual({ lr: 1, damping: 0, maxParams: 5000 });
  });

  it('bad options throw ValueErrors naming the optimizer and the option', () => {
    expect(() => new nb.optim.SGD([p()], { lr: -1 })).toThrow(/SGD: invalid lr -1/);
    expect(() => new nb.optim.Adam([p()], { lr: NaN })).toThrow(/Adam: invalid lr NaN/);
    expect(() => new nb.optim.Adam([p()], { betas: [0.9, 1] })).toThrow(/Adam: invalid betas\[1\] 1 \(expected a number in \[0, 1\)\)/);
    expect(() => new nb.optim.AdamW([p()], { beta1: -0.1 })).toThrow(/AdamW: invalid betas\[0\] -0.1/);
    expect(() => new nb.optim.Adam([p()], { beta1: 0.5, betas: [0.9, 0.9] })).toThrow(/Adam: give betas or beta1\/beta2/);
    expect(() => new nb.optim.SGD([p()], { momentum: -0.5 })).toThrow(/SGD: invalid momentum -0.5/);
    expect(() => new nb.optim.SGD([p()], { nesterov: true })).toThrow(/SGD: nesterov needs momentum > 0 and dampening 0/);
    expect(() => new nb.optim.RMSprop([p()], { alpha: 1.5 })).toThrow(/RMSprop: invalid alpha 1.5/);
    expect(() => new nb.optim.RMSprop([p()], { rho: 0.9, alpha: 0.8 })).toThrow(/RMSprop: rho \(0.9\) and alpha \(0.8\) name the same option/);
    expect(() => new nb.optim.Adagrad([p()], { eps: -1 })).toThrow(/Adagrad: invalid eps -1/);
    expect(() => new nb.optim.SGD([p()], { mommentum: 0.9 } as Partial<nb.optim.SGDOptions>)).toThrow(/SGD: unknown option 'mommentum'/);
    const opt = new nb.optim.SGD([p()]);
    expect(() => {
      opt.lr = -0.1;
    }).toThrow(/SGD: invalid lr -0.1/);
  });

  it('bad parameter lists throw ValueErrors', () => {
    expect(() => new nb.optim.SGD([])).toThrow(/SGD: got an empty parameter list/);
    expect(() => new nb.optim.Adam([nb.zeros([2])])).toThrow(/Adam: parameter 0 \(shape \[2\]\) does not require gradients/);
    const x = p();
    expect(() => new nb.optim.SGD([x, x])).toThrow(/SGD: parameter 1 \(shape \[2\]\) appears more than once/);
    expect(() => new nb.optim.SGD([x.mul(2)])).toThrow(/SGD: parameter 0 \(shape \[2\]\) was computed by an op/);
    expect(() => new nb.optim.SGD([{ params: [p()] }, { params: [] }])).toThrow(/SGD: got an empty parameter list in group 1/);
    expect(() => new nb.optim.SGD([{ params: [p()] }, { params: [p()], lr: -2 }])).toThrow(/SGD: invalid lr -2/);
    expect(() => new nb.optim.SGD([1, 2] as unknown as nb.Tensor[])).toThrow(/SGD: a param group must be an object/);
  });

  it('a gradient of the wrong size is a ShapeError', () => {
    const x = p();
    x.grad = nb.zeros([3]);
    expect(() => new nb.optim.Adam([x]).step()).toThrow(nb.ShapeError);
  });

  it('zeroGrad clears every gradient; addParamGroup adds a group', () => {
    const a = p();
    const b = p();
    a.grad = nb.ones([2]);
    const opt = new nb.optim.SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], momentum: 0.9 });
    b.grad = nb.ones([2]);
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.1, momentum: 0.9 });
    opt.zeroGrad();
    expect(a.grad).toBeNull();
    expect(b.grad).toBeNull();
    expect(() => opt.addParamGroup({ params: [a] })).toThrow(/appears more than once/);
  });
});
