import { currentBackend, findBackend, listBackends, useBackend, type Backend } from '../backend/index.js';
import { allocate, type DType, type TypedArray } from './dtype.js';
import { ValueError } from './errors.js';
import type { Shape } from './shape.js';
import { Tensor } from './tensor.js';

/** Makes every later op run on the named backend ('js', or 'wasm' once registered). */
export function setBackend(name: string): void {
  const b = findBackend(name);
  if (!b) throw new ValueError(`setBackend: unknown backend '${name}' (available: ${listBackends().join(', ')})`);
  useBackend(b);
}

/** The name of the backend ops run on now. */
export function getBackend(): string {
  return currentBackend().name;
}

/** The kernels of the current backend (for ops). */
export function kernels(): Backend {
  return currentBackend();
}

export { listBackends };
export type { Backend };

/** Kernels for dtype: the current backend when it computes in that dtype, else the reference one. */
export function kernelsFor(dtype: import('../backend/types.js').DType): Backend {
  const b = currentBackend();
  return b.dtypes.includes(dtype) ? b : (findBackend('js') as Backend);
}

/** Arrays handed out by a backend's residentArray (kept in its own memory). */
const residentArrays = new WeakSet<object>();

/** A zero-filled array for dtype, in the current backend's memory where it keeps resident arrays. */
function residentStorage(dtype: DType, length: number): TypedArray | null {
  const data = kernelsFor(dtype).residentArray?.(dtype, length) ?? null;
  if (data) residentArrays.add(data);
  return data;
}

/**
 * A zero tensor of shape and dtype whose storage lives in the current backend's memory when
 * the backend keeps resident arrays (wasm: its kernels then use it without copying), else an
 * ordinary zero tensor. For long-lived buffers such as optimizer state.
 */
export function residentZeros(shape: Shape, dtype: DType): Tensor {
  let n = 1;
  for (const d of shape) n *= d;
  return new Tensor(residentStorage(dtype, n) ?? allocate(dtype, n), shape);
}

/**
 * Moves t's values into the current backend's memory (same values, same tensor) when the
 * backend keeps resident arrays; does nothing otherwise or when they are there already.
 * Modules do this to their parameters and optimizers to the tensors they update, as PyTorch
 * users move a model to a device; as there, a view taken before the move (`detach`,
 * `reshape`) keeps the old storage and no longer sees the tensor's updates.
 */
export function makeResident(t: Tensor): void {
  if (residentArrays.has(t.data)) return;
  const data = residentStorage(t.dtype, t.size);
  if (!data) return;
  data.set(t.data);
  t.data = data;
}
