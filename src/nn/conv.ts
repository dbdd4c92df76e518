import { conv2d, conv2dOutputShape, type Conv2dOptions as Conv2dOpOptions, type Pair, type Padding2d } from '../ops/index.js';
import { ValueError, zeros, type Tensor } from '../tensor/index.js';
import { boolArg, checkParamDType, checkSize, dtypeArg, numArg } from './config.js';
import { checkInit, initializeLayer, type Init } from './layer-init.js';
import { Module, registerModule, type ModuleConfig } from './module.js';

/** Options of a Conv2d layer; pairs are [height, width] or one number for both. */
export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Pair;
  /** Zeros around the input (default 0); 'same' keeps H×W (stride 1), 'valid' is 0. */
  padding?: Padding2d;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Split channels into independent groups (default 1); both channel counts must divide by it. */
  groups?: number;
  /** Learn a bias per output channel (default true). */
  bias?: boolean;
  /**
   * Weight initialiser (see nn/layer-init): 'default' is PyTorch's kaiming-uniform with a = √5,
   * i.e. U(±1/√fanIn) with fanIn = inChannels/groups·kH·kW, and the same for the bias; 'he',
   * 'heUniform', 'glorot', 'glorotNormal', … set the bias to zero.
   */
  init?: Init;
  /** Parameter dtype (default float32). */
  dtype?: 'float32' | 'float64';
}

function kernelPair(layer: string, kernelSize: Pair): [number, number] {
  const k = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
  if (!Array.isArray(k) || k.length !== 2) throw new ValueError(`${layer}: kernelSize must be a positive integer or [height, width], got ${JSON.stringify(kernelSize)}`);
  return [checkSize(layer, 'kernelSize', k[0]), checkSize(layer, 'kernelSize', k[1])];
}

/**
 * 2-D convolution layer: x [N, inChannels, H, W] → [N, outChannels, outH, outW], with a weight
 * [outChannels, inChannels/groups, kH, kW] and a bias [outChannels]. Shape errors name the
 * layer, e.g. `Conv2d(1→8, 5x5): input has 3 channels, expected 1`.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  /** The convolution's stride, padding, dilation and groups. */
  readonly options: Required<Conv2dOpOptions>;
  private readonly initName: string | undefined;
  private readonly dtype: 'float32' | 'float64';

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    this.inChannels = checkSize('Conv2d', 'inChannels', inChannels);
    this.outChannels = checkSize('Conv2d', 'outChannels', outChannels);
    this.kernelSize = kernelPair('Conv2d', kernelSize);
    const groups = checkSize('Conv2d', 'groups', options.groups ?? 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new ValueError(`${this.label}: inChannels ${inChannels} and outChannels ${outChannels} must both be divisible by groups = ${groups}`);
    }
    this.options = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1, groups };
    this.dtype = checkParamDType(this.label, options.dtype);
    const init = checkInit(this.label, options.init ?? 'default');
    this.initName = typeof init === 'string' ? init : undefined;
    const [kH, kW] = this.kernelSize;
    this.weight = zeros([outChannels, inChannels / groups, kH, kW], { dtype: this.dtype });
    this.bias = options.bias === false ? null : zeros([outChannels], { dtype: this.dtype });
    // Check stride, padding and dilation now, on an input large enough for any kernel.
    this.outputShape([1, inChannels, 1 << 20, 1 << 20]);
    initializeLayer(this.label, this.weight, this.bias, init);
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
  }

  /** 'Conv2d(1→8, 5x5)': how errors name this layer. */
  get label(): string {
    return `Conv2d(${this.inChannels}→${this.outChannels}, ${this.kernelSize[0]}x${this.kernelSize[1]})`;
  }

  /** x [N, inChannels, H, W] (or [inChannels, H, W]) → [N, outChannels, outH, outW]. */
  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    return conv2d(x, this.weight, this.bias, this.options);
  }

  /** The output shape for an input shape, or the ShapeError forward would throw. */
  outputShape(inputShape: readonly number[]): number[] {
    return conv2dOutputShape(inputShape, this.weight.shape, this.options, this.label);
  }

  protected override configArgs(): Record<string, unknown> {
    const { stride, padding, dilation, groups } = this.options;
    return {
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize,
      stride, padding, dilation, groups, bias: this.bias !== null, dtype: this.dtype,
      ...(this.initName ? { init: this.initName } : {}),
    };
  }

  override describe(): string {
    const { stride, padding, dilation, groups } = this.options;
    const extras = [
      stride !== 1 ? `stride=${JSON.stringify(stride)}` : '',
      padding !== 0 ? `padding=${JSON.stringify(padding)}` : '',
      dilation !== 1 ? `dilation=${JSON.stringify(dilation)}` : '',
      groups !== 1 ? `groups=${groups}` : '',
      this.bias === null ? 'bias=false' : '',
    ].filter(Boolean);
    return extras.length ? `${this.label.slice(0, -1)}, ${extras.join(', ')})` : this.label;
  }
}

/** A pair, number or padding mode read from a config, left for the constructor to validate. */
export function windowArg<T extends Pair | Padding2d | null>(config: ModuleConfig, name: string, fallback: T): T {
  const v = config.args?.[name];
  return (v === undefined ? fallback : v) as T;
}

registerModule('Conv2d', Conv2d, (config) => {
  const init = config.args?.init;
  return new Conv2d(numArg(config, 'inChannels'), numArg(config, 'outChannels'), windowArg<Pair>(config, 'kernelSize', NaN), {
    stride: windowArg<Pair>(config, 'stride', 1),
    padding: windowArg<Padding2d>(config, 'padding', 0),
    dilation: windowArg<Pair>(config, 'dilation', 1),
    groups: numArg(config, 'groups', 1),
    bias: boolArg(config, 'bias', true),
    dtype: dtypeArg(config),
    ...(init === undefined ? {} : { init: init as Init }),
  });
});
