/**
 * Costs as modules: `new nn.CrossEntropyLoss().forward(logits, labels)`, and the
 * `loss(name)` lookup. Definitions: functional/losses.ts.
 */
import { tensor, Tensor, ValueError, type NestedNumbers } from '../tensor/index.js';
import { numArg, numArrayArg, strArg, boolArg } from './config.js';
import { checkReduction, type Reduction } from './functional/checks.js';
import * as F from './functional/losses.js';
import { Module, registerModule, type ModuleConfig } from './module.js';

const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none', 'batchmean'];

/**
 * Base of the loss modules: forward(prediction, target) → the reduced loss (a scalar unless
 * reduction is 'none'). No parameters; `reduction` travels in the config.
 */
export abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(reduction: Reduction) {
    super();
    this.reduction = checkReduction(this.typeName, reduction);
  }

  /** The loss of prediction against target. */
  protected abstract compute(prediction: Tensor, target: Tensor): Tensor;

  override forward(prediction: Tensor, target?: Tensor): Tensor {
    if (!(target instanceof Tensor)) throw new ValueError(`${this.typeName}: forward(prediction, target) needs a target tensor`);
    return this.compute(prediction, target);
  }

  override call(prediction: Tensor, target?: Tensor): Tensor {
    return this.forward(prediction, target);
  }

  /** Extra constructor options beyond reduction. */
  protected extraArgs(): Record<string, unknown> {
    return {};
  }

  protected override configArgs(): Record<string, unknown> {
    return { reduction: this.reduction, ...this.extraArgs() };
  }
}

function reductionArg(c: ModuleConfig, fallback: Reduction): Reduction {
  return strArg<Reduction>(c, 'reduction', fallback, REDUCTIONS);
}

/** A nested-number config value back to a tensor (class or element weights). */
function tensorArg(c: ModuleConfig, name: string): Tensor | undefined {
  const v = c.args?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' && !Array.isArray(v)) throw new ValueError(`moduleFromConfig: ${c.type} needs numbers for '${name}', got ${JSON.stringify(v)}`);
  return tensor(v as NestedNumbers);
}

/** Mean squared error (default 'mean'). */
export class MSELoss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction ?? 'mean'); }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.mseLoss(p, y, { reduction: this.reduction }); }
}

/** The notes' J = Σ ½(y − ŷ)² (default 'sum'). */
export class HalfSSELoss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction ?? 'sum'); }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.halfSumSquaredError(p, y, { reduction: this.reduction }); }
}

/** Mean absolute error. */
export class L1Loss extends Loss {
  constructor(options: F.LossOptions = {}) { super(options.reduction ?? 'mean'); }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.l1Loss(p, y, { reduction: this.reduction }); }
}

/** Huber loss with threshold delta (default 1). */
export class HuberLoss extends Loss {
  readonly delta: number;
  constructor(options: F.HuberOptions = {}) {
    super(options.reduction ?? 'mean');
    this.delta = options.delta ?? 1;
    if (!(this.delta > 0 && Number.isFinite(this.delta))) throw new ValueError(`HuberLoss: delta must be a positive number, got ${this.delta}`);
  }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.huberLoss(p, y, { reduction: this.reduction, delta: this.delta }); }
  protected override extraArgs(): Record<string, unknown> { return { delta: this.delta }; }
}

/** Binary cross-entropy on probabilities (optional per-element weight). */
export class BCELoss extends Loss {
  readonly weight: Tensor | undefined;
  constructor(options: F.BCEOptions = {}) {
    super(options.reduction ?? 'mean');
    this.weight = options.weight;
  }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.bceLoss(p, y, { reduction: this.reduction, weight: this.weight }); }
  protected override extraArgs(): Record<string, unknown> { return this.weight ? { weight: this.weight.toArray() } : {}; }
}

/** Binary cross-entropy on logits (stable), optional weight and posWeight. */
export class BCEWithLogitsLoss extends Loss {
  readonly weight: Tensor | undefined;
  readonly posWeight: Tensor | number | undefined;
  constructor(options: F.BCEWithLogitsOptions = {}) {
    super(options.reduction ?? 'mean');
    this.weight = options.weight;
    this.posWeight = options.posWeight;
  }
  protected override compute(p: Tensor, y: Tensor): Tensor {
    return F.bceWithLogitsLoss(p, y, { reduction: this.reduction, weight: this.weight, posWeight: this.posWeight });
  }
  protected override extraArgs(): Record<string, unknown> {
    return {
      ...(this.weight ? { weight: this.weight.toArray() } : {}),
      ...(this.posWeight !== undefined ? { posWeight: typeof this.posWeight === 'number' ? this.posWeight : this.posWeight.toArray() } : {}),
    };
  }
}

function classWeightArray(weight: Tensor | readonly number[] | undefined): number[] | undefined {
  if (weight === undefined) return undefined;
  return weight instanceof Tensor ? Array.from(weight.dataSync()) : [...weight];
}

/** Cross-entropy on logits with class indices or probability targets (weight, labelSmoothing). */
export class CrossEntropyLoss extends Loss {
  readonly weight: number[] | undefined;
  readonly labelSmoothing: number;
  constructor(options: F.CrossEntropyOptions = {}) {
    super(options.reduction ?? 'mean');
    this.weight = classWeightArray(options.weight);
    this.labelSmoothing = options.labelSmoothing ?? 0;
    if (!(this.labelSmoothing >= 0 && this.labelSmoothing <= 1)) throw new ValueError(`CrossEntropyLoss: labelSmoothing must be in [0, 1], got ${this.labelSmoothing}`);
  }
  protected override compute(p: Tensor, y: Tensor): Tensor {
    return F.crossEntropy(p, y, { reduction: this.reduction, weight: this.weight, labelSmoothing: this.labelSmoothing });
  }
  protected override extraArgs(): Record<string, unknown> {
    return { ...(this.weight ? { weight: this.weight } : {}), ...(this.labelSmoothing ? { labelSmoothing: this.labelSmoothing } : {}) };
  }
}

/** Negative log-likelihood of log-probabilities at class indices. */
export class NLLLoss extends Loss {
  readonly weight: number[] | undefined;
  constructor(options: F.NLLOptions = {}) {
    super(options.reduction ?? 'mean');
    this.weight = classWeightArray(options.weight);
  }
  protected override compute(p: Tensor, y: Tensor): Tensor { return F.nllLoss(p, y, { reduction: this.reduction, weight: this.weight }); }
  protected override extraArgs(): Record<string, unknown> { return this.weight ? { weight: this.weight } : {}; }
}

/** KL divergence D_KL(P‖Q); forward(p, q) under the notes' convention, forward(logQ, p) under PyTorch's. */
export class KLDivLoss extends Loss {
  readonly convention: 'notes' | 'torch';
  readonly qIsLog: boolean;
  readonly pIsLog: boolean;
  constructor(options: F.KLDivOptions = {}) {
    super(options.reduction ?? 'batchmean');
    this.convention = options.convention ?? 'notes';
    if (this.convention !== 'notes' && this.convention !== 'torch') throw new ValueError(`KLDivLoss: convention must be 'notes' or 'torch', got ${JSON.stringify(this.convention)}`);
    this.qIsLog = options.qIsLog ?? false;
    this.pIsLog = options.pIsLog ?? false;
  }
  protected override compute(a: Tensor, b: Tensor): Tensor {
    return F.klDiv(a, b, { reduction: this.reduction, convention: this.convention, qIsLog: this.qIsLog, pIsLog: this.pIsLog });
  }
  protected override extraArgs(): Record<string, unknown> {
    return { convention: this.convention, qIsLog: this.qIsLog, pIsLog: this.pIsLog };
  }
}

registerModule('MSELoss', MSELoss, (c) => new MSELoss({ reduction: reductionArg(c, 'mean') }));
registerModule('HalfSSELoss', HalfSSELoss, (c) => new HalfSSELoss({ reduction: reductionArg(c, 'sum') }));
registerModule('L1Loss', L1Loss, (c) => new L1Loss({ reduction: reductionArg(c, 'mean') }));
registerModule('HuberLoss', HuberLoss, (c) => new HuberLoss({ reduction: reductionArg(c, 'mean'), delta: numArg(c, 'delta', 1) }));
registerModule('BCELoss', BCELoss, (c) => new BCELoss({ reduction: reductionArg(c, 'mean'), weight: tensorArg(c, 'weight') }));
registerModule('BCEWithLogitsLoss', BCEWithLogitsLoss, (c) => {
  const pw = c.args?.posWeight;
  return new BCEWithLogitsLoss({
    reduction: reductionArg(c, 'mean'),
    weight: tensorArg(c, 'weight'),
    posWeight: typeof pw === 'number' ? pw : tensorArg(c, 'posWeight'),
  });
});
registerModule('CrossEntropyLoss', CrossEntropyLoss, (c) => new CrossEntropyLoss({
  reduction: reductionArg(c, 'mean'), weight: numArrayArg(c, 'weight'), labelSmoothing: numArg(c, 'labelSmoothing', 0),
}));
registerModule('NLLLoss', NLLLoss, (c) => new NLLLoss({ reduction: reductionArg(c, 'mean'), weight: numArrayArg(c, 'weight') }));
registerModule('KLDivLoss', KLDivLoss, (c) => new KLDivLoss({
  reduction: reductionArg(c, 'batchmean'),
  convention: strArg<'notes' | 'torch'>(c, 'convention', 'notes', ['notes', 'torch']),
  qIsLog: boolArg(c, 'qIsLog', false),
  pIsLog: boolArg(c, 'pIsLog', false),
}));

/** Options `loss()` passes on to the loss it builds (each takes the ones it knows). */
export interface LossLookupOptions extends F.LossOptions {
  delta?: number;
  labelSmoothing?: number;
  /** Class weights [C] for crossEntropy/nll; an element weight tensor for bce. */
  weight?: Tensor | readonly number[];
  posWeight?: Tensor | number;
  convention?: 'notes' | 'torch';
  qIsLog?: boolean;
  pIsLog?: boolean;
}

function elementWeight(w: Tensor | readonly number[] | undefined): Tensor | undefined {
  return w === undefined || w instanceof Tensor ? w : tensor(w as number[]);
}

const LOSSES: Record<string, (o: LossLookupOptions) => Loss> = {
  mse: (o) => new MSELoss(o), meansquarederror: (o) => new MSELoss(o),
  halfsse: (o) => new HalfSSELoss(o), halfsumsquarederror: (o) => new HalfSSELoss(o),
  l1: (o) => new L1Loss(o), mae: (o) => new L1Loss(o), meanabsoluteerror: (o) => new L1Loss(o),
  huber: (o) => new HuberLoss(o),
  bce: (o) => new BCELoss({ ...o, weight: elementWeight(o.weight) }),
  binarycrossentropy: (o) => new BCELoss({ ...o, weight: elementWeight(o.weight) }),
  bcewithlogits: (o) => new BCEWithLogitsLoss({ ...o, weight: elementWeight(o.weight) }),
  crossentropy: (o) => new CrossEntropyLoss(o), ce: (o) => new CrossEntropyLoss(o),
  nll: (o) => new NLLLoss(o),
  kldiv: (o) => new KLDivLoss(o), kl: (o) => new KLDivLoss(o),
};

/** Every name `loss()` accepts, in its canonical spelling. */
export const LOSS_NAMES: readonly string[] = [
  'mse', 'halfSSE', 'halfSumSquaredError', 'l1', 'mae', 'huber', 'bce', 'binaryCrossEntropy', 'bceWithLogits',
  'crossEntropy', 'ce', 'nll', 'klDiv', 'kl',
];

/**
 * A loss module by name: loss('mse'), loss('crossEntropy', {labelSmoothing: 0.1}),
 * loss('bce_with_logits'). Case, '-', '_', spaces and a trailing 'loss' are ignored.
 */
export function loss(name: string, options: LossLookupOptions = {}): Loss {
  const key = typeof name === 'string' ? name.toLowerCase().replace(/[-_\s]/g, '').replace(/loss$/, '') : '';
  const make = Object.hasOwn(LOSSES, key) ? LOSSES[key] : undefined;
  if (!make) throw new ValueError(`loss: unknown loss ${JSON.stringify(name)} (known: ${LOSS_NAMES.join(', ')})`);
  return make(options);
}
