/**
 * The points the network learns from: nb.data's synthetic 2-D problems placed in a common
 * square, 1-D curves to fit, the user's own points, and CSV files dropped on the page.
 */
import * as nb from 'nabla';
import { MAX_CLASSES, type Point, type Settings } from './settings.js';

export interface Domain {
  x: [number, number];
  y: [number, number];
}

export interface Data {
  task: Settings['task'];
  /** Number of classes (1 for regression). */
  classes: number;
  points: Point[];
  /** The region the plots show and the heat maps cover. */
  domain: Domain;
}

/** Generated and clicked 2-D points live in this square. */
export const DOMAIN_2D: Domain = { x: [-2, 2], y: [-2, 2] };
/** 1-D curves are fitted over x ∈ [−π, π]. */
export const DOMAIN_1D: Domain = { x: [-Math.PI, Math.PI], y: [-2, 2] };

/** Per dataset: the largest noise (the slider's 100 %) in nb.data's units, and the map into DOMAIN_2D. */
const SHAPES: Record<string, { maxNoise: number; place: (a: number, b: number) => [number, number] }> = {
  xor: { maxNoise: 0.4, place: (a, b) => [2 * a - 1, 2 * b - 1] },
  circles: { maxNoise: 0.25, place: (a, b) => [1.5 * a, 1.5 * b] },
  gaussians: { maxNoise: 1.2, place: (a, b) => [0.6 * a, 0.6 * b] },
  moons: { maxNoise: 0.4, place: (a, b) => [1.2 * (a - 0.5), 1.2 * (b - 0.25)] },
  spiral: { maxNoise: 0.8, place: (a, b) => [1.7 * a, 1.7 * b] },
};

/** The 1-D targets of the regression mode. */
export const CURVES: Record<string, (x: number) => number> = {
  sine: (x) => Math.sin(x),
  step: (x) => (x < 0 ? -0.75 : 0.75),
  abs: (x) => Math.abs(x) / 2 - 0.75,
};

/** Marks a seeded random fraction (1 − trainRatio) of the points as test points. */
function split(points: Point[], trainRatio: number, rng: nb.Generator): Point[] {
  const order = rng.permutation(points.length);
  const nTrain = Math.max(1, Math.round(points.length * trainRatio));
  order.forEach((idx, rank) => { points[idx].test = rank >= nTrain; });
  return points;
}

/** The dataset the settings describe, reproducible from the seed. */
export function makeData(s: Settings): Data {
  if (s.task === 'regress') {
    if (s.dataset === 'custom') return { task: 'regress', classes: 1, points: s.custom.map((p) => ({ ...p })), domain: DOMAIN_1D };
    const rng = new nb.Generator(s.seed);
    const f = CURVES[s.dataset] ?? CURVES.sine;
    const points: Point[] = [];
    for (let i = 0; i < s.points; i++) {
      const x = DOMAIN_1D.x[0] + (DOMAIN_1D.x[1] - DOMAIN_1D.x[0]) * rng.uniform();
      points.push({ x, y: 0, label: f(x) + 0.5 * s.noise * rng.normal(), test: false });
    }
    return { task: 'regress', classes: 1, points: split(points, s.trainRatio, rng), domain: DOMAIN_1D };
  }
  if (s.dataset === 'custom') {
    // Points from a hand-edited URL may name classes the page cannot draw: they are left out.
    const points = s.custom.filter((p) => Number.isInteger(p.label) && p.label >= 0 && p.label < MAX_CLASSES).map((p) => ({ ...p }));
    const classes = Math.max(2, ...points.map((p) => p.label + 1));
    return { task: 'classify', classes, points, domain: customDomain(points) };
  }
  const shape = SHAPES[s.dataset] ?? SHAPES.xor;
  const generator = new nb.Generator(s.seed);
  const options = { n: s.points, noise: s.noise * shape.maxNoise, generator };
  const raw = s.dataset === 'spiral' ? nb.data.spiral({ ...options, classes: s.classes })
    : s.dataset === 'gaussians' ? nb.data.gaussians({ ...options, classes: s.classes })
      : s.dataset === 'circles' ? nb.data.circles(options)
        : s.dataset === 'moons' ? nb.data.moons(options)
          : nb.data.xor(options);
  const xy = raw.x.dataSync();
  const labels = raw.y.dataSync();
  const points: Point[] = [];
  let classes = 2;
  for (let i = 0; i < labels.length; i++) {
    const [x, y] = shape.place(xy[2 * i], xy[2 * i + 1]);
    points.push({ x, y, label: labels[i], test: false });
    classes = Math.max(classes, labels[i] + 1);
  }
  return { task: 'classify', classes, points: split(points, s.trainRatio, generator), domain: DOMAIN_2D };
}

/** The standard square, widened to hold every point (CSV data may lie anywhere). */
function customDomain(points: readonly Point[]): Domain {
  let [x0, x1] = DOMAIN_2D.x;
  let [y0, y1] = DOMAIN_2D.y;
  for (const p of points) {
    x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x);
    y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y);
  }
  const pad = 0.05 * Math.max(x1 - x0, y1 - y0);
  return { x: [x0 - pad, x1 + pad], y: [y0 - pad, y1 + pad] };
}

/** What a dropped CSV file turned into. */
export interface CsvData {
  task: Settings['task'];
  points: Point[];
  /** Class names in label order (classification), e.g. ['setosa', 'versicolor']. */
  classNames: string[];
  /** One line for the page: what was read and how it was scaled. */
  summary: string;
}

const isNumber = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));

/** Affine map of values onto [lo, hi] (a constant column goes to the middle). */
function rescale(values: number[], lo: number, hi: number): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min;
  return values.map((v) => (span > 0 ? lo + ((v - min) / span) * (hi - lo) : (lo + hi) / 2));
}

/**
 * Reads a small CSV: columns x1, x2, class (classification; classes may be names or
 * integers) or x, y (a curve to fit). A header row is optional. Inputs are rescaled onto
 * the plot's square so the network sees values of a sensible size.
 */
export function readCsv(text: string, fileName: string, trainRatio: number, seed: number): CsvData {
  let table = nb.data.parseCsv(text, { fileName, header: false });
  if (table.rows.length > 0 && !table.rows[0].slice(0, 2).every(isNumber)) table = nb.data.parseCsv(text, { fileName, header: true });
  const rows = table.rows;
  if (rows.length < 2) throw new Error(`${fileName}: needs at least two rows of data`);
  if (rows.length > 5000) throw new Error(`${fileName}: ${rows.length} rows is too many for the playground (at most 5000)`);
  const width = rows[0].length;
  if (width < 2) throw new Error(`${fileName}: needs two columns (x, y) or three (x1, x2, class), found ${width}`);
  rows.forEach((r, i) => {
    const inputs = width === 2 ? r : r.slice(0, 2);
    if (!inputs.every(isNumber)) throw new Error(`${fileName}: line ${table.lines[i]}: the inputs must be numbers, got ${inputs.join(', ')}`);
  });
  const rng = new nb.Generator(seed);
  if (width === 2) {
    const xs = rescale(rows.map((r) => Number(r[0])), DOMAIN_1D.x[0], DOMAIN_1D.x[1]);
    const ys = rescale(rows.map((r) => Number(r[1])), -1.5, 1.5);
    const points = split(xs.map((x, i) => ({ x, y: 0, label: ys[i], test: false })), trainRatio, rng);
    return { task: 'regress', points, classNames: [], summary: `${fileName}: ${rows.length} points (x, y), both rescaled to the plot` };
  }
  const raw = rows.map((r) => r[width - 1].trim());
  const names = [...new Set(raw)].sort((a, b) => (isNumber(a) && isNumber(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  if (names.length > MAX_CLASSES) throw new Error(`${fileName}: the last column has ${names.length} different values; the playground draws at most ${MAX_CLASSES} classes`);
  if (names.length < 2) throw new Error(`${fileName}: the last column holds a single class; two or more are needed`);
  const xs = rescale(rows.map((r) => Number(r[0])), DOMAIN_2D.x[0] * 0.9, DOMAIN_2D.x[1] * 0.9);
  const ys = rescale(rows.map((r) => Number(r[1])), DOMAIN_2D.y[0] * 0.9, DOMAIN_2D.y[1] * 0.9);
  const points = split(xs.map((x, i) => ({ x, y: ys[i], label: names.indexOf(raw[i]), test: false })), trainRatio, rng);
  const extra = width > 3 ? ` (columns 3–${width - 1} ignored)` : '';
  return { task: 'classify', points, classNames: names, summary: `${fileName}: ${rows.length} points in ${names.length} classes${extra}, inputs rescaled to [−1.8, 1.8]` };
}

/** Network inputs [n, 2] (or [n, 1] for a curve) of the given points. */
export function inputsOf(task: Settings['task'], points: readonly Point[]): nb.Tensor {
  const width = task === 'regress' ? 1 : 2;
  const data = new Float32Array(points.length * width);
  points.forEach((p, i) => {
    data[i * width] = p.x;
    if (width === 2) data[i * width + 1] = p.y;
  });
  return nb.tensor(data, { shape: [points.length, width] });
}
