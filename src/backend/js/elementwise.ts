import type { BinaryOp, Shape, TypedArray, UnaryOp } from '../types.js';

/** Scalar definitions of the unary ops: the specification other backends follow. */
const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  // Written to never overflow: exp of a non-positive number only.
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  floor: Math.floor,
  ceil: Math.ceil,
  // Round half to even, as numpy and PyTorch do.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  log1p: Math.log1p,
  expm1: Math.expm1,
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  reluGrad: (g, x) => (x > 0 ? g : 0),
};

/** aᵇ for integers b ≥ 0 by squaring, wrapping like C (int32 pow refuses negative exponents). */
function intPow(a: number, b: number): number {
  let result = 1;
  let base = a;
  for (let e = b; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
  }
  return result;
}

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const n = x.length;
  // The hottest ops get their own loop; the rest go through the scalar table.
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    default: {
      // int32 squares wrap like C; a double product would lose the low bits past 2^53 first.
      const f = op === 'square' && out instanceof Int32Array ? (v: number): number => Math.imul(v, v) : UNARY[op];
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    }
  }
}

/** Strides of `shape` broadcast to `outShape` (0 along broadcast axes), aligned right. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const nd = outShape.length;
  const strides = new Array<number>(nd).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const oi = nd - shape.length + i;
    strides[oi] = shape[i] === 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Calls body(outStart, aStart, bStart, aStep, bStep, len) for each run of the last axis
 * of outShape; the generic path for broadcast binary and ternary kernels.
 */
export function forEachRow(
  outShape: Shape,
  stridesList: number[][],
  body: (outStart: number, starts: number[], steps: number[], len: number) => void,
): void {
  const nd = outShape.length;
  if (nd === 0) {
    body(0, stridesList.map(() => 0), stridesList.map(() => 0), 1);
    return;
  }
  const len = outShape[nd - 1];
  const steps = stridesList.map((s) => s[nd - 1]);
  const rows = outShape.reduce((p, d) => p * d, 1) / Math.max(len, 1);
  const idx = new Array<number>(nd).fill(0);
  const starts = stridesList.map(() => 0);
  for (let r = 0; r < rows; r++) {
    body(r * len, starts, steps, len);
    // Increment the multi-index over all but the last axis and update the offsets.
    for (let ax = nd - 2; ax >= 0; ax--) {
      idx[ax]++;
      for (let t = 0; t < starts.length; t++) starts[t] += stridesList[t][ax];
      if (idx[ax] < outShape[ax]) break;
      for (let t = 0; t < starts.length; t++) starts[t] -= stridesList[t][ax] * outShape[ax];
      idx[ax] = 0;
    }
  }
}

export function binary(
  op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape,
): void {
  // int32 products and powers wrap like C; a double result would lose the low bits past 2^53 first.
  const isInt = out instanceof Int32Array;
  const kind = isInt && op === 'mul' ? 'imul' : isInt && op === 'pow' ? 'ipow' : op;
  const f = kind === 'imul' ? Math.imul : kind === 'ipow' ? intPow : BINARY[op];
  const n = out.length;
  if (sameShape(aShape, outShape) && sameShape(bShape, outShape)) {
    switch (kind) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
      default: for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]); return;
    }
  }
  if (b.length === 1 && sameShape(aShape, outShape)) {
    const bv = b[0];
    switch (kind) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + bv; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * bv; return;
      default: for (let i = 0; i < n; i++) out[i] = f(a[i], bv); return;
    }
  }
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [as, bs], (o, starts, steps, len) => {
    let ai = starts[0];
    let bi = starts[1];
    const sa = steps[0];
    const sb = steps[1];
    if (kind === 'add') {
      for (let j = 0; j < len; j++, ai += sa, bi += sb) out[o + j] = a[ai] + b[bi];
    } else if (kind === 'sub') {
      for (let j = 0; j < len; j++, ai += sa, bi += sb) out[o + j] = a[ai] - b[bi];
    } else if (kind === 'div') {
      for (let j = 0; j < len; j++, ai += sa, bi += sb) out[o + j] = a[ai] / b[bi];
    } else if (kind === 'mul') {
      for (let j = 0; j < len; j++, ai += sa, bi += sb) out[o + j] = a[ai] * b[bi];
    } else {
      for (let j = 0; j < len; j++, ai += sa, bi += sb) out[o + j] = f(a[ai], b[bi]);
    }
  });
}

export function where(
  cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape,
  out: TypedArray, outShape: Shape,
): void {
  const cs = broadcastStrides(condShape, outShape);
  const as = broadcastStrides(aShape, outShape);
  const bs = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [cs, as, bs], (o, starts, steps, len) => {
    let ci = starts[0];
    let ai = starts[1];
    let bi = starts[2];
    for (let j = 0; j < len; j++, ci += steps[0], ai += steps[1], bi += steps[2]) {
      out[o + j] = cond[ci] !== 0 ? a[ai] : b[bi];
    }
  });
}

/** out[i] = value (see Kernels.fill). */
export function fill(out: TypedArray, value: number): void {
  out.fill(value);
}

export function cast(x: TypedArray, out: TypedArray): void {
  if (out instanceof Int32Array && !(x instanceof Int32Array)) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  } else {
    out.set(x);
  }
}
