/**
 * The small model JSON that `nabla explain` and `nabla gradcheck` read: a fully connected
 * network written out number by number, as the notes' worked examples give it.
 *
 *     {
 *       "description": "2-2-2 sigmoid network from notes file 003",   (optional)
 *       "sizes": [2, 2, 2],                        n_0 (inputs), n_1, …, n_L
 *       "weights": [[[0.15, 0.20], [0.25, 0.30]],  W^(1): n_1 rows of n_0 numbers (row k = neuron k's weights)
 *                   [[0.40, 0.45], [0.50, 0.55]]], W^(2): n_2 rows of n_1 numbers
 *       "biases": [[0.35, 0.35], [0.60, 0.60]],    b^(l): n_l numbers, or one number shared by the layer
 *       "activation": "sigmoid",                   one name for every layer, or one per layer: ["relu", "sigmoid"]
 *       "cost": "halfSSE",                         a name nn.loss() knows: halfSSE, mse, bce, crossEntropy, …
 *       "reduction": "sum",                        (optional) the cost's reduction; default: the cost's own
 *       "learningRate": 0.5,                       (optional) λ for the gradient step
 *       "input": [0.05, 0.10],                     (optional) x: [n_0], or [[…], …] for a batch
 *       "target": [0.01, 0.99],                    (optional) y: [n_L], or [[…], …]
 *       "labels": { "neurons": [["i1","i2"], ["h1","h2"], ["o1","o2"]],
 *                   "weights": [[["w1","w2"], ["w3","w4"]], [["w5","w6"], ["w7","w8"]]] },  (optional)
 *       "notesPrinted": [{ "quantity": "a", "layer": 2, "index": [0, 0], "printed": 0.0524,
 *                          "comment": "…" }]         (optional) numbers the notes print differently
 *     }
 *
 * Activation names are those of nn.activation() ('sigmoid', 'tanh', 'relu', 'softRelu',
 * 'leakyRelu', 'softmax', 'identity', …). Parameters are float64.
 */
import { Linear, Sequential, activation, loss as lossByName, type Loss, type Reduction } from '../nn/index.js';
import { FormatError, ShapeError, ValueError } from '../tensor/index.js';
import type { NotesPrinted, TraceLabels } from './types.js';

/** The model JSON, as documented above. */
export interface ModelJson {
  description?: string;
  sizes: number[];
  weights: number[][][];
  biases: (number[] | number)[];
  activation: string | string[];
  cost: string;
  reduction?: Reduction;
  learningRate?: number;
  input?: number[] | number[][];
  target?: number[] | number[][];
  labels?: TraceLabels;
  notesPrinted?: NotesPrinted[];
}

/** A model JSON turned into nabla objects. */
export interface LoadedModel {
  /** Sequential(Linear, activation, Linear, activation, …), float64, with the file's weights. */
  model: Sequential;
  loss: Loss;
  /** The cost's name as the file gives it. */
  costName: string;
  sizes: number[];
  /** One activation name per layer 1..L. */
  activations: string[];
  input?: number[][];
  target?: number[][];
  learningRate?: number;
  labels?: TraceLabels;
  notesPrinted?: NotesPrinted[];
  description?: string;
}

const KNOWN_FIELDS = ['description', 'sizes', 'weights', 'biases', 'activation', 'cost', 'reduction', 'learningRate', 'input', 'target', 'labels', 'notesPrinted'];
const QUANTITIES = ['z', 'a', 'dCda', 'fprime', 'delta', 'dW', 'db', 'updatedWeight', 'updatedBias', 'loss'];

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const describeValue = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? `an array of ${v.length}` : typeof v === 'string' ? JSON.stringify(v) : typeof v);

function numberList(src: string, field: string, v: unknown, length?: number): number[] {
  if (!Array.isArray(v)) throw new FormatError(`${src}: "${field}" must be an array of numbers, got ${describeValue(v)}`);
  const bad = v.findIndex((x) => !isNum(x));
  if (bad >= 0) throw new FormatError(`${src}: "${field}[${bad}]" must be a finite number, got ${describeValue(v[bad])}`);
  if (length !== undefined && v.length !== length) throw new ShapeError(`${src}: "${field}" must hold ${length} numbers, got ${v.length}`);
  return v as number[];
}

/** [n] or [[n], …] → rows of n numbers. */
function examples(src: string, field: string, v: unknown, n: number): number[][] {
  if (!Array.isArray(v) || v.length === 0) throw new FormatError(`${src}: "${field}" must be [${n} numbers] or a list of such rows, got ${describeValue(v)}`);
  if (Array.isArray(v[0])) return v.map((row, i) => numberList(src, `${field}[${i}]`, row, n));
  return [numberList(src, field, v, n)];
}

function stringGrid(src: string, field: string, v: unknown, depth: number): void {
  if (depth === 0) {
    if (typeof v !== 'string') throw new FormatError(`${src}: "${field}" must be a string, got ${describeValue(v)}`);
    return;
  }
  if (!Array.isArray(v)) throw new FormatError(`${src}: "${field}" must be an array, got ${describeValue(v)}`);
  v.forEach((x, i) => stringGrid(src, `${field}[${i}]`, x, depth - 1));
}

function checkLabels(src: string, v: unknown, sizes: number[]): TraceLabels {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FormatError(`${src}: "labels" must be an object with "neurons", "weights" or "biases"`);
  const labels = v as Record<string, unknown>;
  const L = sizes.length - 1;
  if (labels.neurons !== undefined) {
    stringGrid(src, 'labels.neurons', labels.neurons, 2);
    const neurons = labels.neurons as string[][];
    if (neurons.length !== L + 1) throw new ShapeError(`${src}: "labels.neurons" must have ${L + 1} lists (layers 0..${L}), got ${neurons.length}`);
    neurons.forEach((row, l) => { if (row.length !== sizes[l]) throw new ShapeError(`${src}: "labels.neurons[${l}]" must name ${sizes[l]} neurons, got ${row.length}`); });
  }
  if (labels.weights !== undefined) {
    stringGrid(src, 'labels.weights', labels.weights, 3);
    const weights = labels.weights as string[][][];
    if (weights.length !== L) throw new ShapeError(`${src}: "labels.weights" must have ${L} matrices, got ${weights.length}`);
    weights.forEach((m, l) => {
      if (m.length !== sizes[l + 1] || m.some((r) => r.length !== sizes[l])) throw new ShapeError(`${src}: "labels.weights[${l}]" must be ${sizes[l + 1]}×${sizes[l]}, like weights[${l}]`);
    });
  }
  if (labels.biases !== undefined) {
    stringGrid(src, 'labels.biases', labels.biases, 2);
    const biases = labels.biases as string[][];
    if (biases.length !== L || biases.some((b, l) => b.length !== sizes[l + 1])) throw new ShapeError(`${src}: "labels.biases" must have ${L} lists of ${sizes.slice(1).join(', ')} names`);
  }
  return labels as TraceLabels;
}

function checkNotesPrinted(src: string, v: unknown): NotesPrinted[] {
  if (!Array.isArray(v)) throw new FormatError(`${src}: "notesPrinted" must be an array, got ${describeValue(v)}`);
  return v.map((e, i) => {
    const f = `notesPrinted[${i}]`;
    if (e === null || typeof e !== 'object') throw new FormatError(`${src}: "${f}" must be an object`);
    const entry = e as Record<string, unknown>;
    if (typeof entry.quantity !== 'string' || !QUANTITIES.includes(entry.quantity)) throw new FormatError(`${src}: "${f}.quantity" must be one of ${QUANTITIES.join(', ')}, got ${describeValue(entry.quantity)}`);
    if (!isNum(entry.printed)) throw new FormatError(`${src}: "${f}.printed" must be a number, got ${describeValue(entry.printed)}`);
    if (entry.quantity !== 'loss') {
      if (!(Number.isInteger(entry.layer) && (entry.layer as number) >= 1)) throw new FormatError(`${src}: "${f}.layer" must be a layer number 1..L, got ${describeValue(entry.layer)}`);
      numberList(src, `${f}.index`, entry.index);
    }
    if (entry.comment !== undefined && typeof entry.comment !== 'string') throw new FormatError(`${src}: "${f}.comment" must be a string`);
    return entry as unknown as NotesPrinted;
  });
}

/**
 * Reads a model JSON (text or parsed value; format above) into a float64 Sequential, its
 * loss and the example. Errors name the field: a FormatError for missing or ill-typed
 * fields, a ShapeError for sizes that do not fit. `source` (e.g. the file name) starts
 * every message.
 */
export function loadModelJson(json: unknown, source = 'model JSON'): LoadedModel {
  const src = source;
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new FormatError(`${src}: not valid JSON (${(e as Error).message})`);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FormatError(`${src}: expected a JSON object with "sizes", "weights", "biases", "activation" and "cost"`);
  const m = value as Record<string, unknown>;
  for (const field of ['sizes', 'weights', 'biases', 'activation', 'cost']) {
    if (m[field] === undefined) throw new FormatError(`${src}: missing "${field}"`);
  }
  const unknown = Object.keys(m).filter((k) => !KNOWN_FIELDS.includes(k));
  if (unknown.length) throw new FormatError(`${src}: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${KNOWN_FIELDS.join(', ')})`);

  const sizes = numberList(src, 'sizes', m.sizes);
  if (sizes.length < 2) throw new ShapeError(`${src}: "sizes" needs at least 2 entries (inputs and outputs), got ${sizes.length}`);
  sizes.forEach((s, i) => { if (!(Number.isInteger(s) && s >= 1)) throw new FormatError(`${src}: "sizes[${i}]" must be a positive integer, got ${s}`); });
  const L = sizes.length - 1;

  if (!Array.isArray(m.weights)) throw new FormatError(`${src}: "weights" must be a list of ${L} matrices, got ${describeValue(m.weights)}`);
  if (m.weights.length !== L) throw new ShapeError(`${src}: "weights" must hold ${L} matrices (one per layer for sizes [${sizes.join(', ')}]), got ${m.weights.length}`);
  const weights = m.weights.map((w: unknown, l: number) => {
    const f = `weights[${l}]`;
    if (!Array.isArray(w)) throw new FormatError(`${src}: "${f}" must be a matrix (${sizes[l + 1]} rows of ${sizes[l]} numbers), got ${describeValue(w)}`);
    if (w.length !== sizes[l + 1]) throw new ShapeError(`${src}: "${f}" must have ${sizes[l + 1]} rows (sizes[${l + 1}] = ${sizes[l + 1]} neurons), got ${w.length}`);
    return w.map((row: unknown, k: number) => numberList(src, `${f}[${k}]`, row, sizes[l]));
  });

  if (!Array.isArray(m.biases)) throw new FormatError(`${src}: "biases" must be a list of ${L} vectors, got ${describeValue(m.biases)}`);
  if (m.biases.length !== L) throw new ShapeError(`${src}: "biases" must hold ${L} vectors (one per layer), got ${m.biases.length}`);
  const biases = m.biases.map((b: unknown, l: number) => (isNum(b) ? new Array<number>(sizes[l + 1]).fill(b) : numberList(src, `biases[${l}]`, b, sizes[l + 1])));

  const acts = typeof m.activation === 'string' ? new Array<string>(L).fill(m.activation) : m.activation;
  if (!Array.isArray(acts) || acts.some((a) => typeof a !== 'string')) throw new FormatError(`${src}: "activation" must be a name or a list of ${L} names, got ${describeValue(m.activation)}`);
  if (acts.length !== L) throw new ShapeError(`${src}: "activation" must name ${L} activations (one per layer), got ${acts.length}`);

  const model = new Sequential();
  weights.forEach((w, l) => {
    const linear = new Linear(sizes[l], sizes[l + 1], { dtype: 'float64' });
    linear.weight.assign(w.flat());
    linear.bias?.assign(biases[l]);
    model.add(linear);
    try {
      model.add(activation(acts[l] as string));
    } catch (e) {
      throw new FormatError(`${src}: "activation${typeof m.activation === 'string' ? '' : `[${l}]`}": ${(e as Error).message}`);
    }
  });

  if (typeof m.cost !== 'string') throw new FormatError(`${src}: "cost" must be a loss name, got ${describeValue(m.cost)}`);
  if (m.reduction !== undefined && typeof m.reduction !== 'string') throw new FormatError(`${src}: "reduction" must be 'sum', 'mean' or 'batchmean'`);
  let lossModule: Loss;
  try {
    lossModule = lossByName(m.cost, m.reduction !== undefined ? { reduction: m.reduction as Reduction } : {});
  } catch (e) {
    throw new FormatError(`${src}: "${e instanceof ValueError && /reduction/.test(e.message) ? 'reduction' : 'cost'}": ${(e as Error).message}`);
  }
  if (m.learningRate !== undefined && !isNum(m.learningRate)) throw new FormatError(`${src}: "learningRate" must be a number, got ${describeValue(m.learningRate)}`);
  if (m.description !== undefined && typeof m.description !== 'string') throw new FormatError(`${src}: "description" must be a string`);

  return {
    model, loss: lossModule, costName: m.cost, sizes, activations: acts as string[],
    ...(m.input !== undefined ? { input: examples(src, 'input', m.input, sizes[0]) } : {}),
    ...(m.target !== undefined ? { target: examples(src, 'target', m.target, sizes[L]) } : {}),
    ...(m.learningRate !== undefined ? { learningRate: m.learningRate as number } : {}),
    ...(m.labels !== undefined ? { labels: checkLabels(src, m.labels, sizes) } : {}),
    ...(m.notesPrinted !== undefined ? { notesPrinted: checkNotesPrinted(src, m.notesPrinted) } : {}),
    ...(m.description !== undefined ? { description: m.description as string } : {}),
  };
}
