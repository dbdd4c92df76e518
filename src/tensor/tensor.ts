import type { DType, TypedArray } from './dtype.js';
import { dtypeOf } from './dtype.js';
import { DTypeError, ShapeError, fmtShape } from './errors.js';
import { sizeOf, type Shape } from './shape.js';
import type * as Ops from '../ops/index.js';

/** A tensor argument or a plain number that takes the other operand's dtype. */
export type TensorLike = Tensor | number;

/** A node of the computational graph: the op that made a tensor and how to send gradients back. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /**
   * Gradients for each input given the output's gradient (null: none flows there). `into[k]`,
   * when the engine passes it, offers a buffer of input k's shape and dtype: the function may
   * write input k's gradient into `into[k].grad` (overwriting it) and set `into[k].added`
   * instead of returning a new tensor for it.
   */
  readonly backward: (g: Tensor, into?: readonly (GradTarget | null)[]) => readonly (Tensor | null)[];
}

/** A buffer offered to an op's backward for one input's gradient (see GradNode.backward). */
export interface GradTarget {
  readonly grad: Tensor;
  /** Set by the op once it has written the input's gradient into `grad`. */
  added: boolean;
}

export interface BackwardOptions {
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

/**
 * The higher layers plug in here at load time: `ops/` supplies the ops behind the
 * methods, `autograd/` the backward pass. This keeps `tensor/` free of imports upward.
 */
export interface TensorHooks {
  ops: typeof Ops;
  backward(t: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void;
}

let hooks: TensorHooks | null = null;

/** Called once by the package entry; not part of the user API. */
export function installTensorHooks(h: TensorHooks): void {
  hooks = h;
}

function ops(): typeof Ops {
  if (!hooks) throw new Error('nabla: tensor ops are not installed (import from the package entry "nabla")');
  return hooks.ops;
}

type Axes = number | readonly number[];
type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32, float64 or int32 values, held in a garbage-collected
 * typed array (no dispose). Every op returns a new tensor; only `assign` and the optimizers
 * write in place. When `requiresGrad` is set, ops record the graph `backward()` walks.
 */
export class Tensor {
  /** Dimensions, outermost first. */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Row-major storage. Read it through `dataSync()`; write it through `assign()`. */
  data: TypedArray;
  requiresGrad: boolean;
  /** Accumulated gradient of a leaf after `backward()`; null until then or after zeroGrad. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it was recorded for autograd. */
  gradNode: GradNode | null = null;

  constructor(data: TypedArray, shape: Shape, requiresGrad = false) {
    if (data.length !== sizeOf(shape)) {
      throw new ShapeError(`Tensor: ${data.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} needed)`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.requiresGrad = requiresGrad;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors created by the user rather than by an op. */
  get isLeaf(): boolean {
    return this.gradNode === null;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** The values as nested arrays of numbers (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A copy of the values as a flat typed array. */
  dataSync(): TypedArray {
    return this.data.slice();
  }

  /** Copies other's values into this tensor in place, outside the graph (for loading weights). */
  assign(other: Tensor | TypedArray | readonly number[]): this {
    const src = other instanceof Tensor ? other.data : other;
    if (other instanceof Tensor && other.size !== this.size) {
      throw new ShapeError(`assign: cannot copy shape ${fmtShape(other.shape)} into shape ${fmtShape(this.shape)}`);
    }
    if (src.length !== this.size) throw new ShapeError(`assign: ${src.length} values for a tensor of ${this.size} elements`);
    if (this.dtype === 'int32') for (let i = 0; i < src.length; i++) this.data[i] = Math.trunc(src[i]);
    else this.data.set(src);
    return this;
  }

  /** The same values (shared storage) cut out of the graph: no history, no gradient. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy of the values, with history (gradients flow through). */
  clone(): Tensor {
    return ops().clone(this);
  }

  /** Sets requiresGrad on a leaf; returns this for chaining. */
  requiresGrad_(flag = true): this {
    if (flag && this.dtype === 'int32') throw new DTypeError('requiresGrad_: int32 tensors cannot require gradients (use float32 or float64)');
    this.requiresGrad = flag;
    return this;
  }

  /** Back-propagates from this tensor; a scalar needs no gradient argument. */
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    if (!hooks) throw new Error('nabla: autograd is not installed (import from the package entry "nabla")');
    hooks.backward(this, gradient, options);
  }

  /** Forgets the accumulated gradient. */
  zeroGrad(): void {
    this.grad = null;
  }

  toString(): string {
    const fmt = (v: number): string => (this.dtype === 'int32' ? String(v) : Number(v.toPrecision(6)).toString());
    const body = this.size > 1000 ? `<${this.size} values>` : JSON.stringify(this.toArray(), (_k, v) => (typeof v === 'number' ? fmt(v) : v)).replaceAll('"', '');
    return `Tensor(${body}, shape=${fmtShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- elementwise ----
  add(b: TensorLike): Tensor { return ops().add(this, b); }
  sub(b: TensorLike): Tensor { return ops().sub(this, b); }
  mul(b: TensorLike): Tensor { return ops().mul(this, b); }
  div(b: TensorLike): Tensor { return ops().div(this, b); }
  pow(b: TensorLike): Tensor { return ops().pow(this, b); }
  maximum(b: TensorLike): Tensor { return ops().maximum(this, b); }
  minimum(b: TensorLike): Tensor { return ops().minimum(this, b); }
  eq(b: TensorLike): Tensor { return ops().eq(this, b); }
  ne(b: TensorLike): Tensor { return ops().ne(this, b); }
  lt(b: TensorLike): Tensor { return ops().lt(this, b); }
  le(b: TensorLike): Tensor { return ops().le(this, b); }
  gt(b: TensorLike): Tensor { return ops().gt(this, b); }
  ge(b: TensorLike): Tensor { return ops().ge(this, b); }
  neg(): Tensor { return ops().neg(this); }
  abs(): Tensor { return ops().abs(this); }
  exp(): Tensor { return ops().exp(this); }
  log(): Tensor { return ops().log(this); }
  sqrt(): Tensor { return ops().sqrt(this); }
  sin(): Tensor { return ops().sin(this); }
  cos(): Tensor { return ops().cos(this); }
  tanh(): Tensor { return ops().tanh(this); }
  sigmoid(): Tensor { return ops().sigmoid(this); }
  relu(): Tensor { return ops().relu(this); }
  sign(): Tensor { return ops().sign(this); }
  floor(): Tensor { return ops().floor(this); }
  ceil(): Tensor { return ops().ceil(this); }
  round(): Tensor { return ops().round(this); }
  log1p(): Tensor { return ops().log1p(this); }
  expm1(): Tensor { return ops().expm1(this); }
  square(): Tensor { return ops().square(this); }
  reciprocal(): Tensor { return ops().reciprocal(this); }
  clamp(min?: number, max?: number): Tensor { return ops().clamp(this, min, max); }
  /** A copy converted to dtype (float → int32 truncates); gradients flow between float dtypes. */
  cast(dtype: DType): Tensor { return ops().cast(this, dtype); }

  // ---- matrix ----
  matmul(b: Tensor): Tensor { return ops().matmul(this, b); }

  // ---- shape ----
  reshape(shape: readonly number[]): Tensor { return ops().reshape(this, shape); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return ops().flatten(this, startAxis, endAxis); }
  permute(perm: readonly number[]): Tensor { return ops().permute(this, perm); }
  /** Swaps two axes; with no arguments the last two. */
  transpose(axis0?: number, axis1?: number): Tensor { return ops().transpose(this, axis0, axis1); }
  squeeze(axis?: Axes): Tensor { return ops().squeeze(this, axis); }
  unsqueeze(axis: number): Tensor { return ops().unsqueeze(this, axis); }
  broadcastTo(shape: readonly number[]): Tensor { return ops().broadcastTo(this, shape); }
  slice(starts: readonly number[], ends?: readonly (number | undefined)[], steps?: readonly number[]): Tensor {
    return ops().slice(this, starts, ends, steps);
  }
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor { return ops().pad(this, pads, value); }
  indexSelect(axis: number, indices: Tensor | Int32Array | readonly number[]): Tensor { return ops().indexSelect(this, axis, indices); }
  /** PyTorch's gather: out[…i…] = this[… indices[…i…] …] along axis (indices: int32, same rank). */
  gather(axis: number, indices: Tensor): Tensor { return ops().gather(this, axis, indices); }

  // ---- reductions ----
  sum(axis?: Axes, keepdims = false): Tensor { return ops().sum(this, axis, keepdims); }
  mean(axis?: Axes, keepdims = false): Tensor { return ops().mean(this, axis, keepdims); }
  max(axis?: Axes, keepdims = false): Tensor { return ops().max(this, axis, keepdims); }
  min(axis?: Axes, keepdims = false): Tensor { return ops().min(this, axis, keepdims); }
  prod(axis?: Axes, keepdims = false): Tensor { return ops().prod(this, axis, keepdims); }
  /** Variance; `correction` 1 (default) divides by n−1 as PyTorch does, 0 by n. */
  var(axis?: Axes, keepdims = false, correction = 1): Tensor { return ops().variance(this, axis, keepdims, correction); }
  std(axis?: Axes, keepdims = false, correction = 1): Tensor { return ops().std(this, axis, keepdims, correction); }
  logsumexp(axis?: Axes, keepdims = false): Tensor { return ops().logsumexp(this, axis, keepdims); }
  argmax(axis?: number, keepdims = false): Tensor { return ops().argmax(this, axis, keepdims); }
  argmin(axis?: number, keepdims = false): Tensor { return ops().argmin(this, axis, keepdims); }
  softmax(axis = -1): Tensor { return ops().softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops().logSoftmax(this, axis); }
}
