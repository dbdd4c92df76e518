import { isGradEnabled } from '../autograd/mode.js';
import {
  DTypeError, ValueError, allocate, allocateUnfilled, kernelsFor, promote, sizeOf, tensor, Tensor,
  type Backend, type DType, type GradTarget, type Shape, type TensorLike,
} from '../tensor/index.js';

export type { TensorLike };

/**
 * Attaches the graph node to an op's result when any input needs gradients and recording
 * is on. `backward` gets the output's gradient and returns one gradient (or null) per input.
 */
export function record(
  out: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (g: Tensor, into?: readonly (GradTarget | null)[]) => readonly (Tensor | null)[],
): Tensor {
  if (isGradEnabled() && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.gradNode = { op, inputs, backward };
  }
  return out;
}

/**
 * A fresh tensor for a kernel that writes every element of it, and those kernels: its storage
 * is not zeroed first (large arrays on Node; see allocateUnfilled).
 */
export function overwrittenOutput(shape: Shape, dtype: DType): [Tensor, Backend] {
  return [new Tensor(allocateUnfilled(dtype, sizeOf(shape)), shape), kernelsFor(dtype)];
}

/** A fresh zeroed tensor and the kernels to fill it with. */
export function output(shape: Shape, dtype: DType): [Tensor, Backend] {
  return [new Tensor(allocate(dtype, sizeOf(shape)), shape), kernelsFor(dtype)];
}

/** A plain number becomes a 0-d tensor of the other operand's dtype (float32 if it is not an integer for int32). */
export function toTensor(op: string, x: TensorLike, like: DType): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x !== 'number') throw new ValueError(`${op}: expected a tensor or a number, got ${x === null ? 'null' : typeof x}`);
  const dtype = like === 'int32' && !Number.isInteger(x) ? 'float32' : like;
  return tensor(x, { dtype });
}

/** Both operands as tensors, and the dtype they meet in. */
export function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor, DType] {
  const ta = a instanceof Tensor ? a : toTensor(op, a, b instanceof Tensor ? b.dtype : 'float32');
  const tb = b instanceof Tensor ? b : toTensor(op, b, ta.dtype);
  return [ta, tb, promote(ta.dtype, tb.dtype)];
}

/** Throws unless t is a tensor (for ops called from JavaScript with a wrong argument). */
export function checkTensor(op: string, t: unknown, what = 'input'): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${what} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
  return t;
}

/** Throws unless t has a floating-point dtype. */
export function checkFloat(op: string, t: Tensor): void {
  if (t.dtype === 'int32') throw new DTypeError(`${op}: needs a float32 or float64 tensor, got int32`);
}
