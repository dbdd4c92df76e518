/**
 * Small dense solvers in float64 for Newton's method: A is n×n, row-major. Neither modifies
 * its arguments.
 */

/**
 * Solves A·x = b for a symmetric positive-definite A by Cholesky, A = L·Lᵀ. Returns null
 * when A is not positive definite (a pivot ≤ 0), so the caller can fall back to LU.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  // Forward substitution L·y = b, then back substitution Lᵀ·x = y.
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/**
 * Solves A·x = b by LU factorisation with partial pivoting (any square A). Returns null when
 * A is singular to working precision (a pivot below 1e-14 of the largest entry).
 */
export function luSolve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const lu = Float64Array.from(a);
  const x = Float64Array.from(b);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(lu[i]));
  if (!(scale > 0) || !Number.isFinite(scale)) return null;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[piv * n + k])) piv = i;
    if (!(Math.abs(lu[piv * n + k]) > 1e-14 * scale)) return null;
    if (piv !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[piv * n + j]] = [lu[piv * n + j], lu[k * n + j]];
      [x[k], x[piv]] = [x[piv], x[k]];
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k] / pivot;
      if (f === 0) continue;
      lu[i * n + k] = f;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
      x[i] -= f * x[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j];
    x[i] = s / lu[i * n + i];
  }
  return x;
}
