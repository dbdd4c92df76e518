import type { DType, TypedArray } from '../backend/types.js';
import { DTypeError } from './errors.js';

export type { DType, TypedArray };

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/** Node's Buffer, where there is one: it can allocate without zeroing. */
const NodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer;
/**
 * From this size `allocateUnfilled` skips the zeroing: a fresh zeroed 400 KB array costs
 * 25–60 µs here (calloc writes every page), an unfilled one 1.5–7 µs.
 */
const UNFILLED_MIN_BYTES = 64 * 1024;

/**
 * An array of n elements of dtype whose initial contents are unspecified, for an output that
 * a kernel then writes in full (every element). Zeroed where Node's Buffer is missing or the
 * array is small. Never hand one to code that reads before it writes.
 */
export function allocateUnfilled(dtype: DType, n: number): TypedArray {
  const width = dtype === 'float64' ? 8 : 4;
  if (!NodeBuffer || n * width < UNFILLED_MIN_BYTES) return allocate(dtype, n);
  // allocUnsafeSlow: an ArrayBuffer of its own (byteOffset 0, not from Node's pool).
  const buffer = NodeBuffer.allocUnsafeSlow(n * width).buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, 0, n);
    case 'float64': return new Float64Array(buffer, 0, n);
    case 'int32': return new Int32Array(buffer, 0, n);
  }
}

/** A zero-filled array of n elements of dtype. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
  }
}

/** The dtype a typed array stores. */
export function dtypeOf(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  return 'int32';
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** The dtype two operands meet in, as PyTorch promotes: float64 > float32 > int32. */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** Throws unless dtype is one nabla knows. */
export function checkDType(op: string, dtype: string): DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new DTypeError(`${op}: unknown dtype '${dtype}' (expected one of ${DTYPES.join(', ')})`);
  }
  return dtype as DType;
}
