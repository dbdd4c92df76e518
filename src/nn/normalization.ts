/** Batch normalisation. BatchNormBase carries the state and the update; BatchNorm2d can extend it. */
import { ShapeError, fmtShape, ones, zeros, type Tensor } from '../tensor/index.js';
import { boolArg, checkParamDType, checkSize, dtypeArg, numArg, numOrNullArg } from './config.js';
import { checkFloatInput, checkNumber } from './functional/checks.js';
import { batchNorm } from './functional/layers.js';
import { Module, registerModule } from './module.js';

export interface BatchNormLayerOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Running-average factor: running = (1 − momentum)·running + momentum·batch (default 0.1); null for a cumulative average. */
  momentum?: number | null;
  /** Learn a scale γ and shift β per feature (default true). */
  affine?: boolean;
  /** Parameter and buffer dtype (default float32). */
  dtype?: 'float32' | 'float64';
}

/**
 * Shared machinery of BatchNorm1d/2d: per-feature γ ('weight', ones) and β ('bias', zeros),
 * buffers 'runningMean' (zeros), 'runningVar' (ones) and 'numBatchesTracked' (int32).
 * Training mode normalises with the batch's mean and biased variance and updates the
 * running averages with the unbiased variance (as PyTorch); eval mode uses the running ones.
 */
export abstract class BatchNormBase extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  /** γ [C], or null when not affine. */
  readonly weight: Tensor | null;
  /** β [C], or null when not affine. */
  readonly bias: Tensor | null;
  protected readonly dtype: 'float32' | 'float64';

  constructor(layer: string, numFeatures: number, options: BatchNormLayerOptions = {}) {
    super();
    this.numFeatures = checkSize(layer, 'numFeatures', numFeatures);
    this.eps = checkNumber(layer, 'eps', options.eps ?? 1e-5, 0);
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum === null ? null : checkNumber(layer, 'momentum', options.momentum, 0, 1);
    this.affine = options.affine ?? true;
    this.dtype = checkParamDType(layer, options.dtype);
    const dtype = this.dtype;
    this.weight = this.registerParameter('weight', this.affine ? ones([numFeatures], { dtype }) : null);
    this.bias = this.registerParameter('bias', this.affine ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('runningMean', zeros([numFeatures], { dtype }));
    this.registerBuffer('runningVar', ones([numFeatures], { dtype }));
    this.registerBuffer('numBatchesTracked', zeros([], { dtype: 'int32' }));
  }

  /** μ estimate [C] used in eval mode. */
  get runningMean(): Tensor {
    return this.getBuffer('runningMean');
  }

  /** σ² estimate [C] (unbiased) used in eval mode. */
  get runningVar(): Tensor {
    return this.getBuffer('runningVar');
  }

  /** Training batches seen since the last reset. */
  get numBatchesTracked(): number {
    return this.getBuffer('numBatchesTracked').item();
  }

  /** Resets running statistics to mean 0, variance 1, count 0. */
  resetRunningStats(): void {
    this.runningMean.assign(zeros([this.numFeatures]));
    this.runningVar.assign(ones([this.numFeatures]));
    this.getBuffer('numBatchesTracked').assign([0]);
  }

  /** Throws a ShapeError naming the layer unless x fits (rank and number of features). */
  protected abstract checkInput(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    checkFloatInput(this.describe(), x);
    this.checkInput(x);
    let tracked = this.numBatchesTracked;
    if (this.training) {
      tracked += 1;
      this.getBuffer('numBatchesTracked').assign([tracked]);
    }
    return batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: this.training,
      momentum: this.momentum,
      eps: this.eps,
      numBatchesTracked: tracked,
    }, this.describe());
  }

  /** Throws unless x has one of the ranks and numFeatures on axis 1. */
  protected checkFeatures(x: Tensor, ranks: readonly number[], layout: string): void {
    if (!ranks.includes(x.ndim)) throw new ShapeError(`${this.describe()}: input must be ${layout}, got ${fmtShape(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) {
      throw new ShapeError(`${this.describe()}: input has ${x.shape[1]} features (axis 1 of ${fmtShape(x.shape)}), expected ${this.numFeatures}`);
    }
  }

  protected override configArgs(): Record<string, unknown> {
    return {
      numFeatures: this.numFeatures,
      eps: this.eps,
      momentum: this.momentum,
      affine: this.affine,
      ...(this.dtype !== 'float32' ? { dtype: this.dtype } : {}),
    };
  }

  /** e.g. 'BatchNorm1d(128)', listing options that differ from the defaults. */
  override describe(): string {
    const extra = [
      this.eps !== 1e-5 ? `eps=${this.eps}` : '',
      this.momentum !== 0.1 ? `momentum=${this.momentum}` : '',
      this.affine ? '' : 'affine=false',
    ].filter(Boolean);
    return `${this.typeName}(${[String(this.numFeatures), ...extra].join(', ')})`;
  }
}

/** Reads BatchNorm options back from a config (shared with BatchNorm2d). */
export function batchNormOptionsFromConfig(c: Parameters<typeof numArg>[0]): BatchNormLayerOptions {
  return { eps: numArg(c, 'eps', 1e-5), momentum: numOrNullArg(c, 'momentum', 0.1), affine: boolArg(c, 'affine', true), dtype: dtypeArg(c) };
}

/**
 * Batch normalisation of features: x [N, C] or [N, C, L], normalised per feature C over
 * the batch (and L): y = (x − μ)/√(σ² + eps)·γ + β. → same shape.
 */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm1d', numFeatures, options);
  }

  protected override checkInput(x: Tensor): void {
    this.checkFeatures(x, [2, 3], `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`);
  }
}

registerModule('BatchNorm1d', BatchNorm1d, (c) => new BatchNorm1d(numArg(c, 'numFeatures'), batchNormOptionsFromConfig(c)));
