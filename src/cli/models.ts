/**
 * The models `nabla train --model` builds: `mlp` ([in]-hidden-[out]), `cnn` (LeNet-class, for
 * 28×28 images), or an architecture from a JSON file (see README: a `model.config()` tree or
 * a simple {"layers": [...]} list). Also the output "head" that fits the task and the loss.
 */
import * as nb from '../index.js';
import { CliError, UsageError, readFileOrFail } from './errors.js';
import { parseJson } from './data/json.js';
import type { Task } from './data/tabular.js';

const { nn } = nb;

/** What the model's outputs mean, saved with the model so predict can decode them. */
export type OutputKind = 'logits' | 'log-probabilities' | 'binary-logit' | 'binary-probability' | 'scores' | 'value';

/** How the last layer, the targets and the loss fit together. */
export interface Head {
  /** Units of the last layer. */
  outputs: number;
  /** A layer appended after the last one (Sigmoid for BCE, LogSoftmax for NLL). */
  final: 'sigmoid' | 'logSoftmax' | null;
  /** How class targets are fed to the loss. */
  target: 'index' | 'onehot' | 'binary' | 'value';
  output: OutputKind;
  loss: string;
}

const key = (name: string): string => name.toLowerCase().replace(/[-_\s]/g, '').replace(/loss$/, '');

/** The head for a task, its classes and a loss name (default cross-entropy or MSE). */
export function chooseHead(task: Task, numClasses: number, loss?: string): Head {
  if (task === 'regression') {
    const name = loss ?? 'mse';
    if (!['mse', 'l1', 'mae', 'huber', 'halfsse', 'halfsumsquarederror'].includes(key(name))) {
      throw new UsageError(`--loss ${name} does not fit regression (use mse, l1, huber or halfSSE)`);
    }
    return { outputs: 1, final: null, target: 'value', output: 'value', loss: name };
  }
  const name = loss ?? 'crossEntropy';
  switch (key(name)) {
    case 'crossentropy': case 'ce':
      return { outputs: numClasses, final: null, target: 'index', output: 'logits', loss: name };
    case 'nll':
      return { outputs: numClasses, final: 'logSoftmax', target: 'index', output: 'log-probabilities', loss: name };
    case 'bcewithlogits': case 'bce': case 'binarycrossentropy': {
      if (numClasses !== 2) throw new UsageError(`--loss ${name} needs two classes, but the target has ${numClasses} (use crossEntropy)`);
      const logits = key(name) === 'bcewithlogits';
      return { outputs: 1, final: logits ? null : 'sigmoid', target: 'binary', output: logits ? 'binary-logit' : 'binary-probability', loss: name };
    }
    case 'mse': case 'halfsse': case 'halfsumsquarederror': case 'l1': case 'mae': case 'huber':
      return { outputs: numClasses, final: null, target: 'onehot', output: 'scores', loss: name };
    default:
      throw new UsageError(`--loss ${name} does not fit classification (use crossEntropy, nll, bce, bceWithLogits or mse)`);
  }
}

/** Targets as the loss wants them: class codes stay, or become one-hot rows / a 0-1 column. */
export function encodeTargets(y: nb.Tensor, head: Head): nb.Tensor {
  if (head.target === 'onehot') return nb.data.oneHot(y, head.outputs);
  if (head.target === 'binary') return y.cast('float32').reshape([y.shape[0], 1]);
  return y;
}

function appendFinal(model: nb.nn.Sequential, head: Head): nb.nn.Sequential {
  if (head.final === 'sigmoid') model.add(new nn.Sigmoid());
  if (head.final === 'logSoftmax') model.add(new nn.LogSoftmax(-1));
  return model;
}

const RELU_LIKE = /relu|elu|gelu|silu|swish|softplus/i;

/**
 * [in] → hidden… (activation, dropout) → [out]. Weights start with He initialisation under
 * ReLU-family activations and Glorot otherwise (the notes' advice), biases at zero.
 */
export function mlp(inFeatures: number, hidden: readonly number[], head: Head, activation: string, dropout: number): nb.nn.Sequential {
  const init = RELU_LIKE.test(activation) ? 'he' : 'glorot';
  const model = new nn.Sequential();
  let width = inFeatures;
  for (const units of hidden) {
    model.add(new nn.Linear(width, units, { init }));
    model.add(nn.activation(activation));
    if (dropout > 0) model.add(new nn.Dropout(dropout));
    width = units;
  }
  model.add(new nn.Linear(width, head.outputs, { init }));
  return appendFinal(model, head);
}

/** Shape of one example after running the model on zeros, or a CliError naming the layer that refused. */
function probe(model: nb.nn.Module, inputShape: readonly number[], where: string): number[] {
  try {
    return nb.nn.summary(model, [1, ...inputShape]).outputShape.slice(1);
  } catch (e) {
    if (e instanceof nb.NablaError) throw new CliError(`the model does not fit input ${fmt(inputShape)}: ${e.message}`, where);
    throw e;
  }
}

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * LeNet-class CNN: conv 5×5 (C→8), act, max-pool 2, conv 5×5 (8→16), act, max-pool 2, flatten,
 * (dropout), dense → outputs. Input [N, C, H, W] (MNIST: [N, 1, 28, 28]).
 */
export function cnn(inputShape: readonly number[], head: Head, activation: string, dropout: number): nb.nn.Sequential {
  if (inputShape.length !== 3) throw new UsageError(`the cnn model needs image input [N, C, H, W], but the data gives ${fmt(inputShape)} per example (use --data mnist, or --model mlp)`);
  const features = new nn.Sequential(
    new nn.Conv2d(inputShape[0], 8, 5), nn.activation(activation), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), nn.activation(activation), new nn.MaxPool2d(2), new nn.Flatten(),
  );
  const [flat] = probe(features, inputShape, '--model cnn');
  const model = new nn.Sequential(...features.children());
  if (dropout > 0) model.add(new nn.Dropout(dropout));
  model.add(new nn.Linear(flat, head.outputs));
  return appendFinal(model, head);
}

/** A model architecture read from a JSON file, built once the data's shape is known. */
export interface Architecture {
  path: string;
  /** Whether the first layers are convolutions (the data must be images). */
  images: boolean;
  build(inputShape: readonly number[], head: Head): nb.nn.Module;
}

type LayerSpec = string | { type: string; [k: string]: unknown };

const SIMPLE_TYPES = ['dense', 'linear', 'conv2d', 'maxpool2d', 'avgpool2d', 'flatten', 'dropout', 'batchnorm'];

function hasConv(config: nb.nn.ModuleConfig): boolean {
  return config.type === 'Conv2d' || (config.children ?? []).some(hasConv);
}

function num(spec: Record<string, unknown>, names: string[], where: string, fallback?: number): number {
  for (const n of names) if (spec[n] !== undefined) {
    const v = spec[n];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CliError(`"${n}" must be a number, got ${JSON.stringify(v)}`, where);
    return v;
  }
  if (fallback === undefined) throw new CliError(`missing "${names[0]}"`, where);
  return fallback;
}

/** Builds one layer of the simple format for an input of shape `shape` (batch axis excluded). */
function simpleLayer(spec: LayerSpec, shape: readonly number[], last: boolean, head: Head, where: string): nb.nn.Module {
  const s: Record<string, unknown> = typeof spec === 'string' ? { type: spec } : spec;
  const type = typeof s.type === 'string' ? s.type.toLowerCase().replace(/[-_\s]/g, '') : '';
  switch (type) {
    case 'dense': case 'linear': {
      if (shape.length !== 1) throw new CliError(`a dense layer needs flat input, got ${fmt(shape)} per example (add {"type": "flatten"} before it)`, where);
      const units = last && s.units === undefined ? head.outputs : num(s, ['units', 'outFeatures'], where);
      return new nn.Linear(shape[0], units, { bias: s.bias !== false, ...(typeof s.init === 'string' ? { init: s.init as nb.nn.InitName } : {}) });
    }
    case 'conv2d': {
      if (shape.length !== 3) throw new CliError(`conv2d needs image input [C, H, W], got ${fmt(shape)} per example`, where);
      return new nn.Conv2d(shape[0], num(s, ['filters', 'outChannels'], where), num(s, ['kernelSize', 'kernel'], where), {
        stride: num(s, ['stride'], where, 1), padding: num(s, ['padding'], where, 0),
      });
    }
    case 'maxpool2d': return new nn.MaxPool2d(num(s, ['kernelSize', 'size'], where, 2));
    case 'avgpool2d': return new nn.AvgPool2d(num(s, ['kernelSize', 'size'], where, 2));
    case 'flatten': return new nn.Flatten();
    case 'dropout': return new nn.Dropout(num(s, ['p', 'rate'], where, 0.5));
    case 'batchnorm': return shape.length === 3 ? new nn.BatchNorm2d(shape[0]) : new nn.BatchNorm1d(shape[0]);
    default:
      try {
        return nn.activation(String(s.type));
      } catch {
        throw new CliError(`unknown layer type ${JSON.stringify(s.type)} (layers: ${SIMPLE_TYPES.join(', ')}, or an activation: relu, tanh, sigmoid, …)`, where);
      }
  }
}

function buildSimple(layers: LayerSpec[], path: string, inputShape: readonly number[], head: Head): nb.nn.Module {
  const model = new nn.Sequential();
  let shape = [...inputShape];
  const lastDense = layers.map((l) => (typeof l === 'string' ? l : String(l.type)).toLowerCase()).map((t) => t === 'dense' || t === 'linear').lastIndexOf(true);
  layers.forEach((spec, i) => {
    const where = `${path}: layers[${i}]`;
    let layer: nb.nn.Module;
    try {
      layer = simpleLayer(spec, shape, i === lastDense, head, where);
    } catch (e) {
      if (e instanceof nb.NablaError) throw new CliError(e.message, where);
      throw e;
    }
    model.add(layer);
    shape = probe(layer, shape, where);
  });
  if (shape.length !== 1 || shape[0] !== head.outputs) {
    throw new CliError(`the model outputs ${fmt(shape)} per example, but the data needs ${head.outputs} output${head.outputs === 1 ? '' : 's'} (leave out "units" on the last dense layer to get the right number)`, path);
  }
  return appendFinal(model, head);
}

/** Reads a JSON architecture: a ModuleConfig ({"type": "Sequential", "children": [...]}) or {"layers": [...]}. */
export async function readArchitecture(path: string): Promise<Architecture> {
  const text = (await readFileOrFail(path, 'the model architecture')).toString('utf8');
  const json = parseJson(text, path, 'the model architecture') as Record<string, unknown> | null;
  if (json && typeof json === 'object' && Array.isArray(json.layers)) {
    const layers = json.layers as LayerSpec[];
    if (layers.length === 0) throw new CliError('"layers" is empty', path);
    layers.forEach((l, i) => {
      if (typeof l !== 'string' && (!l || typeof l !== 'object' || typeof l.type !== 'string')) throw new CliError('each layer must be a name ("relu") or an object with a "type"', `${path}: layers[${i}]`);
    });
    const images = layers.some((l) => typeof l !== 'string' && /^conv/i.test(l.type));
    return { path, images, build: (inputShape, head) => buildSimple(layers, path, inputShape, head) };
  }
  if (json && typeof json === 'object' && typeof json.type === 'string') {
    const config = json as unknown as nb.nn.ModuleConfig;
    return {
      path,
      images: hasConv(config),
      build: (inputShape, head) => {
        let model: nb.nn.Module;
        try {
          model = nn.moduleFromConfig(config);
        } catch (e) {
          if (e instanceof nb.NablaError) throw new CliError(e.message, path);
          throw e;
        }
        const out = probe(model, inputShape, path);
        if (out.length !== 1 || out[0] !== head.outputs) {
          throw new CliError(`the model outputs ${fmt(out)} per example, but the data needs ${head.outputs} output${head.outputs === 1 ? '' : 's'}`, path);
        }
        return model;
      },
    };
  }
  throw new CliError('expected {"layers": [...]} or a module config with a "type" (as model.config() writes)', path);
}
