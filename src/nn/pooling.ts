import {
  adaptiveAvgPool2d, adaptiveMaxPool2d, adaptivePool2dOutputShape, avgPool2d, maxPool2d, pool2dOutputShape,
  type AdaptiveSize, type AvgPool2dOptions, type MaxPool2dOptions, type Pair,
} from '../ops/index.js';
import { ValueError, type Tensor } from '../tensor/index.js';
import { boolArg } from './config.js';
import { windowArg } from './conv.js';
import { Module, registerModule } from './module.js';

/** An input large enough for any window: used to check a layer's arguments when it is built. */
const LARGE = 1 << 20;

function fmtPair(p: Pair): string {
  return typeof p === 'number' ? `${p}x${p}` : `${p[0]}x${p[1]}`;
}

/** '7x7', or 'Hx4' where null keeps the input's height. */
function sizeLabel(s: AdaptiveSize): string {
  return typeof s === 'number' ? `${s}x${s}` : Array.isArray(s) ? `${s[0] ?? 'H'}x${s[1] ?? 'W'}` : String(s);
}

/** Constructor arguments that differ from the defaults, for describe(). */
function extras(args: Record<string, unknown>, defaults: Record<string, unknown>): string {
  const parts = Object.entries(args)
    .filter(([k, v]) => v !== undefined && JSON.stringify(v) !== JSON.stringify(defaults[k]))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

/**
 * Max pooling: x [N, C, H, W] → [N, C, outH, outW], the largest value of each kernel window
 * (stride defaults to the kernel size). The gradient goes to each window's arg-max.
 */
export class MaxPool2d extends Module {
  readonly kernelSize: Pair;
  /** The pooling's stride, padding and dilation. */
  readonly options: MaxPool2dOptions;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.options = { stride: options.stride ?? null, padding: options.padding ?? 0, dilation: options.dilation ?? 1, ceilMode: options.ceilMode ?? false };
    this.outputShape([1, 1, LARGE, LARGE]);
  }

  /** 'MaxPool2d(2x2)': how errors name this layer. */
  get label(): string {
    return `MaxPool2d(${fmtPair(this.kernelSize)})`;
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    return maxPool2d(x, this.kernelSize, this.options);
  }

  /** The output shape for an input shape, or the error forward would throw. */
  outputShape(inputShape: readonly number[]): number[] {
    return pool2dOutputShape(inputShape, this.kernelSize, this.options, this.label);
  }

  protected override configArgs(): Record<string, unknown> {
    return { kernelSize: this.kernelSize, ...this.options };
  }

  override describe(): string {
    return `${this.label.slice(0, -1)}${extras({ ...this.options }, { stride: null, padding: 0, dilation: 1, ceilMode: false })})`;
  }
}

/**
 * Average pooling: x [N, C, H, W] → [N, C, outH, outW], the mean of each kernel window. With
 * padding, countIncludePad (default true, as PyTorch) divides by the full window size.
 */
export class AvgPool2d extends Module {
  readonly kernelSize: Pair;
  private readonly options: AvgPool2dOptions;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    this.kernelSize = kernelSize;
    this.options = {
      stride: options.stride ?? null, padding: options.padding ?? 0, countIncludePad: options.countIncludePad ?? true, ceilMode: options.ceilMode ?? false,
    };
    if (typeof this.options.countIncludePad !== 'boolean') throw new ValueError(`${this.label}: countIncludePad must be a boolean`);
    this.outputShape([1, 1, LARGE, LARGE]);
  }

  /** 'AvgPool2d(2x2)': how errors name this layer. */
  get label(): string {
    return `AvgPool2d(${fmtPair(this.kernelSize)})`;
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    return avgPool2d(x, this.kernelSize, this.options);
  }

  /** The output shape for an input shape, or the error forward would throw. */
  outputShape(inputShape: readonly number[]): number[] {
    return pool2dOutputShape(inputShape, this.kernelSize, { stride: this.options.stride, padding: this.options.padding, ceilMode: this.options.ceilMode }, this.label);
  }

  protected override configArgs(): Record<string, unknown> {
    return { kernelSize: this.kernelSize, ...this.options };
  }

  override describe(): string {
    return `${this.label.slice(0, -1)}${extras({ ...this.options }, { stride: null, padding: 0, countIncludePad: true, ceilMode: false })})`;
  }
}

/**
 * Pooling to a fixed output size whatever the input size, with PyTorch's windows; null in
 * outputSize keeps that input size. Subclasses say which reduction (`reduction`, `pool`).
 */
export abstract class AdaptivePool2d extends Module {
  readonly outputSize: AdaptiveSize;

  constructor(outputSize: AdaptiveSize) {
    super();
    this.outputSize = outputSize;
    this.outputShape([1, 1, 1, 1]);
  }

  /** 'Avg' or 'Max': a getter, so that it works while the constructor checks the size. */
  protected abstract get reduction(): string;

  /** The pooling op itself. */
  protected abstract pool(x: Tensor): Tensor;

  /** 'AdaptiveAvgPool2d(7x7)': how errors name this layer. */
  get label(): string {
    return `Adaptive${this.reduction}Pool2d(${sizeLabel(this.outputSize)})`;
  }

  /** x [N, C, H, W] (or [C, H, W]) → [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    this.outputShape(x.shape);
    return this.pool(x);
  }

  /** The output shape for an input shape, or the error forward would throw. */
  outputShape(inputShape: readonly number[]): number[] {
    return adaptivePool2dOutputShape(inputShape, this.outputSize, this.label);
  }

  protected override configArgs(): Record<string, unknown> {
    return { outputSize: this.outputSize };
  }

  override describe(): string {
    return this.label;
  }
}

/** Adaptive average pooling: the mean over each window (AdaptiveAvgPool2d(1) is global average pooling). */
export class AdaptiveAvgPool2d extends AdaptivePool2d {
  protected get reduction(): string {
    return 'Avg';
  }

  protected pool(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/** Adaptive max pooling: the max over each window (AdaptiveMaxPool2d(1) is global max pooling). */
export class AdaptiveMaxPool2d extends AdaptivePool2d {
  protected get reduction(): string {
    return 'Max';
  }

  protected pool(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}

registerModule('MaxPool2d', MaxPool2d, (config) => new MaxPool2d(windowArg<Pair>(config, 'kernelSize', NaN), {
  stride: windowArg<Pair | null>(config, 'stride', null),
  padding: windowArg<Pair>(config, 'padding', 0),
  dilation: windowArg<Pair>(config, 'dilation', 1),
  ceilMode: boolArg(config, 'ceilMode', false),
}));

registerModule('AvgPool2d', AvgPool2d, (config) => new AvgPool2d(windowArg<Pair>(config, 'kernelSize', NaN), {
  stride: windowArg<Pair | null>(config, 'stride', null),
  padding: windowArg<Pair>(config, 'padding', 0),
  countIncludePad: boolArg(config, 'countIncludePad', true),
  ceilMode: boolArg(config, 'ceilMode', false),
}));

registerModule('AdaptiveAvgPool2d', AdaptiveAvgPool2d, (config) => new AdaptiveAvgPool2d(config.args?.outputSize as AdaptiveSize));
registerModule('AdaptiveMaxPool2d', AdaptiveMaxPool2d, (config) => new AdaptiveMaxPool2d(config.args?.outputSize as AdaptiveSize));
