import { loss as lossByName, type Loss } from '../nn/index.js';
import { ValueError, type Tensor } from '../tensor/index.js';

/** A loss name for nn.loss(), a loss module, or a function (prediction, target) → scalar. */
export type LossSpec = string | Loss | ((prediction: Tensor, target: Tensor) => Tensor);

/** Losses whose predictions are logits: class metrics threshold them at 0 rather than 0.5. */
const LOGIT_LOSSES = new Set(['CrossEntropyLoss', 'BCEWithLogitsLoss']);

/** The loss as a function, and whether the model's outputs are logits. */
export function resolveLoss(spec: LossSpec): { fn: (prediction: Tensor, target: Tensor) => Tensor; logits: boolean } {
  if (typeof spec === 'function') return { fn: spec, logits: false };
  const module = typeof spec === 'string' ? lossByName(spec) : spec;
  if (!module || typeof module.forward !== 'function') throw new ValueError('fit: loss must be a name, a loss module or a function');
  return { fn: (p, t) => module.forward(p, t), logits: LOGIT_LOSSES.has(module.typeName) };
}
