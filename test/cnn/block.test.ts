/**
 * The fused convolution block nb.conv2dMaxPoolRelu = maxPool2d(relu(conv2d(…))): values and
 * gradients against the three ops run one by one and against a naive nested-loop reference
 * written here; the cases that fall back to the composition (nn.Sequential's fusion and a
 * training run: block-sequential.test.ts).
 *
 * Which path runs is watched by spying on the backends' kernel objects (imported from src, as
 * test/wasm does): the sizes below (≥ 16384 multiply-adds) are where the wasm kernel does the
 * work itself instead of handing it to the js composition.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers.js';
import { F32, F64, errorOf, leaf, spyKernels } from './block-util.js';

type Pair = nb.Pair;

const pairOf = (p: Pair | null | undefined, fallback: number): readonly [number, number] => (p === undefined || p === null ? [fallback, fallback] : typeof p === 'number' ? [p, p] : p);

/**
 * Naive reference: conv2d (stride, dilation, groups, zero padding [before, after] per axis,
 * 'same' putting an odd extra row/column after, as PyTorch) → ReLU → max-pool with a −∞
 * border, by nested loops over plain numbers. x [N, C, H, W] → [N, O, pH, pW].
 */
function naiveBlock(
  xT: nb.Tensor, wT: nb.Tensor, bT: nb.Tensor | null, conv: nb.Conv2dOptions, poolKernel: Pair, pool: nb.MaxPool2dOptions = {},
): nb.Tensor {
  const x = Array.from(xT.dataSync());
  const w = Array.from(wT.dataSync());
  const b = bT ? Array.from(bT.dataSync()) : null;
  const [N, C, H, W] = xT.shape;
  const [O, Cg, kH, kW] = wT.shape;
  const groups = conv.groups ?? 1;
  const [sH, sW] = pairOf(conv.stride, 1);
  const [dH, dW] = pairOf(conv.dilation, 1);
  const total = [dH * (kH - 1), dW * (kW - 1)];
  const before = conv.padding === 'same' ? total.map((t) => Math.floor(t / 2)) : conv.padding === 'valid' ? [0, 0] : pairOf(conv.padding as Pair | undefined, 0);
  const after = conv.padding === 'same' ? total.map((t, i) => t - before[i]) : before;
  const oH = Math.floor((H + before[0] + after[0] - total[0] - 1) / sH) + 1;
  const oW = Math.floor((W + before[1] + after[1] - total[1] - 1) / sW) + 1;
  const a = new Array<number>(N * O * oH * oW);
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
    const g = Math.floor(o / (O / groups));
    for (let i = 0; i < oH; i++) for (let j = 0; j < oW; j++) {
      let s = b ? b[o] : 0;
      for (let c = 0; c < Cg; c++) for (let p = 0; p < kH; p++) for (let q = 0; q < kW; q++) {
        const r = i * sH + p * dH - before[0];
        const t = j * sW + q * dW - before[1];
        if (r < 0 || r >= H || t < 0 || t >= W) continue;
        s += x[((n * C + g * Cg + c) * H + r) * W + t] * w[((o * Cg + c) * kH + p) * kW + q];
      }
      a[((n * O + o) * oH + i) * oW + j] = Math.max(s, 0);
    }
  }
  const [pkH, pkW] = pairOf(poolKernel, 1);
  const [psH, psW] = pairOf(pool.stride ?? poolKernel, 1);
  const [ppH, ppW] = pairOf(pool.padding, 0);
  const [pdH, pdW] = pairOf(pool.dilation, 1);
  const pH = Math.floor((oH + 2 * ppH - pdH * (pkH - 1) - 1) / psH) + 1;
  const pW = Math.floor((oW + 2 * ppW - pdW * (pkW - 1) - 1) / psW) + 1;
  const values: number[] = [];
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let i = 0; i < pH; i++) for (let j = 0; j < pW; j++) {
    let m = -Infinity;
    for (let p = 0; p < pkH; p++) for (let q = 0; q < pkW; q++) {
      const r = i * psH + p * pdH - ppH;
      const t = j * psW + q * pdW - ppW;
      if (r >= 0 && r < oH && t >= 0 && t < oW) m = Math.max(m, a[((n * O + o) * oH + r) * oW + t]);
    }
    values.push(m);
  }
  return nb.tensor(values, { shape: [N, O, pH, pW], dtype: 'float64' });
}

interface BlockCase {
  name: string;
  x: number[];
  w: number[];
  bias: boolean;
  conv: nb.Conv2dOptions;
  pool: Pair;
  poolOptions: nb.MaxPool2dOptions;
}

/** Fusable geometries; each has ≥ 16384 multiply-adds (N·O·outH·outW·C·kH·kW), so wasm runs its own kernel. */
const FUSABLE: BlockCase[] = [
  { name: 'padding 0, pool 2 (stride 2), bias', x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: true, conv: {}, pool: 2, poolOptions: {} },
  { name: 'padding 1, pool 3 stride 1, no bias', x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: false, conv: { padding: 1 }, pool: 3, poolOptions: { stride: 1 } },
  { name: 'padding 2, dilation 2, pool 3 stride 3 padding 1, bias', x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: true, conv: { padding: 2, dilation: 2 }, pool: 3, poolOptions: { stride: 3, padding: 1 } },
  { name: 'padding 1, dilation 2, pool 2 stride 1 padding 1, no bias', x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: false, conv: { padding: 1, dilation: 2 }, pool: 2, poolOptions: { stride: 1, padding: 1 } },
  {
    name: 'non-square: kernel 3x2, padding [2,1], dilation [1,2], pool [2,3] stride [2,1] padding 1 dilation [1,2]',
    x: [3, 2, 12, 12], w: [4, 2, 3, 2], bias: true, conv: { padding: [2, 1], dilation: [1, 2] }, pool: [2, 3], poolOptions: { stride: [2, 1], padding: 1, dilation: [1, 2] },
  },
  { name: "padding 'same' with an odd kernel, pool 3 stride 2 padding 1", x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: true, conv: { padding: 'same' }, pool: 3, poolOptions: { stride: 2, padding: 1 } },
];

/** Cases the op must hand to conv2d → relu → maxPool2d. */
const COMPOSED: BlockCase[] = [
  { name: 'stride 2', x: [3, 2, 12, 12], w: [4, 2, 3, 3], bias: true, conv: { stride: 2 }, pool: 2, poolOptions: {} },
  { name: 'groups 2', x: [3, 4, 12, 12], w: [4, 2, 3, 3], bias: true, conv: { groups: 2, padding: 1 }, pool: 2, poolOptions: {} },
  { name: "'same' with an even kernel (odd extra padding)", x: [3, 2, 12, 12], w: [4, 2, 2, 2], bias: false, conv: { padding: 'same' }, pool: 3, poolOptions: { stride: 2 } },
  { name: 'a 3-D input [C, H, W]', x: [2, 12, 12], w: [4, 2, 3, 3], bias: true, conv: { padding: 1 }, pool: 2, poolOptions: {} },
];

function inputs(c: BlockCase, dtype: 'float32' | 'float64', requiresGrad = false): [nb.Tensor, nb.Tensor, nb.Tensor | null] {
  const x = nb.randn(c.x, { dtype, requiresGrad });
  const w = nb.randn(c.w, { dtype, requiresGrad, std: 0.5 });
  const b = c.bias ? nb.randn([c.w[0]], { dtype, requiresGrad }) : null;
  return [x, w, b];
}

const fused = (c: BlockCase) => (x: nb.Tensor, w: nb.Tensor, b: nb.Tensor | null): nb.Tensor => nb.conv2dMaxPoolRelu(x, w, b, c.conv, c.pool, c.poolOptions);
const composed = (c: BlockCase) => (x: nb.Tensor, w: nb.Tensor, b: nb.Tensor | null): nb.Tensor => nb.maxPool2d(nb.conv2d(x, w, b, c.conv).relu(), c.pool, c.poolOptions);

/** ∇ of sum(f(x, w, b)·r) with respect to x, w (and b when there is one). */
function blockGrads(f: (x: nb.Tensor, w: nb.Tensor, b: nb.Tensor | null) => nb.Tensor, xwb: [nb.Tensor, nb.Tensor, nb.Tensor | null], r: nb.Tensor, createGraph = false): nb.Tensor[] {
  const [x, w, b] = xwb;
  const vars = b ? [x, w, b] : [x, w];
  return nb.grad((xi, wi, bi) => f(xi, wi, bi ?? null).mul(r).sum(), vars, { createGraph });
}

afterEach(() => vi.restoreAllMocks());

describe.each(backends)('conv2dMaxPoolRelu on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(11);
  });

  describe('values equal maxPool2d(relu(conv2d(…))) and a nested-loop reference', () => {
    it.each(FUSABLE)('$name', (c) => {
      const spy = spyKernels(backend);
      const [x, w, b] = inputs(c, 'float32');
      const y = fused(c)(x, w, b);
      expect(spy.fwd).toHaveBeenCalledTimes(1);
      // On wasm the block runs in wasm itself: nothing handed to the js composition.
      if (backend === 'wasm') expect(spy.jsFwd).not.toHaveBeenCalled();
      expectClose(y, composed(c)(x, w, b), F32);
      expectClose(y, naiveBlock(x, w, b, c.conv, c.pool, c.poolOptions), F32);

      const [x64, w64, b64] = inputs(c, 'float64');
      const y64 = fused(c)(x64, w64, b64);
      expect(y64.dtype).toBe('float64');
      expectClose(y64, composed(c)(x64, w64, b64), F64);
      expectClose(y64, naiveBlock(x64, w64, b64, c.conv, c.pool, c.poolOptions), F64);
    });

    it('documented difference: a NaN that wins its pooling window becomes 0 (the composition drops it at the ReLU)', () => {
      // NaN at x[0,0,0,0] with padding 0 makes only z[n=0, o, 0, 0] NaN: the first cell of window (0, 0).
      const values = Array.from(nb.randn([3, 2, 12, 12]).dataSync());
      values[0] = NaN;
      const x = nb.tensor(values, { shape: [3, 2, 12, 12] });
      const w = nb.randn([4, 2, 3, 3]);
      const b = nb.full([4], 5);
      const y = nb.conv2dMaxPoolRelu(x, w, b, {}, 2).dataSync();
      const want = Array.from(nb.maxPool2d(nb.conv2d(x, w, b).relu(), 2).dataSync());
      const firstWindows = [0, 1, 2, 3].map((o) => o * 25);
      for (const i of firstWindows) {
        expect(y[i]).toBe(0);
        want[i] = 0;
      }
      expect(want.some(Number.isNaN)).toBe(false);
      expectClose(y, want, F32);
    });

    it('computes a hand-worked case: 1x1 kernel of −1 with bias 3 on 0..8, pool 2 stride 1', () => {
      // z = 3 − x, ReLU keeps [3, 2, 1, 0, 0, …]; the 2x2 maxima of [[3,2,1],[0,0,0],[0,0,0]] are [[3,2],[0,0]].
      const x = nb.tensor([[[[0, 1, 2], [3, 4, 5], [6, 7, 8]]]]);
      const y = nb.conv2dMaxPoolRelu(x, nb.tensor([[[[-1]]]]), nb.tensor([3]), {}, 2, { stride: 1 });
      expectClose(y, [[[[3, 2], [0, 0]]]], { atol: 0, rtol: 0 });
    });
  });

  describe('gradients equal those of the composed ops', () => {
    it.each(FUSABLE)('$name: x, w and b require grad', (c) => {
      for (const dtype of ['float32', 'float64'] as const) {
        const xwb = inputs(c, dtype, true);
        const y = fused(c)(...xwb);
        expect(y.gradNode?.op).toBe('conv2dMaxPoolRelu');
        const r = nb.randn(y.shape, { dtype });
        const spy = spyKernels(backend);
        const got = blockGrads(fused(c), xwb, r);
        if (dtype === 'float32') {
          expect(spy.bwd).toHaveBeenCalledTimes(1);
          if (backend === 'wasm') expect(spy.jsBwd).not.toHaveBeenCalled();
        }
        const want = blockGrads(composed(c), xwb, r);
        expect(got.length).toBe(want.length);
        got.forEach((g, i) => expectClose(g, want[i], dtype === 'float32' ? F32 : F64));
      }
    });

    it('with x not requiring grad: only dw and db, and the kernel is asked for no dx', () => {
      const c = FUSABLE[0];
      const [x, w0, b0] = inputs(c, 'float32');
      const [w, b] = [leaf(w0)!, leaf(b0)!];
      const r = nb.randn([3, 4, 5, 5]);
      const spy = spyKernels(backend);
      fused(c)(x, w, b).mul(r).sum().backward();
      expect(spy.bwd).toHaveBeenCalledTimes(1);
      expect(spy.bwd.mock.calls[0][8]).toBeNull();
      expect(x.grad).toBeNull();
      const [w2, b2] = [leaf(w0)!, leaf(b0)!];
      composed(c)(x, w2, b2).mul(r).sum().backward();
      expectClose(w.grad!, w2.grad!, F32);
      expectClose(b.grad!, b2.grad!, F32);
    });

    it.each([
      { what: 'frozen weights and bias: only dx', trainX: true, trainBias: false },
      { what: 'frozen weights and a trainable bias: db without dw', trainX: false, trainBias: true },
    ])('with $what, and the kernel is asked for no dw', ({ trainX, trainBias }) => {
      const c = FUSABLE[0];
      const [x0, w, b0] = inputs(c, 'float32');
      const trainable = (t: nb.Tensor, on: boolean): nb.Tensor => (on ? leaf(t)! : t);
      const [x, b] = [trainable(x0, trainX), trainable(b0!, trainBias)];
      const r = nb.randn([3, 4, 5, 5]);
      const spy = spyKernels(backend);
      fused(c)(x, w, b).mul(r).sum().backward();
      expect(spy.bwd).toHaveBeenCalledTimes(1);
      const call = spy.bwd.mock.calls[0];
      expect(call[8] !== null).toBe(trainX);
      expect(call[9]).toBeNull();
      expect(call[10] !== null).toBe(trainBias);
      if (backend === 'wasm') expect(spy.jsBwd).not.toHaveBeenCalled();
      expect(w.grad).toBeNull();
      const [x2, b2] = [trainable(x0, trainX), trainable(b0!, trainBias)];
      composed(c)(x2, w, b2).mul(r).sum().backward();
      if (trainX) expectClose(x.grad!, x2.grad!, F32);
      if (trainBias) expectClose(b.grad!, b2.grad!, F32);
    });

    it('with a null bias', () => {
      const c = FUSABLE[1];
      const [x, w] = inputs(c, 'float32', true);
      const r = nb.randn(fused(c)(x, w, null).shape);
      const got = blockGrads(fused(c), [x, w, null], r);
      const want = blockGrads(composed(c), [x, w, null], r);
      expect(got.length).toBe(2);
      got.forEach((g, i) => expectClose(g, want[i], F32));
    });

    it('create-graph passes use differentiable ops: the same first derivatives, themselves differentiable', () => {
      const c = FUSABLE[2];
      const xwb = inputs(c, 'float64', true);
      const r = nb.randn(fused(c)(...xwb).shape, { dtype: 'float64' });
      const spy = spyKernels(backend);
      const graphed = blockGrads(fused(c), xwb, r, true);
      expect(spy.bwd).not.toHaveBeenCalled();
      expect(spy.jsBwd).not.toHaveBeenCalled();
      const plain = blockGrads(fused(c), xwb, r);
      graphed.forEach((g, i) => {
        expect(g.requiresGrad).toBe(true);
        expectClose(g, plain[i], F64);
      });
    });
  });

  describe('gradcheck and gradgradcheck (float64, small sizes)', () => {
    const SMALL: BlockCase[] = [
      { name: 'padding 1, pool 2', x: [2, 2, 6, 6], w: [3, 2, 3, 3], bias: true, conv: { padding: 1 }, pool: 2, poolOptions: {} },
      { name: 'dilation 2, pool 3 stride 1 padding 1', x: [1, 2, 7, 7], w: [2, 2, 2, 2], bias: true, conv: { dilation: 2 }, pool: 3, poolOptions: { stride: 1, padding: 1 } },
    ];
    it.each(SMALL)('$name: gradcheck with respect to x, w, b', (c) => {
      const [x, w, b] = inputs(c, 'float64');
      expect(nb.gradcheck((xi, wi, bi) => fused(c)(xi, wi, bi), [x, w, b!])).toBe(true);
    });
    it.each(SMALL)('$name: gradgradcheck with respect to x, w, b', (c) => {
      const [x, w, b] = inputs(c, 'float64');
      expect(nb.gradgradcheck((xi, wi, bi) => fused(c)(xi, wi, bi), [x, w, b!])).toBe(true);
    });
  });

  describe('cases that are not fused go through the composed ops', () => {
    it.each(COMPOSED)('$name', (c) => {
      const spy = spyKernels(backend);
      const [x, w, b] = inputs(c, 'float32', true);
      const y = fused(c)(x, w, b);
      expectClose(y, composed(c)(x, w, b), F32);
      const x4 = x.ndim === 3 ? x.reshape([1, ...x.shape]) : x;
      const ref = naiveBlock(x4, w, b, c.conv, c.pool, c.poolOptions);
      expectClose(y, x.ndim === 3 ? ref.reshape(ref.shape.slice(1)) : ref, F32);
      const r = nb.randn(y.shape);
      const got = blockGrads(fused(c), [x, w, b], r);
      const want = blockGrads(composed(c), [x, w, b], r);
      got.forEach((g, i) => expectClose(g, want[i], F32));
      expect(spy.calls()).toBe(0);
      expect(spy.bwd).not.toHaveBeenCalled();
      expect(spy.jsBwd).not.toHaveBeenCalled();
    });

    it('mixed dtypes (float32 x, float64 weight) give what conv2d → relu → maxPool2d gives', () => {
      const c = FUSABLE[0];
      const spy = spyKernels(backend);
      const x = nb.randn(c.x);
      const w = nb.randn(c.w, { dtype: 'float64' });
      const b = nb.randn([4], { dtype: 'float64' });
      const y = fused(c)(x, w, b);
      expect(spy.calls()).toBe(0);
      const want = composed(c)(x, w, b);
      expect(y.dtype).toBe(want.dtype);
      expectClose(y, want, F64);
    });
  });

  describe('errors are those of conv2d and maxPool2d', () => {
    const x = (): nb.Tensor => nb.randn([2, 2, 8, 8]);
    const w = (): nb.Tensor => nb.randn([4, 2, 3, 3]);
    const same = (mine: () => unknown, theirs: () => unknown): void => {
      const a = errorOf(mine);
      const e = errorOf(theirs);
      expect(a.constructor).toBe(e.constructor);
      expect(a.message).toBe(e.message);
    };
    it('a weight of the wrong rank', () => {
      const w3 = nb.randn([4, 2, 3]);
      same(() => nb.conv2dMaxPoolRelu(x(), w3, null, {}, 2), () => nb.conv2d(x(), w3));
      expect(errorOf(() => nb.conv2dMaxPoolRelu(x(), w3, null, {}, 2))).toBeInstanceOf(nb.ShapeError);
    });
    it('a bias of the wrong shape', () => {
      for (const b of [nb.zeros([5]), nb.zeros([4, 1]), nb.zeros([])]) {
        same(() => nb.conv2dMaxPoolRelu(x(), w(), b, {}, 2), () => nb.conv2d(x(), w(), b));
        expect(errorOf(() => nb.conv2dMaxPoolRelu(x(), w(), b, {}, 2))).toBeInstanceOf(nb.ShapeError);
      }
    });
    it('channels that do not match, an int32 input', () => {
      same(() => nb.conv2dMaxPoolRelu(nb.randn([2, 3, 8, 8]), w(), null, {}, 2), () => nb.conv2d(nb.randn([2, 3, 8, 8]), w()));
      const xi = nb.zeros([2, 2, 8, 8], { dtype: 'int32' });
      same(() => nb.conv2dMaxPoolRelu(xi, w(), null, {}, 2), () => nb.conv2d(xi, w()));
      expect(errorOf(() => nb.conv2dMaxPoolRelu(xi, w(), null, {}, 2))).toBeInstanceOf(nb.DTypeError);
    });
    it('a pooling window larger than the conv output', () => {
      same(() => nb.conv2dMaxPoolRelu(x(), w(), null, {}, 7), () => nb.maxPool2d(nb.conv2d(x(), w()), 7));
    });
  });
});
