/** The test images a classifier got wrong, most confident first, as small PNGs for the report. */
import type { Prepared } from '../data/load.js';
import type { TestResult } from '../evaluation.js';
import { inkDataUrl } from '../report/png.js';
import type { GalleryItem } from '../report/html.js';

/** Up to `max` mistakes; null unless the data are single-channel images. */
export function mistakeGallery(data: Prepared, test: TestResult | null, max = 24): GalleryItem[] | null {
  if (!test?.predicted || !test.confidence || data.preprocessing.kind !== 'image' || !data.test) return null;
  const shape = data.inputShape.length === 3 ? data.inputShape : data.source.kind === 'mnist' ? [1, 28, 28] : null;
  if (!shape || shape[0] !== 1) return null;
  const [, h, w] = shape;
  const truth = data.test.y.data;
  const wrong: number[] = [];
  for (let i = 0; i < truth.length; i++) if (truth[i] !== test.predicted[i]) wrong.push(i);
  wrong.sort((a, b) => test.confidence![b] - test.confidence![a]);
  const x = data.test.x.data;
  return wrong.slice(0, max).map((i) => ({
    src: inkDataUrl(w, h, x.subarray(i * w * h, (i + 1) * w * h)),
    truth: data.classes[truth[i]],
    predicted: data.classes[test.predicted![i]],
    confidence: test.confidence![i],
  }));
}
