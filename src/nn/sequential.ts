/** Sequential: modules applied one after another. */
import { ShapeError, ValueError, type Tensor } from '../tensor/index.js';
import { Module, moduleFromConfig, registerModule } from './module.js';

/**
 * A chain of modules: forward(x) = mₙ(…m₂(m₁(x))). Children are registered under '0',
 * '1', …, so parameters are named '0.weight', '2.bias', … (as in PyTorch).
 *
 *     const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.add(m);
  }

  /** Appends a module (registered under the next index); returns this for chaining. */
  add(module: Module): this {
    if (!(module instanceof Module)) throw new ValueError(`Sequential.add: expected a Module, got ${module === null ? 'null' : typeof module}`);
    this.registerModule(String(this.length), module);
    return this;
  }

  /** Number of modules. */
  get length(): number {
    return this.namedChildren().length;
  }

  /** The module at index i (negative counts from the end). */
  at(i: number): Module {
    const n = this.length;
    if (!Number.isInteger(i) || i < -n || i >= n) throw new ValueError(`Sequential.at: index ${i} is out of range for ${n} modules`);
    return this.children()[i < 0 ? i + n : i];
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children()[Symbol.iterator]();
  }

  /** Runs x through every module in order. A ShapeError says which layer it came from. */
  override forward(x: Tensor): Tensor {
    let out = x;
    for (const [name, m] of this.namedChildren()) {
      try {
        out = m.forward(out);
      } catch (e) {
        if (e instanceof ShapeError && !e.message.includes('(in Sequential layer')) e.message += ` (in Sequential layer ${name})`;
        throw e;
      }
    }
    return out;
  }

  override describe(): string {
    return 'Sequential';
  }
}

registerModule('Sequential', Sequential, (c) => new Sequential(...(c.children ?? []).map((child) => moduleFromConfig(child))));
