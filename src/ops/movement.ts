import { reduceGradTo } from '../autograd/engine.js';
import {
  DTypeError, ShapeError, ValueError, broadcastShapes, checkDType, fmtShape, normalizeAxes, normalizeAxis,
  promote, shapesEqual, sizeOf, tensor, Tensor, type DType,
} from '../tensor/index.js';
import { checkTensor, output, overwrittenOutput, record } from './core.js';

/**
 * Same values in a new shape (one dimension may be −1: inferred). Shares storage with x,
 * like a PyTorch view; the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('reshape', x);
  const dims = [...shape];
  const unknown = dims.indexOf(-1);
  if (dims.some((d, i) => !Number.isInteger(d) || (d < 0 && !(d === -1 && i === unknown))) || dims.lastIndexOf(-1) !== unknown) {
    throw new ValueError(`reshape: invalid target shape ${fmtShape(shape)} (non-negative integers and at most one −1)`);
  }
  if (unknown >= 0) {
    const known = sizeOf(dims.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
    dims[unknown] = x.size / known;
  }
  if (sizeOf(dims) !== x.size) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${sizeOf(dims)} elements)`);
  if (shapesEqual(dims, x.shape)) return x;
  const y = new Tensor(x.data, dims);
  return record(y, 'reshape', [x], (g) => [g.reshape(x.shape)]);
}

/** Merges axes startAxis..endAxis (inclusive) into one. */
export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  checkTensor('flatten', x);
  if (x.ndim === 0) return x.reshape([1]);
  const s = normalizeAxis('flatten', startAxis, x.ndim);
  const e = normalizeAxis('flatten', endAxis, x.ndim);
  if (s > e) throw new ValueError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis}`);
  return x.reshape([...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Reorders axes: output axis i is input axis perm[i]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  if (perm.length !== x.ndim) throw new ValueError(`permute: perm [${perm.join(',')}] has ${perm.length} axes, the tensor has ${x.ndim}`);
  const p = perm.map((a) => normalizeAxis('permute', a, x.ndim));
  if (new Set(p).size !== p.length) throw new ValueError(`permute: perm [${perm.join(',')}] repeats an axis`);
  if (p.every((a, i) => a === i)) return x;
  const [y, k] = output(p.map((a) => x.shape[a]), x.dtype);
  k.permute(x.data, x.shape, p, y.data);
  const inverse = new Array<number>(p.length);
  p.forEach((a, i) => (inverse[a] = i));
  return record(y, 'permute', [x], (g) => [g.permute(inverse)]);
}

/** Swaps two axes (by default the last two; a 0-D or 1-D tensor is returned as is). */
export function transpose(x: Tensor, axis0?: number, axis1?: number): Tensor {
  checkTensor('transpose', x);
  if (axis0 === undefined && axis1 === undefined && x.ndim < 2) return x;
  const a = normalizeAxis('transpose', axis0 ?? -2, x.ndim);
  const b = normalizeAxis('transpose', axis1 ?? -1, x.ndim);
  const perm = x.shape.map((_, i) => i);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** Removes axes of length 1 (the given ones, or all). */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  checkTensor('squeeze', x);
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axis, x.ndim);
  for (const a of axes) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of shape ${fmtShape(x.shape)} has length ${x.shape[a]}, not 1`);
  }
  return x.reshape(x.shape.filter((_, i) => !axes.includes(i)));
}

/** Inserts an axis of length 1 at position axis (−1 appends). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  checkTensor('unsqueeze', x);
  const a = normalizeAxis('unsqueeze', axis, x.ndim + 1);
  const dims = [...x.shape];
  dims.splice(a, 0, 1);
  return x.reshape(dims);
}

/** Repeats x along axes of length 1 (and new leading axes) to `shape`; the gradient is summed back. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  checkTensor('broadcastTo', x);
  const target = broadcastShapes('broadcastTo', x.shape, shape);
  if (!shapesEqual(target, shape)) throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  if (shapesEqual(x.shape, shape)) return x;
  const [y, k] = output(shape, x.dtype);
  const zero = tensor(0, { dtype: x.dtype });
  k.binary('add', x.data, x.shape, zero.data, [], y.data, shape);
  return record(y, 'broadcastTo', [x], (g) => [reduceGradTo(g, x)]);
}

/** Python-style slice bounds along one axis: negatives count from the end, out-of-range clamps. */
function sliceBounds(start: number, end: number | undefined, step: number, dim: number): [number, number] {
  const norm = (v: number): number => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = norm(start);
  const e = end === undefined ? dim : norm(end);
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

/**
 * x[starts[i] : ends[i] : steps[i]] along each leading axis given (omitted axes are kept whole).
 * Negative starts/ends count from the end; steps must be positive.
 */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly (number | undefined)[], steps?: readonly number[]): Tensor {
  checkTensor('slice', x);
  if (starts.length > x.ndim) throw new ValueError(`slice: ${starts.length} start indices for a ${x.ndim}-D tensor`);
  const st: number[] = [];
  const sp: number[] = [];
  const outShape: number[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const step = steps?.[i] ?? 1;
    if (!Number.isInteger(step) || step <= 0) throw new ValueError(`slice: step ${step} on axis ${i} must be a positive integer`);
    const start = starts[i] ?? 0;
    if (!Number.isInteger(start)) throw new ValueError(`slice: start ${start} on axis ${i} is not an integer`);
    const end = ends?.[i];
    if (end !== undefined && !Number.isInteger(end)) throw new ValueError(`slice: end ${end} on axis ${i} is not an integer`);
    const [s, len] = sliceBounds(start, i < starts.length ? ends?.[i] : undefined, step, x.shape[i]);
    st.push(s);
    sp.push(step);
    outShape.push(len);
  }
  if (shapesEqual(outShape, x.shape)) return x;
  const [y, k] = output(outShape, x.dtype);
  k.slice(x.data, x.shape, st, sp, y.data, outShape);
  return record(y, 'slice', [x], (g) => {
    // The adjoint of a slice puts each value back where it came from, one axis at a time.
    let back = g;
    for (let i = 0; i < x.ndim; i++) {
      if (outShape[i] === x.shape[i]) continue;
      const idx = Array.from({ length: outShape[i] }, (_, j) => st[i] + j * sp[i]);
      back = indexScatter(back, i, idx, x.shape[i]);
    }
    return [back];
  });
}

/**
 * Constant padding. pads lists [before, after] pairs for the last pads.length axes
 * (so [[1,1],[2,2]] pads the last two axes of an image batch).
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], value = 0): Tensor {
  checkTensor('pad', x);
  if (pads.length > x.ndim) throw new ValueError(`pad: ${pads.length} [before, after] pairs for a ${x.ndim}-D tensor`);
  const full: [number, number][] = x.shape.map(() => [0, 0]);
  pads.forEach((p, i) => {
    if (p.length !== 2 || !p.every((v) => Number.isInteger(v) && v >= 0)) {
      throw new ValueError(`pad: pair ${i} is [${p.join(',')}], expected two non-negative integers`);
    }
    full[x.ndim - pads.length + i] = [p[0], p[1]];
  });
  const outShape = x.shape.map((d, i) => d + full[i][0] + full[i][1]);
  const [y, k] = output(outShape, x.dtype);
  k.pad(x.data, x.shape, full, value, y.data, outShape);
  return record(y, 'pad', [x], (g) => [g.slice(full.map((p) => p[0]), full.map((p, i) => p[0] + x.shape[i]))]);
}

/** Joins tensors along an existing axis; all other dimensions must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError('concat: needs at least one tensor');
  xs.forEach((t, i) => checkTensor('concat', t, `tensor ${i}`));
  const first = xs[0];
  const a = normalizeAxis('concat', axis, first.ndim);
  for (const [i, t] of xs.entries()) {
    if (t.ndim !== first.ndim || t.shape.some((d, j) => j !== a && d !== first.shape[j])) {
      throw new ShapeError(`concat: tensor ${i} has shape ${fmtShape(t.shape)}, incompatible with ${fmtShape(first.shape)} along axis ${a}`);
    }
  }
  const dtype = xs.reduce<DType>((d, t) => promote(d, t.dtype), first.dtype);
  const cs = xs.map((t) => (t.dtype === dtype ? t : t.cast(dtype)));
  const outShape = [...first.shape];
  outShape[a] = cs.reduce((s, t) => s + t.shape[a], 0);
  const [y, k] = output(outShape, dtype);
  k.concat(cs.map((t) => t.data), cs.map((t) => t.shape), a, y.data, outShape);
  return record(y, 'concat', cs, (g) => {
    let offset = 0;
    return cs.map((t) => {
      const starts = t.shape.map((_, j) => (j === a ? offset : 0));
      const ends = t.shape.map((d, j) => (j === a ? offset + d : d));
      offset += t.shape[a];
      return t.requiresGrad ? g.slice(starts, ends) : null;
    });
  });
}

/** Joins same-shaped tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ValueError('stack: needs at least one tensor');
  const first = xs[0];
  for (const [i, t] of xs.entries()) {
    checkTensor('stack', t, `tensor ${i}`);
    if (!shapesEqual(t.shape, first.shape)) throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)} like tensor 0`);
  }
  const a = normalizeAxis('stack', axis, first.ndim + 1);
  return concat(xs.map((t) => t.unsqueeze(a)), a);
}

/** Checked int32 indices into an axis of length dim. */
function toIndices(op: string, indices: Tensor | Int32Array | readonly number[], dim: number, axis: number): Int32Array {
  let idx: Int32Array;
  if (indices instanceof Int32Array) {
    idx = indices;
  } else if (indices instanceof Tensor) {
    if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be int32, got ${indices.dtype}`);
    idx = indices.data as Int32Array;
  } else {
    if (!indices.every(Number.isInteger)) throw new DTypeError(`${op}: indices must be integers`);
    idx = Int32Array.from(indices);
  }
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= dim) throw new ValueError(`${op}: index ${idx[i]} (position ${i}) is out of range for axis ${axis} of length ${dim}`);
  }
  return idx;
}

/** Picks entries along one axis by a 1-D list of indices (PyTorch's index_select). */
export function indexSelect(x: Tensor, axis: number, indices: Tensor | Int32Array | readonly number[]): Tensor {
  checkTensor('indexSelect', x);
  if (indices instanceof Tensor && indices.ndim !== 1) throw new ShapeError(`indexSelect: indices must be 1-D, got shape ${fmtShape(indices.shape)}`);
  const a = normalizeAxis('indexSelect', axis, x.ndim);
  const idx = toIndices('indexSelect', indices, x.shape[a], a);
  const outShape = [...x.shape];
  outShape[a] = idx.length;
  const [y, k] = overwrittenOutput(outShape, x.dtype);
  k.gather(x.data, x.shape, a, idx, y.data);
  return record(y, 'indexSelect', [x], (g) => [indexScatter(g, a, idx, x.shape[a])]);
}

/** The adjoint of indexSelect: a zero tensor with length dim along axis, g's slices added at idx. */
export function indexScatter(g: Tensor, axis: number, indices: Tensor | Int32Array | readonly number[], dim: number): Tensor {
  checkTensor('indexScatter', g);
  const a = normalizeAxis('indexScatter', axis, g.ndim);
  const idx = toIndices('indexScatter', indices, dim, a);
  if (idx.length !== g.shape[a]) throw new ShapeError(`indexScatter: ${idx.length} indices for axis ${a} of length ${g.shape[a]}`);
  const outShape = [...g.shape];
  outShape[a] = dim;
  const [y, k] = output(outShape, g.dtype);
  k.scatterAdd(g.data, a, idx, y.data, outShape);
  return record(y, 'indexScatter', [g], (gg) => [indexSelect(gg, a, idx)]);
}

/**
 * PyTorch's gather: out[…i…] = x[… indices[…i…] …] along axis; indices has x's rank and,
 * off the axis, x's sizes. Used for picking each row's class score.
 */
export function gather(x: Tensor, axis: number, indices: Tensor): Tensor {
  checkTensor('gather', x);
  checkTensor('gather', indices, 'indices');
  if (indices.dtype !== 'int32') throw new DTypeError(`gather: indices must be int32, got ${indices.dtype}`);
  const a = normalizeAxis('gather', axis, x.ndim);
  if (indices.ndim !== x.ndim || indices.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError(`gather: indices of shape ${fmtShape(indices.shape)} do not fit input ${fmtShape(x.shape)} along axis ${a}`);
  }
  // Turn each index into a flat offset into x, then select from the flattened tensor.
  const inner = sizeOf(x.shape.slice(a + 1));
  const len = x.shape[a];
  const idxInner = sizeOf(indices.shape.slice(a + 1));
  const idxLen = indices.shape[a];
  const flat = new Int32Array(indices.size);
  for (let f = 0; f < flat.length; f++) {
    const i = f % idxInner;
    const o = Math.floor(f / (idxInner * idxLen));
    const j = indices.data[f];
    if (j < 0 || j >= len) throw new ValueError(`gather: index ${j} is out of range for axis ${a} of length ${len}`);
    flat[f] = (o * len + j) * inner + i;
  }
  return indexSelect(x.reshape([x.size]), 0, new Tensor(flat, [flat.length])).reshape(indices.shape);
}

/** A copy with its own storage; gradients pass through. */
export function clone(x: Tensor): Tensor {
  checkTensor('clone', x);
  const y = new Tensor(x.data.slice(), x.shape);
  return record(y, 'clone', [x], (g) => [g]);
}

/** Converts to dtype (float → int32 truncates toward zero); gradients flow between float dtypes. */
export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', x);
  checkDType('cast', dtype);
  if (dtype === x.dtype) return x;
  const [y, k] = output(x.shape, dtype);
  k.cast(x.data, y.data);
  if (dtype === 'int32') return y;
  return record(y, 'cast', [x], (g) => [g.cast(x.dtype)]);
}
