/** The decision regions of a trained classifier with two numeric inputs, for the report. */
import * as nb from '../../index.js';
import type { Prepared } from '../data/load.js';
import { decodeClasses } from '../evaluation.js';
import type { Head } from '../models.js';
import type { Regions } from '../report/regions.js';

const GRID = 90;

/**
 * Predicts on a grid over the data's range (in the features' own units) and collects the test
 * points; null unless the model classifies exactly two numeric features.
 */
export function decisionRegions(model: nb.nn.Module, data: Prepared, head: Head): Regions | null {
  const pre = data.preprocessing;
  if (data.task !== 'classification' || pre.kind !== 'tabular' || pre.featureNames.length !== 2 || !pre.scaler) return null;
  if (pre.columns.some((c) => c.type !== 'numeric')) return null;
  const scaler = nb.data.scalerFromJSON(pre.scaler);
  const shown = data.test ?? data.validation ?? data.train;
  const all = [data.train, data.validation, data.test].filter((s) => s !== null).map((s) => scaler.inverseTransform(s!.x));
  const raw = nb.concat(all, 0).data;
  const range = (k: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = k; i < raw.length; i += 2) {
      lo = Math.min(lo, raw[i]);
      hi = Math.max(hi, raw[i]);
    }
    const pad = (hi - lo || 1) * 0.08;
    return [lo - pad, hi + pad];
  };
  const xRange = range(0);
  const yRange = range(1);
  const grid = new Float32Array(GRID * GRID * 2);
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      // Cell centres; row 0 is the top of the picture (largest y).
      grid[2 * (i * GRID + j)] = xRange[0] + ((j + 0.5) / GRID) * (xRange[1] - xRange[0]);
      grid[2 * (i * GRID + j) + 1] = yRange[1] - ((i + 0.5) / GRID) * (yRange[1] - yRange[0]);
    }
  }
  const out = nb.predict(model, scaler.transform(new nb.Tensor(grid, [GRID * GRID, 2])));
  const { codes, probabilities } = decodeClasses(out, head.output);
  const confidence = probabilities ? (probabilities.max(1).data as Float32Array) : new Float32Array(codes.length).fill(1);
  const pts = scaler.inverseTransform(shown.x).data;
  const predicted = decodeClasses(nb.predict(model, shown.x), head.output).codes;
  const labels = shown.y.data;
  const points = Array.from({ length: shown.x.shape[0] }, (_, i) => ({ x: pts[2 * i], y: pts[2 * i + 1], label: labels[i], predicted: predicted[i] }));
  return { xRange, yRange, cols: GRID, rows: GRID, classes: codes, confidence: Float32Array.from(confidence), points, classNames: data.classes, xLabel: pre.featureNames[0], yLabel: pre.featureNames[1] };
}
