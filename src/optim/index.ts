/**
 * Optimizers (`nb.optim`): each updates parameter storage in place from `.grad`, following
 * PyTorch's option names, defaults and update rules; learning-rate schedules under `lr`.
 */
export {
  Optimizer, type BaseOptions, type ParamGroup, type ParamGroupInput, type Params, type ParamState,
  type OptimizerStateDict, type Closure, type HyperParam, type FloatArray, type UpdateRule, type ZeroGradOptions,
} from './optimizer.js';
export { SGD, sgdUpdate, type SGDOptions, type SGDState } from './sgd.js';
export { Adagrad, adagradUpdate, type AdagradOptions, type AdagradState } from './adagrad.js';
export { RMSprop, rmspropUpdate, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { Adam, AdamW, AdamFamily, adamUpdate, type AdamOptions, type AdamAliases, type AdamState } from './adam.js';
export { Newton, gradientAndHessian, type NewtonOptions } from './newton.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { strongWolfe, backtracking, cubicMinimizer, type Directional, type LineSearchResult, type WolfeOptions } from './linesearch.js';
export * as lr from './lr/index.js';
