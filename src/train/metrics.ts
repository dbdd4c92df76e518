import { ShapeError, ValueError, fmtShape, Tensor } from '../tensor/index.js';

/**
 * Class indices from a model output or a target: argmax of [N, C] scores (C > 1), a
 * threshold for one column of binary scores [N] / [N, 1] (0.5 for probabilities, 0 for logits),
 * or the int32 labels themselves.
 */
export function toClasses(t: Tensor, { logits = false }: { logits?: boolean } = {}): Int32Array {
  if (t.dtype === 'int32') {
    if (t.ndim === 2 && t.shape[1] === 1) return t.data as Int32Array;
    if (t.ndim !== 1) throw new ShapeError(`toClasses: int32 labels must be [N] or [N,1], got ${fmtShape(t.shape)}`);
    return t.data as Int32Array;
  }
  if (t.ndim === 2 && t.shape[1] > 1) return t.argmax(1).data as Int32Array;
  if (t.ndim === 1 || (t.ndim === 2 && t.shape[1] === 1)) {
    const threshold = logits ? 0 : 0.5;
    return Int32Array.from(t.data, (v) => (v > threshold ? 1 : 0));
  }
  throw new ShapeError(`toClasses: expected scores [N, C] or [N] or labels [N], got ${fmtShape(t.shape)}`);
}

function checkSameLength(op: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new ShapeError(`${op}: ${a.length} true labels but ${b.length} predictions`);
}

/** Fraction of labels predicted right. yTrue, yPred: class indices [N]. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkSameLength('accuracy', yTrue, yPred);
  if (yTrue.length === 0) return NaN;
  let right = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) right++;
  return right / yTrue.length;
}

/** counts[t][p]: how many examples of true class t were predicted as p. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses?: number): number[][] {
  checkSameLength('confusionMatrix', yTrue, yPred);
  let c = numClasses ?? 0;
  if (numClasses === undefined) for (let i = 0; i < yTrue.length; i++) c = Math.max(c, yTrue[i] + 1, yPred[i] + 1);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i];
    const p = yPred[i];
    if (!(t >= 0 && t < c && p >= 0 && p < c)) throw new ValueError(`confusionMatrix: label ${t} or prediction ${p} (example ${i}) is outside 0..${c - 1}`);
    m[t][p]++;
  }
  return m;
}

export interface ClassificationReport {
  precision: number;
  recall: number;
  f1: number;
  perClass: { precision: number; recall: number; f1: number; support: number }[];
}

/**
 * Macro-averaged precision, recall and F1 (each class counts equally), as scikit-learn's
 * average='macro' with zero_division=0: a class never predicted has precision 0.
 */
export function precisionRecallF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, numClasses?: number): ClassificationReport {
  const cm = confusionMatrix(yTrue, yPred, numClasses);
  const perClass = cm.map((row, k) => {
    const tp = row[k];
    const support = row.reduce((s, v) => s + v, 0);
    const predicted = cm.reduce((s, r) => s + r[k], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const mean = (key: 'precision' | 'recall' | 'f1'): number => perClass.reduce((s, c) => s + c[key], 0) / Math.max(perClass.length, 1);
  return { precision: mean('precision'), recall: mean('recall'), f1: mean('f1'), perClass };
}

function regressionPair(op: string, yTrue: Tensor, yPred: Tensor): [ArrayLike<number>, ArrayLike<number>] {
  if (yTrue.size !== yPred.size) throw new ShapeError(`${op}: targets ${fmtShape(yTrue.shape)} and predictions ${fmtShape(yPred.shape)} differ in size`);
  return [yTrue.data, yPred.data];
}

/** Mean squared error over all elements. */
export function meanSquaredError(yTrue: Tensor, yPred: Tensor): number {
  const [t, p] = regressionPair('meanSquaredError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i] - p[i]) ** 2;
  return s / t.length;
}

/** Mean absolute error over all elements. */
export function meanAbsoluteError(yTrue: Tensor, yPred: Tensor): number {
  const [t, p] = regressionPair('meanAbsoluteError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i] - p[i]);
  return s / t.length;
}

/** Coefficient of determination 1 − SS_res/SS_tot over all elements (1 is a perfect fit). */
export function r2Score(yTrue: Tensor, yPred: Tensor): number {
  const [t, p] = regressionPair('r2Score', yTrue, yPred);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i];
  mean /= t.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < t.length; i++) {
    res += (t[i] - p[i]) ** 2;
    tot += (t[i] - mean) ** 2;
  }
  return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
}

/** Metric names fit and evaluate understand. */
export type MetricName = 'accuracy' | 'precision' | 'recall' | 'f1' | 'mse' | 'mae' | 'r2';
export const METRIC_NAMES: readonly MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'mse', 'mae', 'r2'];

/** Computes the named metrics on whole-epoch predictions. */
export function computeMetrics(names: readonly MetricName[], yTrue: Tensor, yPred: Tensor, logits: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  const classification = names.some((n) => n === 'accuracy' || n === 'precision' || n === 'recall' || n === 'f1');
  let report: ClassificationReport | null = null;
  let tc: Int32Array | null = null;
  let pc: Int32Array | null = null;
  if (classification) {
    tc = toClasses(yTrue);
    pc = toClasses(yPred, { logits });
  }
  for (const name of names) {
    switch (name) {
      case 'accuracy': out.accuracy = accuracy(tc!, pc!); break;
      case 'precision': case 'recall': case 'f1': {
        const numClasses = yPred.ndim === 2 && yPred.shape[1] > 1 ? yPred.shape[1] : 2;
        report ??= precisionRecallF1(tc!, pc!, numClasses);
        out[name] = report[name];
        break;
      }
      case 'mse': out.mse = meanSquaredError(yTrue, yPred); break;
      case 'mae': out.mae = meanAbsoluteError(yTrue, yPred); break;
      case 'r2': out.r2 = r2Score(yTrue, yPred); break;
      default: throw new ValueError(`metrics: unknown metric '${String(name)}' (known: ${METRIC_NAMES.join(', ')})`);
    }
  }
  return out;
}
