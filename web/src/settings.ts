/**
 * Every choice the page offers, their defaults, and their round trip through the URL's query
 * string, so that a lesson can link a ready-made configuration.
 */

export type Task = 'classify' | 'regress';
export type Dataset2D = 'xor' | 'circles' | 'gaussians' | 'spiral' | 'moons' | 'custom';
export type Dataset1D = 'sine' | 'step' | 'abs' | 'custom';
export type OptimizerName = 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam';
export type Regularization = 'none' | 'l1' | 'l2';

/** One point of a dataset: x1, x2 and a class (2-D), or x and a target value (1-D, x2 unused). */
export interface Point {
  x: number;
  y: number;
  /** Class index (classification) or target value (regression). */
  label: number;
  /** Held out for the test loss. */
  test: boolean;
}

export interface Settings {
  task: Task;
  dataset: Dataset2D | Dataset1D;
  /** Classes of spiral and gaussians (2–5). */
  classes: number;
  /** Noise as a fraction of the dataset's own range (0–1). */
  noise: number;
  /** Number of generated points. */
  points: number;
  /** Fraction of the points used for training (the rest is the test set). */
  trainRatio: number;
  /** Seeds the data, the split and the initial weights. */
  seed: number;
  /** Neurons per hidden layer. */
  layers: number[];
  /** Activation per hidden layer (names of nb.nn.activation). */
  activations: string[];
  /** Dropout probability after every hidden layer. */
  dropout: number;
  cost: string;
  optimizer: OptimizerName;
  lr: number;
  batchSize: number;
  regularization: Regularization;
  lambda: number;
  init: string;
  /** The user's own points, when dataset is 'custom'. */
  custom: Point[];
}

/** The notes' activations, in the order of their table, and the common modern ones. */
export const ACTIVATIONS: readonly { name: string; label: string; noGradient?: boolean }[] = [
  { name: 'identity', label: 'Linear' },
  { name: 'step', label: 'Unit step', noGradient: true },
  { name: 'sign', label: 'Sign', noGradient: true },
  { name: 'piecewiseLinear', label: 'Piece-wise linear' },
  { name: 'sigmoid', label: 'Sigmoid' },
  { name: 'tanh', label: 'Tanh' },
  { name: 'relu', label: 'ReLU' },
  { name: 'softplus', label: 'Soft ReLU' },
  { name: 'leakyRelu', label: 'Leaky ReLU' },
  { name: 'elu', label: 'ELU' },
  { name: 'gelu', label: 'GELU' },
  { name: 'silu', label: 'SiLU (swish)' },
];

export const CLASSIFY_COSTS: readonly { name: string; label: string }[] = [
  { name: 'crossEntropy', label: 'Cross-entropy' },
  { name: 'bce', label: 'Binary cross-entropy' },
  { name: 'mse', label: 'Squared error' },
];

export const REGRESS_COSTS: readonly { name: string; label: string }[] = [
  { name: 'mse', label: 'Squared error' },
  { name: 'l1', label: 'Absolute error' },
  { name: 'huber', label: 'Huber' },
];

export const OPTIMIZERS: readonly { name: OptimizerName; label: string }[] = [
  { name: 'sgd', label: 'SGD' },
  { name: 'momentum', label: 'SGD + momentum' },
  { name: 'adagrad', label: 'Adagrad' },
  { name: 'rmsprop', label: 'RMSprop' },
  { name: 'adam', label: 'Adam' },
];

export const INITS: readonly { name: string; label: string }[] = [
  { name: 'default', label: 'Default U(±1/√n)' },
  { name: 'he', label: 'He normal' },
  { name: 'heUniform', label: 'He uniform' },
  { name: 'glorot', label: 'Glorot uniform' },
  { name: 'glorotNormal', label: 'Glorot normal' },
  { name: 'lecun', label: 'LeCun normal' },
  { name: 'normal', label: 'Normal N(0, 1)' },
  { name: 'uniformSymmetric', label: 'Uniform [−1, 1]' },
  { name: 'uniform', label: 'Uniform [0, 1]' },
  { name: 'zeros', label: 'Zeros' },
];

export const DATASETS_2D: readonly { name: Dataset2D; label: string }[] = [
  { name: 'xor', label: 'XOR' },
  { name: 'circles', label: 'Circles' },
  { name: 'gaussians', label: 'Gaussians' },
  { name: 'moons', label: 'Moons' },
  { name: 'spiral', label: 'Spiral' },
  { name: 'custom', label: 'Your points' },
];

export const DATASETS_1D: readonly { name: Dataset1D; label: string }[] = [
  { name: 'sine', label: 'sin x' },
  { name: 'step', label: 'Step' },
  { name: 'abs', label: '|x|' },
  { name: 'custom', label: 'Your points' },
];

export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const LAMBDAS = [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 10;
export const MAX_CLASSES = 5;

export function defaults(task: Task = 'classify'): Settings {
  const shared = { seed: 1, dropout: 0, optimizer: 'adam' as const, regularization: 'none' as const, lambda: 0.001, init: 'default', custom: [] };
  if (task === 'regress') {
    return {
      ...shared, task, dataset: 'sine', classes: 2, noise: 0.05, points: 60, trainRatio: 0.7,
      layers: [8], activations: ['relu'], cost: 'mse', lr: 0.03, batchSize: 10,
    };
  }
  return {
    ...shared, task, dataset: 'xor', classes: 3, noise: 0.2, points: 200, trainRatio: 0.5,
    layers: [4, 4], activations: ['tanh', 'tanh'], cost: 'crossEntropy', lr: 0.03, batchSize: 10,
  };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** Settings made consistent: lengths agree, numbers in range, names known. */
export function normalize(s: Settings): Settings {
  const base = defaults(s.task === 'regress' ? 'regress' : 'classify');
  const out: Settings = { ...base, ...s, task: base.task };
  const names2 = DATASETS_2D.map((d) => d.name) as string[];
  const names1 = DATASETS_1D.map((d) => d.name) as string[];
  if (!(out.task === 'classify' ? names2 : names1).includes(out.dataset)) out.dataset = base.dataset;
  out.classes = clamp(Math.round(out.classes) || base.classes, 2, MAX_CLASSES);
  out.noise = clamp(Number.isFinite(out.noise) ? out.noise : base.noise, 0, 1);
  out.points = clamp(Math.round(out.points) || base.points, 10, 1000);
  out.trainRatio = clamp(Number.isFinite(out.trainRatio) ? out.trainRatio : base.trainRatio, 0.1, 0.9);
  out.seed = Number.isSafeInteger(out.seed) ? out.seed : base.seed;
  out.layers = out.layers.slice(0, MAX_LAYERS).map((n) => clamp(Math.round(n) || 1, 1, MAX_NEURONS));
  const actNames = ACTIVATIONS.map((a) => a.name);
  out.activations = out.layers.map((_, i) => {
    const a = out.activations[i] ?? out.activations[out.activations.length - 1] ?? base.activations[0];
    return actNames.includes(a) ? a : base.activations[0];
  });
  out.dropout = clamp(Number.isFinite(out.dropout) ? out.dropout : 0, 0, 0.9);
  const costs = (out.task === 'classify' ? CLASSIFY_COSTS : REGRESS_COSTS).map((c) => c.name);
  if (!costs.includes(out.cost)) out.cost = base.cost;
  if (!OPTIMIZERS.some((o) => o.name === out.optimizer)) out.optimizer = base.optimizer;
  out.lr = Number.isFinite(out.lr) && out.lr > 0 ? out.lr : base.lr;
  out.batchSize = clamp(Math.round(out.batchSize) || base.batchSize, 1, 1000);
  if (!['none', 'l1', 'l2'].includes(out.regularization)) out.regularization = 'none';
  out.lambda = Number.isFinite(out.lambda) && out.lambda >= 0 ? out.lambda : base.lambda;
  if (!INITS.some((i) => i.name === out.init)) out.init = base.init;
  return out;
}

/** Short URL keys, so that links stay readable. */
const KEYS: Record<Exclude<keyof Settings, 'custom'>, string> = {
  task: 'task', dataset: 'data', classes: 'classes', noise: 'noise', points: 'n', trainRatio: 'train', seed: 'seed',
  layers: 'layers', activations: 'act', dropout: 'dropout', cost: 'cost', optimizer: 'opt', lr: 'lr',
  batchSize: 'batch', regularization: 'reg', lambda: 'lambda', init: 'init',
};

/** Custom points as 'x,y,label[,t]' joined by ';' (t marks a test point). */
export function encodePoints(points: readonly Point[]): string {
  const num = (v: number): string => String(Math.round(v * 1000) / 1000);
  return points.map((p) => `${num(p.x)},${num(p.y)},${num(p.label)}${p.test ? ',t' : ''}`).join(';');
}

export function decodePoints(text: string): Point[] {
  const out: Point[] = [];
  for (const part of text.split(';')) {
    const [x, y, label, t] = part.split(',');
    const p = { x: Number(x), y: Number(y), label: Number(label), test: t === 't' };
    if (Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.label)) out.push(p);
  }
  return out;
}

/** The settings that differ from the defaults, as a query string (without '?'). */
export function toQuery(s: Settings): string {
  const base = defaults(s.task);
  const q = new URLSearchParams();
  for (const [key, short] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const v = s[key];
    const text = Array.isArray(v) ? v.join('-') : String(v);
    const baseValue = base[key];
    const baseText = Array.isArray(baseValue) ? baseValue.join('-') : String(baseValue);
    if (text !== baseText || key === 'task') q.set(short, text);
  }
  if (s.dataset === 'custom' && s.custom.length) q.set('pts', encodePoints(s.custom));
  return q.toString();
}

/** Settings from a query string; anything missing or malformed falls back to the defaults. */
export function fromQuery(query: string): Settings {
  const q = new URLSearchParams(query);
  const task: Task = q.get('task') === 'regress' ? 'regress' : 'classify';
  const s = defaults(task) as unknown as Record<string, unknown>;
  for (const [key, short] of Object.entries(KEYS)) {
    const text = q.get(short);
    if (text === null || key === 'task') continue;
    const current = s[key];
    if (Array.isArray(current)) {
      s[key] = text === '' ? [] : text.split('-').map((t) => (typeof current[0] === 'number' || key === 'layers' ? Number(t) : t));
    } else if (typeof current === 'number') {
      s[key] = Number(text);
    } else {
      s[key] = text;
    }
  }
  const settings = s as unknown as Settings;
  const pts = q.get('pts');
  if (pts) settings.custom = decodePoints(pts);
  return normalize(settings);
}
