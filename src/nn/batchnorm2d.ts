import { ShapeError, fmtShape, type Tensor } from '../tensor/index.js';
import { numArg } from './config.js';
import { Module, registerModule } from './module.js';
import { BatchNormBase, batchNormOptionsFromConfig, type BatchNormLayerOptions } from './normalization.js';

/**
 * Batch normalisation of image batches, per channel over N, H, W: x [N, C, H, W] → same shape,
 * y = γ·(x − μ)/√(σ² + eps) + β. In training mode μ, σ² are the batch's and the buffers
 * runningMean [C], runningVar [C] and numBatchesTracked are updated (momentum 0.1 by default,
 * null for a cumulative average); in eval mode the running statistics normalise, so one image
 * gives the same answer in any batch. State and update are BatchNorm1d's (BatchNormBase).
 */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super('BatchNorm2d', numFeatures, options);
  }

  /** 'BatchNorm2d(16)': how errors name this layer. */
  get label(): string {
    return `BatchNorm2d(${this.numFeatures})`;
  }

  protected override checkInput(x: Tensor): void {
    this.outputShape(x.shape);
  }

  /** The output shape (the input's), or the ShapeError forward would throw. */
  outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 4) throw new ShapeError(`${this.label}: expected an input of shape [N, C, H, W], got ${fmtShape(inputShape)}`);
    if (inputShape[1] !== this.numFeatures) throw new ShapeError(`${this.label}: input has ${inputShape[1]} channels, expected ${this.numFeatures}`);
    return [...inputShape];
  }
}

registerModule('BatchNorm2d', BatchNorm2d, (c): Module => new BatchNorm2d(numArg(c, 'numFeatures'), batchNormOptionsFromConfig(c)));
