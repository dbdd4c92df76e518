/** Linear, Dropout and Flatten. */
import { zeros, ValueError, type Tensor } from '../tensor/index.js';
import { boolArg, checkParamDType, checkSize, dtypeArg, numArg, strArg } from './config.js';
import { checkNumber } from './functional/checks.js';
import { dropout, flatten, linear } from './functional/layers.js';
import { checkInit, INIT_NAMES, initializeLayer, type Init, type InitName } from './layer-init.js';
import { Module, registerModule } from './module.js';

export interface LinearOptions {
  /** Learn a bias b [out] (default true). */
  bias?: boolean;
  /** How to initialise the weights (default 'default': PyTorch's U(±1/√in) for weight and bias). */
  init?: Init;
  /** Parameter dtype (default float32; float64 for gradient checks and worked examples). */
  dtype?: 'float32' | 'float64';
}

/**
 * A fully connected layer: z = x·Wᵀ + b, i.e. z_k = Σ_j w_kj·x_j + b_k for every neuron k.
 * weight W [out, in] (row k holds neuron k's weights, as the notes' Θ), bias b [out].
 * x [..., in] → z [..., out].
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** W [out, in]. */
  readonly weight: Tensor;
  /** b [out], or null without a bias. */
  readonly bias: Tensor | null;
  private readonly initChoice: Init;
  private readonly dtype: 'float32' | 'float64';

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkSize('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkSize('Linear', 'outFeatures', outFeatures);
    this.dtype = checkParamDType('Linear', options.dtype);
    this.initChoice = checkInit(`Linear(${inFeatures} → ${outFeatures})`, options.init ?? 'default');
    this.weight = this.registerParameter('weight', zeros([outFeatures, inFeatures], { dtype: this.dtype })) as Tensor;
    this.bias = this.registerParameter('bias', options.bias === false ? null : zeros([outFeatures], { dtype: this.dtype }));
    this.resetParameters();
  }

  /** Draws fresh weights (and bias) with the layer's initialiser, from the seeded RNG. */
  resetParameters(): void {
    initializeLayer(this.describe(), this.weight, this.bias, this.initChoice);
  }

  override forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, this.describe());
  }

  protected override configArgs(): Record<string, unknown> {
    return {
      inFeatures: this.inFeatures,
      outFeatures: this.outFeatures,
      bias: this.bias !== null,
      ...(typeof this.initChoice === 'string' && this.initChoice !== 'default' ? { init: this.initChoice } : {}),
      ...(this.dtype !== 'float32' ? { dtype: this.dtype } : {}),
    };
  }

  /** 'Linear(784 → 128)', plus ', bias=false' without a bias. */
  override describe(): string {
    return `Linear(${this.inFeatures} → ${this.outFeatures}${this.bias ? '' : ', bias=false'})`;
  }
}

registerModule('Linear', Linear, (c) => new Linear(numArg(c, 'inFeatures'), numArg(c, 'outFeatures'), {
  bias: boolArg(c, 'bias', true),
  init: strArg<InitName>(c, 'init', 'default', INIT_NAMES),
  dtype: dtypeArg(c),
}));

/**
 * Inverted dropout: in training mode each element is zeroed with probability p and the
 * rest scaled by 1/(1 − p) (seeded by nb.manualSeed); the identity in eval mode.
 * x [...] → same shape.
 */
export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    this.p = checkNumber('Dropout', 'p', p, 0, 1);
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  protected override configArgs(): Record<string, unknown> {
    return { p: this.p };
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}

registerModule('Dropout', Dropout, (c) => new Dropout(numArg(c, 'p', 0.5)));

/** Merges axes startAxis..endAxis into one: [N, C, H, W] → [N, C·H·W] with the defaults (1, −1). */
export class Flatten extends Module {
  readonly startAxis: number;
  readonly endAxis: number;

  constructor(startAxis = 1, endAxis = -1) {
    super();
    if (!Number.isInteger(startAxis) || !Number.isInteger(endAxis)) throw new ValueError(`Flatten: axes must be integers, got (${startAxis}, ${endAxis})`);
    this.startAxis = startAxis;
    this.endAxis = endAxis;
  }

  override forward(x: Tensor): Tensor {
    return flatten(x, this.startAxis, this.endAxis);
  }

  protected override configArgs(): Record<string, unknown> {
    return { startAxis: this.startAxis, endAxis: this.endAxis };
  }
}

registerModule('Flatten', Flatten, (c) => new Flatten(numArg(c, 'startAxis', 1), numArg(c, 'endAxis', -1)));
