/**
 * Line searches along a direction d for LBFGS, in float64. `phi(t)` evaluates the loss and
 * its gradient at x + t·d (and leaves x unchanged).
 */

/** Loss and flat gradient [n] at x + t·d. */
export type Directional = (t: number) => { f: number; g: Float64Array };

/** The accepted step t, the loss f and gradient g there, and how many evaluations it took. */
export interface LineSearchResult {
  t: number;
  f: number;
  g: Float64Array;
  evals: number;
}

/** A trial point: step, loss, gradient and directional derivative gᵀd. */
interface Point {
  t: number;
  f: number;
  g: Float64Array;
  gtd: number;
}

/** aᵀb of two vectors of equal length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** max|aᵢ| (0 for an empty vector): the ∞-norm. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * The minimiser, clamped to [lo, hi], of the cubic through (x1, f1) and (x2, f2) with slopes
 * g1 and g2 (Nocedal & Wright, eq. 3.59); the midpoint of [lo, hi] when the cubic has none.
 */
export function cubicMinimizer(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, lo: number, hi: number): number {
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sign(x2 - x1) * Math.sqrt(d2sq);
    const t = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
    if (Number.isFinite(t)) return Math.min(Math.max(t, lo), hi);
  }
  return (lo + hi) / 2;
}

/** Constants of the strong-Wolfe search (Nocedal & Wright; PyTorch's defaults). */
export interface WolfeOptions {
  /** Sufficient decrease: f(t) ≤ f(0) + c1·t·gᵀd. */
  c1?: number;
  /** Curvature: |g(t)ᵀd| ≤ c2·|g(0)ᵀd|. */
  c2?: number;
  /** Stop zooming when the bracket is this narrow (times max|d|). */
  toleranceChange?: number;
  /** Most evaluations. */
  maxLs?: number;
}

/**
 * A step satisfying the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5 and 3.6,
 * with cubic interpolation): first extrapolate until an interval is known to contain one, then
 * shrink that interval. t is the first trial step, f, g and gtd the values at t = 0. A failed
 * evaluation (NaN or ∞) counts as too long a step.
 */
export function strongWolfe(phi: Directional, d: Float64Array, t: number, f: number, g: Float64Array, gtd: number, opts: WolfeOptions = {}): LineSearchResult {
  const c1 = opts.c1 ?? 1e-4;
  const c2 = opts.c2 ?? 0.9;
  const toleranceChange = opts.toleranceChange ?? 1e-9;
  const maxLs = opts.maxLs ?? 25;
  const dNorm = maxAbs(d);
  const at = (step: number): Point => {
    const r = phi(step);
    return { t: step, f: r.f, g: r.g, gtd: dot(r.g, d) };
  };
  const tooLong = (p: Point): boolean => !(p.f <= f + c1 * p.t * gtd);
  const flatEnough = (p: Point): boolean => Math.abs(p.gtd) <= -c2 * gtd;

  let prev: Point = { t: 0, f, g, gtd };
  let cur = at(t);
  let evals = 1;
  let bracket: [Point, Point] | null = null;
  // Bracketing phase.
  while (evals <= maxLs) {
    if (tooLong(cur) || (evals > 2 && cur.f >= prev.f)) {
      bracket = [prev, cur];
      break;
    }
    if (flatEnough(cur)) return { t: cur.t, f: cur.f, g: cur.g, evals };
    if (cur.gtd >= 0) {
      bracket = [prev, cur];
      break;
    }
    const next = cubicMinimizer(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, cur.t + 0.01 * (cur.t - prev.t), cur.t * 10);
    prev = cur;
    cur = at(next);
    evals++;
  }
  // Out of evaluations while extrapolating: keep the better of the start and the last trial.
  if (!bracket) return cur.f < f ? { t: cur.t, f: cur.f, g: cur.g, evals } : { t: 0, f, g, evals };
  // Zoom phase: keep the lower end `lo` (best loss so far) and shrink towards a Wolfe point.
  let [lo, hi] = bracket[0].f <= bracket[1].f ? [0, 1] : [1, 0];
  let insufficientProgress = false;
  while (evals <= maxLs) {
    const a = bracket[0];
    const b = bracket[1];
    const bMin = Math.min(a.t, b.t);
    const bMax = Math.max(a.t, b.t);
    if ((bMax - bMin) * dNorm < toleranceChange) break;
    let tz = cubicMinimizer(a.t, a.f, a.gtd, b.t, b.f, b.gtd, bMin, bMax);
    // Keep trial points away from the ends, or the interval may barely shrink.
    const margin = 0.1 * (bMax - bMin);
    if (Math.min(bMax - tz, tz - bMin) < margin) {
      if (insufficientProgress || tz >= bMax || tz <= bMin) {
        tz = Math.abs(tz - bMax) < Math.abs(tz - bMin) ? bMax - margin : bMin + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const z = at(tz);
    evals++;
    if (tooLong(z) || z.f >= bracket[lo].f) {
      bracket[hi] = z;
      [lo, hi] = bracket[0].f <= bracket[1].f ? [0, 1] : [1, 0];
    } else {
      if (flatEnough(z)) {
        bracket[lo] = z;
        break;
      }
      if (z.gtd * (bracket[hi].t - bracket[lo].t) >= 0) bracket[hi] = bracket[lo];
      bracket[lo] = z;
    }
  }
  const best = bracket[lo];
  return { t: best.t, f: best.f, g: best.g, evals };
}

/**
 * Armijo backtracking: halves t until f(t) ≤ f(0) + c1·t·gᵀd. When maxLs trials all fail it
 * returns t = 0 with the starting values (no move).
 */
export function backtracking(phi: Directional, t: number, f: number, g: Float64Array, gtd: number, opts: { c1?: number; shrink?: number; maxLs?: number } = {}): LineSearchResult {
  const c1 = opts.c1 ?? 1e-4;
  const shrink = opts.shrink ?? 0.5;
  const maxLs = opts.maxLs ?? 25;
  for (let evals = 1; evals <= maxLs; evals++) {
    const r = phi(t);
    if (r.f <= f + c1 * t * gtd) return { t, f: r.f, g: r.g, evals };
    t *= shrink;
  }
  return { t: 0, f, g, evals: maxLs };
}
