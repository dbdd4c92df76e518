import { ShapeError, ValueError, fmtShape, makeResident, shapesEqual, Tensor } from '../tensor/index.js';

/** A JSON description of a module: enough to rebuild it (weights travel separately). */
export interface ModuleConfig {
  type: string;
  args?: Record<string, unknown>;
  children?: ModuleConfig[];
}

type ModuleFactory = (config: ModuleConfig) => Module;
const factories = new Map<string, ModuleFactory>();
/** Registered type names by class: a minifier may rename classes, saved files must not change. */
const typeNames = new WeakMap<object, string>();

/**
 * Makes a module type rebuildable from its config (used by nb.load); each layer registers
 * itself with its type name, its class and a factory.
 */
export function registerModule(type: string, cls: abstract new (...args: never[]) => Module, factory: ModuleFactory): void {
  factories.set(type, factory);
  typeNames.set(cls, type);
}

/** Rebuilds a module (and its children) from a config written by `Module.config()`. */
export function moduleFromConfig(config: ModuleConfig): Module {
  if (config === null || typeof config !== 'object' || typeof config.type !== 'string') {
    throw new ValueError('moduleFromConfig: a module config needs a string "type"');
  }
  const factory = factories.get(config.type);
  if (!factory) throw new ValueError(`moduleFromConfig: unknown module type '${config.type}' (known: ${[...factories.keys()].sort().join(', ')})`);
  return factory(config);
}

/**
 * Base class of layers and models, in PyTorch's shape: parameters and sub-modules are
 * registered by name, `forward` computes, `train()`/`eval()` switch mode, `stateDict()`
 * holds every parameter and buffer by dotted name.
 */
export abstract class Module {
  /** True in training mode (dropout active, batch norm uses batch statistics). */
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly modules = new Map<string, Module>();

  /** The computation. Most layers take one tensor. */
  abstract forward(x: Tensor): Tensor;

  /** Same as forward. */
  call(x: Tensor): Tensor {
    return this.forward(x);
  }

  /** The module's name in summaries, e.g. 'Linear'. */
  get typeName(): string {
    return typeNames.get(this.constructor) ?? this.constructor.name;
  }

  /**
   * Registers a trainable tensor (requiresGrad is set) under name; null reserves the slot.
   * Its storage moves into the backend's memory (wasm) now, before any view of it exists, so
   * the optimizer's in-place updates need no copy.
   */
  protected registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t && !t.requiresGrad) t.requiresGrad_(true);
    if (t) makeResident(t);
    this.params.set(name, t);
    return t;
  }

  /** Registers a non-trainable state tensor saved with the model (e.g. running means). */
  protected registerBuffer(name: string, t: Tensor): Tensor {
    this.buffers.set(name, t);
    return t;
  }

  /** Registers a sub-module under name. */
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.modules.set(name, m);
    return m;
  }

  /** Replaces a registered buffer's tensor (buffers may be re-bound, e.g. on load). */
  protected setBuffer(name: string, t: Tensor): void {
    if (!this.buffers.has(name)) throw new ValueError(`${this.typeName}: no buffer named '${name}'`);
    this.buffers.set(name, t);
  }

  protected getBuffer(name: string): Tensor {
    const t = this.buffers.get(name);
    if (!t) throw new ValueError(`${this.typeName}: no buffer named '${name}'`);
    return t;
  }

  /** Direct sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this.modules.entries()];
  }

  children(): Module[] {
    return [...this.modules.values()];
  }

  /** Every trainable tensor with its dotted name ('0.weight'), depth first. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) if (p) out.push([prefix + n, p]);
    for (const [n, m] of this.modules) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [...this.buffers].map(([n, b]) => [prefix + n, b] as [string, Tensor]);
    for (const [n, m] of this.modules) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.size, 0);
  }

  /** Sets training mode here and in every sub-module. */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.modules.values()) m.train(mode);
    return this;
  }

  /** Evaluation mode: dropout off, batch norm uses running statistics. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [n, p] of this.namedParameters()) out[n] = p;
    for (const [n, b] of this.namedBuffers()) out[n] = b;
    return out;
  }

  /**
   * Copies values into the parameters and buffers in place. strict (default) demands the
   * same names; shapes must always match. Nothing is written unless everything fits.
   */
  loadStateDict(state: Record<string, Tensor>, strict = true): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    if (strict && (missing.length > 0 || unexpected.length > 0)) {
      throw new ValueError(`loadStateDict: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected ${unexpected.join(', ')}` : ''}`);
    }
    for (const [k, t] of Object.entries(own)) {
      const src = state[k];
      if (src && !shapesEqual(src.shape, t.shape)) throw new ShapeError(`loadStateDict: '${k}' has shape ${fmtShape(src.shape)}, the model expects ${fmtShape(t.shape)}`);
    }
    for (const [k, t] of Object.entries(own)) if (state[k]) t.assign(state[k]);
  }

  /** Constructor arguments that rebuild this module (override in each layer). */
  protected configArgs(): Record<string, unknown> {
    return {};
  }

  /** The JSON description nb.save writes; children are included in registration order. */
  config(): ModuleConfig {
    const children = this.children().map((m) => m.config());
    return { type: this.typeName, args: this.configArgs(), ...(children.length ? { children } : {}) };
  }

  /** One line describing this module alone, e.g. 'Linear(784 → 128)'. */
  describe(): string {
    const args = Object.entries(this.configArgs()).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return `${this.typeName}(${args.join(', ')})`;
  }

  /** A readable tree of sub-modules with parameter counts. */
  toString(): string {
    const lines: string[] = [];
    const walk = (m: Module, name: string, depth: number): void => {
      const own = m.params.size ? `  [${[...m.params.values()].reduce((s, p) => s + (p?.size ?? 0), 0)} params]` : '';
      lines.push(`${'  '.repeat(depth)}${name ? `(${name}): ` : ''}${m.describe()}${own}`);
      for (const [n, c] of m.modules) walk(c, n, depth + 1);
    };
    walk(this, '', 0);
    lines.push(`Total trainable parameters: ${this.numParameters()}`);
    return lines.join('\n');
  }
}
