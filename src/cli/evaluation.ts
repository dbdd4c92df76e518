/**
 * From model outputs to answers: class codes and probabilities (decoded by what the outputs
 * mean), regression values back in the target's units, and test metrics with the confusion
 * matrix. Shared by train (the final test), evaluate and predict.
 */
import * as nb from '../index.js';
import type { Preprocessing, Split } from './data/load.js';
import { encodeTargets, type Head, type OutputKind } from './models.js';

/** Class codes [n] and class probabilities [n, C] (null when the outputs are plain scores). */
export function decodeClasses(output: nb.Tensor, kind: OutputKind): { codes: Int32Array; probabilities: nb.Tensor | null } {
  switch (kind) {
    case 'logits': return { codes: nb.metrics.toClasses(output), probabilities: output.softmax(-1) };
    case 'log-probabilities': return { codes: nb.metrics.toClasses(output), probabilities: output.exp() };
    case 'binary-logit':
    case 'binary-probability': {
      const p = kind === 'binary-logit' ? output.sigmoid() : output;
      const both = nb.concat([p.neg().add(1), p], 1);
      return { codes: nb.metrics.toClasses(output, { logits: kind === 'binary-logit' }), probabilities: both };
    }
    default: return { codes: nb.metrics.toClasses(output), probabilities: null };
  }
}

/** Regression outputs [n, 1] in the target's own units (undoing the target's standardisation). */
export function decodeValues(output: nb.Tensor, pre: Preprocessing): nb.Tensor {
  if (pre.kind !== 'tabular' || pre.target.task !== 'regression' || !pre.target.scaler) return output;
  return nb.data.scalerFromJSON(pre.target.scaler).inverseTransform(output);
}

export interface TestResult {
  examples: number;
  /** loss, accuracy, precision, recall, f1 (classification) or loss, mse, rmse, mae, r2 (regression). */
  metrics: Record<string, number>;
  /** counts[true][predicted] (classification). */
  confusion?: number[][];
  perClass?: { precision: number; recall: number; f1: number; support: number }[];
  /** Predicted class codes and the probability of each prediction (1 when outputs are scores). */
  predicted?: Int32Array;
  confidence?: Float32Array;
  /** Regression: true and predicted values in the target's units. */
  values?: { truth: ArrayLike<number>; predicted: ArrayLike<number> };
}

/** Loss and metrics of a model on one split; regression metrics in the target's own units. */
export function evaluateSplit(model: nb.nn.Module, split: Split, head: Head, pre: Preprocessing, numClasses: number): TestResult {
  const output = nb.predict(model, split.x);
  const target = encodeTargets(split.y, head);
  const loss = nb.noGrad(() => nb.nn.loss(head.loss).forward(output, target).item());
  const examples = split.x.shape[0];
  if (head.output === 'value') {
    const pred = decodeValues(output, pre);
    const truth = decodeValues(split.y, pre);
    const mse = nb.metrics.meanSquaredError(truth, pred);
    return {
      examples,
      metrics: { loss, mse, rmse: Math.sqrt(mse), mae: nb.metrics.meanAbsoluteError(truth, pred), r2: nb.metrics.r2Score(truth, pred) },
      values: { truth: truth.data, predicted: pred.data },
    };
  }
  const truth = split.y.data as Int32Array;
  const { codes, probabilities } = decodeClasses(output, head.output);
  const report = nb.metrics.precisionRecallF1(truth, codes, numClasses);
  return {
    examples,
    metrics: { loss, accuracy: nb.metrics.accuracy(truth, codes), precision: report.precision, recall: report.recall, f1: report.f1 },
    confusion: nb.metrics.confusionMatrix(truth, codes, numClasses),
    perClass: report.perClass,
    predicted: codes,
    confidence: probabilities ? Float32Array.from(probabilities.max(1).data) : new Float32Array(codes.length).fill(1),
  };
}
