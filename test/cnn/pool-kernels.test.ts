import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends, expectClose } from '../helpers';

/*
 * Max pooling's kernels (the forward with its arg-max, and the backward that routes each
 * gradient to its window's arg-max) against a reference written in the test, on shapes that
 * mix the 4-wide SIMD path of 2-wide stride-2 windows with its scalar tail, with ties (the
 * first maximum wins) and NaN (it wins, and of two NaN in a window the last, as in PyTorch). Every input has ≥ 256 elements, so the
 * wasm backend runs its own kernels rather than handing small ones to js.
 */

interface Pool {
  n: number; c: number; h: number; w: number; kH: number; kW: number; sH: number; sW: number; pH: number; pW: number;
}

/** y and, for an output gradient gy, dx: the first largest cell of each window, or its last NaN, gets gy. */
function reference(p: Pool, x: number[], gy: number[]) {
  const oh = Math.floor((p.h + 2 * p.pH - p.kH) / p.sH) + 1;
  const ow = Math.floor((p.w + 2 * p.pW - p.kW) / p.sW) + 1;
  const y: number[] = [];
  const dx = new Array<number>(x.length).fill(0);
  for (let plane = 0; plane < p.n * p.c; plane++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let bestAt = -1;
        for (let ki = 0; ki < p.kH; ki++) {
          for (let kj = 0; kj < p.kW; kj++) {
            const r = i * p.sH - p.pH + ki;
            const s = j * p.sW - p.pW + kj;
            if (r < 0 || r >= p.h || s < 0 || s >= p.w) continue;
            const at = (plane * p.h + r) * p.w + s;
            const v = x[at];
            if (bestAt < 0 || Number.isNaN(v) || v > best) {
              best = v;
              bestAt = at;
            }
          }
        }
        dx[bestAt] += gy[y.length];
        y.push(best);
      }
    }
  }
  return { shape: [p.n, p.c, oh, ow], y, dx };
}

const cases: [string, Pool][] = [
  ['2x2 stride 2 on 24x24 (the LeNet pool, all SIMD)', { n: 2, c: 3, h: 24, w: 24, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0 }],
  ['2x2 stride 2 on 9x11 (SIMD and a scalar tail, odd edges dropped)', { n: 2, c: 2, h: 9, w: 11, kH: 2, kW: 2, sH: 2, sW: 2, pH: 0, pW: 0 }],
  ['3x2 windows, strides 1 and 2 (SIMD with 3 rows)', { n: 1, c: 3, h: 7, w: 18, kH: 3, kW: 2, sH: 1, sW: 2, pH: 0, pW: 0 }],
  ['2x2 stride 2 with padding 1 (scalar path)', { n: 3, c: 2, h: 8, w: 9, kH: 2, kW: 2, sH: 2, sW: 2, pH: 1, pW: 1 }],
  ['3x3 stride 2 (scalar path)', { n: 3, c: 1, h: 9, w: 13, kH: 3, kW: 3, sH: 2, sW: 2, pH: 1, pW: 0 }],
];

describe.each(backends)('max pooling kernels on %s', (backend) => {
  beforeEach(() => {
    nb.setBackend(backend);
    nb.manualSeed(5);
  });

  it('a window entirely in the padding (dilation 3) gives −inf and sends no gradient anywhere', () => {
    // 2×2 input, kernel 2, dilation 3 (span 4), padding 1, stride 1: the one window reads rows and
    // columns −1 and 2, all outside. 512 planes, so the wasm kernels run rather than js.
    const x = nb.randn([1, 512, 2, 2], { requiresGrad: true });
    const y = nb.maxPool2d(x, 2, { stride: 1, padding: 1, dilation: 3 });
    expect(y.shape).toEqual([1, 512, 1, 1]);
    expect(Array.from(y.dataSync()).every((v) => v === -Infinity)).toBe(true);
    y.mul(nb.randn([1, 512, 1, 1])).sum().backward();
    expect(Array.from(x.grad!.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it.each(cases)('%s', (_name, p) => {
    // Values on a coarse grid so that windows hold ties; NaN, two in one window where the windows
    // are 2 wide and unpadded (x[3] and x[w + 2]: rows 0 and 1, columns 3 and 2).
    const x = Array.from(nb.randint(0, 4, [p.n * p.c * p.h * p.w]).dataSync(), (v) => v / 2);
    x[3] = NaN;
    x[p.w + 2] = NaN;
    x[x.length - 2] = NaN;
    const { shape, y } = reference(p, x, []);
    const gy = Array.from({ length: y.length }, (_, i) => (i % 7) - 3);
    const ref = reference(p, x, gy);
    const xt = nb.tensor(x).reshape([p.n, p.c, p.h, p.w]);
    const options = { stride: [p.sH, p.sW] as [number, number], padding: [p.pH, p.pW] as [number, number] };
    const [grad] = nb.grad((xi: nb.Tensor) => {
      const out = nb.maxPool2d(xi, [p.kH, p.kW], options);
      expect(out.shape).toEqual(shape);
      expectClose(out.dataSync(), y);
      // The loss is NaN (NaN outputs), its gradient is not: d/dout of Σ out·gy is gy.
      return out.mul(nb.tensor(gy).reshape(shape)).sum();
    }, [xt]);
    expectClose(grad.dataSync(), ref.dx);
  });
});
