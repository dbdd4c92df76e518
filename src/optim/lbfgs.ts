import { Tensor, ValueError } from '../tensor/index.js';
import { enableGrad } from '../autograd/index.js';
import { backtracking, dot, maxAbs, strongWolfe, type Directional } from './linesearch.js';
import {
  checkNonNegative, checkPositiveInt, lossValue, Optimizer,
  type Closure, type FloatArray, type OptimizerStateDict, type ParamGroupInput, type ParamState, type Params,
} from './optimizer.js';

/** Options of LBFGS (PyTorch's names and defaults). */
export type LBFGSOptions = {
  /** Step length (the first iteration scales it by min(1, 1/‖g‖₁)). */
  lr: number;
  /** Most iterations per `step()`. */
  maxIter: number;
  /** Most closure evaluations per `step()` (null: maxIter·5/4). */
  maxEval: number | null;
  /** Stop when max|g| ≤ this. */
  toleranceGrad: number;
  /** Stop when a step or the change in loss is smaller than this. */
  toleranceChange: number;
  /** Pairs (s, y) kept for the inverse-Hessian estimate. */
  historySize: number;
  /** 'strongWolfe' (PyTorch's 'strong_wolfe'), 'backtracking' (Armijo), or null: fixed steps of lr. */
  lineSearchFn: 'strongWolfe' | 'backtracking' | null;
};

const DEFAULTS: LBFGSOptions = {
  lr: 1, maxIter: 20, maxEval: null, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearchFn: null,
};

/** What LBFGS carries between steps (all vectors flat over every parameter, float64). */
interface Memory {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number | null;
  /** yᵢ = gᵢ₊₁ − gᵢ, oldest first. */
  oldDirs: Float64Array[];
  /** sᵢ = xᵢ₊₁ − xᵢ. */
  oldStps: Float64Array[];
  /** 1 / (yᵢᵀsᵢ). */
  ro: number[];
  /** Scale γ = yᵀs / yᵀy of the initial inverse Hessian γ·I. */
  hDiag: number;
  prevFlatGrad: Float64Array | null;
  prevLoss: number | null;
}

const fresh = (): Memory => ({ funcEvals: 0, nIter: 0, d: null, t: null, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: null });

/** Rows stacked into a [k, n] float64 tensor (k may be 0). */
function stackRows(rows: Float64Array[], n: number): Tensor {
  const out = new Float64Array(rows.length * n);
  rows.forEach((r, i) => out.set(r, i * n));
  return new Tensor(out, [rows.length, n]);
}

/**
 * L-BFGS, as PyTorch's: each `step(closure)` runs up to maxIter quasi-Newton iterations, the
 * direction from the two-loop recursion over the last historySize (s, y) pairs, the step from a
 * line search or fixed. The closure must zero the gradients, compute the loss, call backward
 * and return the loss. One param group.
 */
export class LBFGS extends Optimizer<LBFGSOptions, Record<string, never>> {
  private mem: Memory = fresh();

  constructor(params: Params<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    super('LBFGS', params, DEFAULTS, options);
  }

  protected override normalizeOptions(raw: Record<string, unknown>): Record<string, unknown> {
    return raw.lineSearchFn === 'strong_wolfe' ? { ...raw, lineSearchFn: 'strongWolfe' } : raw;
  }

  protected checkOptions(o: LBFGSOptions): void {
    checkPositiveInt('LBFGS', 'maxIter', o.maxIter);
    if (o.maxEval !== null) checkPositiveInt('LBFGS', 'maxEval', o.maxEval);
    checkNonNegative('LBFGS', 'toleranceGrad', o.toleranceGrad);
    checkNonNegative('LBFGS', 'toleranceChange', o.toleranceChange);
    checkPositiveInt('LBFGS', 'historySize', o.historySize);
    if (o.lineSearchFn !== null && o.lineSearchFn !== 'strongWolfe' && o.lineSearchFn !== 'backtracking') {
      throw new ValueError(`LBFGS: invalid lineSearchFn ${String(o.lineSearchFn)} (expected 'strongWolfe', 'backtracking' or null)`);
    }
  }

  protected initState(): Record<string, never> {
    return {};
  }

  override addParamGroup(group: ParamGroupInput<LBFGSOptions>): void {
    if (this.paramGroups.length > 0) throw new ValueError('LBFGS: takes one param group (its history spans every parameter)');
    super.addParamGroup(group);
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private numel(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }

  /** Every gradient flattened into one float64 vector (zeros where a gradient is missing). */
  private flatGrad(): Float64Array {
    const out = new Float64Array(this.numel());
    let offset = 0;
    for (const p of this.params) {
      if (p.grad) {
        if (p.grad.size !== p.size) throw new ValueError(`LBFGS.step: a gradient has ${p.grad.size} values for a parameter of ${p.size}`);
        out.set(p.grad.data, offset);
      }
      offset += p.size;
    }
    return out;
  }

  /** x ← x + t·d over the flattened parameters. */
  private addScaled(t: number, d: Float64Array): void {
    let offset = 0;
    for (const p of this.params) {
      const x = p.data as FloatArray;
      for (let i = 0; i < x.length; i++) x[i] += t * d[offset + i];
      offset += x.length;
    }
  }

  /** The search direction −H·g from the two-loop recursion over the stored pairs. */
  private direction(g: Float64Array): Float64Array {
    const { oldDirs, oldStps, ro, hDiag } = this.mem;
    const k = oldDirs.length;
    const al = new Float64Array(k);
    const q = g.map((v) => -v);
    for (let i = k - 1; i >= 0; i--) {
      al[i] = dot(oldStps[i], q) * ro[i];
      for (let j = 0; j < q.length; j++) q[j] -= al[i] * oldDirs[i][j];
    }
    const r = q.map((v) => v * hDiag);
    for (let i = 0; i < k; i++) {
      const be = dot(oldDirs[i], r) * ro[i];
      for (let j = 0; j < r.length; j++) r[j] += (al[i] - be) * oldStps[i][j];
    }
    return r;
  }

  /** Runs up to maxIter iterations; returns the loss the closure computed first (before any update). */
  step(closure?: Closure): Tensor | number {
    if (typeof closure !== 'function') throw new ValueError('LBFGS.step: needs a closure that zeroes the gradients, computes the loss, calls backward and returns the loss');
    const o = this.paramGroups[0];
    const maxEval = o.maxEval ?? Math.floor((o.maxIter * 5) / 4);
    const mem = this.mem;
    const evaluate = (): number => lossValue('LBFGS', enableGrad(closure));
    const origLoss = enableGrad(closure);
    let loss = lossValue('LBFGS', origLoss);
    let currentEvals = 1;
    mem.funcEvals += 1;
    let g = this.flatGrad();
    if (maxAbs(g) <= o.toleranceGrad) return origLoss;

    for (let nIter = 1; nIter <= o.maxIter; nIter++) {
      mem.nIter += 1;
      if (mem.nIter === 1) {
        Object.assign(mem, { oldDirs: [], oldStps: [], ro: [], hDiag: 1 });
        mem.d = g.map((v) => -v);
      } else {
        // New curvature pair from the last step; skipped unless yᵀs > 0 keeps H positive definite.
        const y = g.map((v, i) => v - mem.prevFlatGrad![i]);
        const s = mem.d!.map((v) => v * mem.t!);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (mem.oldDirs.length === o.historySize) {
            mem.oldDirs.shift();
            mem.oldStps.shift();
            mem.ro.shift();
          }
          mem.oldDirs.push(y);
          mem.oldStps.push(s);
          mem.ro.push(1 / ys);
          mem.hDiag = ys / dot(y, y);
        }
        mem.d = this.direction(g);
      }
      const d = mem.d;
      mem.prevFlatGrad = g.slice();
      mem.prevLoss = loss;
      let absSum = 0;
      for (const v of g) absSum += Math.abs(v);
      mem.t = mem.nIter === 1 ? Math.min(1, 1 / absSum) * o.lr : o.lr;
      const gtd = dot(g, d);
      if (gtd > -o.toleranceChange) break; // not a descent direction
      let lsEvals = 0;
      if (o.lineSearchFn !== null) {
        const x0 = this.params.map((p) => p.data.slice());
        const phi: Directional = (t) => {
          this.addScaled(t, d);
          const f = evaluate();
          const gt = this.flatGrad();
          this.params.forEach((p, i) => p.data.set(x0[i]));
          return { f, g: gt };
        };
        const r = o.lineSearchFn === 'strongWolfe'
          ? strongWolfe(phi, d, mem.t, loss, g, gtd, { toleranceChange: o.toleranceChange })
          : backtracking(phi, mem.t, loss, g, gtd);
        ({ f: loss, g, t: mem.t, evals: lsEvals } = r);
        this.addScaled(mem.t, d);
      } else {
        this.addScaled(mem.t, d);
        // The last iteration leaves the evaluation at the new point to the next step().
        if (nIter !== o.maxIter) {
          loss = evaluate();
          g = this.flatGrad();
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      mem.funcEvals += lsEvals;
      if (nIter === o.maxIter || currentEvals >= maxEval) break;
      if (maxAbs(g) <= o.toleranceGrad) break;
      if (maxAbs(d) * Math.abs(mem.t) <= o.toleranceChange) break;
      if (Math.abs(loss - mem.prevLoss) < o.toleranceChange) break;
    }
    return origLoss;
  }

  /** Options and the quasi-Newton memory (kept under parameter 0, as PyTorch does; vectors as float64 Tensors). */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    const m = this.mem;
    if (m.funcEvals === 0) return sd;
    const n = this.numel();
    const vec = (v: Float64Array | null): Tensor | null => (v ? new Tensor(v.slice(), [v.length]) : null);
    sd.state = {
      0: {
        funcEvals: m.funcEvals, nIter: m.nIter, d: vec(m.d), t: m.t,
        oldDirs: stackRows(m.oldDirs, n), oldStps: stackRows(m.oldStps, n), ro: new Tensor(Float64Array.from(m.ro), [m.ro.length]),
        hDiag: m.hDiag, prevFlatGrad: vec(m.prevFlatGrad), prevLoss: m.prevLoss,
      },
    };
    return sd;
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    const mem = sd?.state && typeof sd.state === 'object' && sd.state['0'] ? this.unpack(sd.state['0']) : fresh();
    super.loadStateDict({ ...sd, state: {} });
    this.mem = mem;
  }

  /** The memory from saved state, checked. */
  private unpack(s: ParamState): Memory {
    const n = this.numel();
    const bad = (what: string): never => {
      throw new ValueError(`LBFGS.loadStateDict: state '${what}' is missing or does not fit ${n} parameters`);
    };
    const num = (k: string, nullable = false): number | null => {
      const v = s[k];
      if (typeof v === 'number' || (nullable && v === null)) return v;
      return bad(k);
    };
    const vec = (k: string): Float64Array | null => {
      const v = s[k];
      if (v === null) return null;
      if (!(v instanceof Tensor) || v.size !== n) return bad(k);
      return Float64Array.from(v.data);
    };
    const rows = (k: string): Float64Array[] => {
      const v = s[k];
      if (!(v instanceof Tensor) || v.ndim !== 2 || v.shape[1] !== n) return bad(k);
      return Array.from({ length: v.shape[0] }, (_, i) => Float64Array.from(v.data.subarray(i * n, (i + 1) * n)));
    };
    const oldDirs = rows('oldDirs');
    const oldStps = rows('oldStps');
    const ro = s.ro;
    if (!(ro instanceof Tensor) || ro.size !== oldDirs.length || oldStps.length !== oldDirs.length) bad('ro');
    return {
      funcEvals: num('funcEvals') as number, nIter: num('nIter') as number, d: vec('d'), t: num('t', true),
      oldDirs, oldStps, ro: Array.from((ro as Tensor).data), hDiag: num('hDiag') as number,
      prevFlatGrad: vec('prevFlatGrad'), prevLoss: num('prevLoss', true),
    };
  }
}
