import { Generator, ShapeError, Tensor, ValueError, fmtShape, globalGenerator } from '../tensor/index.js';
import { kFold, stratifiedKFold, type Fold } from './split.js';

/** Trains a model on (xTrain, yTrain) with one hyper-parameter set; may be async. */
export type TrainFn<M, P> = (xTrain: Tensor, yTrain: Tensor, params: P) => M | Promise<M>;
/** Scores a trained model on held-out data (higher is better unless told otherwise); may be async. */
export type ScoreFn<M> = (model: M, xTest: Tensor, yTest: Tensor) => number | Promise<number>;

interface CommonOptions<M, P> {
  x: Tensor;
  y: Tensor;
  train: TrainFn<M, P>;
  score: ScoreFn<M>;
  /** Keep class proportions in every fold (y must be class labels [N]). Default false. */
  stratify?: boolean;
  /** Assign samples to folds at random (default true). */
  shuffle?: boolean;
  /** Default nb.globalGenerator (seeded by nb.manualSeed). */
  generator?: Generator;
}

export interface CrossValidateOptions<M, P> extends CommonOptions<M, P> {
  /** Number of folds k (default 5). */
  folds?: number;
  /** The hyper-parameters passed to train. */
  params: P;
}

export interface CrossValidateResult {
  /** The score on each fold's held-out part. */
  scores: number[];
  mean: number;
  /** Population standard deviation of the fold scores. */
  std: number;
}

export interface NestedCrossValidationOptions<M, P> extends CommonOptions<M, P> {
  /** Folds of the outer loop, which estimates performance (default 5). */
  outerFolds?: number;
  /** Folds of the inner loop, which chooses the hyper-parameters (default 3). */
  innerFolds?: number;
  /** The hyper-parameter sets to choose from. */
  candidates: readonly P[];
  /** True (default) when a higher score is better (accuracy); false for a loss (MSE). */
  greaterIsBetter?: boolean;
}

export interface NestedCrossValidationResult<P> {
  /** The held-out score of each outer fold, from a model trained with that fold's chosen params. */
  outerScores: number[];
  /** The hyper-parameters the inner loop chose in each outer fold. */
  bestParams: P[];
  /** innerScores[f][c]: mean inner-CV score of candidate c inside outer fold f. */
  innerScores: number[][];
  /** The performance estimate: the mean of the outer scores. */
  mean: number;
  /** Population standard deviation of the outer scores. */
  std: number;
}

function checkXY(op: string, x: Tensor, y: Tensor): number {
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${op}: x and y must be Tensors`);
  if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError(`${op}: x and y need the same first dimension (number of samples), got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  return x.shape[0];
}

function makeFolds(op: string, y: Tensor, k: number, stratify: boolean, shuffle: boolean, generator: Generator): Fold[] {
  if (!stratify) return kFold(y.shape[0], k, { shuffle, generator });
  if (y.ndim !== 1) throw new ShapeError(`${op}: stratify needs class labels y of shape [N], got ${fmtShape(y.shape)}`);
  return stratifiedKFold(y, k, { shuffle, generator });
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}

async function checkedScore<M>(op: string, score: ScoreFn<M>, model: M, xTest: Tensor, yTest: Tensor): Promise<number> {
  const s = await score(model, xTest, yTest);
  if (typeof s !== 'number' || Number.isNaN(s)) throw new ValueError(`${op}: score returned ${String(s)}; it must return a number`);
  return s;
}

/**
 * k-fold cross-validation of one hyper-parameter set: for each fold, train on the other
 * k−1 parts and score on the held-out part. The mean is the estimate of how well a model
 * trained this way does on unseen data.
 */
export async function crossValidate<M, P>(options: CrossValidateOptions<M, P>): Promise<CrossValidateResult> {
  const op = 'crossValidate';
  checkXY(op, options.x, options.y);
  const { x, y, train, score } = options;
  const folds = makeFolds(op, y, options.folds ?? 5, options.stratify ?? false, options.shuffle ?? true, options.generator ?? globalGenerator);
  const scores: number[] = [];
  for (const fold of folds) {
    const tr = new Tensor(fold.train, [fold.train.length]);
    const te = new Tensor(fold.test, [fold.test.length]);
    const model = await train(x.indexSelect(0, tr), y.indexSelect(0, tr), options.params);
    scores.push(await checkedScore(op, score, model, x.indexSelect(0, te), y.indexSelect(0, te)));
  }
  return { scores, ...meanStd(scores) };
}

/**
 * Nested cross-validation. The outer loop splits the data into outerFolds parts; for each,
 * the inner loop runs an innerFolds cross-validation of every candidate on the outer
 * training part only and picks the best mean score (the first on a tie). A model trained
 * on the whole outer training part with those params is scored on the outer test part,
 * which took no part in choosing them. The mean outer score is therefore an honest
 * estimate of the whole procedure "tune, then train", which a single CV that both tunes
 * and reports would overstate.
 */
export async function nestedCrossValidation<M, P>(options: NestedCrossValidationOptions<M, P>): Promise<NestedCrossValidationResult<P>> {
  const op = 'nestedCrossValidation';
  checkXY(op, options.x, options.y);
  const { x, y, train, score, candidates } = options;
  if (!Array.isArray(candidates) || candidates.length === 0) throw new ValueError(`${op}: candidates must be a non-empty array of hyper-parameter sets`);
  const stratify = options.stratify ?? false;
  const shuffle = options.shuffle ?? true;
  const generator = options.generator ?? globalGenerator;
  const greater = options.greaterIsBetter ?? true;
  const innerFolds = options.innerFolds ?? 3;
  const outer = makeFolds(op, y, options.outerFolds ?? 5, stratify, shuffle, generator);

  const outerScores: number[] = [];
  const bestParams: P[] = [];
  const innerScores: number[][] = [];
  for (const fold of outer) {
    const tr = new Tensor(fold.train, [fold.train.length]);
    const te = new Tensor(fold.test, [fold.test.length]);
    const xTr = x.indexSelect(0, tr);
    const yTr = y.indexSelect(0, tr);
    const means: number[] = [];
    for (const params of candidates) {
      const inner = await crossValidate({ x: xTr, y: yTr, train, score, params, folds: innerFolds, stratify, shuffle, generator });
      means.push(inner.mean);
    }
    let best = 0;
    for (let c = 1; c < means.length; c++) if (greater ? means[c] > means[best] : means[c] < means[best]) best = c;
    const model = await train(xTr, yTr, candidates[best]);
    outerScores.push(await checkedScore(op, score, model, x.indexSelect(0, te), y.indexSelect(0, te)));
    bestParams.push(candidates[best]);
    innerScores.push(means);
  }
  return { outerScores, bestParams, innerScores, ...meanStd(outerScores) };
}
