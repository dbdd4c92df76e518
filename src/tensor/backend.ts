import { currentBackend, findBackend, listBackends, useBackend, type Backend } from '../backend/index.js';
import { ValueError } from './errors.js';

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
