import { FormatError, ShapeError, Tensor, ValueError, allocate, fmtShape, shapesEqual, sizeOf } from '../tensor/index.js';

/**
 * Feature scaling, the notes' "data setup → preprocessing" step: original data →
 * zero-centred data (subtract each feature's mean) → normalised data (divide by its
 * standard deviation, or map its range onto an interval). Statistics come from the
 * training data only (`fit`), and the same numbers transform validation, test and new
 * data (`transform`), so no information leaks from the test set. A fitted scaler saves
 * as JSON next to the model.
 *
 * x is [N, …]: axis 0 indexes samples, every other position is one feature, so the
 * statistics have shape x.shape.slice(1) (e.g. [F] for [N, F]).
 */
export interface Scaler {
  /** True after fit (or fromJSON). */
  readonly fitted: boolean;
  /** Learns the per-feature statistics from training data x [N, …]; returns this. */
  fit(x: Tensor): this;
  /** Scales x [M, …] with the fitted statistics. */
  transform(x: Tensor): Tensor;
  /** fit(x) then transform(x). */
  fitTransform(x: Tensor): Tensor;
  /** Undoes transform: back to the original units. */
  inverseTransform(y: Tensor): Tensor;
  /** The fitted statistics as plain JSON. */
  toJSON(): ScalerJSON;
}

export interface StandardScalerJSON {
  type: 'StandardScaler';
  featureShape: number[];
  mean: number[];
  /** Per-feature standard deviation (population, ÷N); 1 where a feature is constant. */
  scale: number[];
}

export interface CenterScalerJSON {
  type: 'CenterScaler';
  featureShape: number[];
  mean: number[];
}

export interface MinMaxScalerJSON {
  type: 'MinMaxScaler';
  featureShape: number[];
  featureRange: [number, number];
  dataMin: number[];
  dataMax: number[];
}

export type ScalerJSON = StandardScalerJSON | CenterScalerJSON | MinMaxScalerJSON;

interface ColumnStats {
  featureShape: number[];
  mean: number[];
  /** Population standard deviation (÷N). */
  std: number[];
  min: number[];
  max: number[];
}

/** Per-feature statistics over axis 0, accumulated in float64 (two passes for an exact variance). */
function columnStats(op: string, x: Tensor): ColumnStats {
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor`);
  if (x.ndim === 0) throw new ShapeError(`${op}: expected samples on axis 0, got a scalar`);
  const n = x.shape[0];
  if (n === 0) throw new ValueError(`${op}: cannot fit on 0 samples (shape ${fmtShape(x.shape)})`);
  const featureShape = x.shape.slice(1);
  const f = sizeOf(featureShape);
  const data = x.data;
  const sum = new Float64Array(f);
  const min = new Float64Array(f).fill(Infinity);
  const max = new Float64Array(f).fill(-Infinity);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < f; j++, k++) {
      const v = data[k];
      if (v - v !== 0) throw new ValueError(`${op}: sample ${i}, feature ${j} is ${v}; scalers need finite values`); // NaN or ±Infinity
      sum[j] += v;
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  const mean = Float64Array.from(sum, (t) => t / n);
  const sq = new Float64Array(f);
  for (let i = 0, k = 0; i < n; i++) {
    for (let j = 0; j < f; j++, k++) {
      const d = data[k] - mean[j];
      sq[j] += d * d;
    }
  }
  const std = Array.from(sq, (t) => Math.sqrt(t / n));
  return { featureShape, mean: Array.from(mean), std, min: Array.from(min), max: Array.from(max) };
}

/** A [1, …features] tensor of values in x's dtype, to broadcast over the samples. */
function featureTensor(values: readonly number[], featureShape: readonly number[], like: Tensor): Tensor {
  const data = allocate(like.dtype, values.length);
  data.set(values);
  return new Tensor(data, [1, ...featureShape]);
}

/**
 * The scaling in one loop, for inputs outside the graph (the common case: data). It does
 * the op path's arithmetic step by step, rounding to the dtype after each step as the
 * elementwise ops do, so both paths give bit-identical values.
 * forward: ((x − center) / scale) + offset; inverse: ((y − offset) · scale) + center.
 */
function affine(x: Tensor, center: readonly number[], scale: readonly number[], offset: number, direction: 'forward' | 'inverse'): Tensor {
  const round = x.dtype === 'float32' ? Math.fround : (v: number): number => v;
  const f = center.length;
  const c = center.map(round);
  const s = scale.map(round);
  const o = round(offset);
  const src = x.data;
  const out = allocate(x.dtype, src.length);
  if (direction === 'forward') {
    for (let k = 0, j = 0; k < src.length; k++, j = j + 1 === f ? 0 : j + 1) {
      const z = round(round(src[k] - c[j]) / s[j]);
      out[k] = o === 0 ? z : z + o;
    }
  } else {
    for (let k = 0, j = 0; k < src.length; k++, j = j + 1 === f ? 0 : j + 1) {
      const z = o === 0 ? src[k] : round(src[k] - o);
      out[k] = round(z * s[j]) + c[j];
    }
  }
  return new Tensor(out, x.shape);
}

/** Floats pass; int32 data (pixel counts, raw readings) is scaled as float32. */
function asFloat(x: Tensor): Tensor {
  return x.dtype === 'int32' ? x.cast('float32') : x;
}

function checkNumbers(type: string, field: string, v: unknown, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length || !v.every((e) => typeof e === 'number' && Number.isFinite(e))) {
    throw new FormatError(`${type}.fromJSON: '${field}' must be an array of ${length} finite numbers`);
  }
  return [...v] as number[];
}

function checkFeatureShape(type: string, json: Record<string, unknown>): number[] {
  const s = json.featureShape;
  if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new FormatError(`${type}.fromJSON: 'featureShape' must be an array of non-negative integers`);
  }
  return [...s] as number[];
}

function checkObject(type: string, json: unknown): Record<string, unknown> {
  if (json === null || typeof json !== 'object') throw new FormatError(`${type}.fromJSON: expected an object, got ${json === null ? 'null' : typeof json}`);
  const o = json as Record<string, unknown>;
  if (o.type !== type) throw new FormatError(`${type}.fromJSON: 'type' is ${JSON.stringify(o.type)}, expected '${type}'`);
  return o;
}

/**
 * The shared machinery: transform(x) = (x − center) / scale + offset, per feature;
 * inverse (y − offset) · scale + center. Subclasses choose center, scale and offset.
 */
abstract class AffineScaler implements Scaler {
  protected featureShape: number[] | null = null;
  protected center: number[] = [];
  protected scale: number[] = [];
  protected offset = 0;

  protected abstract get typeName(): string;
  protected abstract learn(stats: ColumnStats): void;
  abstract toJSON(): ScalerJSON;

  get fitted(): boolean {
    return this.featureShape !== null;
  }

  fit(x: Tensor): this {
    this.learn(columnStats(`${this.typeName}.fit`, x));
    return this;
  }

  transform(x: Tensor): Tensor {
    const xf = asFloat(this.check('transform', x));
    const shape = this.featureShape as number[];
    if (!xf.requiresGrad) return affine(xf, this.center, this.scale, this.offset, 'forward');
    const z = xf.sub(featureTensor(this.center, shape, xf)).div(featureTensor(this.scale, shape, xf));
    return this.offset === 0 ? z : z.add(this.offset);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }

  inverseTransform(y: Tensor): Tensor {
    const yf = asFloat(this.check('inverseTransform', y));
    const shape = this.featureShape as number[];
    if (!yf.requiresGrad) return affine(yf, this.center, this.scale, this.offset, 'inverse');
    const z = this.offset === 0 ? yf : yf.sub(this.offset);
    return z.mul(featureTensor(this.scale, shape, yf)).add(featureTensor(this.center, shape, yf));
  }

  private check(method: string, x: Tensor): Tensor {
    const op = `${this.typeName}.${method}`;
    if (this.featureShape === null) throw new ValueError(`${op}: the scaler is not fitted; call fit(xTrain) first`);
    if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a Tensor`);
    if (x.ndim === 0 || !shapesEqual(x.shape.slice(1), this.featureShape)) {
      throw new ShapeError(`${op}: input of shape ${fmtShape(x.shape)} does not match the fitted features: expected [N,${this.featureShape.join(',')}]`);
    }
    return x;
  }

  protected requireFitted(method: string): number[] {
    if (this.featureShape === null) throw new ValueError(`${this.typeName}.${method}: the scaler is not fitted; call fit(xTrain) first`);
    return [...this.featureShape];
  }
}

/**
 * Standardisation: each feature to zero mean and unit variance, z = (x − μ) / σ with
 * μ, σ the training mean and population standard deviation (÷N, as scikit-learn).
 * A constant feature (σ = 0) keeps σ = 1, so it becomes 0 instead of NaN.
 */
export class StandardScaler extends AffineScaler {
  protected get typeName(): string { return 'StandardScaler'; }

  /** Per-feature training mean μ (flat, features row-major). */
  get mean(): number[] { this.requireFitted('mean'); return [...this.center]; }
  /** Per-feature divisor σ (1 for constant features). */
  get std(): number[] { this.requireFitted('std'); return [...this.scale]; }

  protected learn(s: ColumnStats): void {
    this.featureShape = s.featureShape;
    this.center = s.mean;
    // min === max is the exact test for a constant feature; a computed σ may be a rounding crumb.
    this.scale = s.std.map((sd, j) => (s.min[j] === s.max[j] ? 1 : sd));
  }

  toJSON(): StandardScalerJSON {
    return { type: 'StandardScaler', featureShape: this.requireFitted('toJSON'), mean: [...this.center], scale: [...this.scale] };
  }

  static fromJSON(json: unknown): StandardScaler {
    const o = checkObject('StandardScaler', json);
    const featureShape = checkFeatureShape('StandardScaler', o);
    const f = sizeOf(featureShape);
    const scale = checkNumbers('StandardScaler', 'scale', o.scale, f);
    if (scale.some((v) => v <= 0)) throw new FormatError("StandardScaler.fromJSON: 'scale' values must be positive");
    const s = new StandardScaler();
    s.featureShape = featureShape;
    s.center = checkNumbers('StandardScaler', 'mean', o.mean, f);
    s.scale = scale;
    return s;
  }
}

/** Zero-centring only (the notes' mean subtraction): x − μ per feature, no rescaling. */
export class CenterScaler extends AffineScaler {
  protected get typeName(): string { return 'CenterScaler'; }

  /** Per-feature training mean μ. */
  get mean(): number[] { this.requireFitted('mean'); return [...this.center]; }

  protected learn(s: ColumnStats): void {
    this.featureShape = s.featureShape;
    this.center = s.mean;
    this.scale = s.mean.map(() => 1);
  }

  toJSON(): CenterScalerJSON {
    return { type: 'CenterScaler', featureShape: this.requireFitted('toJSON'), mean: [...this.center] };
  }

  static fromJSON(json: unknown): CenterScaler {
    const o = checkObject('CenterScaler', json);
    const featureShape = checkFeatureShape('CenterScaler', o);
    const s = new CenterScaler();
    s.featureShape = featureShape;
    s.center = checkNumbers('CenterScaler', 'mean', o.mean, sizeOf(featureShape));
    s.scale = s.center.map(() => 1);
    return s;
  }
}

/**
 * Min–max normalisation: each feature's training range [min, max] maps linearly onto
 * featureRange [lo, hi] (default [0, 1]): x' = lo + (x − min)·(hi − lo)/(max − min).
 * Test data outside the training range lands outside [lo, hi]; that is not clipped.
 * A constant feature maps to lo.
 */
export class MinMaxScaler extends AffineScaler {
  readonly featureRange: [number, number];
  private dataMin: number[] = [];
  private dataMax: number[] = [];

  constructor(featureRange: readonly [number, number] = [0, 1]) {
    super();
    const [lo, hi] = featureRange;
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) {
      throw new ValueError(`MinMaxScaler: featureRange must be two finite numbers lo < hi, got [${lo}, ${hi}]`);
    }
    this.featureRange = [lo, hi];
  }

  protected get typeName(): string { return 'MinMaxScaler'; }

  /** Per-feature training minimum. */
  get min(): number[] { this.requireFitted('min'); return [...this.dataMin]; }
  /** Per-feature training maximum. */
  get max(): number[] { this.requireFitted('max'); return [...this.dataMax]; }

  protected learn(s: ColumnStats): void {
    this.setRange(s.featureShape, s.min, s.max);
  }

  private setRange(featureShape: number[], min: number[], max: number[]): void {
    const [lo, hi] = this.featureRange;
    this.featureShape = featureShape;
    this.dataMin = min;
    this.dataMax = max;
    this.center = min;
    // x' = lo + (x − min) / ((max − min)/(hi − lo)); a zero range counts as 1, so x = min maps to lo.
    this.scale = min.map((m, j) => (max[j] - m === 0 ? 1 : max[j] - m) / (hi - lo));
    this.offset = lo;
  }

  toJSON(): MinMaxScalerJSON {
    return {
      type: 'MinMaxScaler', featureShape: this.requireFitted('toJSON'), featureRange: [...this.featureRange],
      dataMin: [...this.dataMin], dataMax: [...this.dataMax],
    };
  }

  static fromJSON(json: unknown): MinMaxScaler {
    const o = checkObject('MinMaxScaler', json);
    const featureShape = checkFeatureShape('MinMaxScaler', o);
    const f = sizeOf(featureShape);
    const range = checkNumbers('MinMaxScaler', 'featureRange', o.featureRange, 2);
    const min = checkNumbers('MinMaxScaler', 'dataMin', o.dataMin, f);
    const max = checkNumbers('MinMaxScaler', 'dataMax', o.dataMax, f);
    if (min.some((m, j) => m > max[j])) throw new FormatError("MinMaxScaler.fromJSON: 'dataMin' exceeds 'dataMax'");
    let s: MinMaxScaler;
    try {
      s = new MinMaxScaler([range[0], range[1]]);
    } catch (e) {
      throw new FormatError(`MinMaxScaler.fromJSON: bad 'featureRange': ${(e as Error).message}`);
    }
    s.setRange(featureShape, min, max);
    return s;
  }
}

/** Rebuilds any scaler from its toJSON() output, by its `type`. */
export function scalerFromJSON(json: unknown): StandardScaler | CenterScaler | MinMaxScaler {
  const type = json !== null && typeof json === 'object' ? (json as Record<string, unknown>).type : undefined;
  switch (type) {
    case 'StandardScaler': return StandardScaler.fromJSON(json);
    case 'CenterScaler': return CenterScaler.fromJSON(json);
    case 'MinMaxScaler': return MinMaxScaler.fromJSON(json);
    default: throw new FormatError(`scalerFromJSON: unknown scaler type ${JSON.stringify(type)} (expected StandardScaler, CenterScaler or MinMaxScaler)`);
  }
}
