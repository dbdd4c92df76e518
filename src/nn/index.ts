/**
 * `nb.nn`: modules, layers, activations, costs, initialisers and regularisers.
 */
export { Module, registerModule, moduleFromConfig, type ModuleConfig } from './module.js';
export { Sequential } from './sequential.js';
export { Linear, Dropout, Flatten, type LinearOptions } from './layers.js';
export { BatchNormBase, BatchNorm1d, batchNormOptionsFromConfig, type BatchNormLayerOptions } from './normalization.js';
export {
  Identity, Step, Sign, PiecewiseLinear, Sigmoid, Tanh, ReLU, Softplus, LeakyReLU, Softmax, LogSoftmax, ELU, GELU, SiLU,
  activation, ACTIVATION_NAMES,
} from './activations.js';
export {
  Loss, MSELoss, HalfSSELoss, L1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, KLDivLoss,
  loss, LOSS_NAMES, type LossLookupOptions,
} from './losses.js';
export { l2Penalty, l1Penalty, type PenaltyOptions } from './regularization.js';
export { initializeLayer, checkInit, INIT_NAMES, type Init, type InitName } from './layer-init.js';
export * as functional from './functional/index.js';
export * as init from './init.js';
export type { Reduction } from './functional/checks.js';
export { Conv2d, type Conv2dOptions } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptivePool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './pooling.js';
export { BatchNorm2d } from './batchnorm2d.js';
export { summary, type ModelSummary, type LayerSummary } from './summary.js';
