import { noGrad } from '../autograd/index.js';
import type { Module } from '../nn/index.js';
import { concat } from '../ops/index.js';
import { ShapeError, ValueError, fmtShape, globalGenerator, Tensor } from '../tensor/index.js';
import type { Callback, Logs, TrainingContext } from './callbacks.js';
import { resolveLoss, type LossSpec } from './losses.js';
import { computeMetrics, type MetricName } from './metrics.js';
import { resolveOptimizer, type OptimizerLike, type OptimizerSpec } from './optimizers.js';

/** Inputs and targets with the same first dimension. */
export interface XY {
  x: Tensor;
  y: Tensor;
}

/** Training data: tensors, or any iterable of [x, y] batches (a DataLoader). */
export type TrainData = XY | Iterable<readonly Tensor[]>;

export interface FitOptions {
  /** A loss name ('crossEntropy', 'mse', 'bce', …) or a function (prediction, target) → scalar. */
  loss: LossSpec;
  /** An optimizer instance, or a name ('adam', 'sgd', …) built over the model's parameters with `lr`. */
  optimizer: OptimizerSpec;
  lr?: number;
  epochs?: number;
  /** Examples per gradient step: the dataset size is batch GD, 1 is stochastic GD. Default 32. */
  batchSize?: number;
  /** Reshuffle the training set every epoch (seeded by nb.manualSeed). Default true. */
  shuffle?: boolean;
  metrics?: MetricName[];
  /** Fraction of the examples, taken from the end before shuffling, held out for validation (Keras' rule). */
  validationSplit?: number;
  validationData?: XY;
  callbacks?: Callback[];
  /** Aborting stops training after the current batch. */
  signal?: AbortSignal;
  /** An extra term added to every batch loss, e.g. (m) => nb.nn.l2Penalty(m, {lambda, m: n}). */
  penalty?: (model: Module) => Tensor;
  /** What a NaN or infinite loss does: stop training with a reason (default) or throw. */
  onNonFinite?: 'stop' | 'throw';
}

/** Per-epoch values, Keras style: history.loss[e], history.valLoss[e], … */
export interface History {
  epochs: number[];
  history: Record<string, number[]>;
  /** Why training ended before the last epoch, if it did. */
  stopReason?: string;
}

/** Raised when training meets a non-finite loss and was asked to throw. */
export class TrainingError extends ValueError {
  override name = 'TrainingError';
}

function checkXY(op: string, data: XY): void {
  if (!(data.x instanceof Tensor) || !(data.y instanceof Tensor)) throw new ValueError(`${op}: data must be {x, y} tensors`);
  if (data.x.ndim === 0 || data.y.ndim === 0 || data.x.shape[0] !== data.y.shape[0]) {
    throw new ShapeError(`${op}: x ${fmtShape(data.x.shape)} and y ${fmtShape(data.y.shape)} must have the same number of examples (first dimension)`);
  }
}

function isXY(d: TrainData): d is XY {
  return (d as XY).x instanceof Tensor;
}

function take(t: Tensor, start: number, end: number): Tensor {
  return t.slice([start], [end]);
}

/** Batches of {x, y} in a (seeded) random or fixed order. */
function* batchesOf(data: XY, batchSize: number, shuffle: boolean): Generator<[Tensor, Tensor]> {
  const n = data.x.shape[0];
  if (!shuffle) {
    for (let s = 0; s < n; s += batchSize) yield [take(data.x, s, s + batchSize), take(data.y, s, s + batchSize)];
    return;
  }
  const order = globalGenerator.permutation(n);
  for (let s = 0; s < n; s += batchSize) {
    const idx = order.subarray(s, Math.min(s + batchSize, n));
    yield [data.x.indexSelect(0, idx), data.y.indexSelect(0, idx)];
  }
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

function withPrefix(logs: Logs, prefix: string): Logs {
  return Object.fromEntries(Object.entries(logs).map(([k, v]) => [prefix + k[0].toUpperCase() + k.slice(1), v]));
}

/**
 * Trains `model` and returns the per-epoch history. Each step: forward a batch, compute the
 * loss, backward, optimizer step. Between batches it yields to the event loop (about every
 * 16 ms) so a browser page stays responsive.
 */
export async function fit(model: Module, data: TrainData, options: FitOptions): Promise<History> {
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new ValueError(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`fit: batchSize must be a positive integer, got ${options.batchSize}`);
  const { fn: lossFn, logits } = resolveLoss(options.loss);
  const optimizer: OptimizerLike = resolveOptimizer(options.optimizer, model, options.lr);
  const metrics = options.metrics ?? [];
  const callbacks = options.callbacks ?? [];

  let train: TrainData = data;
  let validation = options.validationData;
  if (isXY(data)) {
    checkXY('fit', data);
    const split = options.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new ValueError(`fit: validationSplit must be in [0, 1), got ${split}`);
    if (split > 0) {
      if (validation) throw new ValueError('fit: give validationSplit or validationData, not both');
      const n = data.x.shape[0];
      const cut = n - Math.floor(n * split);
      if (cut === 0 || cut === n) throw new ValueError(`fit: validationSplit ${split} of ${n} examples leaves an empty set`);
      train = { x: take(data.x, 0, cut), y: take(data.y, 0, cut) };
      validation = { x: take(data.x, cut, n), y: take(data.y, cut, n) };
    }
  } else if (options.validationSplit) {
    throw new ValueError('fit: validationSplit needs {x, y} tensors; pass validationData with a data loader');
  }
  if (validation) checkXY('fit (validation data)', validation);
  const trainXY = isXY(train) ? train : null;
  const shuffle = options.shuffle ?? true;

  const ctx: TrainingContext = {
    model,
    stopTraining: false,
    epochs,
    batchesPerEpoch: trainXY ? Math.ceil(trainXY.x.shape[0] / batchSize) : NaN,
    get lr() { return optimizer.lr; },
    setLr: (lr: number) => { optimizer.lr = lr; },
  };
  const history: History = { epochs: [], history: {} };
  const record = (logs: Logs): void => {
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
  };

  for (const cb of callbacks) await cb.onTrainBegin?.(ctx);
  let lastYield = Date.now();
  for (let epoch = 0; epoch < epochs && !ctx.stopTraining; epoch++) {
    model.train();
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    let lossSum = 0;
    let seen = 0;
    const preds: Tensor[] = [];
    const targets: Tensor[] = [];
    let batch = 0;
    let lastPred: Tensor | null = null;
    let lastLoss: Tensor | null = null;
    const iterator = trainXY ? batchesOf(trainXY, batchSize, shuffle) : (train as Iterable<readonly Tensor[]>);
    for (const [xb, yb] of iterator) {
      const step = (): Tensor => {
        // Gradients kept from step to step: backward adds into them in place (see Optimizer.zeroGrad).
        optimizer.zeroGrad({ setToNone: false });
        const pred = model.forward(xb);
        let loss = lossFn(pred, yb);
        if (options.penalty) loss = loss.add(options.penalty(model));
        if (Number.isFinite(loss.item())) loss.backward();
        else optimizer.zeroGrad(); // no gradients: the optimizer leaves every parameter as it is
        lastPred = pred;
        lastLoss = loss;
        return loss;
      };
      optimizer.step(step);
      const value = lastLoss!.item();
      if (!Number.isFinite(value)) {
        const reason = `loss became ${value} at epoch ${epoch + 1}, batch ${batch + 1}: lower the learning rate, check the data for NaN/Inf, or clip gradients`;
        if (options.onNonFinite === 'throw') throw new TrainingError(`fit: ${reason}`);
        ctx.stopTraining = true;
        ctx.stopReason = reason;
        break;
      }
      if (metrics.length && lastPred) {
        preds.push((lastPred as Tensor).detach());
        targets.push(yb);
      }
      const size = xb.shape[0];
      lossSum += value * size;
      seen += size;
      for (const cb of callbacks) await cb.onBatchEnd?.(batch, { loss: value, size }, ctx);
      batch++;
      if (options.signal?.aborted) {
        ctx.stopTraining = true;
        ctx.stopReason = 'aborted';
      }
      if (ctx.stopTraining) break;
      if (Date.now() - lastYield > 16) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    // A batch that stopped training (NaN, abort) leaves the epoch incomplete: it is not recorded.
    if (seen === 0 || ctx.stopTraining) break;
    const logs: Logs = { loss: lossSum / seen };
    if (metrics.length) Object.assign(logs, computeMetrics(metrics, concat(targets, 0), concat(preds, 0), logits));
    if (validation) Object.assign(logs, withPrefix(evaluate(model, validation, { loss: options.loss, metrics, batchSize }), 'val'));
    history.epochs.push(epoch);
    record(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(ctx);
  if (ctx.stopReason) history.stopReason = ctx.stopReason;
  return history;
}

export interface EvaluateOptions {
  loss?: LossSpec;
  metrics?: MetricName[];
  batchSize?: number;
}

/** Loss and metrics of `model` on {x, y}, in evaluation mode, without recording gradients. */
export function evaluate(model: Module, data: XY, options: EvaluateOptions = {}): Logs {
  checkXY('evaluate', data);
  const pred = predict(model, data.x, { batchSize: options.batchSize });
  const logs: Logs = {};
  let logits = false;
  if (options.loss !== undefined) {
    const resolved = resolveLoss(options.loss);
    logits = resolved.logits;
    logs.loss = noGrad(() => resolved.fn(pred, data.y).item());
  }
  Object.assign(logs, computeMetrics(options.metrics ?? [], data.y, pred, logits));
  return logs;
}

/** The model's outputs for x [N, ...], batch by batch, in evaluation mode (restored after). */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  if (!(x instanceof Tensor)) throw new ValueError('predict: x must be a Tensor');
  const batchSize = options.batchSize ?? 256;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      if (x.ndim === 0) throw new ShapeError('predict: x must have a batch dimension');
      const n = x.shape[0];
      if (n <= batchSize) return model.forward(x);
      const parts: Tensor[] = [];
      for (let s = 0; s < n; s += batchSize) parts.push(model.forward(take(x, s, s + batchSize)));
      return concat(parts, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}
