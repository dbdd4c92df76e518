/** The page's palette: one colour per class, and a diverging scale for signed values. */

export type RGB = [number, number, number];

/** Class colours: orange and blue (as TensorFlow Playground), then green, purple, red. */
export const CLASS_COLORS: readonly RGB[] = [
  [245, 147, 34],
  [8, 119, 189],
  [44, 160, 95],
  [142, 68, 173],
  [214, 48, 49],
];

export const css = (c: RGB, alpha = 1): string => (alpha === 1 ? `rgb(${c[0]},${c[1]},${c[2]})` : `rgba(${c[0]},${c[1]},${c[2]},${alpha})`);

const WHITE: RGB = [255, 255, 255];
const NEGATIVE = CLASS_COLORS[0];
const POSITIVE = CLASS_COLORS[1];

const mix = (a: RGB, b: RGB, t: number): RGB => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

/** Signed value v in [−1, 1] → orange (negative) · white (0) · blue (positive). */
export function diverging(v: number): RGB {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = Math.max(-1, Math.min(1, v));
  return t < 0 ? mix(WHITE, NEGATIVE, -t) : mix(WHITE, POSITIVE, t);
}

/** Writes diverging(v) as an opaque RGBA pixel at pixel index i (no allocation: heat maps call it per pixel). */
export function putDiverging(out: Uint8ClampedArray, i: number, v: number): void {
  const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
  const c = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  out[4 * i] = 255 + (c[0] - 255) * a;
  out[4 * i + 1] = 255 + (c[1] - 255) * a;
  out[4 * i + 2] = 255 + (c[2] - 255) * a;
  out[4 * i + 3] = 255;
}

/**
 * The heat-map colour of a point whose class probabilities are p (sum 1): the classes'
 * colours mixed by probability, fading to white where the network is unsure.
 */
export function classBlend(p: ArrayLike<number>, offset: number, classes: number, strength = 0.6): RGB {
  let r = 0;
  let g = 0;
  let b = 0;
  let best = 0;
  for (let k = 0; k < classes; k++) {
    const q = p[offset + k];
    const c = CLASS_COLORS[k];
    r += q * c[0];
    g += q * c[1];
    b += q * c[2];
    if (q > best) best = q;
  }
  // Confidence 0 when all classes are equally likely, 1 when one is certain.
  const confidence = Math.max(0, (best - 1 / classes) / (1 - 1 / classes));
  return mix(WHITE, [r, g, b], strength * Math.pow(confidence, 0.8));
}

/** Colour of a contribution curve in the regression plot. */
export function unitColor(j: number, n: number): string {
  const hue = (200 + (j * 360) / Math.max(1, n)) % 360;
  return `hsl(${hue}, 62%, 48%)`;
}
