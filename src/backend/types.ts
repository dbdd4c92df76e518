/**
 * The kernel contract every backend implements. Kernels see only typed arrays, shapes and
 * flags: no Tensor, no autograd. All arrays are dense and row-major (C order).
 */

/** Element types nabla stores. */
export type DType = 'float32' | 'float64' | 'int32';

/** The storage of one tensor. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

export type Shape = readonly number[];

export type UnaryOp =
  | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'relu'
  | 'sign' | 'floor' | 'ceil' | 'round' | 'log1p' | 'expm1' | 'reciprocal' | 'square';

/** Binary ops; reluGrad(g, x) is g where x > 0, else 0 (ReLU's backward in one pass). */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'reluGrad';

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

/** Flags and strides of a batched matrix product. */
export interface MatmulSpec {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** A is stored [k, m] per batch when true, [m, k] otherwise. */
  transA: boolean;
  /** B is stored [n, k] per batch when true, [k, n] otherwise. */
  transB: boolean;
  /** Elements between consecutive batch matrices of A (0: one matrix shared by every batch). */
  aBatchStride: number;
  bBatchStride: number;
  /** Add the product to out's contents instead of overwriting them (C += A·B, as a gradient accumulates). */
  accumulate?: boolean;
}

/** Geometry of a 2-D convolution or pooling window over NCHW input. */
export interface Conv2dGeometry {
  batch: number;
  channels: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
}

/**
 * The kernel set. Each kernel writes into `out`, which the caller allocates with the
 * right length and dtype.
 */
export interface Kernels {
  /** out[i] = op(x[i]). */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** out = op(a, b) with numpy broadcasting of aShape and bShape to outShape. */
  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  /** out = cond ? a : b, each broadcast to outShape. */
  where(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, out: TypedArray, outShape: Shape): void;
  /** Reduces `axes` (sorted, unique) of x; out has the keep-dims shape's size. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], out: TypedArray): void;
  /** Index of the largest (argmax) or smallest (argmin) element along one axis; first one on ties. */
  argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axis: number, out: Int32Array): void;
  /** out[b] = op(A[b]) · op(B[b]) for each batch b; out is [batch, m, n]. */
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void;
  /** out = x permuted by perm (out axis i is x axis perm[i]). */
  permute(x: TypedArray, shape: Shape, perm: readonly number[], out: TypedArray): void;
  /** out = x[starts[i] : starts[i] + outShape[i]*steps[i] : steps[i]] along every axis. */
  slice(x: TypedArray, shape: Shape, starts: readonly number[], steps: readonly number[], out: TypedArray, outShape: Shape): void;
  /** Constant padding: pads[i] = [before, after] for axis i. */
  pad(x: TypedArray, shape: Shape, pads: readonly (readonly [number, number])[], value: number, out: TypedArray, outShape: Shape): void;
  /** Joins arrays along one axis. */
  concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, out: TypedArray, outShape: Shape): void;
  /** out = x.indexSelect(axis, indices); indices are already range-checked. */
  gather(x: TypedArray, shape: Shape, axis: number, indices: Int32Array, out: TypedArray): void;
  /** out (zeroed by the caller, shape outShape) += g scattered by indices along axis: gather's adjoint. */
  scatterAdd(g: TypedArray, axis: number, indices: Int32Array, out: TypedArray, outShape: Shape): void;
  /** Softmax (or log-softmax when log) along axis, stable for any finite input. */
  softmax(x: TypedArray, shape: Shape, axis: number, log: boolean, out: TypedArray): void;
  /** Copies with conversion; float to int32 truncates toward zero. */
  cast(x: TypedArray, out: TypedArray): void;
  /**
   * out[i] = value for every i (zeroing a kept gradient each step). Optional: callers fall
   * back to `out.fill(value)` for a backend without it.
   */
  fill?(out: TypedArray, value: number): void;
  /**
   * Unfolds image patches for convolution as a GEMM. x [N, C, inH, inW] → out
   * [C·kH·kW, N·outH·outW]: row (c, ki, kj), column (n, oh, ow) holds
   * x[n, c, oh·strideH − padH + ki·dilationH, ow·strideW − padW + kj·dilationW], 0 in the padding.
   */
  im2col(x: TypedArray, geometry: Conv2dGeometry, out: TypedArray): void;
  /** im2col's adjoint: out [N, C, inH, inW] (overwritten) = Σ of the cols entries that read each pixel. */
  col2im(cols: TypedArray, geometry: Conv2dGeometry, out: TypedArray): void;
  /**
   * Max over each window: x [N, C, inH, inW] → out [N, C, outH, outW]; padding never wins.
   * argmax gets, per output, the flat index into x of the (first) largest value, or of the last
   * NaN where the window holds NaN (PyTorch's choice); NaN propagates.
   */
  maxPool2d(x: TypedArray, geometry: Conv2dGeometry, out: TypedArray, argmax: Int32Array): void;
  /**
   * Adaptive max pooling: x [N, C, inH, inW] → out [N, C, outH, outW], output (i, j) the max over
   * rows ⌊i·inH/outH⌋ … ⌈(i+1)·inH/outH⌉ − 1 and the same for columns (PyTorch's windows; only
   * the geometry's batch, channels and sizes are read). argmax as for maxPool2d.
   */
  adaptiveMaxPool2d(x: TypedArray, geometry: Conv2dGeometry, out: TypedArray, argmax: Int32Array): void;
  /**
   * Mean over each window (dilation 1): x [N, C, inH, inW] → out [N, C, outH, outW]. The divisor
   * is kH·kW when countIncludePad, else the number of window cells inside the image.
   */
  avgPool2d(x: TypedArray, geometry: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void;
  /** avgPool2d's adjoint: g [N, C, outH, outW] → out [N, C, inH, inW] (overwritten). */
  avgPool2dBackward(g: TypedArray, geometry: Conv2dGeometry, countIncludePad: boolean, out: TypedArray): void;
  /**
   * Direct convolution (groups 1): x [N, C, inH, inW], weight [outC, C, kH, kW], bias [outC] or
   * null → out [N, outC, outH, outW] = bias[o] + Σ_{c, ki, kj} weight[o, c, ki, kj] ·
   * x[n, c, oh·strideH − padH + ki·dilationH, ow·strideW − padW + kj·dilationW] (0 in the padding).
   */
  conv2d(x: TypedArray, weight: TypedArray, bias: TypedArray | null, geometry: Conv2dGeometry, outChannels: number, out: TypedArray): void;
  /** conv2d's gradient w.r.t. x: grad [N, outC, outH, outW], weight → out [N, C, inH, inW] (overwritten). */
  conv2dBackwardInput(grad: TypedArray, weight: TypedArray, geometry: Conv2dGeometry, outChannels: number, out: TypedArray): void;
  /**
   * conv2d's gradient w.r.t. the weight: x, grad → out [outC, C, kH, kW] (overwritten); when
   * biasOut [outC] is given, also the bias gradient (grad summed over N, outH, outW).
   */
  conv2dBackwardWeight(x: TypedArray, grad: TypedArray, geometry: Conv2dGeometry, outChannels: number, out: TypedArray, biasOut: TypedArray | null): void;
  /**
   * maxPool2d's adjoint: out [N, C, inH, inW] (overwritten) gets grad [N, C, outH, outW] added at
   * the argmax indices maxPool2d returned (each within its own image plane).
   */
  maxPool2dBackward(grad: TypedArray, argmax: Int32Array, geometry: Conv2dGeometry, out: TypedArray): void;
  /**
   * A convolution block in one call: y = relu(maxPool(conv(x, w) + bias)). x [N, C, inH, inW]
   * with geometry `conv` (stride 1, groups 1); the pooling geometry `pool` runs over the conv
   * output [N, outC, conv.outH, conv.outW]; y [N, outC, pool.outH, pool.outW]; argmax gets, per
   * y element, the flat index into the conv output of its window's (first) largest value.
   * Pooling before the ReLU gives ReLU-then-pooling's values without a full-size ReLU output.
   */
  conv2dMaxPoolRelu(
    x: TypedArray, weight: TypedArray, bias: TypedArray | null, conv: Conv2dGeometry, outChannels: number,
    pool: Conv2dGeometry, y: TypedArray, argmax: Int32Array,
  ): void;
  /**
   * conv2dMaxPoolRelu's backward: grad [like y] reaches the conv output at argmax where y > 0;
   * from there dx [like x], dw [like weight] and db [outC], each overwritten when not null
   * (a null one is not computed: frozen weights skip the weight gradient).
   */
  conv2dMaxPoolReluBackward(
    grad: TypedArray, y: TypedArray, argmax: Int32Array, x: TypedArray, weight: TypedArray,
    conv: Conv2dGeometry, outChannels: number, pool: Conv2dGeometry,
    dx: TypedArray | null, dw: TypedArray | null, db: TypedArray | null,
  ): void;
}

/** Hyper-parameters of one fused Adam / AdamW / AMSGrad step (see Kernels.adamStep). */
export interface AdamStepSpec {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** λ: added to the gradient as λ·p (Adam), or p shrinks by lr·λ first (decoupled, AdamW). */
  weightDecay: number;
  decoupledWeightDecay: boolean;
  /** The step number t ≥ 1, for the bias corrections 1 − βᵗ. */
  step: number;
}

/** Hyper-parameters of one fused SGD step (see Kernels.sgdStep). */
export interface SgdStepSpec {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  /** The first step with momentum: the buffer starts as the gradient itself (undamped). */
  first: boolean;
}

/** Fused optimizer updates: every array is [n] and written in place (p, and the state). */
export interface OptimizerKernels {
  /**
   * PyTorch's Adam rule: (AdamW) p ← p·(1 − lr·λ), else g ← g + λ·p; m ← β₁m + (1 − β₁)g;
   * v ← β₂v + (1 − β₂)g²; (AMSGrad) vMax ← max(vMax, v), used for v below;
   * p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps).
   */
  adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vMax: TypedArray | null, spec: AdamStepSpec): void;
  /**
   * PyTorch's SGD rule: g ← g + λ·p; buf ← g (first step) or μ·buf + (1 − τ)·g;
   * d ← g + μ·buf (Nesterov) or buf (d = g without momentum, buf null); p ← p − lr·d.
   */
  sgdStep(p: TypedArray, g: TypedArray, buf: TypedArray | null, spec: SgdStepSpec): void;
}

/** A named backend: the kernel set plus what it can do. */
export interface Backend extends Kernels, OptimizerKernels {
  readonly name: string;
  /** dtypes this backend computes in (float64 for gradient checks needs the js backend). */
  readonly dtypes: readonly DType[];
  /**
   * A zero-filled array of `length` elements kept in the backend's own memory, which its
   * kernels use without copying (wasm: parameters and optimizer state). Null (or absent)
   * where the backend has no such memory for dtype; the caller then uses an ordinary array.
   */
  residentArray?(dtype: DType, length: number): TypedArray | null;
}

/** Names of the kernels, for backends that implement only some and fall back. */
export type KernelName = keyof Kernels;
