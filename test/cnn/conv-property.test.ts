import { beforeEach, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { backends } from '../helpers';

/** The test's own seeded generator (mulberry32), independent of the library's. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Config {
  n: number; groups: number; inPerGroup: number; outPerGroup: number;
  h: number; w: number; kH: number; kW: number;
  stride: [number, number]; dilation: [number, number];
  padding: [number, number] | 'same' | 'valid';
}

function randomConfig(next: () => number): Config {
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const stride: [number, number] = next() < 0.35 ? [1, 1] : [int(1, 3), int(1, 3)];
  const dilation: [number, number] = [int(1, 2), int(1, 2)];
  const kH = int(1, 4);
  const kW = int(1, 4);
  const r = next();
  const canSame = stride[0] === 1 && stride[1] === 1;
  const padding: Config['padding'] = r < 0.3 && canSame ? 'same' : r < 0.4 ? 'valid' : [int(0, 2), int(0, 2)];
  const pads = Array.isArray(padding) ? padding : [0, 0];
  // Smallest input that leaves at least one output position.
  const minH = Math.max(1, dilation[0] * (kH - 1) + 1 - 2 * pads[0]);
  const minW = Math.max(1, dilation[1] * (kW - 1) + 1 - 2 * pads[1]);
  return {
    n: int(1, 3), groups: int(1, 3), inPerGroup: int(1, 3), outPerGroup: int(1, 3),
    h: int(minH, minH + 5), w: int(minW, minW + 5), kH, kW, stride, dilation, padding,
  };
}

/**
 * Naive 7-loop convolution in float64, written from the definition, and for each output the
 * sum of the magnitudes of its terms (the scale that float32 rounding errors are relative to).
 */
function reference(c: Config, x: Float32Array, wt: Float32Array, b: Float32Array): { y: Float64Array; scale: Float64Array; shape: number[] } {
  const inC = c.groups * c.inPerGroup;
  const outC = c.groups * c.outPerGroup;
  let top: number; let left: number; let outH: number; let outW: number;
  if (c.padding === 'same') {
    top = Math.floor((c.dilation[0] * (c.kH - 1)) / 2);
    left = Math.floor((c.dilation[1] * (c.kW - 1)) / 2);
    outH = c.h;
    outW = c.w;
  } else {
    const [ph, pw] = c.padding === 'valid' ? [0, 0] : c.padding;
    top = ph;
    left = pw;
    outH = Math.floor((c.h + 2 * ph - c.dilation[0] * (c.kH - 1) - 1) / c.stride[0]) + 1;
    outW = Math.floor((c.w + 2 * pw - c.dilation[1] * (c.kW - 1) - 1) / c.stride[1]) + 1;
  }
  const y = new Float64Array(c.n * outC * outH * outW);
  const scale = new Float64Array(y.length);
  let o = 0;
  for (let n = 0; n < c.n; n++) {
    for (let oc = 0; oc < outC; oc++) {
      const group = Math.floor(oc / c.outPerGroup);
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++, o++) {
          let s = b[oc];
          let mag = Math.abs(b[oc]);
          for (let ic = 0; ic < c.inPerGroup; ic++) {
            const ch = group * c.inPerGroup + ic;
            for (let ki = 0; ki < c.kH; ki++) {
              const ih = oh * c.stride[0] - top + ki * c.dilation[0];
              if (ih < 0 || ih >= c.h) continue;
              for (let kj = 0; kj < c.kW; kj++) {
                const iw = ow * c.stride[1] - left + kj * c.dilation[1];
                if (iw < 0 || iw >= c.w) continue;
                const term = wt[((oc * c.inPerGroup + ic) * c.kH + ki) * c.kW + kj] * x[((n * inC + ch) * c.h + ih) * c.w + iw];
                s += term;
                mag += Math.abs(term);
              }
            }
          }
          y[o] = s;
          scale[o] = mag;
        }
      }
    }
  }
  return { y, scale, shape: [c.n, outC, outH, outW] };
}

describe.each(backends)('conv2d matches a naive reference on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('over 200 random configurations (float32, 1e-5 relative)', () => {
    const next = rng(20240611);
    const uniform = (len: number): Float32Array => Float32Array.from({ length: len }, () => next() * 2 - 1);
    const seen = { same: 0, valid: 0, stride: 0, dilation: 0, groups: 0, padded: 0 };
    for (let trial = 0; trial < 200; trial++) {
      const c = randomConfig(next);
      const inC = c.groups * c.inPerGroup;
      const outC = c.groups * c.outPerGroup;
      const xData = uniform(c.n * inC * c.h * c.w);
      const wData = uniform(outC * c.inPerGroup * c.kH * c.kW);
      const bData = uniform(outC);
      const x = nb.tensor(xData, { shape: [c.n, inC, c.h, c.w] });
      const w = nb.tensor(wData, { shape: [outC, c.inPerGroup, c.kH, c.kW] });
      const b = nb.tensor(bData, { shape: [outC] });
      const y = nb.conv2d(x, w, b, { stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups });
      const ref = reference(c, xData, wData, bData);
      const label = `trial ${trial}: ${JSON.stringify(c)}`;
      expect(y.dtype, label).toBe('float32');
      expect(y.shape, label).toEqual(ref.shape);
      const got = y.dataSync();
      for (let i = 0; i < got.length; i++) {
        const err = Math.abs(got[i] - ref.y[i]);
        if (!(err <= 1e-5 * ref.scale[i])) expect.fail(`${label}: output ${i} is ${got[i]}, reference ${ref.y[i]} (error ${err} > 1e-5 × ${ref.scale[i]})`);
      }
      seen.same += c.padding === 'same' ? 1 : 0;
      seen.valid += c.padding === 'valid' ? 1 : 0;
      seen.padded += Array.isArray(c.padding) && (c.padding[0] > 0 || c.padding[1] > 0) ? 1 : 0;
      seen.stride += c.stride[0] > 1 || c.stride[1] > 1 ? 1 : 0;
      seen.dilation += c.dilation[0] > 1 || c.dilation[1] > 1 ? 1 : 0;
      seen.groups += c.groups > 1 ? 1 : 0;
    }
    // The random configurations really cover every feature.
    for (const [feature, count] of Object.entries(seen)) expect(count, feature).toBeGreaterThan(10);
  });
});
