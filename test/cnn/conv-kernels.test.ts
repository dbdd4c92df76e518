import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers.js';
import { rng } from '../wasm/setup.js';

/*
 * The direct convolution kernels (forward, input gradient, weight and bias gradient) behind
 * conv2d, checked through conv2d and backward() against the definition written out as seven
 * loops in float64, on geometries with padding (also wider than the kernel), dilation,
 * non-square kernels and channel counts that are not multiples of the wasm tile.
 */


interface Case {
  n: number; c: number; h: number; w: number; outC: number;
  kH: number; kW: number; padH: number; padW: number; dilH: number; dilW: number; stride: number;
}

const fixed: [string, Case][] = [
  ['LeNet conv2 (8 → 16, 5x5)', { n: 3, c: 8, h: 12, w: 12, outC: 16, kH: 5, kW: 5, padH: 0, padW: 0, dilH: 1, dilW: 1, stride: 1 }],
  ['LeNet conv1 (1 → 8, 5x5, 28x28)', { n: 2, c: 1, h: 28, w: 28, outC: 8, kH: 5, kW: 5, padH: 0, padW: 0, dilH: 1, dilW: 1, stride: 1 }],
  ['3x3 padding 1, 7 output channels, odd width', { n: 4, c: 6, h: 10, w: 11, outC: 7, kH: 3, kW: 3, padH: 1, padW: 1, dilH: 1, dilW: 1, stride: 1 }],
  ['padding wider than the kernel (3x2, pad 3x4)', { n: 4, c: 6, h: 6, w: 7, outC: 5, kH: 3, kW: 2, padH: 3, padW: 4, dilH: 1, dilW: 1, stride: 1 }],
  ['dilation 2x3 with padding', { n: 2, c: 4, h: 11, w: 10, outC: 6, kH: 3, kW: 3, padH: 2, padW: 1, dilH: 2, dilW: 3, stride: 1 }],
  ['1x1 kernel', { n: 8, c: 5, h: 9, w: 10, outC: 9, kH: 1, kW: 1, padH: 0, padW: 0, dilH: 1, dilW: 1, stride: 1 }],
  ['70 images (the wasm weight gradient sums them in groups)', { n: 70, c: 2, h: 6, w: 7, outC: 3, kH: 3, kW: 3, padH: 1, padW: 0, dilH: 1, dilW: 1, stride: 1 }],
  ['stride 2 (the im2col path, same answer)', { n: 2, c: 3, h: 9, w: 8, outC: 4, kH: 3, kW: 3, padH: 1, padW: 1, dilH: 1, dilW: 1, stride: 2 }],
];

/** Multiply-adds of a case; from 16384 the wasm backend runs its own kernels (fewer go to js). */
function macs(k: Case): number {
  const oh = Math.floor((k.h + 2 * k.padH - k.dilH * (k.kH - 1) - 1) / k.stride) + 1;
  const ow = Math.floor((k.w + 2 * k.padW - k.dilW * (k.kW - 1) - 1) / k.stride) + 1;
  return k.n * k.outC * oh * ow * k.c * k.kH * k.kW;
}

/** Random stride-1 geometries (seeded), each large enough for the wasm kernels. */
function randomCases(count: number, seed: number): [string, Case][] {
  const r = rng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const cases: [string, Case][] = [];
  while (cases.length < count) {
    const kH = int(1, 5), kW = int(1, 5), dilH = int(1, 2), dilW = int(1, 2);
    const c: Case = { n: int(2, 4), c: int(1, 6), h: int(3, 14), w: int(3, 14), outC: int(1, 9), kH, kW, padH: int(0, 3), padW: int(0, 3), dilH, dilW, stride: 1 };
    if (c.h + 2 * c.padH - dilH * (kH - 1) < 1 || c.w + 2 * c.padW - dilW * (kW - 1) < 1 || macs(c) < 20000) continue;
    cases.push([`random ${cases.length}: ${JSON.stringify(c)}`, c]);
  }
  return cases;
}

function values(count: number, r: () => number): number[] {
  return Array.from({ length: count }, () => 2 * r() - 1);
}

/**
 * y = conv(x, w) + b, and for an output gradient gy: dx, dw, db, straight from the definition
 * y[n,o,i,j] = b[o] + Σ_{c,ki,kj} w[o,c,ki,kj]·x[n,c,i·s − pH + ki·dH, j·s − pW + kj·dW], in float64.
 * Also the Σ|term| of each sum, the scale float32 rounding is measured against.
 */
function reference(k: Case, x: number[], w: number[], b: number[], gy: number[]) {
  const oh = Math.floor((k.h + 2 * k.padH - k.dilH * (k.kH - 1) - 1) / k.stride) + 1;
  const ow = Math.floor((k.w + 2 * k.padW - k.dilW * (k.kW - 1) - 1) / k.stride) + 1;
  const y = new Float64Array(k.n * k.outC * oh * ow), yScale = new Float64Array(y.length);
  const dx = new Float64Array(x.length), dxScale = new Float64Array(x.length);
  const dw = new Float64Array(w.length), dwScale = new Float64Array(w.length);
  const db = new Float64Array(k.outC), dbScale = new Float64Array(k.outC);
  for (let n = 0; n < k.n; n++) {
    for (let o = 0; o < k.outC; o++) {
      for (let i = 0; i < oh; i++) {
        for (let j = 0; j < ow; j++) {
          const yi = ((n * k.outC + o) * oh + i) * ow + j;
          y[yi] = b[o];
          yScale[yi] = Math.abs(b[o]);
          db[o] += gy[yi];
          dbScale[o] += Math.abs(gy[yi]);
          for (let c = 0; c < k.c; c++) {
            for (let ki = 0; ki < k.kH; ki++) {
              for (let kj = 0; kj < k.kW; kj++) {
                const r = i * k.stride - k.padH + ki * k.dilH;
                const s = j * k.stride - k.padW + kj * k.dilW;
                if (r < 0 || r >= k.h || s < 0 || s >= k.w) continue;
                const xi = ((n * k.c + c) * k.h + r) * k.w + s;
                const wi = ((o * k.c + c) * k.kH + ki) * k.kW + kj;
                y[yi] += w[wi] * x[xi];
                yScale[yi] += Math.abs(w[wi] * x[xi]);
                dx[xi] += gy[yi] * w[wi];
                dxScale[xi] += Math.abs(gy[yi] * w[wi]);
                dw[wi] += gy[yi] * x[xi];
                dwScale[wi] += Math.abs(gy[yi] * x[xi]);
              }
            }
          }
        }
      }
    }
  }
  return { shape: [k.n, k.outC, oh, ow], y, yScale, dx, dxScale, dw, dwScale, db, dbScale };
}

/** |actual − expected| ≤ rtol·scale + atol elementwise: scale is the sum of |terms|, not |result|. */
function expectWithin(actual: nb.Tensor, expected: Float64Array, scale: Float64Array, rtol: number, what: string): void {
  const a = actual.dataSync();
  expect(a.length, `${what}: number of elements`).toBe(expected.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i] - expected[i]) <= rtol * scale[i] + 1e-7)) {
      expect.fail(`${what} element ${i}: got ${a[i]}, expected ${expected[i]} (terms sum to ${scale[i]} in absolute value)`);
    }
  }
}

describe.each(backends)('direct convolution kernels on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  describe.each(['float32', 'float64'] as const)('%s', (dtype) => {
    // float32 sums of up to 200 products: 1e-5 of the terms' magnitude; float64: near exact.
    const rtol = dtype === 'float32' ? 1e-5 : 1e-12;
    it.each([...fixed, ...randomCases(6, 2024)])('%s', (_name, k) => {
      if (k.stride === 1) expect(macs(k)).toBeGreaterThanOrEqual(16384);
      const r = rng(k.n * 1000 + k.c * 100 + k.h * 10 + k.w);
      const xv = values(k.n * k.c * k.h * k.w, r);
      const wv = values(k.outC * k.c * k.kH * k.kW, r);
      const bv = values(k.outC, r);
      const ref0 = reference(k, xv, wv, bv, []);
      const gv = values(ref0.y.length, r);
      const ref = reference(k, xv, wv, bv, gv);
      const x = nb.tensor(xv, { dtype }).reshape([k.n, k.c, k.h, k.w]);
      const w = nb.tensor(wv, { dtype }).reshape([k.outC, k.c, k.kH, k.kW]);
      const b = nb.tensor(bv, { dtype });
      const gy = nb.tensor(gv, { dtype }).reshape(ref.shape);
      const [dx, dw, db] = nb.grad(
        (xi: nb.Tensor, wi: nb.Tensor, bi: nb.Tensor) => {
          const y = nb.conv2d(xi, wi, bi, { padding: [k.padH, k.padW], dilation: [k.dilH, k.dilW], stride: k.stride });
          expect(y.shape).toEqual(ref.shape);
          expectWithin(y, ref.y, ref.yScale, rtol, 'y');
          return y.mul(gy).sum();
        },
        [x, w, b],
      ) as nb.Tensor[];
      expectWithin(dx, ref.dx, ref.dxScale, rtol, 'dx');
      expectWithin(dw, ref.dw, ref.dwScale, rtol, 'dw');
      expectWithin(db, ref.db, ref.dbScale, rtol, 'db');
    });
  });

  it('leaves the input gradient out when the input needs none (and still gives dw, db)', () => {
    const x = nb.tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]);
    const w = nb.tensor([[[[1, 0], [0, -1]]]], { requiresGrad: true });
    const b = nb.tensor([0.5], { requiresGrad: true });
    nb.conv2d(x, w, b).sum().backward();
    expect(x.grad).toBeNull();
    // dw[ki][kj] = the sum of the pixels tap (ki, kj) reads; db = the number of outputs.
    expectClose(w.grad!, [[[[12, 16], [24, 28]]]]);
    expectClose(b.grad!, [4]);
  });
});

describe('direct convolution derivatives (float64)', () => {
  beforeEach(() => {
    nb.setBackend('js');
    nb.manualSeed(11);
  });
  const randn64 = (shape: number[]): nb.Tensor => nb.randn(shape, { dtype: 'float64' });

  it.each([
    ['padding 1', [2, 2, 4, 5], [3, 2, 3, 3], { padding: 1 }],
    ['padding 3 > kernel − 1, dilation [2, 1]', [1, 2, 5, 4], [2, 2, 2, 3], { padding: 3, dilation: [2, 1] }],
    ["'same' with an even kernel", [2, 1, 4, 4], [2, 1, 2, 2], { padding: 'same' }],
  ] as [string, number[], number[], nb.Conv2dOptions][])('gradcheck and gradgradcheck: %s', (_name, xShape, wShape, options) => {
    const x = randn64(xShape);
    const w = randn64(wShape);
    const b = randn64([wShape[0]]);
    expect(nb.gradcheck((xi, wi, bi) => nb.conv2d(xi, wi, bi, options), [x, w, b])).toBe(true);
    // tanh makes the second derivative depend on both operands, not only on their product.
    expect(nb.gradgradcheck((xi, wi, bi) => nb.conv2d(xi, wi, bi, options).tanh(), [x, w, b])).toBe(true);
  });

  it('third derivatives: the kernels stay differentiable through two backward passes', () => {
    // f(w) = Σ conv(x, w)³ is cubic in w: d³f/dw³ along v is 6·Σ conv(x, v)³, whatever w is.
    const x = randn64([1, 1, 4, 4]);
    const w = randn64([1, 1, 2, 2]).requiresGrad_();
    const v = randn64([1, 1, 2, 2]);
    const along = (t: nb.Tensor): nb.Tensor => t.mul(v).sum();
    const [g1] = nb.grad((wi: nb.Tensor) => nb.conv2d(x, wi, null, { padding: 1 }).pow(3).sum(), [w], { createGraph: true }) as nb.Tensor[];
    const [g2] = nb.grad(() => along(g1), [w], { createGraph: true }) as nb.Tensor[];
    const [g3] = nb.grad(() => along(g2), [w]) as nb.Tensor[];
    const expected = 6 * nb.conv2d(x, v, null, { padding: 1 }).pow(3).sum().item();
    expectClose([along(g3).item()], [expected], { rtol: 1e-9 });
  });
});
