import type { ReduceOp, Shape, TypedArray } from '../types.js';
import { forEachRow } from './elementwise.js';
import { aroundAxis, contiguousStrides } from './layout.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void {
  out.fill(INIT[op]);
  if (x.length === 0) return;
  // Out strides over the input's axes: 0 along reduced axes, so each input row knows its target.
  const keepShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ks = contiguousStrides(keepShape).map((s, i) => (axes.includes(i) ? 0 : s));
  forEachRow(shape, [ks], (o, starts, steps, len) => {
    let oi = starts[0];
    const step = steps[0];
    if (step === 0) {
      // Last axis reduced: fold the whole row into one output.
      let acc = out[oi];
      switch (op) {
        case 'sum': for (let j = 0; j < len; j++) acc += x[o + j]; break;
        case 'prod':
          if (out instanceof Int32Array) for (let j = 0; j < len; j++) acc = Math.imul(acc, x[o + j]);
          else for (let j = 0; j < len; j++) acc *= x[o + j];
          break;
        case 'max': for (let j = 0; j < len; j++) { const v = x[o + j]; if (v > acc || v !== v) acc = v; } break;
        case 'min': for (let j = 0; j < len; j++) { const v = x[o + j]; if (v < acc || v !== v) acc = v; } break;
      }
      out[oi] = acc;
      return;
    }
    switch (op) {
      case 'sum': for (let j = 0; j < len; j++, oi += step) out[oi] += x[o + j]; break;
      case 'prod':
        if (out instanceof Int32Array) for (let j = 0; j < len; j++, oi += step) out[oi] = Math.imul(out[oi], x[o + j]);
        else for (let j = 0; j < len; j++, oi += step) out[oi] *= x[o + j];
        break;
      case 'max': for (let j = 0; j < len; j++, oi += step) { const v = x[o + j]; if (v > out[oi] || v !== v) out[oi] = v; } break;
      case 'min': for (let j = 0; j < len; j++, oi += step) { const v = x[o + j]; if (v < out[oi] || v !== v) out[oi] = v; } break;
    }
  });
}

export function argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axis: number, out: Int32Array): void {
  const [outer, len, inner] = aroundAxis(shape, axis);
  const sign = op === 'argmax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let best = 0;
      let bestV = sign * x[base];
      for (let j = 1; j < len; j++) {
        const v = sign * x[base + j * inner];
        if (v > bestV || (v !== v && bestV === bestV)) {
          best = j;
          bestV = v;
        }
      }
      out[o * inner + i] = best;
    }
  }
}

export function softmax(x: TypedArray, shape: Shape, axis: number, log: boolean, out: TypedArray): void {
  const [outer, len, inner] = aroundAxis(shape, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let max = -Infinity;
      for (let j = 0; j < len; j++) max = Math.max(max, x[base + j * inner]);
      // All -inf (or empty): a uniform distribution would be a guess; follow PyTorch and give NaN.
      let sum = 0;
      for (let j = 0; j < len; j++) {
        const e = Math.exp(x[base + j * inner] - max);
        sum += e;
        if (!log) out[base + j * inner] = e;
      }
      if (log) {
        const lse = max + Math.log(sum);
        for (let j = 0; j < len; j++) out[base + j * inner] = x[base + j * inner] - lse;
      } else {
        const inv = 1 / sum;
        for (let j = 0; j < len; j++) out[base + j * inner] *= inv;
      }
    }
  }
}
