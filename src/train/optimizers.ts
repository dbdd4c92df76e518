import type { Module } from '../nn/index.js';
import { Adagrad, Adam, AdamW, LBFGS, Newton, Optimizer, RMSprop, SGD, type ZeroGradOptions } from '../optim/index.js';
import { ValueError, type Tensor } from '../tensor/index.js';

/** What fit needs of an optimizer: a closure-taking step, zeroGrad and a settable lr. */
export interface OptimizerLike {
  step(closure: () => Tensor): Tensor | number | undefined;
  /** Clears the gradients; `setToNone: false` asks to keep them zero-filled (an optimizer may ignore it). */
  zeroGrad(options?: ZeroGradOptions): void;
  lr: number;
}

export type OptimizerSpec = OptimizerLike | Optimizer | string;

const FACTORIES: Record<string, (params: Tensor[], lr?: number) => OptimizerLike> = {
  sgd: (p, lr) => new SGD(p, { lr: lr ?? 0.01 }),
  momentum: (p, lr) => new SGD(p, { lr: lr ?? 0.01, momentum: 0.9 }),
  nesterov: (p, lr) => new SGD(p, { lr: lr ?? 0.01, momentum: 0.9, nesterov: true }),
  adagrad: (p, lr) => new Adagrad(p, lr === undefined ? {} : { lr }),
  rmsprop: (p, lr) => new RMSprop(p, lr === undefined ? {} : { lr }),
  adam: (p, lr) => new Adam(p, lr === undefined ? {} : { lr }),
  amsgrad: (p, lr) => new Adam(p, { ...(lr === undefined ? {} : { lr }), amsgrad: true }),
  adamw: (p, lr) => new AdamW(p, lr === undefined ? {} : { lr }),
  newton: (p, lr) => new Newton(p, lr === undefined ? {} : { lr }),
  lbfgs: (p, lr) => new LBFGS(p, lr === undefined ? {} : { lr }),
};

/** Optimizer names fit, the CLI and the playground accept. */
export const OPTIMIZER_NAMES: readonly string[] = Object.keys(FACTORIES);

/** An optimizer instance as given, or one built by name over the model's parameters. */
export function resolveOptimizer(spec: OptimizerSpec, model: Module, lr?: number): OptimizerLike {
  if (typeof spec !== 'string') {
    if (!spec || typeof spec.step !== 'function') throw new ValueError('fit: optimizer must be an optimizer instance or a name');
    if (lr !== undefined) spec.lr = lr;
    return spec;
  }
  const make = FACTORIES[spec.toLowerCase()];
  if (!make) throw new ValueError(`fit: unknown optimizer '${spec}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  return make(model.parameters(), lr);
}
