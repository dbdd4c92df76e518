/** Sequential: modules applied one after another. */
import { conv2dMaxPoolRelu } from '../ops/index.js';
import { ShapeError, ValueError, type Tensor } from '../tensor/index.js';
import { ReLU } from './activations.js';
import { Conv2d } from './conv.js';
import { Module, moduleFromConfig, registerModule } from './module.js';
import { MaxPool2d } from './pooling.js';

/**
 * When children i, i+1, i+2 are exactly Conv2d, ReLU, MaxPool2d (not subclasses, and without a
 * forward replaced on the instance, as nn.summary does to watch each layer), the block as one
 * fused op: the same values without the full-size ReLU output.
 */
function convBlock(children: readonly [string, Module][], i: number): ((x: Tensor) => Tensor) | null {
  const [conv, act, pool] = [children[i]?.[1], children[i + 1]?.[1], children[i + 2]?.[1]];
  if (conv?.constructor !== Conv2d || act?.constructor !== ReLU || pool?.constructor !== MaxPool2d) return null;
  if ([conv, act, pool].some((m) => Object.prototype.hasOwnProperty.call(m, 'forward'))) return null;
  const c = conv as Conv2d;
  const p = pool as MaxPool2d;
  return (x) => {
    // The layers' own shape checks first, so errors name the layer as the unfused run would.
    const convShape = c.outputShape(x.shape);
    try {
      p.outputShape(convShape);
    } catch (e) {
      if (e instanceof ShapeError) e.message += ` (in Sequential layer ${children[i + 2][0]})`;
      throw e;
    }
    return conv2dMaxPoolRelu(x, c.weight, c.bias, c.options, p.kernelSize, p.options);
  };
}

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
    const children = this.namedChildren();
    for (let i = 0; i < children.length; i++) {
      const [name, m] = children[i];
      try {
        const block = convBlock(children, i);
        if (block) {
          out = block(out);
          i += 2;
          continue;
        }
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
