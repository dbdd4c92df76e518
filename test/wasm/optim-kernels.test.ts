/**
 * The fused optimizer kernels (Backend.adamStep / sgdStep) against an independent float64
 * reference written here from PyTorch's update rules, on the js and wasm backends, then the
 * Adam and SGD optimizers end to end on both backends.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { jsBackend } from '../../src/backend/js/index.js';
import type { AdamStepSpec, Backend, SgdStepSpec, TypedArray } from '../../src/backend/types.js';
import { setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { loadWasm, rng, uniform } from './setup.js';

beforeAll(loadWasm);
afterEach(() => {
  vi.restoreAllMocks();
  nb.setBackend('js');
});

/** Below 256 elements the wasm kernels hand the work to js; 256 and up run 4 lanes plus a scalar tail. */
const SIZES = [1, 3, 255, 256, 257, 1000, 4099];
const STEPS = 5;
/** Gradient scale per step: the second moment rises and falls, so AMSGrad's max keeps old values. */
const ADAM_SCALES = [1, 0.2, 1.5, 0.1, 0.5];
const SGD_SCALES = [1, 0.5, 1, 0.25, 0.75];

/**
 * float32 kernels against the float64 reference after up to 5 steps. Each float32 operation
 * rounds with relative error ≤ 2⁻²⁴ ≈ 6e-8 and a step does a handful per element, so the
 * state (m, v, the momentum buffer) drifts by at most ~5 steps × a few × 6e-8 ≈ 1e-6 relative:
 * rtol 1e-5 leaves a 10× margin. Where terms cancel (m or buf near 0, p crossing 0) the error is
 * instead a few half-ulps of the operands' magnitude (|terms| ≤ ~4 here, half-ulp ≤ 2.4e-7), so
 * atol 1e-6. v is a sum of positive terms (no cancellation), so rtol alone bounds it.
 */
const F32 = { atol: 1e-6, rtol: 1e-5 };
const F32_POSITIVE = { atol: 1e-12, rtol: 1e-5 };
/** float64 kernels: the same formulas in a different order differ by a few ulp (1e-16 relative). */
const F64 = { atol: 1e-12, rtol: 1e-12 };

type Tol = { atol: number; rtol: number };

/** |a − e| ≤ atol + rtol·|e| elementwise (NaN only matches NaN), naming the case on failure. */
function expectNear(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!ok) expect.fail(`${label}, element ${i} of ${expected.length}: got ${a}, expected ${e} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

// ---- the reference: PyTorch's rules, float64, one element at a time ------------------------

interface AdamState64 {
  p: Float64Array;
  m: Float64Array;
  v: Float64Array;
  vMax: Float64Array | null;
}

/**
 * Adam as torch.optim.Adam documents it, with the bias corrections applied to m and v
 * (m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), p ← p − lr·m̂/(√v̂ + eps)). Math.max propagates NaN,
 * as the kernels' rule (v > vMax || isNaN(v)) does for a NaN v or a NaN vMax.
 */
function referenceAdam(s: AdamState64, g: ArrayLike<number>, o: AdamStepSpec): void {
  const t = o.step;
  for (let i = 0; i < s.p.length; i++) {
    let gi = g[i];
    if (o.decoupledWeightDecay) s.p[i] = s.p[i] - o.lr * o.weightDecay * s.p[i];
    else gi = gi + o.weightDecay * s.p[i];
    s.m[i] = o.beta1 * s.m[i] + (1 - o.beta1) * gi;
    s.v[i] = o.beta2 * s.v[i] + (1 - o.beta2) * gi * gi;
    let second = s.v[i];
    if (s.vMax) {
      s.vMax[i] = Math.max(s.vMax[i], s.v[i]);
      second = s.vMax[i];
    }
    const mHat = s.m[i] / (1 - o.beta1 ** t);
    const vHat = second / (1 - o.beta2 ** t);
    s.p[i] = s.p[i] - (o.lr * mHat) / (Math.sqrt(vHat) + o.eps);
  }
}

/** SGD as torch.optim.SGD documents it; buf null means no momentum. */
function referenceSgd(p: Float64Array, g: ArrayLike<number>, buf: Float64Array | null, o: SgdStepSpec): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + o.weightDecay * p[i];
    let d = gi;
    if (buf) {
      buf[i] = o.first ? gi : o.momentum * buf[i] + (1 - o.dampening) * gi;
      d = o.nesterov ? gi + o.momentum * buf[i] : buf[i];
    }
    p[i] = p[i] - o.lr * d;
  }
}

// ---- operands -------------------------------------------------------------------------------

type Storage = 'plain' | 'resident';
type Kind = 'float32' | 'float64';

/** An array of the kind holding `values`: plain, or resident in wasm memory. */
function arrayOf(kind: Kind, storage: Storage, values: ArrayLike<number>): TypedArray {
  let out: TypedArray;
  if (storage === 'resident') {
    const r = wasmBackend.residentArray!('float32', values.length);
    if (!r) throw new Error('the wasm backend handed out no resident array');
    out = r;
  } else {
    out = kind === 'float32' ? new Float32Array(values.length) : new Float64Array(values.length);
  }
  out.set(Array.from(values));
  return out;
}

/** The gradient of step `k`: uniform in [−scale, scale), seeded by size and step. */
function gradient(kind: Kind, n: number, k: number, scale: number): TypedArray {
  const r = rng(1000 * n + k);
  const g = kind === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = scale * (2 * r() - 1);
  return g;
}

interface AdamCase {
  name: string;
  opts: Omit<AdamStepSpec, 'step'>;
  amsgrad: boolean;
}

const ADAM_CASES: AdamCase[] = [
  { name: 'Adam', opts: { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false }, amsgrad: false },
  { name: 'Adam, L2 weight decay 0.1', opts: { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: false }, amsgrad: false },
  { name: 'AdamW (decoupled 0.1)', opts: { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: true }, amsgrad: false },
  { name: 'decoupled with weight decay 0', opts: { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0, decoupledWeightDecay: true }, amsgrad: false },
  { name: 'AMSGrad', opts: { lr: 0.05, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false }, amsgrad: true },
  { name: 'AMSGrad with L2 0.1', opts: { lr: 0.02, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, decoupledWeightDecay: false }, amsgrad: true },
  { name: 'AMSGrad with AdamW 0.1', opts: { lr: 0.05, beta1: 0.85, beta2: 0.99, eps: 1e-7, weightDecay: 0.1, decoupledWeightDecay: true }, amsgrad: true },
];

/** STEPS Adam steps of `kernels` and of the reference from the same start; compares after every step. */
function checkAdam(kernels: Backend, kind: Kind, storage: Storage, c: AdamCase, n: number): void {
  const p0 = uniform(n, n + 1);
  const ref: AdamState64 = {
    p: Float64Array.from(p0), m: new Float64Array(n), v: new Float64Array(n), vMax: c.amsgrad ? new Float64Array(n) : null,
  };
  const zeros = new Float64Array(n);
  const p = arrayOf(kind, storage, p0);
  const m = arrayOf(kind, storage, zeros);
  const v = arrayOf(kind, storage, zeros);
  const vMax = c.amsgrad ? arrayOf(kind, storage, zeros) : null;
  const tolerance = kind === 'float32' ? F32 : F64;
  const positive = kind === 'float32' ? F32_POSITIVE : F64;
  for (let k = 0; k < STEPS; k++) {
    const g = gradient(kind, n, k, ADAM_SCALES[k]);
    const spec = { ...c.opts, step: k + 1 };
    kernels.adamStep(p, g, m, v, vMax, spec);
    referenceAdam(ref, g, spec);
    const label = `${kernels.name} ${kind} ${storage} ${c.name}, n = ${n}, step ${k + 1}`;
    expectNear(`${label}: p`, p, ref.p, tolerance);
    expectNear(`${label}: m`, m, ref.m, tolerance);
    expectNear(`${label}: v`, v, ref.v, positive);
    if (vMax) expectNear(`${label}: vMax`, vMax, ref.vMax!, positive);
  }
  // The p moved (the comparison is not between two unchanged arrays) and, with AMSGrad, the
  // running max kept an older, larger v somewhere once the gradients shrank.
  expect(Array.from(p).some((x, i) => Math.abs(x - p0[i]) > 1e-3)).toBe(true);
  if (vMax && n >= 100) expect(Array.from(vMax).some((x, i) => x > 1.01 * v[i])).toBe(true);
}

interface SgdCase {
  name: string;
  opts: Omit<SgdStepSpec, 'first'>;
}

const SGD_CASES: SgdCase[] = [
  { name: 'plain', opts: { lr: 0.02, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 } },
  { name: 'weight decay 0.1', opts: { lr: 0.02, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0.1 } },
  { name: 'momentum 0.9', opts: { lr: 0.02, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0 } },
  { name: 'momentum 0.9, dampening 0.3', opts: { lr: 0.02, momentum: 0.9, dampening: 0.3, nesterov: false, weightDecay: 0 } },
  { name: 'nesterov 0.9', opts: { lr: 0.02, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0 } },
  { name: 'nesterov 0.8, weight decay 0.1', opts: { lr: 0.03, momentum: 0.8, dampening: 0, nesterov: true, weightDecay: 0.1 } },
  { name: 'momentum 0.5, dampening 0.5, weight decay 0.05', opts: { lr: 0.02, momentum: 0.5, dampening: 0.5, nesterov: false, weightDecay: 0.05 } },
];

/** STEPS SGD steps (first = true on the first when there is momentum) against the reference. */
function checkSgd(kernels: Backend, kind: Kind, storage: Storage, c: SgdCase, n: number): void {
  const p0 = uniform(n, n + 2);
  const refP = Float64Array.from(p0);
  const withMomentum = c.opts.momentum !== 0;
  // The first step must overwrite the buffer, whatever it holds.
  const refBuf = withMomentum ? new Float64Array(n).fill(7) : null;
  const p = arrayOf(kind, storage, p0);
  const buf = refBuf ? arrayOf(kind, storage, refBuf) : null;
  const tolerance = kind === 'float32' ? F32 : F64;
  for (let k = 0; k < STEPS; k++) {
    const g = gradient(kind, n, k, SGD_SCALES[k]);
    const spec = { ...c.opts, first: withMomentum && k === 0 };
    kernels.sgdStep(p, g, buf, spec);
    referenceSgd(refP, g, refBuf, spec);
    const label = `${kernels.name} ${kind} ${storage} SGD ${c.name}, n = ${n}, step ${k + 1}`;
    expectNear(`${label}: p`, p, refP, tolerance);
    if (buf) expectNear(`${label}: buf`, buf, refBuf!, tolerance);
  }
  expect(Array.from(p).some((x, i) => Math.abs(x - p0[i]) > 1e-3)).toBe(true);
}

// ---- the kernels ------------------------------------------------------------------------------

/** js: plain arrays; wasm: plain arrays (copied in and back) and resident ones (in place). */
const VARIANTS: { name: string; kernels: () => Backend; storage: Storage }[] = [
  { name: 'js', kernels: () => jsBackend, storage: 'plain' },
  { name: 'wasm', kernels: () => wasmBackend, storage: 'plain' },
  { name: 'wasm', kernels: () => wasmBackend, storage: 'resident' },
];

describe.each(VARIANTS)('fused Adam on $name (float32, $storage arrays) against the float64 reference', ({ kernels, storage }) => {
  it.each(ADAM_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const n of SIZES) checkAdam(kernels(), 'float32', storage, c, n);
  });
});

describe.each(VARIANTS)('fused SGD on $name (float32, $storage arrays) against the float64 reference', ({ kernels, storage }) => {
  it.each(SGD_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    for (const n of SIZES) checkSgd(kernels(), 'float32', storage, c, n);
  });
});

describe('fused kernels in float64 (js, the reference for gradient checks)', () => {
  it.each(ADAM_CASES.map((c) => [c.name, c] as const))('Adam: %s matches to 1e-12', (_name, c) => {
    for (const n of [1, 3, 257, 1000]) checkAdam(jsBackend, 'float64', 'plain', c, n);
  });

  it.each(SGD_CASES.map((c) => [c.name, c] as const))('SGD: %s matches to 1e-12', (_name, c) => {
    for (const n of [1, 3, 257, 1000]) checkSgd(jsBackend, 'float64', 'plain', c, n);
  });

  it('the wasm backend sends float64 arrays to the js loop (same values bit for bit)', () => {
    const c = ADAM_CASES[4];
    const run = (kernels: Backend): Float64Array[] => {
      const p = Float64Array.from(uniform(1000, 9));
      const [m, v, vMax] = [new Float64Array(1000), new Float64Array(1000), new Float64Array(1000)];
      for (let k = 0; k < 3; k++) kernels.adamStep(p, gradient('float64', 1000, k, 1), m, v, vMax, { ...c.opts, step: k + 1 });
      return [p, m, v, vMax];
    };
    expect(run(wasmBackend)).toEqual(run(jsBackend));
  });
});

describe('fused kernels: which path runs', () => {
  it('float32 arrays of 256 elements and more run in wasm; smaller ones and float64 go to js', () => {
    const jsAdam = vi.spyOn(jsBackend, 'adamStep');
    const jsSgd = vi.spyOn(jsBackend, 'sgdStep');
    const spec: AdamStepSpec = { ...ADAM_CASES[0].opts, step: 1 };
    const sgd: SgdStepSpec = { ...SGD_CASES[2].opts, first: true };
    const f32 = (n: number): Float32Array => uniform(n, n);
    for (const n of [256, 257, 4099]) {
      wasmBackend.adamStep(f32(n), f32(n), f32(n), f32(n).fill(0), f32(n).fill(0), spec);
      wasmBackend.sgdStep(f32(n), f32(n), f32(n), sgd);
    }
    expect(jsAdam).not.toHaveBeenCalled();
    expect(jsSgd).not.toHaveBeenCalled();
    wasmBackend.adamStep(f32(255), f32(255), f32(255), f32(255).fill(0), null, spec);
    wasmBackend.sgdStep(f32(255), f32(255), null, sgd);
    const d = new Float64Array(300);
    wasmBackend.adamStep(d, d, d, d, null, spec);
    expect(jsAdam).toHaveBeenCalledTimes(2);
    expect(jsSgd).toHaveBeenCalledTimes(1);
  });
});

describe.each(VARIANTS)('Adam by hand on $name (float32, $storage arrays)', ({ kernels, storage }) => {
  it('the first step moves every parameter by lr·sign(g) (up to eps), whatever the scale of g', () => {
    // Step 1: m = (1 − β₁)g and v = (1 − β₂)g², so m̂ = g, v̂ = g² and the step is
    // lr·g/(|g| + eps) = lr·sign(g)·(1 − eps/(|g| + eps)). The result is a float32 near p
    // (|p| ≤ 1.01: rounding ≤ 6e-8) and the float32 ratio m/√v̂ is off by ~1e-6 relative (×lr):
    // 2e-7 absolute covers both, well under lr = 0.01, so a wrong sign or size cannot pass.
    const n = 1027;
    const lr = 0.01;
    for (const scale of [1e-2, 1, 1e3]) {
      const r = rng(5);
      const g = new Float32Array(n).map(() => scale * (r() < 0.5 ? -1 : 1) * (0.01 + 0.99 * r()));
      const p0 = uniform(n, 6);
      const p = arrayOf('float32', storage, p0);
      const zeros = new Float64Array(n);
      const [m, v, vMax] = [arrayOf('float32', storage, zeros), arrayOf('float32', storage, zeros), arrayOf('float32', storage, zeros)];
      kernels().adamStep(p, g, m, v, vMax, { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, step: 1 });
      const expected = Array.from(p0, (x, i) => x - (lr * g[i]) / (Math.abs(g[i]) + 1e-8));
      expectNear(`scale ${scale}: p`, p, expected, { atol: 2e-7, rtol: 0 });
      // eps matters only where |g| is small: elsewhere this is lr·sign(g) itself (eps/|g| ≤ 1e-6).
      const large = Array.from(g.keys()).filter((i) => Math.abs(g[i]) >= 0.01);
      expectNear(`scale ${scale}: p where |g| ≥ 0.01`, large.map((i) => p[i]), large.map((i) => p0[i] - lr * Math.sign(g[i])), { atol: 2.5e-7, rtol: 0 });
      // m = 0.1·g, v = 0.001·g², vMax = v (float32 products: relative 1e-7 each).
      expectNear(`scale ${scale}: m`, m, Array.from(g, (x) => 0.1 * x), { atol: 0, rtol: 2e-7 });
      expectNear(`scale ${scale}: v`, v, Array.from(g, (x) => 0.001 * x * x), { atol: 0, rtol: 4e-7 });
      expect(Array.from(vMax)).toEqual(Array.from(v));
    }
  });

  it('SGD with momentum: the first step is p − lr·g, the second p − lr·(μg₁ + (1 − τ)g₂)', () => {
    const n = 260;
    const p = arrayOf('float32', storage, new Float64Array(n).fill(1));
    const buf = arrayOf('float32', storage, new Float64Array(n).fill(-3));
    const g1 = new Float32Array(n).fill(2);
    const g2 = new Float32Array(n).fill(-1);
    const spec = { lr: 0.5, momentum: 0.5, dampening: 0.25, nesterov: false, weightDecay: 0 };
    kernels().sgdStep(p, g1, buf, { ...spec, first: true });
    // buf = g₁ = 2 (undamped), p = 1 − 0.5·2 = 0: every value here is exact in float32.
    expect(Array.from(buf)).toEqual(new Array(n).fill(2));
    expect(Array.from(p)).toEqual(new Array(n).fill(0));
    kernels().sgdStep(p, g2, buf, { ...spec, first: false });
    // buf = 0.5·2 + 0.75·(−1) = 0.25, p = 0 − 0.5·0.25 = −0.125.
    expect(Array.from(buf)).toEqual(new Array(n).fill(0.25));
    expect(Array.from(p)).toEqual(new Array(n).fill(-0.125));
  });
});

describe.each(VARIANTS)('AMSGrad and NaN on $name (float32, $storage arrays)', ({ kernels, storage }) => {
  it('a NaN v reaches vMax (v > vMax || isNaN(v)) and a NaN already in vMax stays, in the lanes and the tail', () => {
    const n = 259; // 256 in 4-lane groups, 3 in the scalar tail (wasm)
    const nanAt = [0, 5, 130, 257];
    const g = uniform(n, 11);
    for (const i of nanAt) g[i] = NaN;
    const keptAt = [2, 7, 200, 258];
    const vMaxStart = new Float64Array(n).fill(0.5);
    for (const i of keptAt) vMaxStart[i] = NaN;
    const p = arrayOf('float32', storage, uniform(n, 12));
    const zeros = new Float64Array(n);
    const [m, v] = [arrayOf('float32', storage, zeros), arrayOf('float32', storage, zeros)];
    const vMax = arrayOf('float32', storage, vMaxStart);
    kernels().adamStep(p, g, m, v, vMax, { ...ADAM_CASES[4].opts, step: 1 });
    for (let i = 0; i < n; i++) {
      const label = `element ${i}`;
      if (nanAt.includes(i)) {
        expect(v[i], label).toBeNaN();
        expect(vMax[i], label).toBeNaN();
        expect(p[i], label).toBeNaN();
      } else if (keptAt.includes(i)) {
        expect(v[i], label).not.toBeNaN();
        expect(vMax[i], label).toBeNaN();
      } else {
        // v = 0.01·g² < 0.5: the old maximum stays.
        expect(vMax[i], label).toBe(0.5);
        expect(p[i], label).not.toBeNaN();
      }
    }
  });
});

// ---- the optimizers end to end ---------------------------------------------------------------

/** A small float32 regression model: weights of 24·16 = 384 elements (wasm kernels), biases of 16 and 3 (js). */
function trainedParameters(backend: string, makeOptimizer: (params: nb.Tensor[]) => nb.optim.Optimizer, steps: number): number[][] {
  nb.setBackend(backend);
  nb.manualSeed(21);
  const model = new nb.nn.Sequential(new nb.nn.Linear(24, 16), new nb.nn.Tanh(), new nb.nn.Linear(16, 3));
  const x = nb.randn([32, 24]);
  const y = nb.randn([32, 3]);
  const opt = makeOptimizer(model.parameters());
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    nb.nn.functional.mseLoss(model.forward(x), y).backward();
    opt.step();
  }
  return model.parameters().map((p) => Array.from(p.dataSync()));
}

describe('optimizers give the same parameters on js and wasm', () => {
  // Forward and backward on wasm sum in another order (float32 rounding ~1e-6 relative in g);
  // Adam's step depends on g through m/√v, smoothly where g is not ~0, so the parameters
  // agree to ~lr·1e-6 per step: 1e-5 is a wide but meaningful margin (a step moves them by ~lr).
  const cases: [string, (params: nb.Tensor[]) => nb.optim.Optimizer][] = [
    ['Adam', (params) => new nb.optim.Adam(params, { lr: 0.01 })],
    ['AdamW with AMSGrad', (params) => new nb.optim.AdamW(params, { lr: 0.01, weightDecay: 0.1, amsgrad: true })],
    ['Adam with L2 weight decay', (params) => new nb.optim.Adam(params, { lr: 0.01, weightDecay: 0.05 })],
    ['SGD with Nesterov momentum', (params) => new nb.optim.SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
    ['SGD with damped momentum', (params) => new nb.optim.SGD(params, { lr: 0.05, momentum: 0.9, dampening: 0.1 })],
  ];

  it.each(cases)('%s', (_name, makeOptimizer) => {
    const before = trainedParameters('js', makeOptimizer, 0);
    const viaJs = trainedParameters('js', makeOptimizer, 4);
    const viaWasm = trainedParameters('wasm', makeOptimizer, 4);
    expect(viaJs.map((p) => p.length)).toEqual([384, 16, 48, 3]);
    viaJs.forEach((p, i) => {
      expectNear(`parameter ${i}`, viaWasm[i], p, { atol: 1e-5, rtol: 0 });
      // The parameters did move, by more than the tolerance.
      expect(p.some((x, j) => Math.abs(x - before[i][j]) > 1e-3), `parameter ${i} moved`).toBe(true);
    });
  });
});

describe('fused Adam split between threads', () => {
  // 100 003 elements: ranges cut on a multiple of 4, and a scalar tail of 3 in the last one.
  const n = 100_003;
  const c = ADAM_CASES[6]; // AMSGrad with AdamW: every operand, vMax included

  it('from 2¹⁵ elements: the same values as the float64 reference', async () => {
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    checkAdam(wasmBackend, 'float32', 'resident', c, n);
    setNumThreads(1);
  });

  it('the parameters and the state do not change by a bit with the thread count', async () => {
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    const run = (threads: number): Float32Array[] => {
      setNumThreads(threads);
      const p = uniform(n, 31);
      const [m, v, vMax] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let k = 0; k < 3; k++) wasmBackend.adamStep(p, gradient('float32', n, k, ADAM_SCALES[k]), m, v, vMax, { ...c.opts, step: k + 1 });
      return [p, m, v, vMax];
    };
    const one = run(1);
    // Until a worker has taken a chunk (on a busy machine the caller may run them all).
    for (let attempt = 0, before = wasmInfo()?.workerChunks ?? 0; (wasmInfo()?.workerChunks ?? 0) === before; attempt++) {
      expect(attempt, 'a worker took part').toBeLessThan(100);
      const two = run(2);
      two.forEach((array, i) => expect(array, `operand ${i}, 2 threads vs 1`).toEqual(one[i]));
    }
    setNumThreads(1);
  });
});
