import { allocate, fmtShape, makeResident, type TypedArray, residentZeros, ShapeError, Tensor, ValueError } from '../tensor/index.js';
import { enableGrad, ownGradient } from '../autograd/index.js';

/** Storage of a float parameter or buffer; updates are plain loops over it. */
export type FloatArray = Float32Array | Float64Array;

/** A hyper-parameter value as param groups and state dicts hold it (JSON-able). */
export type HyperParam = number | boolean | string | null | readonly number[];

/** Options every optimizer has. */
export interface BaseOptions {
  lr: number;
}

/**
 * Parameters that share one set of options (PyTorch's param group). `initialLr` is set by
 * the first learning-rate schedule attached to the optimizer.
 */
export type ParamGroup<O> = O & { params: Tensor[]; initialLr?: number };

/** A group as the constructor takes it: its parameters and the options that differ from the defaults. */
export type ParamGroupInput<O> = Partial<O> & { params: readonly Tensor[] };

/** What an optimizer optimises: a list of parameters (`model.parameters()`) or of param groups. */
export type Params<O> = readonly Tensor[] | readonly ParamGroupInput<O>[];

/** One parameter's state: buffers (Tensors, usually the parameter's shape and dtype), counters, or null (not created yet). */
export type ParamState = Record<string, Tensor | number | null>;

/** Re-evaluates the model and returns the loss; LBFGS and Newton need one, the others accept one. */
export type Closure = () => Tensor | number;

/**
 * Everything needed to resume training bit-identically: `paramGroups` holds each group's
 * options (plain JSON-able values) and the positions of its parameters (counted across groups
 * in order, as `params` lists them); `state` maps a parameter's position to its state, whose
 * buffers are Tensors (copies, in the dtype they were kept in) and whose counters are numbers.
 * A serialiser writes the Tensors as it writes model weights and everything else as JSON.
 */
export interface OptimizerStateDict {
  /** The class that wrote it, e.g. 'Adam'. */
  optimizer: string;
  state: Record<string, ParamState>;
  paramGroups: Record<string, HyperParam>[];
}

/** The gradient as a typed array of p's dtype (the fused kernels' operand), converting when it is not. */
export function gradientArray(p: Tensor, grad: ArrayLike<number>): TypedArray {
  if (ArrayBuffer.isView(grad) && (grad as TypedArray).constructor === p.data.constructor) return grad as TypedArray;
  const out = allocate(p.dtype, p.size);
  for (let i = 0; i < out.length; i++) out[i] = grad[i];
  return out;
}

/** Per-parameter update: p (its values are written in place), g (its gradient), its state and group options. */
export type UpdateRule<O, S> = (p: Tensor, g: ArrayLike<number>, state: S, options: O) => void;

// ---- option checks shared by the optimizers; each names the optimizer and the option ----

/** Throws unless value is a finite number ≥ 0 (or > 0 when strict). */
export function checkNonNegative(opt: string, name: string, value: unknown, strict = false): void {
  const ok = typeof value === 'number' && Number.isFinite(value) && (strict ? value > 0 : value >= 0);
  if (!ok) throw new ValueError(`${opt}: invalid ${name} ${String(value)} (expected a finite number ${strict ? '> 0' : '≥ 0'})`);
}

/** Throws unless value is a number in [0, 1) — the range of momentum coefficients and betas. */
export function checkUnitInterval(opt: string, name: string, value: unknown): void {
  if (!(typeof value === 'number' && value >= 0 && value < 1)) {
    throw new ValueError(`${opt}: invalid ${name} ${String(value)} (expected a number in [0, 1))`);
  }
}

/** Throws unless value is true or false. */
export function checkBoolean(opt: string, name: string, value: unknown): void {
  if (typeof value !== 'boolean') throw new ValueError(`${opt}: invalid ${name} ${String(value)} (expected true or false)`);
}

/** Throws unless value is a positive integer. */
export function checkPositiveInt(opt: string, name: string, value: unknown): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    throw new ValueError(`${opt}: invalid ${name} ${String(value)} (expected a positive integer)`);
  }
}

/** A loss as a plain number (closures may return a one-element Tensor or a number). */
export function lossValue(opt: string, loss: Tensor | number): number {
  if (typeof loss === 'number') return loss;
  if (loss instanceof Tensor && loss.size === 1) return loss.data[0];
  throw new ValueError(`${opt}: the closure must return the loss as a number or a one-element Tensor`);
}

function copyHyper(v: HyperParam): HyperParam {
  return Array.isArray(v) ? [...(v as readonly number[])] : v;
}

function copyTensor(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape);
}

/** Options of `Optimizer.zeroGrad`. */
export interface ZeroGradOptions {
  /** Drop the gradients (true, the default) or keep them zero-filled for in-place accumulation. */
  setToNone?: boolean;
}

/**
 * Base of every optimizer: holds param groups and per-parameter state, checks options and
 * parameters, saves and restores state. Subclasses supply the defaults, the option checks,
 * the initial state of a parameter and `step`; first-order ones implement step with
 * `stepEach` and a per-parameter update rule.
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions, S extends ParamState = ParamState> {
  /** The groups of parameters with their options; schedules write `lr` here. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Options used where a group does not set its own. */
  readonly defaults: Readonly<O>;
  /** Per-parameter state, created on the first step that sees a gradient. */
  protected readonly state = new Map<Tensor, S>();

  /**
   * @param name the class name used in errors and state dicts
   * @param params parameters or param groups
   * @param builtins every option's default value (its keys are the known option names)
   * @param options the caller's options
   */
  protected constructor(readonly name: string, params: Params<O>, private readonly builtins: O, options: Partial<O> = {}) {
    if (options === null || typeof options !== 'object') throw new ValueError(`${name}: options must be an object, got ${String(options)}`);
    this.defaults = Object.freeze(this.resolve(builtins, options as Record<string, unknown>));
    if (!Array.isArray(params)) throw new ValueError(`${name}: params must be an array of Tensors or of param groups ({ params, ...options })`);
    if (params.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const groups = params[0] instanceof Tensor ? [{ params: params as readonly Tensor[] } as ParamGroupInput<O>] : (params as readonly ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Maps alternative option names (Keras' rho, beta1/beta2) onto the canonical ones. */
  protected normalizeOptions(raw: Record<string, unknown>): Record<string, unknown> {
    return raw;
  }

  /** Throws a ValueError naming the optimizer and the option when a value is out of range. */
  protected abstract checkOptions(o: O): void;

  /** The state of a parameter before its first update (buffers zeroed, counters at 0). */
  protected abstract initState(p: Tensor, group: ParamGroup<O>): S;

  /**
   * One optimisation step. The closure, when given, is called with gradient recording on
   * (it usually zeroes the gradients, computes the loss and calls backward); its result is returned.
   */
  abstract step(closure?: Closure): Tensor | number | undefined;

  /** Options over base with the caller's raw options applied (unknown names and bad values throw). */
  private resolve(base: O, raw: Record<string, unknown>): O {
    const norm = this.normalizeOptions({ ...raw });
    const out: Record<string, unknown> = {};
    // Copies, so that groups never share an array (betas) with each other or the defaults.
    for (const [k, v] of Object.entries(base)) out[k] = copyHyper(v as HyperParam);
    for (const [k, v] of Object.entries(norm)) {
      if (k === 'params' || v === undefined) continue;
      if (!(k in this.builtins) && k !== 'initialLr') {
        throw new ValueError(`${this.name}: unknown option '${k}' (options: ${Object.keys(this.builtins).join(', ')})`);
      }
      out[k] = copyHyper(v as HyperParam);
    }
    const o = out as O;
    checkNonNegative(this.name, 'lr', o.lr);
    this.checkOptions(o);
    return o;
  }

  /** Every parameter of every group, in order. */
  protected allParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Adds a group of parameters with its own options (e.g. a layer trained with a smaller lr). */
  addParamGroup(group: ParamGroupInput<O>): void {
    if (group === null || typeof group !== 'object' || !Array.isArray(group.params)) {
      throw new ValueError(`${this.name}: a param group must be an object with a 'params' array`);
    }
    const seen = new Set(this.allParams());
    const where = this.paramGroups.length > 0 ? ` in group ${this.paramGroups.length}` : '';
    if (group.params.length === 0) throw new ValueError(`${this.name}: got an empty parameter list${where}`);
    group.params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ValueError(`${this.name}: parameter ${i}${where} is not a Tensor`);
      if (!p.requiresGrad) throw new ValueError(`${this.name}: parameter ${i}${where} (shape ${fmtShape(p.shape)}) does not require gradients; set requiresGrad or leave it out`);
      if (!p.isLeaf) throw new ValueError(`${this.name}: parameter ${i}${where} (shape ${fmtShape(p.shape)}) was computed by an op; optimise the leaf tensors you created`);
      if (seen.has(p)) throw new ValueError(`${this.name}: parameter ${i}${where} (shape ${fmtShape(p.shape)}) appears more than once`);
      seen.add(p);
    });
    const opts = this.resolve(this.defaults as O, group as unknown as Record<string, unknown>);
    // Parameters move into the backend's memory (wasm), where the fused updates run in place.
    for (const p of group.params) makeResident(p);
    this.paramGroups.push({ ...opts, params: [...group.params] });
  }

  /** The learning rate of the first group (schedules and callbacks read it). */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  /** Sets the learning rate of every group. */
  set lr(value: number) {
    checkNonNegative(this.name, 'lr', value);
    for (const g of this.paramGroups) g.lr = value;
  }

  /**
   * Clears every parameter's gradient: sets `.grad` to null (the default, PyTorch 2's
   * `set_to_none=True`), or with `setToNone: false` (PyTorch 1's default) leaves each parameter
   * that has a gradient a zero-filled one with storage of its own, in wasm memory where the
   * backend has it, and keeps it from step to step. Backward adds into it in place once every op
   * has run; dense layers write their weight gradient into a buffer kept with it, so a step
   * allocates no new weight gradients.
   * As in PyTorch, a parameter whose `.grad` stays zero is still stepped (moments decay, weight
   * decay applies), and a reference to `.grad` kept across steps sees the new values.
   */
  zeroGrad(options: ZeroGradOptions = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.allParams()) {
      if (setToNone || !p.grad || p.grad.requiresGrad) p.grad = null;
      else ownGradient(p);
    }
  }

  /**
   * The usual step of a first-order optimizer: runs the closure, then applies `update` to
   * every parameter that has a gradient, creating its state on first use.
   */
  protected stepEach(closure: Closure | undefined, update: UpdateRule<ParamGroup<O>, S>): Tensor | number | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (!p.grad) continue;
        if (p.grad.size !== p.size) {
          throw new ShapeError(`${this.name}.step: gradient of shape ${fmtShape(p.grad.shape)} does not fit parameter of shape ${fmtShape(p.shape)}`);
        }
        let st = this.state.get(p);
        if (!st) {
          st = this.initState(p, group);
          this.state.set(p, st);
        }
        update(p, p.grad.data, st, group);
      }
    }
    return loss;
  }

  /** A zeroed buffer of p's shape and dtype (for moment estimates). */
  protected buffer(p: Tensor, fill = 0): Tensor {
    const t = residentZeros(p.shape, p.dtype);
    if (fill !== 0) t.data.fill(fill);
    return t;
  }

  /** Hyper-parameters and per-parameter state, as copies (see OptimizerStateDict). */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((g) => {
      const out: Record<string, HyperParam> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') out[k] = copyHyper(v as HyperParam);
      out.params = g.params.map((p) => {
        index.set(p, index.size);
        return index.size - 1;
      });
      return out;
    });
    const state: Record<string, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(st)) copy[k] = v instanceof Tensor ? copyTensor(v) : v;
      state[String(i)] = copy;
    }
    return { optimizer: this.name, state, paramGroups };
  }

  /**
   * Restores options and state saved by `stateDict()` from an optimizer of the same class over
   * parameters of the same shapes. Everything is checked before anything is written; buffers
   * are copied (in the parameter's dtype), so the dict can be loaded again.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const who = `${this.name}.loadStateDict`;
    if (sd === null || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || sd.state === null || typeof sd.state !== 'object') {
      throw new ValueError(`${who}: expected { optimizer, state, paramGroups } as stateDict() returns`);
    }
    if (sd.optimizer !== this.name) throw new ValueError(`${who}: the state was saved by ${String(sd.optimizer)}, not ${this.name}`);
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ValueError(`${who}: the state has ${sd.paramGroups.length} param groups, this optimizer has ${this.paramGroups.length}`);
    }
    const options = sd.paramGroups.map((saved, gi) => {
      const n = Array.isArray(saved.params) ? saved.params.length : -1;
      if (n !== this.paramGroups[gi].params.length) {
        throw new ValueError(`${who}: param group ${gi} has ${n} parameters in the state, ${this.paramGroups[gi].params.length} here`);
      }
      return this.resolve(this.builtins, saved as Record<string, unknown>);
    });
    const params = this.allParams();
    const restored = new Map<Tensor, S>();
    for (const [key, saved] of Object.entries(sd.state)) {
      const i = Number(key);
      const p = params[i];
      if (!Number.isInteger(i) || !p) throw new ValueError(`${who}: state for parameter '${key}', but there are ${params.length} parameters`);
      const gi = this.paramGroups.findIndex((g) => g.params.includes(p));
      restored.set(p, this.restoreParamState(who, i, p, saved, { ...options[gi], params: this.paramGroups[gi].params }));
    }
    options.forEach((o, gi) => Object.assign(this.paramGroups[gi], o));
    this.state.clear();
    for (const [p, st] of restored) this.state.set(p, st);
  }

  /** One parameter's saved state, checked against the state a fresh step would create. */
  protected restoreParamState(who: string, i: number, p: Tensor, saved: ParamState, group: ParamGroup<O>): S {
    const template = this.initState(p, group) as ParamState;
    if (saved === null || typeof saved !== 'object') throw new ValueError(`${who}: state of parameter ${i} is not an object`);
    for (const k of Object.keys(saved)) if (!(k in template)) throw new ValueError(`${who}: unexpected state '${k}' for parameter ${i}`);
    const out: ParamState = {};
    for (const [k, t] of Object.entries(template)) {
      const v = saved[k];
      if (v instanceof Tensor && (t instanceof Tensor || t === null)) {
        if (v.size !== p.size) throw new ShapeError(`${who}: state '${k}' of parameter ${i} has shape ${fmtShape(v.shape)}, the parameter ${fmtShape(p.shape)}`);
        const restoredBuffer = residentZeros(p.shape, p.dtype);
        restoredBuffer.data.set(v.data);
        out[k] = restoredBuffer;
      } else if (typeof v === 'number' && typeof t === 'number') {
        out[k] = v;
      } else if (v === null && t === null) {
        out[k] = null;
      } else {
        throw new ValueError(`${who}: state '${k}' of parameter ${i} is ${v === undefined ? 'missing' : `a ${v === null ? 'null' : typeof v}`}, expected ${t instanceof Tensor ? 'a Tensor' : t === null ? 'a Tensor or null' : 'a number'}`);
      }
    }
    return out as S;
  }
}
