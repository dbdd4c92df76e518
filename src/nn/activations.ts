/**
 * Activation functions as modules (no parameters), wrapping nn.functional, and the
 * `activation(name)` lookup. Definitions and gradients: see functional/activations.ts.
 */
import { ValueError, type Tensor } from '../tensor/index.js';
import { numArg, strArg } from './config.js';
import * as F from './functional/activations.js';
import { checkNumber } from './functional/checks.js';
import { Module, registerModule, type ModuleConfig } from './module.js';

/** φ(z) = z. */
export class Identity extends Module {
  override forward(z: Tensor): Tensor { return F.identity(z); }
}

/** Unit step (Heaviside): 0 / 0.5 at 0 / 1. Zero gradient almost everywhere: nothing before it learns. */
export class Step extends Module {
  override forward(z: Tensor): Tensor { return F.step(z); }
}

/** Signum: −1 / 0 at 0 / 1. Zero gradient almost everywhere: nothing before it learns. */
export class Sign extends Module {
  override forward(z: Tensor): Tensor { return F.sign(z); }
}

/** 0 for z ≤ −½, z + ½ in between, 1 for z ≥ ½. */
export class PiecewiseLinear extends Module {
  override forward(z: Tensor): Tensor { return F.piecewiseLinear(z); }
}

/** 1/(1 + e^{−z}). */
export class Sigmoid extends Module {
  override forward(z: Tensor): Tensor { return F.sigmoid(z); }
}

/** tanh z. */
export class Tanh extends Module {
  override forward(z: Tensor): Tensor { return F.tanh(z); }
}

/** max(0, z). */
export class ReLU extends Module {
  override forward(z: Tensor): Tensor { return F.relu(z); }
}

/** z·sigmoid(z) (swish). */
export class SiLU extends Module {
  override forward(z: Tensor): Tensor { return F.silu(z); }
}

/** Soft ReLU log(1 + e^z) (or (1/β)·log(1 + e^{βz})), stable for any z. */
export class Softplus extends Module {
  readonly beta: number;
  constructor(beta = 1) {
    super();
    this.beta = checkNumber('Softplus', 'beta', beta);
  }
  override forward(z: Tensor): Tensor { return F.softplus(z, this.beta); }
  protected override configArgs(): Record<string, unknown> { return { beta: this.beta }; }
}

/** The notes' leaky ReLU ε·z + (1 − ε)·max(0, z), ε = negativeSlope (default 0.01). */
export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    this.negativeSlope = checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  override forward(z: Tensor): Tensor { return F.leakyRelu(z, this.negativeSlope); }
  protected override configArgs(): Record<string, unknown> { return { negativeSlope: this.negativeSlope }; }
}

/** z for z > 0, α(e^z − 1) otherwise. */
export class ELU extends Module {
  readonly alpha: number;
  constructor(alpha = 1) {
    super();
    this.alpha = checkNumber('ELU', 'alpha', alpha);
  }
  override forward(z: Tensor): Tensor { return F.elu(z, this.alpha); }
  protected override configArgs(): Record<string, unknown> { return { alpha: this.alpha }; }
}

/** z·Φ(z) (approximate 'none', the exact erf form) or its tanh approximation. */
export class GELU extends Module {
  readonly approximate: F.GeluApproximation;
  constructor(approximate: F.GeluApproximation = 'none') {
    super();
    if (approximate !== 'none' && approximate !== 'tanh') throw new ValueError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
    this.approximate = approximate;
  }
  override forward(z: Tensor): Tensor { return F.gelu(z, this.approximate); }
  protected override configArgs(): Record<string, unknown> { return { approximate: this.approximate }; }
}

function checkAxis(layer: string, axis: number): number {
  if (!Number.isInteger(axis)) throw new ValueError(`${layer}: axis must be an integer, got ${axis}`);
  return axis;
}

/** Softmax along axis (default −1): probabilities that sum to 1. */
export class Softmax extends Module {
  readonly axis: number;
  constructor(axis = -1) {
    super();
    this.axis = checkAxis('Softmax', axis);
  }
  override forward(z: Tensor): Tensor { return F.softmax(z, this.axis); }
  protected override configArgs(): Record<string, unknown> { return { axis: this.axis }; }
}

/** log softmax along axis (default −1), stable for very negative logits. */
export class LogSoftmax extends Module {
  readonly axis: number;
  constructor(axis = -1) {
    super();
    this.axis = checkAxis('LogSoftmax', axis);
  }
  override forward(z: Tensor): Tensor { return F.logSoftmax(z, this.axis); }
  protected override configArgs(): Record<string, unknown> { return { axis: this.axis }; }
}

const plain: [string, new () => Module][] = [
  ['Identity', Identity], ['Step', Step], ['Sign', Sign], ['PiecewiseLinear', PiecewiseLinear],
  ['Sigmoid', Sigmoid], ['Tanh', Tanh], ['ReLU', ReLU], ['SiLU', SiLU],
];
for (const [type, cls] of plain) registerModule(type, cls, () => new cls());
registerModule('Softplus', Softplus, (c: ModuleConfig) => new Softplus(numArg(c, 'beta', 1)));
registerModule('LeakyReLU', LeakyReLU, (c) => new LeakyReLU(numArg(c, 'negativeSlope', 0.01)));
registerModule('ELU', ELU, (c) => new ELU(numArg(c, 'alpha', 1)));
registerModule('GELU', GELU, (c) => new GELU(strArg<F.GeluApproximation>(c, 'approximate', 'none', ['none', 'tanh'])));
registerModule('Softmax', Softmax, (c) => new Softmax(numArg(c, 'axis', -1)));
registerModule('LogSoftmax', LogSoftmax, (c) => new LogSoftmax(numArg(c, 'axis', -1)));

/** Names `activation()` understands (case, '-', '_' and spaces are ignored). */
const ACTIVATIONS: Record<string, () => Module> = {
  identity: () => new Identity(), linear: () => new Identity(), none: () => new Identity(),
  step: () => new Step(), heaviside: () => new Step(), unitstep: () => new Step(),
  sign: () => new Sign(), signum: () => new Sign(),
  piecewiselinear: () => new PiecewiseLinear(),
  sigmoid: () => new Sigmoid(), logistic: () => new Sigmoid(),
  tanh: () => new Tanh(),
  relu: () => new ReLU(),
  softplus: () => new Softplus(), softrelu: () => new Softplus(),
  leakyrelu: () => new LeakyReLU(),
  softmax: () => new Softmax(), logsoftmax: () => new LogSoftmax(),
  elu: () => new ELU(),
  gelu: () => new GELU(), gelutanh: () => new GELU('tanh'),
  silu: () => new SiLU(), swish: () => new SiLU(),
};

/** Every name `activation()` accepts, in its canonical spelling. */
export const ACTIVATION_NAMES: readonly string[] = [
  'identity', 'linear', 'step', 'heaviside', 'sign', 'piecewiseLinear', 'sigmoid', 'logistic', 'tanh', 'relu',
  'softplus', 'softRelu', 'leakyRelu', 'softmax', 'logSoftmax', 'elu', 'gelu', 'geluTanh', 'silu', 'swish',
];

/**
 * A fresh activation module by name, e.g. activation('relu'), activation('leaky_relu'),
 * activation('Soft ReLU'): case, '-', '_' and spaces are ignored. Throws a ValueError
 * listing the known names otherwise.
 */
export function activation(name: string): Module {
  const key = typeof name === 'string' ? name.toLowerCase().replace(/[-_\s]/g, '') : '';
  const make = Object.hasOwn(ACTIVATIONS, key) ? ACTIVATIONS[key] : undefined;
  if (!make) throw new ValueError(`activation: unknown activation ${JSON.stringify(name)} (known: ${ACTIVATION_NAMES.join(', ')})`);
  return make();
}
