/** The `init` option of layers with weights (Linear, and Conv2d later). */
import { noGrad } from '../autograd/index.js';
import { ValueError, type Tensor } from '../tensor/index.js';
import * as init from './init.js';

/**
 * Named initialisers a layer accepts:
 * - 'default': PyTorch's: weight kaiming-uniform with a = √5, i.e. U(±1/√fanIn), and the
 *   bias U(±1/√fanIn) as well;
 * - 'he' / 'heNormal' / 'kaiming' (the notes' randn·√(2/n)), 'heUniform';
 * - 'glorot' / 'xavier' (uniform), 'glorotNormal' / 'xavierNormal';
 * - 'lecun' (normal), 'lecunUniform';
 * - the notes' naive choices: 'zeros' (see init.zeros: symmetry is never broken),
 *   'uniform' (random [0, 1]), 'uniformSymmetric' (random [−1, 1]), 'normal' (randn).
 * Every named choice but 'default' sets the bias to zero.
 */
export type InitName =
  | 'default' | 'he' | 'heNormal' | 'kaiming' | 'kaimingNormal' | 'heUniform' | 'kaimingUniform'
  | 'glorot' | 'glorotUniform' | 'xavier' | 'xavierUniform' | 'glorotNormal' | 'xavierNormal'
  | 'lecun' | 'lecunNormal' | 'lecunUniform' | 'zeros' | 'uniform' | 'uniformSymmetric' | 'normal';

/** A named initialiser, or a function that fills the weight in place (the bias is then zeroed). */
export type Init = InitName | ((weight: Tensor) => unknown);

const WEIGHT_INITS: Record<InitName, (w: Tensor) => unknown> = {
  default: (w) => init.kaimingUniform(w, { a: Math.sqrt(5) }),
  he: init.heNormal,
  heNormal: init.heNormal,
  kaiming: init.heNormal,
  kaimingNormal: init.heNormal,
  heUniform: init.heUniform,
  kaimingUniform: init.heUniform,
  glorot: (w) => init.xavierUniform(w),
  glorotUniform: (w) => init.xavierUniform(w),
  xavier: (w) => init.xavierUniform(w),
  xavierUniform: (w) => init.xavierUniform(w),
  glorotNormal: (w) => init.xavierNormal(w),
  xavierNormal: (w) => init.xavierNormal(w),
  lecun: init.lecunNormal,
  lecunNormal: init.lecunNormal,
  lecunUniform: init.lecunUniform,
  zeros: init.zeros,
  uniform: (w) => init.uniform(w, 0, 1),
  uniformSymmetric: (w) => init.uniform(w, -1, 1),
  normal: (w) => init.normal(w),
};

/** The names `init` accepts. */
export const INIT_NAMES = Object.keys(WEIGHT_INITS) as InitName[];

/** Throws unless `choice` is a known name or a function. */
export function checkInit(layer: string, choice: unknown): Init {
  if (typeof choice === 'function') return choice as Init;
  if (typeof choice === 'string' && Object.hasOwn(WEIGHT_INITS, choice)) return choice as InitName;
  throw new ValueError(`${layer}: unknown init ${JSON.stringify(choice)} (expected a function or one of ${INIT_NAMES.join(', ')})`);
}

/** Initialises a layer's weight (fan in from its shape) and bias, in place. */
export function initializeLayer(layer: string, weight: Tensor, bias: Tensor | null, choice: Init): void {
  const resolved = checkInit(layer, choice);
  noGrad(() => {
    if (typeof resolved === 'function') resolved(weight);
    else WEIGHT_INITS[resolved](weight);
    if (!bias) return;
    if (resolved === 'default') {
      const bound = 1 / Math.sqrt(init.fans(weight, 'default').fanIn);
      init.uniform(bias, -bound, bound);
    } else {
      init.zeros(bias);
    }
  });
}
