/**
 * The dense layer's op (`nb.linearMap`: x·Wᵀ + b, bias written first and the product added by
 * the matmul kernel's accumulate mode) and the backward pass adding a weight's gradient into its
 * existing `.grad` in place (`zeroGrad({ setToNone: false })`, as PyTorch accumulates). Checked
 * against a float64 reference written here, the unfused ops, and gradcheck.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { kernelsFor } from '../../src/tensor/index.js';
import { backends, expectClose } from '../helpers.js';

/** Deterministic values in [−1, 1). */
function values(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 1073741824 - 1;
  });
}

/** x [rows, in] · w [out, in]ᵀ + b, in float64. */
function reference(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | null, rows: number, inF: number, outF: number): number[] {
  const z: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      z.push(s);
    }
  }
  return z;
}

// Large enough for the wasm kernels (and their threads); K above the kernel's 512-long K slices.
const [ROWS, IN, OUT] = [48, 600, 40];

describe.each(backends)('linearMap and in-place gradient accumulation on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(5);
  });

  const operands = (requiresGrad: boolean): [nb.Tensor, nb.Tensor, nb.Tensor] => [
    nb.tensor(values(ROWS * IN, 1), { shape: [ROWS, IN], requiresGrad }),
    nb.tensor(values(OUT * IN, 2), { shape: [OUT, IN], requiresGrad }),
    nb.tensor(values(OUT, 3), { requiresGrad }),
  ];

  it('computes x·Wᵀ + b (with and without a bias)', () => {
    const [x, w, b] = operands(false);
    expectClose(nb.linearMap(x, w, b).dataSync(), reference(x.dataSync(), w.dataSync(), b.dataSync(), ROWS, IN, OUT), { atol: 1e-4, rtol: 1e-5 });
    expectClose(nb.linearMap(x, w, null).dataSync(), reference(x.dataSync(), w.dataSync(), null, ROWS, IN, OUT), { atol: 1e-4, rtol: 1e-5 });
  });

  it('the matmul kernel adds onto out with accumulate (C += A·B, K over several slices)', () => {
    const [m, k, n] = [40, 1100, 36];
    const a = Float32Array.from(values(m * k, 4));
    const bt = Float32Array.from(values(n * k, 5)); // stored [n, k]: transB
    const out = Float32Array.from(values(m * n, 6));
    const expected = reference(a, bt, null, m, k, n).map((v, i) => v + out[i]);
    kernelsFor('float32').matmul(a, bt, out, { batch: 1, m, k, n, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0, accumulate: true });
    expectClose(out, expected, { atol: 1e-4, rtol: 1e-5 });
  });

  it('gives the gradients of the unfused ops', () => {
    const [x, w, b] = operands(true);
    const g = nb.tensor(values(ROWS * OUT, 7), { shape: [ROWS, OUT] });
    nb.linearMap(x, w, b).mul(g).sum().backward();
    const [x2, w2, b2] = operands(true);
    x2.matmul(w2.transpose()).add(b2).mul(g).sum().backward();
    expectClose(x.grad!, x2.grad!, { atol: 1e-5 });
    expectClose(w.grad!, w2.grad!, { atol: 1e-5 });
    expectClose(b.grad!, b2.grad!, { atol: 1e-5 });
  });

  it('zeroGrad({ setToNone: false }) keeps a gradient of its own that backward adds into', () => {
    const [x, w, b] = operands(false);
    const layer = new nb.nn.Linear(IN, OUT);
    nb.noGrad(() => {
      layer.weight.data.set(w.data);
      layer.bias!.data.set(b.data);
    });
    const opt = new nb.optim.SGD(layer.parameters(), { lr: 0.1 });
    layer.forward(x).sum().backward();
    const once = Float64Array.from(layer.weight.grad!.dataSync());
    opt.zeroGrad({ setToNone: false });
    const grad = layer.weight.grad!;
    expect(grad.dataSync().every((v) => v === 0)).toBe(true);
    layer.forward(x).sum().backward();
    expect(layer.weight.grad).toBe(grad);
    expectClose(grad, once, { atol: 1e-5 });
    // A second backward without zeroGrad adds to it, in the same tensor (the bias too).
    layer.forward(x).sum().backward();
    expect(layer.weight.grad).toBe(grad);
    expectClose(grad, once.map((v) => 2 * v), { atol: 1e-5 });
    expectClose(layer.bias!.grad!, new Array(OUT).fill(2 * ROWS), { atol: 1e-4 });
    opt.zeroGrad({ setToNone: false });
    expect(layer.weight.grad).toBe(grad);
    expect(grad.dataSync().every((v) => v === 0)).toBe(true);
    opt.zeroGrad();
    expect(layer.weight.grad).toBeNull();
  });

  it('a weight used twice in one graph gets both paths (the first in place, the second added)', () => {
    const [x, w] = operands(false);
    const x2 = nb.tensor(values(ROWS * IN, 9), { shape: [ROWS, IN] });
    const twice = (p: nb.Tensor): nb.Tensor => nb.linearMap(x, p, null).add(nb.linearMap(x2, p, null).mul(3)).sum();
    const fresh = w.detach().requiresGrad_(true);
    twice(fresh).backward();
    const wp = w.detach().requiresGrad_(true);
    const opt = new nb.optim.SGD([wp], { lr: 0.1 });
    nb.linearMap(x, wp, null).sum().backward();
    opt.zeroGrad({ setToNone: false });
    const grad = wp.grad!;
    twice(wp).backward();
    expect(wp.grad).toBe(grad);
    expectClose(wp.grad!.dataSync(), fresh.grad!.dataSync(), { atol: 1e-4 });
  });

  it('never writes into storage another tensor shares or the graph reads', () => {
    const f = (v: number[]): nb.Tensor => nb.tensor(v, { shape: [2, 2], dtype: 'float64', requiresGrad: true });
    const x = nb.tensor([[1, 2]], { dtype: 'float64' });
    // add's backward hands one gradient to both: the two .grad tensors share it.
    const [w1, w2] = [f([1, 2, 3, 4]), f([5, 6, 7, 8])];
    w1.add(w2).sum().backward();
    nb.linearMap(x, w1, null).sum().backward();
    expect(Array.from(w2.grad!.dataSync())).toEqual([1, 1, 1, 1]);
    expect(Array.from(w1.grad!.dataSync())).toEqual([2, 3, 2, 3]);
    // Kept gradients get storage of their own.
    const opt = new nb.optim.SGD([w1, w2], { lr: 0.1 });
    opt.zeroGrad({ setToNone: false });
    nb.linearMap(x, w1, null).sum().backward();
    expect(Array.from(w2.grad!.dataSync())).toEqual([0, 0, 0, 0]);
    expect(Array.from(w1.grad!.dataSync())).toEqual([1, 2, 1, 2]);
    // A root gradient that is p.grad itself, passed straight through by add: 3 + 3 per cell.
    const p = nb.tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const q = nb.tensor([0, 0], { dtype: 'float64', requiresGrad: true });
    const popt = new nb.optim.SGD([p], { lr: 0.1 });
    p.mul(3).sum().backward();
    popt.zeroGrad({ setToNone: false });
    p.mul(3).sum().backward();
    p.add(q).backward(p.grad!);
    expect(Array.from(p.grad!.dataSync())).toEqual([6, 6]);
    // A graph that reads w1.grad: the linear op must not change it before mul's backward uses it.
    opt.zeroGrad({ setToNone: false });
    w1.grad!.data.fill(1);
    const c = w1.grad!;
    nb.linearMap(x, w1, null).sum().add(w1.mul(c).sum()).backward();
    expect(Array.from(w1.grad!.dataSync())).toEqual([3, 4, 3, 4]);
    // The same through a view of its own over that storage, which no identity check would see.
    opt.zeroGrad({ setToNone: false });
    w1.grad!.data.fill(1);
    const view = new nb.Tensor(w1.grad!.data.subarray(0), [2, 2]);
    nb.linearMap(x, w1, null).sum().add(w1.mul(view).sum()).backward();
    expect(Array.from(w1.grad!.dataSync())).toEqual([3, 4, 3, 4]);
    // where's condition is read in backward without being an input of the op.
    const a = f([1, 1, 1, 1]);
    const aopt = new nb.optim.SGD([a, w1], { lr: 0.1 });
    nb.linearMap(a, w1, null).sum().backward();
    aopt.zeroGrad({ setToNone: false });
    w1.grad!.data.set([1, 0, 1, 0]);
    nb.linearMap(nb.where(w1.grad!, a, 5), w1, null).sum().backward();
    // d(sum)/dh = w1's column sums [1 + 3, 2 + 4] in each row; a gets them where the condition is nonzero.
    expect(Array.from(a.grad!.dataSync())).toEqual([4, 0, 4, 0]);
  });

  it('a root gradient that is W.grad itself: the new gradient is computed before it is added', () => {
    // Square, so that the output's gradient can be W's own [N, N] gradient; large enough for wasm.
    const N = 96;
    const sq = nb.tensor(values(N * N, 11), { shape: [N, N] });
    const wsq = nb.tensor(values(N * N, 12), { shape: [N, N], requiresGrad: true });
    const sqopt = new nb.optim.SGD([wsq], { lr: 0.1 });
    nb.linearMap(sq, wsq, null).sum().backward();
    sqopt.zeroGrad({ setToNone: false });
    wsq.grad!.data.set(Float32Array.from(values(N * N, 13)));
    const before = Float64Array.from(wsq.grad!.dataSync());
    nb.linearMap(sq, wsq, null).backward(wsq.grad!);
    // dW = Gᵀ·x with G the old gradient: reference in float64.
    const sqd = sq.dataSync();
    const expected = new Float64Array(N * N);
    for (let o = 0; o < N; o++) {
      for (let i = 0; i < N; i++) {
        let acc = 0;
        for (let r = 0; r < N; r++) acc += before[r * N + o] * sqd[r * N + i];
        expected[o * N + i] = before[o * N + i] + acc;
      }
    }
    expectClose(wsq.grad!.dataSync(), expected, { atol: 1e-3, rtol: 1e-4 });
  });

  it('training with setToNone false or true gives the same parameters, bit for bit', () => {
    const train = (setToNone: boolean): Float32Array[] => {
      nb.manualSeed(21);
      const net = new nb.nn.Sequential(new nb.nn.Linear(IN, 32), new nb.nn.ReLU(), new nb.nn.Linear(32, 10));
      const opt = new nb.optim.Adam(net.parameters(), { lr: 1e-2 });
      const [x] = operands(false);
      const y = nb.tensor(Array.from({ length: ROWS }, (_, i) => i % 10), { dtype: 'int32' });
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad({ setToNone });
        nb.nn.functional.crossEntropy(net.forward(x), y).backward();
        opt.step();
      }
      return net.parameters().map((p) => Float32Array.from(p.dataSync()));
    };
    const kept = train(false);
    const dropped = train(true);
    kept.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(dropped[i])));
  });

  it('passes gradcheck and gradgradcheck in float64', () => {
    const x = nb.randn([5, 7], { dtype: 'float64' });
    const w = nb.randn([3, 7], { dtype: 'float64' });
    const b = nb.randn([3], { dtype: 'float64' });
    expect(nb.gradcheck((xi, wi, bi) => nb.linearMap(xi, wi, bi), [x, w, b])).toBe(true);
    expect(nb.gradgradcheck((xi, wi) => nb.linearMap(xi, wi, null).tanh(), [x, w])).toBe(true);
  });

  it('nn.functional.linear promotes as x·Wᵀ + b would (a float64 bias gives float64)', () => {
    const [x, w] = operands(false);
    const b64 = nb.tensor(values(OUT, 3), { dtype: 'float64' });
    const z = nb.nn.functional.linear(x, w, b64);
    expect(z.dtype).toBe('float64');
    expectClose(z, x.matmul(w.transpose()).cast('float64').add(b64), { atol: 1e-5 });
  });

  it('rejects shapes and dtypes that do not fit', () => {
    const [x, w, b] = operands(false);
    expect(() => nb.linearMap(x, w.transpose(), b)).toThrow('linearMap: expected x [rows, in] and weight [out, in], got [48,600] and [600,40]');
    expect(() => nb.linearMap(x, w, nb.zeros([3]))).toThrow(nb.ShapeError);
    expect(() => nb.linearMap(x, w.cast('float64'), null)).toThrow(nb.DTypeError);
  });
});
