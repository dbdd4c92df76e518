import { expect } from 'vitest';
import * as nb from 'nabla';

/** Every registered backend: the suites run once per backend (describe.each(backends)). */
export const backends: string[] = nb.listBackends();

/** Runs fn with the named backend selected, restoring the previous one after. */
export function onBackend(name: string): void {
  nb.setBackend(name);
}

type Nested = number | Nested[];

function nestedShape(x: Nested): number[] {
  const shape: number[] = [];
  for (let v: Nested = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

function flat(x: nb.Tensor | Nested | ArrayLike<number>): number[] {
  if (x instanceof nb.Tensor) return Array.from(x.dataSync());
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return (x as Nested[]).flatMap((v) => flat(v));
  return Array.from(x as ArrayLike<number>);
}

/**
 * Asserts actual ≈ expected elementwise: |a − e| ≤ atol + rtol·|e|, same shape when both
 * are tensors or nested arrays. NaN matches NaN; infinities must match exactly.
 */
export function expectClose(
  actual: nb.Tensor | Nested | ArrayLike<number>,
  expected: nb.Tensor | Nested | ArrayLike<number>,
  opts: { atol?: number; rtol?: number } = {},
): void {
  const atol = opts.atol ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  if (actual instanceof nb.Tensor && expected instanceof nb.Tensor) expect(actual.shape).toEqual(expected.shape);
  if (actual instanceof nb.Tensor && Array.isArray(expected)) expect(actual.shape, 'shape').toEqual(nestedShape(expected));
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, 'number of elements').toBe(e.length);
  for (let i = 0; i < a.length; i++) {
    const ok = Number.isNaN(e[i])
      ? Number.isNaN(a[i])
      : !Number.isFinite(e[i])
        ? a[i] === e[i]
        : Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    if (!ok) expect.fail(`element ${i}: got ${a[i]}, expected ${e[i]} (atol ${atol}, rtol ${rtol})\nactual:   [${a.slice(0, 20).join(', ')}]\nexpected: [${e.slice(0, 20).join(', ')}]`);
  }
}

/** float64 tensor shorthand for gradient checks. */
export function f64(values: nb.NestedNumbers, requiresGrad = false): nb.Tensor {
  return nb.tensor(values, { dtype: 'float64', requiresGrad });
}
