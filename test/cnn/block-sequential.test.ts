/**
 * nn.Sequential runs Conv2d → ReLU → MaxPool2d as the fused block (nb.conv2dMaxPoolRelu): the
 * same outputs and gradients as the layers one by one, no fusion for subclasses or watched
 * layers (nn.summary), errors naming the layer; and a tiny CNN trains alike on every backend.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers.js';
import { F32, errorOf, leaf, spyKernels } from './block-util.js';

const { Sequential, Conv2d, ReLU, MaxPool2d, Flatten, Linear } = nb.nn;

afterEach(() => vi.restoreAllMocks());

/** A ReLU subclass: Sequential must not fuse it (its forward may differ). */
class LoggedReLU extends ReLU {}

describe.each(backends)('nn.Sequential fuses Conv2d → ReLU → MaxPool2d on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(5);
  });

  const build = (act: nb.nn.Module = new ReLU()): nb.nn.Sequential =>
    new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), act, new MaxPool2d(2), new Flatten(), new Linear(4 * 6 * 6, 5));

  /** Each child's forward called by hand, in order. */
  const oneByOne = (model: nb.nn.Sequential, x: nb.Tensor): nb.Tensor => model.children().reduce((h, m) => m.forward(h), x);

  /** Output and the gradients of sum(out·r) for every parameter and x, from a fresh zero. */
  function run(model: nb.nn.Sequential, forward: (x: nb.Tensor) => nb.Tensor, x0: nb.Tensor, r: nb.Tensor): { out: nb.Tensor; grads: nb.Tensor[] } {
    model.zeroGrad();
    const x = leaf(x0)!;
    const out = forward(x);
    out.mul(r).sum().backward();
    return { out: out.detach(), grads: [...model.parameters().map((p) => p.grad!.clone()), x.grad!] };
  }

  it('gives the output and every gradient of the layers applied one by one, with one fused call each way', () => {
    const model = build();
    const x = nb.randn([3, 2, 12, 12]);
    const r = nb.randn([3, 5]);
    const spy = spyKernels(backend);
    const seq = run(model, (h) => model.forward(h), x, r);
    expect(spy.fwd).toHaveBeenCalledTimes(1);
    expect(spy.bwd).toHaveBeenCalledTimes(1);
    if (backend === 'wasm') expect(spy.jsFwd).not.toHaveBeenCalled();
    const manual = run(model, (h) => oneByOne(model, h), x, r);
    expect(spy.fwd).toHaveBeenCalledTimes(1);
    expect(model.parameters().length).toBe(4);
    expectClose(seq.out, manual.out, F32);
    seq.grads.forEach((g, i) => expectClose(g, manual.grads[i], F32));
  });

  it('does not fuse a subclass of ReLU, and is still right', () => {
    const model = build(new LoggedReLU());
    const x = nb.randn([3, 2, 12, 12]);
    const r = nb.randn([3, 5]);
    const spy = spyKernels(backend);
    const seq = run(model, (h) => model.forward(h), x, r);
    expect(spy.calls()).toBe(0);
    const manual = run(model, (h) => oneByOne(model, h), x, r);
    expectClose(seq.out, manual.out, F32);
    seq.grads.forEach((g, i) => expectClose(g, manual.grads[i], F32));
  });

  it("nn.summary still reports each layer's output shape, and leaves the model fused", () => {
    const model = build();
    const s = nb.nn.summary(model, [3, 2, 12, 12]);
    expect(s.layers.map((l) => [l.name, l.outputShape])).toEqual([
      ['0', [3, 4, 12, 12]], ['1', [3, 4, 12, 12]], ['2', [3, 4, 6, 6]], ['3', [3, 144]], ['4', [3, 5]],
    ]);
    expect(s.outputShape).toEqual([3, 5]);
    const spy = spyKernels(backend);
    model.forward(nb.randn([3, 2, 12, 12]));
    expect(spy.fwd).toHaveBeenCalledTimes(1);
  });

  it('a ShapeError from a bad input names the Sequential layer, as the unfused model does', () => {
    const fusedModel = build();
    const plainModel = build(new LoggedReLU());
    const bad = nb.zeros([1, 3, 12, 12]);
    const e = errorOf(() => fusedModel.forward(bad));
    expect(e).toBeInstanceOf(nb.ShapeError);
    expect(e.message).toContain('Conv2d(2→4, 3x3): input has 3 channels, expected 2');
    expect(e.message).toContain('(in Sequential layer 0)');
    expect(e.message).toBe(errorOf(() => plainModel.forward(bad)).message);
    // A pooling window that does not fit is the MaxPool2d's error, at index 2.
    const small = (act: nb.nn.Module): nb.nn.Sequential => new Sequential(new Conv2d(2, 4, 3), act, new MaxPool2d(2));
    const tiny = nb.zeros([1, 2, 3, 3]);
    const unfused = errorOf(() => small(new LoggedReLU()).forward(tiny));
    expect(unfused.message).toContain('MaxPool2d(2x2)');
    expect(unfused.message).toContain('(in Sequential layer 2)');
    const f = errorOf(() => small(new ReLU()).forward(tiny));
    expect(f.constructor).toBe(unfused.constructor);
    expect(f.message).toBe(unfused.message);
  });
});

describe('training a tiny CNN gives the same loss curve on every backend', () => {
  afterEach(() => nb.setBackend(backends[0]));

  function lossCurve(backend: string): number[] {
    nb.setBackend(backend);
    nb.manualSeed(3);
    const model = new Sequential(new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(4 * 6 * 6, 3));
    const x = nb.randn([8, 1, 12, 12]);
    const target = nb.randint(0, 3, [8]);
    const lossFn = new nb.nn.CrossEntropyLoss();
    const opt = new nb.optim.Adam(model.parameters(), { lr: 0.01 });
    const losses: number[] = [];
    const spy = spyKernels(backend);
    for (let step = 0; step < 8; step++) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(x), target);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    // The fused block ran each step, both ways.
    expect(spy.fwd).toHaveBeenCalledTimes(8);
    expect(spy.bwd).toHaveBeenCalledTimes(8);
    vi.restoreAllMocks();
    return losses;
  }

  it('Conv2d → ReLU → MaxPool2d → Flatten → Linear with Adam, 8 steps', () => {
    const reference = lossCurve('js');
    // Adam fits 8 random points: the loss must fall, so the curve is not flat by accident.
    expect(reference[7]).toBeLessThan(reference[0] * 0.8);
    for (const backend of backends) expectClose(lossCurve(backend), reference, { atol: 1e-4, rtol: 0 });
  });
});
