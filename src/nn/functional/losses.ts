/**
 * Cost functions. Every loss takes (prediction, target) in PyTorch's order and a
 * `reduction`: 'mean' | 'sum' | 'none' | 'batchmean' (see Reduction). Composites of
 * differentiable ops, so their gradients come from autograd; the unsafe spots (log 0,
 * e^{large}) are written the stable way.
 */
import { gather, where } from '../../ops/index.js';
import { DTypeError, ShapeError, ValueError, fmtShape, tensor, Tensor } from '../../tensor/index.js';
import { asFloatLike, checkFloatInput, checkNumber, checkSameShape, checkTensorInput, reduce, type Reduction } from './checks.js';

export type { Reduction };

export interface LossOptions {
  /** How per-element losses are folded (default 'mean', except halfSumSquaredError: 'sum'). */
  reduction?: Reduction;
}

/** Checks the two operands of an elementwise loss and returns the target as floats. */
function operands(op: string, prediction: Tensor, target: Tensor): Tensor {
  checkFloatInput(op, prediction, 'prediction');
  checkTensorInput(op, target, 'target');
  checkSameShape(op, prediction, target);
  return asFloatLike(target, prediction);
}

/** Mean squared error: (ŷ − y)² averaged (reduction 'mean'). ŷ, y [...] of one shape. */
export function mseLoss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const y = operands('mseLoss', prediction, target);
  return reduce('mseLoss', prediction.sub(y).square(), options.reduction ?? 'mean');
}

/**
 * The notes' cost J = Σ ½(y − ŷ)² (default reduction 'sum', as the notes write it; 'mean'
 * gives ½·MSE). ∂J/∂ŷ = −(y − ŷ). ŷ, y [...] of one shape.
 */
export function halfSumSquaredError(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const y = operands('halfSumSquaredError', prediction, target);
  return reduce('halfSumSquaredError', y.sub(prediction).square().mul(0.5), options.reduction ?? 'sum');
}

/** Mean absolute error |ŷ − y| (L1). Gradient sign(ŷ − y), 0 where they are equal. */
export function l1Loss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const y = operands('l1Loss', prediction, target);
  return reduce('l1Loss', prediction.sub(y).abs(), options.reduction ?? 'mean');
}

export interface HuberOptions extends LossOptions {
  /** Where the quadratic part turns linear (default 1). */
  delta?: number;
}

/** Huber loss: ½d² for |d| ≤ δ, δ(|d| − ½δ) beyond, with d = ŷ − y (quadratic near 0, robust to outliers). */
export function huberLoss(prediction: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  const y = operands('huberLoss', prediction, target);
  const delta = checkNumber('huberLoss', 'delta', options.delta ?? 1);
  if (delta <= 0) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  const d = prediction.sub(y);
  const ad = d.abs();
  const loss = where(ad.le(delta), d.square().mul(0.5), ad.sub(delta / 2).mul(delta));
  return reduce('huberLoss', loss, options.reduction ?? 'mean');
}

export interface BCEOptions extends LossOptions {
  /** Rescales each element's loss; broadcasts against the prediction. */
  weight?: Tensor;
}

/**
 * Smallest probability a log sees: e^−100 in float64 (PyTorch's −100 floor on the log), and
 * 2^−126 (log ≈ −87.3) in float32, where 1/e^−100 would overflow to ∞ and make the
 * gradient NaN. So log(0) stays finite, and so does its gradient.
 */
function logFloor(t: Tensor): number {
  return t.dtype === 'float64' ? Math.exp(-100) : 2 ** -126;
}

function applyWeight(op: string, loss: Tensor, weight: Tensor | undefined): Tensor {
  if (weight === undefined) return loss;
  checkTensorInput(op, weight, 'weight');
  return loss.mul(asFloatLike(weight, loss));
}

/**
 * Binary cross-entropy on probabilities p ∈ [0, 1]: −[y·log p + (1 − y)·log(1 − p)], the
 * notes' logistic cost. Each log is floored (at −100 in float64, as PyTorch), so p = 0 or 1
 * gives a finite loss and gradient. Throws when a prediction lies outside [0, 1] (apply sigmoid first, or use
 * bceWithLogitsLoss on raw scores, which is also more accurate).
 */
export function bceLoss(prediction: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  const y = operands('bceLoss', prediction, target);
  const p = prediction.data;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new ValueError(`bceLoss: predictions must be probabilities in [0, 1], found ${p[i]} at flat index ${i} (apply sigmoid first, or use bceWithLogitsLoss on logits)`);
    }
  }
  const floor = logFloor(prediction);
  const logP = prediction.clamp(floor).log();
  const logNotP = prediction.neg().add(1).clamp(floor).log();
  const loss = y.mul(logP).add(y.neg().add(1).mul(logNotP)).neg();
  return reduce('bceLoss', applyWeight('bceLoss', loss, options.weight), options.reduction ?? 'mean');
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of the positive class (a number, or a tensor broadcasting over the last axis). */
  posWeight?: Tensor | number;
}

/**
 * Binary cross-entropy on logits z (sigmoid folded in): max(z, 0) − z·y + log(1 + e^{−|z|}),
 * which never overflows and keeps its digits for large |z|. ∂/∂z = sigmoid(z) − y.
 */
export function bceWithLogitsLoss(prediction: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  const y = operands('bceWithLogitsLoss', prediction, target);
  const z = prediction;
  const softTail = z.abs().neg().exp().log1p();
  let loss: Tensor;
  if (options.posWeight === undefined) {
    // maximum splits a tie's gradient, so ∂/∂z at z = 0 is exactly ½ − y.
    loss = z.maximum(0).sub(z.mul(y)).add(softTail);
  } else {
    const pw = typeof options.posWeight === 'number' ? options.posWeight : asFloatLike(checkTensorInput('bceWithLogitsLoss', options.posWeight, 'posWeight'), z);
    // (1 − y)·z + (1 + (pw − 1)·y)·log(1 + e^{−z}), the last written stably.
    const scale = y.mul(typeof pw === 'number' ? pw - 1 : pw.sub(1)).add(1);
    loss = y.neg().add(1).mul(z).add(scale.mul(softTail.add(z.neg().maximum(0))));
  }
  return reduce('bceWithLogitsLoss', applyWeight('bceWithLogitsLoss', loss, options.weight), options.reduction ?? 'mean');
}

export interface CrossEntropyOptions extends LossOptions {
  /** A weight per class [C] (rescales each class's loss; 'mean' then divides by the summed weights of the targets). */
  weight?: Tensor | readonly number[];
  /** ε ∈ [0, 1]: the target becomes (1 − ε)·target + ε/C (PyTorch's label_smoothing). */
  labelSmoothing?: number;
}

/** Class weights as a [C] tensor of dtype like logits, checked. */
function classWeights(op: string, weight: Tensor | readonly number[] | undefined, classes: number, like: Tensor): Tensor | null {
  if (weight === undefined) return null;
  const w = weight instanceof Tensor ? weight : tensor(weight as number[], { dtype: like.dtype });
  if (w.ndim !== 1 || w.shape[0] !== classes) throw new ShapeError(`${op}: class weights ${fmtShape(w.shape)} must be [${classes}], one per class`);
  return asFloatLike(w, like);
}

/** Checks class-index targets [N] against scores [N, C] and returns them as an [N, 1] index tensor. */
function classIndices(op: string, scores: Tensor, target: Tensor): Tensor {
  const [n, classes] = scores.shape;
  if (target.ndim !== 1) throw new ShapeError(`${op}: class-index targets must be [N] (one int32 class per row), got ${fmtShape(target.shape)}`);
  if (target.shape[0] !== n) throw new ShapeError(`${op}: ${op === 'nllLoss' ? 'log-probabilities' : 'logits'} ${fmtShape(scores.shape)} and targets ${fmtShape(target.shape)} disagree on the batch size`);
  const t = target.data;
  for (let i = 0; i < t.length; i++) {
    if (t[i] < 0 || t[i] >= classes) throw new ValueError(`${op}: target class ${t[i]} at position ${i} is out of range for ${classes} classes (expected 0..${classes - 1})`);
  }
  return target.reshape([n, 1]);
}

/** Scores as [N, C] (a single [C] row is batched) and the target to match. */
function batched(op: string, scores: Tensor, target: Tensor, what: string): [Tensor, Tensor, boolean] {
  checkFloatInput(op, scores, what);
  checkTensorInput(op, target, 'target');
  if (scores.ndim === 1) {
    if (target.dtype === 'int32' && target.ndim !== 0) {
      throw new ShapeError(`${op}: for one sample (${what} ${fmtShape(scores.shape)}) the target must be a single int32 class (0-D), got ${fmtShape(target.shape)}`);
    }
    return [scores.unsqueeze(0), target.dtype === 'int32' ? target.reshape([1]) : target.unsqueeze(0), true];
  }
  if (scores.ndim !== 2) throw new ShapeError(`${op}: ${what} must be [N, C] (or [C] for one sample), got ${fmtShape(scores.shape)}`);
  return [scores, target, false];
}

/** 'mean' of weighted per-sample losses divides by the total weight of the targets (as PyTorch). */
function reduceWeighted(op: string, perSample: Tensor, weightsOfTargets: Tensor | null, reduction: Reduction, single: boolean): Tensor {
  if (reduction === 'mean' && weightsOfTargets) return perSample.sum().div(weightsOfTargets.sum());
  const out = reduce(op, perSample, reduction);
  return single && reduction === 'none' ? out.reshape([]) : out;
}

/**
 * Cross-entropy of logits z [N, C] (or [C]) against class indices (int32 [N], or a scalar
 * for one sample) or against probability / one-hot targets of z's shape:
 * −Σ_c t_c·log softmax(z)_c per sample. The log-softmax is fused (z − logsumexp z), so
 * logits of ±1e4 give exact, finite results. Options: class `weight` [C], `labelSmoothing`.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  const [z, t, single] = batched(op, logits, target, 'logits');
  const [n, classes] = z.shape;
  const eps = checkNumber(op, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  const reduction = options.reduction ?? 'mean';
  const w = classWeights(op, options.weight, classes, z);
  const logP = z.logSoftmax(1);
  if (t.dtype === 'int32') {
    const idx = classIndices(op, z, t);
    let perSample = gather(logP, 1, idx).reshape([n]).neg();
    const wy = w ? w.indexSelect(0, idx.reshape([n])) : null;
    if (wy) perSample = perSample.mul(wy);
    if (eps > 0) {
      const smooth = (w ? logP.mul(w) : logP).sum(1).neg().div(classes);
      perSample = perSample.mul(1 - eps).add(smooth.mul(eps));
    }
    return reduceWeighted(op, perSample, wy, reduction, single);
  }
  if (t.ndim === 1) {
    throw new DTypeError(`${op}: targets ${fmtShape(target.shape)} are ${t.dtype}; class indices must be int32 [N] (use .cast('int32')), probability targets must have the logits' shape ${fmtShape(logits.shape)}`);
  }
  if (t.shape[0] !== n) throw new ShapeError(`${op}: logits ${fmtShape(logits.shape)} and targets ${fmtShape(target.shape)} disagree on the batch size`);
  checkSameShape(op, z, t, ['logits', 'probability targets']);
  let probs = asFloatLike(t, z);
  if (eps > 0) probs = probs.mul(1 - eps).add(eps / classes);
  const terms = probs.mul(w ? logP.mul(w) : logP);
  return reduceWeighted(op, terms.sum(1).neg(), null, reduction, single);
}

export interface NLLOptions extends LossOptions {
  /** A weight per class [C]; 'mean' then divides by the summed weights of the targets. */
  weight?: Tensor | readonly number[];
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (e.g. logSoftmax output) at the
 * int32 class indices [N]: −log p_{target}. crossEntropy(z, y) = nllLoss(logSoftmax(z), y).
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NLLOptions = {}): Tensor {
  const op = 'nllLoss';
  const [lp, t, single] = batched(op, logProbs, target, 'log-probabilities');
  if (t.dtype !== 'int32') throw new DTypeError(`${op}: targets must be int32 class indices, got ${t.dtype} ${fmtShape(target.shape)}`);
  const [n, classes] = lp.shape;
  const idx = classIndices(op, lp, t);
  const w = classWeights(op, options.weight, classes, lp);
  let perSample = gather(lp, 1, idx).reshape([n]).neg();
  const wy = w ? w.indexSelect(0, idx.reshape([n])) : null;
  if (wy) perSample = perSample.mul(wy);
  return reduceWeighted(op, perSample, wy, options.reduction ?? 'mean', single);
}

export interface KLDivOptions extends LossOptions {
  /**
   * 'notes' (default): klDiv(p, q) = D_KL(P‖Q) = Σ p·log(p/q), P the reference (target)
   * distribution, Q the model's. 'torch': klDiv(input, target) as PyTorch's kl_div, with
   * input = log Q (log-probabilities) and target = P, i.e. the same value with the
   * arguments swapped and the model side in log space.
   */
  convention?: 'notes' | 'torch';
  /** Q is given as log-probabilities (e.g. logSoftmax output: the stable choice). Implied by 'torch'. */
  qIsLog?: boolean;
  /** P is given as log-probabilities (PyTorch's log_target). */
  pIsLog?: boolean;
}

/**
 * Kullback–Leibler divergence as the notes define it: D_KL(P‖Q) = Σᵢ pᵢ·log(pᵢ/qᵢ)
 * = −Σ pᵢ log qᵢ − H(P) (cross-entropy minus P's entropy). Terms with pᵢ = 0 count 0.
 * Default reduction 'batchmean': the sum over each distribution averaged over the batch
 * (a single 1-D distribution gives exactly the notes' sum). p, q [...] of one shape.
 */
export function klDiv(p: Tensor, q: Tensor, options: KLDivOptions = {}): Tensor {
  const op = 'klDiv';
  const torch = (options.convention ?? 'notes') === 'torch';
  if (options.convention !== undefined && options.convention !== 'notes' && !torch) {
    throw new ValueError(`${op}: convention must be 'notes' or 'torch', got ${JSON.stringify(options.convention)}`);
  }
  // Under PyTorch's convention the first argument is log Q and the second P.
  const [pIn, qIn] = torch ? [q, p] : [p, q];
  const qIsLog = torch || (options.qIsLog ?? false);
  checkFloatInput(op, torch ? qIn : pIn, torch ? 'input' : 'p');
  checkFloatInput(op, torch ? pIn : qIn, torch ? 'target' : 'q');
  checkSameShape(op, torch ? qIn : pIn, torch ? pIn : qIn, torch ? ['input', 'target'] : ['p', 'q']);
  const probP = options.pIsLog ? pIn.exp() : pIn;
  // Where pᵢ = 0 both logs are replaced by 0, so neither the value nor the gradient sees
  // 0·log 0 or 0·∞. ne (not gt) keeps NaN and negative inputs visible.
  const present = probP.ne(0);
  const logP = where(present, options.pIsLog ? pIn : where(present, pIn, 1).log(), 0);
  const logQ = where(present, qIsLog ? qIn : where(present, qIn, 1).log(), 0);
  const terms = probP.mul(logP.sub(logQ));
  return reduce(op, terms, options.reduction ?? 'batchmean');
}
