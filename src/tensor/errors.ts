/** Base class of every error nabla throws on purpose. */
export class NablaError extends Error {
  override name = 'NablaError';
}

/** Shapes that do not fit the operation: misaligned matmul, bad reshape, broadcast failure. */
export class ShapeError extends NablaError {
  override name = 'ShapeError';
}

/** A dtype the operation does not accept (e.g. float indices, int32 where a gradient is needed). */
export class DTypeError extends NablaError {
  override name = 'DTypeError';
}

/** An argument out of its domain: an axis or index out of range, a negative size, NaN. */
export class ValueError extends NablaError {
  override name = 'ValueError';
}

/** A file or buffer that is not what it claims to be. */
export class FormatError extends NablaError {
  override name = 'FormatError';
}

/** Formats a shape the way error messages print it: [3,2]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
