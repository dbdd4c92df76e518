import { ShapeError, ValueError, fmtShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: Shape): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ValueError(`${op}: invalid shape ${fmtShape(shape)} (dimensions must be non-negative integers)`);
  }
  return [...shape];
}

/** numpy broadcasting of two shapes; names the op and both shapes when they do not fit. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (axis ${i - n}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** A possibly negative axis turned into 0..ndim-1, or a ValueError that names the op. */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  // A 0-D tensor has no axis to index (reductions handle scalars in normalizeAxes).
  if (ndim === 0) throw new ValueError(`${op}: axis ${axis} is out of range for a 0-D tensor (it has no axes; reshape it to [1] first)`);
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ValueError(`${op}: axis ${axis} is out of range for a ${ndim}-D tensor (expected ${-ndim}..${ndim - 1})`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Axes normalised, sorted and unique; undefined means every axis. */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  // A 0-D tensor reduces over axis 0 or −1 as if it were [1] (PyTorch's rule).
  const out = list.map((a) => {
    if (ndim > 0) return normalizeAxis(op, a, ndim);
    if (a !== 0 && a !== -1) throw new ValueError(`${op}: axis ${a} is out of range for a 0-D tensor (expected -1..0)`);
    return 0;
  });
  const unique = [...new Set(out)].sort((x, y) => x - y);
  if (unique.length !== out.length) throw new ValueError(`${op}: repeated axis in [${list.join(',')}]`);
  return ndim === 0 ? [] : unique;
}
