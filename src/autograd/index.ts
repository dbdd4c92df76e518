export { backward, propagate, reduceGradTo, checkDifferentiable, isOwnedGradient, ownGradient } from './engine.js';
export { grad, hessian, gradcheck, gradgradcheck, type GradOptions, type GradcheckOptions } from './functional.js';
export { noGrad, enableGrad, isGradEnabled } from './mode.js';
