export { fit, evaluate, predict, TrainingError, type FitOptions, type EvaluateOptions, type History, type XY, type TrainData } from './fit.js';
export * as callbacks from './callbacks.js';
export * as metrics from './metrics.js';
