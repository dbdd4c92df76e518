import { Generator, Tensor, ValueError, globalGenerator } from '../tensor/index.js';

/** Points [n, 2] float32 and their classes int32 [n]. */
export interface Points2D {
  x: Tensor;
  y: Tensor;
}

export interface SyntheticOptions {
  /** Number of points. */
  n?: number;
  /** Standard deviation of the Gaussian noise added to each coordinate (spiral: to the angle). */
  noise?: number;
  /** Default nb.globalGenerator, so nb.manualSeed makes the data reproducible. */
  generator?: Generator;
}

function settings(op: string, options: SyntheticOptions, n: number, noise: number): { n: number; noise: number; rng: Generator } {
  const count = options.n ?? n;
  const sigma = options.noise ?? noise;
  if (!Number.isInteger(count) || count < 1) throw new ValueError(`${op}: n must be a positive integer, got ${count}`);
  if (!Number.isFinite(sigma) || sigma < 0) throw new ValueError(`${op}: noise must be a finite number ≥ 0, got ${sigma}`);
  return { n: count, noise: sigma, rng: options.generator ?? globalGenerator };
}

function checkClasses(op: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 2) throw new ValueError(`${op}: classes must be an integer ≥ 2, got ${classes}`);
}

/** Fills the tensors point by point: point(i) returns [x0, x1, label] before noise. */
function build(n: number, noise: number, rng: Generator, point: (i: number) => [number, number, number]): Points2D {
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b, label] = point(i);
    x[2 * i] = noise > 0 ? a + noise * rng.normal() : a;
    x[2 * i + 1] = noise > 0 ? b + noise * rng.normal() : b;
    y[i] = label;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Which class point i belongs to when n points are dealt to `classes` classes in blocks. */
function blockOf(i: number, n: number, classes: number): [number, number, number] {
  // The first n mod classes classes get one point more; returns [class, index in class, class size].
  const base = Math.floor(n / classes);
  const extra = n % classes;
  let start = 0;
  for (let c = 0; c < classes; c++) {
    const size = base + (c < extra ? 1 : 0);
    if (i < start + size) return [c, i - start, size];
    start += size;
  }
  return [classes - 1, 0, 1];
}

/**
 * XOR, the classic problem a single neuron cannot solve: the corners (0,0), (0,1), (1,0),
 * (1,1) with classes 0, 1, 1, 0, repeated in that order, plus noise. n = 4 and noise = 0
 * give the truth table itself. Defaults n 200, noise 0.1.
 */
export function xor(options: SyntheticOptions = {}): Points2D {
  const { n, noise, rng } = settings('xor', options, 200, 0.1);
  return build(n, noise, rng, (i) => {
    const a = (i >> 1) & 1;
    const b = i & 1;
    return [a, b, a ^ b];
  });
}

/**
 * Two concentric circles: class 0 on the unit circle, class 1 on a circle of radius
 * `factor` (default 0.5), angles evenly spaced, plus noise. Defaults n 200, noise 0.05.
 */
export function circles(options: SyntheticOptions & { factor?: number } = {}): Points2D {
  const { n, noise, rng } = settings('circles', options, 200, 0.05);
  const factor = options.factor ?? 0.5;
  if (!(factor > 0 && factor < 1)) throw new ValueError(`circles: factor must be in (0, 1), got ${factor}`);
  const outer = Math.floor(n / 2);
  return build(n, noise, rng, (i) => {
    const [label, k, size] = i < outer ? [0, i, outer] : [1, i - outer, n - outer];
    const t = (2 * Math.PI * k) / size;
    const r = label === 0 ? 1 : factor;
    return [r * Math.cos(t), r * Math.sin(t), label];
  });
}

/**
 * Two interleaving half circles: class 0 is (cos t, sin t), class 1 (1 − cos t, 0.5 − sin t),
 * t evenly spaced over [0, π], plus noise. Defaults n 200, noise 0.1.
 */
export function moons(options: SyntheticOptions = {}): Points2D {
  const { n, noise, rng } = settings('moons', options, 200, 0.1);
  const upper = Math.floor(n / 2);
  return build(n, noise, rng, (i) => {
    const [label, k, size] = i < upper ? [0, i, upper] : [1, i - upper, n - upper];
    const t = size > 1 ? (Math.PI * k) / (size - 1) : 0;
    return label === 0 ? [Math.cos(t), Math.sin(t), 0] : [1 - Math.cos(t), 0.5 - Math.sin(t), 1];
  });
}

/**
 * Interleaved spiral arms, one per class (CS231n's spiral): along arm c the radius grows
 * from 0 to 1 while the angle runs over [4c, 4c + 4] radians, plus noise on the angle.
 * Not linearly separable for any number of classes. Defaults n 300, classes 3, noise 0.2.
 */
export function spiral(options: SyntheticOptions & { classes?: number } = {}): Points2D {
  const classes = options.classes ?? 3;
  checkClasses('spiral', classes);
  const { n, noise, rng } = settings('spiral', options, 300, 0.2);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const [c, k, size] = blockOf(i, n, classes);
    const s = size > 1 ? k / (size - 1) : 0;
    const t = 4 * (c + s) + (noise > 0 ? noise * rng.normal() : 0);
    x[2 * i] = s * Math.sin(t);
    x[2 * i + 1] = s * Math.cos(t);
    y[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/**
 * Gaussian blobs, one per class: class c is centred at radius · (cos 2πc/C, sin 2πc/C)
 * with standard deviation `noise` per coordinate. Defaults n 200, classes 3, noise 0.5,
 * radius 2.
 */
export function gaussians(options: SyntheticOptions & { classes?: number; radius?: number } = {}): Points2D {
  const classes = options.classes ?? 3;
  checkClasses('gaussians', classes);
  const radius = options.radius ?? 2;
  if (!Number.isFinite(radius) || radius < 0) throw new ValueError(`gaussians: radius must be a finite number ≥ 0, got ${radius}`);
  const { n, noise, rng } = settings('gaussians', options, 200, 0.5);
  return build(n, noise, rng, (i) => {
    const [c] = blockOf(i, n, classes);
    const angle = (2 * Math.PI * c) / classes;
    return [radius * Math.cos(angle), radius * Math.sin(angle), c];
  });
}
