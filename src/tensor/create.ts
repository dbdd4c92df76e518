import { allocate, checkDType, type DType, type TypedArray } from './dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from './errors.js';
import { globalGenerator } from './random.js';
import { checkShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers (or booleans), as `tensor()` accepts them. */
export type NestedNumbers = number | boolean | readonly NestedNumbers[];

function finish(data: TypedArray, shape: readonly number[], opts: TensorOptions): Tensor {
  const t = new Tensor(data, shape);
  if (opts.requiresGrad) t.requiresGrad_(true);
  return t;
}

function inferShape(value: NestedNumbers): number[] {
  const shape: number[] = [];
  let v: NestedNumbers = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0] as NestedNumbers;
  }
  return shape;
}

/** Throws unless v fits int32 exactly: a typed-array store would truncate or wrap it silently. */
function checkInt32(op: string, v: number, where = ''): void {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
    throw new DTypeError(`${op}: ${v}${where} is not an integer in the int32 range, cannot store it as int32`);
  }
}

function flatten(value: NestedNumbers, shape: readonly number[], out: TypedArray): void {
  let k = 0;
  const isInt = out instanceof Int32Array;
  const walk = (v: NestedNumbers, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof v === 'number') {
        if (isInt) checkInt32('tensor', v, path.length > 0 ? ` at [${path.join(',')}]` : '');
        out[k++] = v;
      } else if (typeof v === 'boolean') out[k++] = v ? 1 : 0;
      else throw new ValueError(`tensor: element at [${path.join(',')}] is ${Array.isArray(v) ? 'an array' : typeof v}, expected a number (ragged nesting?)`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(`tensor: ragged nested array at [${path.join(',')}]: expected ${shape[dim]} elements like the first row, got ${Array.isArray(v) ? v.length : 'a scalar'}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i] as NestedNumbers, dim + 1, [...path, i]);
  };
  walk(value, 0, []);
}

/**
 * A tensor from nested arrays or a typed array (whose dtype it keeps unless told).
 * `shape` reshapes flat input. float32 is the default for plain numbers.
 */
export function tensor(
  values: NestedNumbers | TypedArray | readonly number[],
  opts: TensorOptions & { shape?: readonly number[] } = {},
): Tensor {
  if (opts.dtype !== undefined) checkDType('tensor', opts.dtype);
  let data: TypedArray;
  let shape: number[];
  if (ArrayBuffer.isView(values)) {
    const src = values as TypedArray;
    const dtype = opts.dtype ?? (src instanceof Float64Array ? 'float64' : src instanceof Int32Array ? 'int32' : 'float32');
    data = allocate(dtype, src.length);
    if (dtype === 'int32' && !(src instanceof Int32Array)) for (let i = 0; i < src.length; i++) data[i] = Math.trunc(src[i]);
    else data.set(src);
    shape = [src.length];
  } else {
    shape = inferShape(values as NestedNumbers);
    data = allocate(opts.dtype ?? 'float32', sizeOf(shape));
    flatten(values as NestedNumbers, shape, data);
  }
  if (opts.shape !== undefined) {
    const target = checkShape('tensor', opts.shape);
    if (sizeOf(target) !== data.length) throw new ShapeError(`tensor: ${data.length} values cannot take shape ${fmtShape(target)}`);
    shape = target;
  }
  return finish(data, shape, opts);
}

function filled(op: string, shape: readonly number[], value: number, opts: TensorOptions): Tensor {
  const dims = checkShape(op, shape);
  const data = allocate(checkDType(op, opts.dtype ?? 'float32'), sizeOf(dims));
  if (data instanceof Int32Array) checkInt32(op, value);
  data.fill(value);
  return finish(data, dims, opts);
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return filled('full', shape, value, opts);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('zeros', shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled('ones', shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/** The n×m identity (m defaults to n). */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, m], opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/**
 * Values start, start+step, … below end (numpy's arange). One argument means [0, end).
 * Integer arguments give int32 unless a dtype is given.
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step) || !Number.isFinite(start) || !Number.isFinite(end)) {
    throw new ValueError(`arange: need finite start, end and a non-zero step, got (${start}, ${end}, ${step})`);
  }
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts.dtype ?? (allInt ? 'int32' : 'float32');
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(data, [n], opts);
}

/** n evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, n: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`linspace: number of points must be a non-negative integer, got ${n}`);
  const data = allocate(opts.dtype ?? 'float32', n);
  const step = n > 1 ? (end - start) / (n - 1) : 0;
  for (let i = 0; i < n; i++) data[i] = i === n - 1 && n > 1 ? end : start + i * step;
  return finish(data, [n], opts);
}

function floatDType(op: string, opts: TensorOptions): DType {
  const dtype = checkDType(op, opts.dtype ?? 'float32');
  if (dtype === 'int32') throw new DTypeError(`${op}: dtype int32 is not a floating-point dtype (use randint)`);
  return dtype;
}

/** Uniform samples in [low, high) (default [0, 1)) from the seeded generator. */
export function rand(shape: readonly number[], opts: TensorOptions & { low?: number; high?: number } = {}): Tensor {
  const dims = checkShape('rand', shape);
  const low = opts.low ?? 0;
  const high = opts.high ?? 1;
  if (!(high >= low)) throw new ValueError(`rand: need low ≤ high, got [${low}, ${high})`);
  const dtype = floatDType('rand', opts);
  const data = allocate(dtype, sizeOf(dims));
  const stored = dtype === 'float32' ? Math.fround : (v: number): number => v;
  for (let i = 0; i < data.length; i++) {
    let v = low + (high - low) * globalGenerator.uniform();
    // Rounding (to float32, or of low + span·u) can land on high itself; draw again to keep [low, high).
    while (stored(v) >= high && stored(low) < high) v = low + (high - low) * globalGenerator.uniform();
    data[i] = v;
  }
  return finish(data, dims, opts);
}

/** Normal samples with the given mean and std (default standard normal). */
export function randn(shape: readonly number[], opts: TensorOptions & { mean?: number; std?: number } = {}): Tensor {
  const dims = checkShape('randn', shape);
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  if (!(std >= 0)) throw new ValueError(`randn: std must be non-negative, got ${std}`);
  const data = allocate(floatDType('randn', opts), sizeOf(dims));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * globalGenerator.normal();
  return finish(data, dims, opts);
}

/** Uniform integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts: TensorOptions = {}): Tensor {
  const dims = checkShape('randint', shape);
  const data = allocate(checkDType('randint', opts.dtype ?? 'int32'), sizeOf(dims));
  for (let i = 0; i < data.length; i++) data[i] = globalGenerator.integer(low, high);
  return finish(data, dims, opts);
}

/** A random permutation of 0..n-1 as an int32 tensor. */
export function randperm(n: number): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`randperm: n must be a non-negative integer, got ${n}`);
  return new Tensor(globalGenerator.permutation(n), [n]);
}
