import type { Shape, TypedArray } from '../types.js';
import { forEachRow } from './elementwise.js';

/** Row-major strides of a shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Splits a shape around one axis into [outer, len, inner] element counts. */
export function aroundAxis(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

export function permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void {
  const strides = contiguousStrides(shape);
  const outShape = perm.map((p) => shape[p]);
  const src = perm.map((p) => strides[p]);
  forEachRow(outShape, [src], (o, starts, steps, len) => {
    let si = starts[0];
    const step = steps[0];
    for (let j = 0; j < len; j++, si += step) out[o + j] = x[si];
  });
}

export function slice(
  x: TypedArray, shape: Shape, starts: readonly number[], steps: readonly number[], out: TypedArray, outShape: Shape,
): void {
  const strides = contiguousStrides(shape);
  let base = 0;
  for (let i = 0; i < shape.length; i++) base += starts[i] * strides[i];
  const src = strides.map((s, i) => s * steps[i]);
  forEachRow(outShape, [src], (o, st, sp, len) => {
    let si = base + st[0];
    const step = sp[0];
    for (let j = 0; j < len; j++, si += step) out[o + j] = x[si];
  });
}

export function pad(
  x: TypedArray, shape: Shape, pads: readonly (readonly [number, number])[], value: number, out: TypedArray, outShape: Shape,
): void {
  out.fill(value);
  if (x.length === 0) return;
  const outStrides = contiguousStrides(outShape);
  let base = 0;
  for (let i = 0; i < shape.length; i++) base += pads[i][0] * outStrides[i];
  forEachRow(shape, [outStrides], (o, st, _steps, len) => {
    const dst = base + st[0];
    out.set(x.subarray(o, o + len), dst);
  });
}

export function concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, out: TypedArray, outShape: Shape): void {
  const [outer, , inner] = aroundAxis(outShape, axis);
  let offset = 0;
  const outRow = outShape[axis] * inner;
  for (let t = 0; t < xs.length; t++) {
    const chunk = shapes[t][axis] * inner;
    const x = xs[t];
    for (let o = 0; o < outer; o++) out.set(x.subarray(o * chunk, (o + 1) * chunk), o * outRow + offset);
    offset += chunk;
  }
}

export function gather(x: TypedArray, shape: Shape, axis: number, indices: Int32Array, out: TypedArray): void {
  const [outer, len, inner] = aroundAxis(shape, axis);
  const m = indices.length;
  if (inner < 32) {
    // Short runs (labels, small rows): element loops beat a subarray per run.
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j < m; j++) {
        const src = (o * len + indices[j]) * inner;
        for (let i = 0; i < inner; i++) out[at++] = x[src + i];
      }
    }
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * len + indices[j]) * inner;
      out.set(x.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
}

export function scatterAdd(g: TypedArray, axis: number, indices: Int32Array, out: TypedArray, outShape: Shape): void {
  const [outer, len, inner] = aroundAxis(outShape, axis);
  const m = indices.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * len + indices[j]) * inner;
      const src = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += g[src + i];
    }
  }
}
