/**
 * The network the settings describe, built from nabla modules, and the pieces training
 * needs around it: the cost, the targets in the cost's form, the optimizer and the penalty.
 */
import * as nb from 'nabla';
import type { Point, Settings } from './settings.js';

/** A nabla model plus where its layers sit inside the Sequential. */
export interface Network {
  model: nb.nn.Sequential;
  /** The Linear modules, input side first: layer l of the notes is linears[l − 1]. */
  linears: nb.nn.Linear[];
  /** Index in the Sequential of each layer's activation output (hidden layers, then the output). */
  outputIndex: number[];
  /** Width of each layer, the inputs first: [2, 4, 4, 2]. */
  sizes: number[];
  /** Activation names per layer after the input (the output's: 'softmax', 'sigmoid' or 'identity'). */
  activations: string[];
  /** How the outputs become class probabilities or a value. */
  head: 'softmax' | 'sigmoid1' | 'sigmoid' | 'value';
  /** The nb.nn.loss name of the cost. */
  loss: string;
}

/** Outputs of the last layer, given the task, the classes and the cost. */
function headOf(s: Settings, classes: number): { head: Network['head']; width: number; loss: string; outAct: string } {
  if (s.task === 'regress') return { head: 'value', width: 1, loss: s.cost, outAct: 'identity' };
  if (s.cost === 'bce' && classes === 2) return { head: 'sigmoid1', width: 1, loss: 'bce', outAct: 'sigmoid' };
  if (s.cost === 'mse') return { head: 'sigmoid', width: classes, loss: 'mse', outAct: 'sigmoid' };
  return { head: 'softmax', width: classes, loss: 'crossEntropy', outAct: 'softmax' };
}

/** Builds the model with weights drawn from the seed. */
export function buildNetwork(s: Settings, classes: number): Network {
  nb.manualSeed(s.seed);
  const { head, width, loss, outAct } = headOf(s, classes);
  const inputs = s.task === 'regress' ? 1 : 2;
  const sizes = [inputs, ...s.layers, width];
  const model = new nb.nn.Sequential();
  const linears: nb.nn.Linear[] = [];
  const outputIndex: number[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const linear = new nb.nn.Linear(sizes[l - 1], sizes[l], { init: s.init as nb.nn.InitName });
    linears.push(linear);
    model.add(linear);
    const hidden = l < sizes.length - 1;
    if (hidden) {
      model.add(nb.nn.activation(s.activations[l - 1]));
      outputIndex.push(model.length - 1);
      if (s.dropout > 0) model.add(new nb.nn.Dropout(s.dropout));
    } else if (outAct === 'sigmoid') {
      model.add(new nb.nn.Sigmoid());
      outputIndex.push(model.length - 1);
    } else {
      outputIndex.push(model.length - 1);
    }
  }
  return { model, linears, outputIndex, sizes, activations: [...s.activations, outAct], head, loss };
}

/** The targets of the points in the form the cost takes. */
export function targetsOf(net: Network, points: readonly Point[]): nb.Tensor {
  const n = points.length;
  if (net.head === 'softmax') return nb.tensor(Int32Array.from(points, (p) => p.label), { shape: [n] });
  if (net.head === 'sigmoid') return nb.data.oneHot(points.map((p) => p.label), net.sizes[net.sizes.length - 1], { dtype: 'float32' });
  return nb.tensor(Float32Array.from(points, (p) => p.label), { shape: [n, 1] });
}

/** The optimizer the settings name, over the model's parameters. */
export function makeOptimizer(s: Settings, params: nb.Tensor[]): nb.optim.Optimizer {
  switch (s.optimizer) {
    case 'sgd': return new nb.optim.SGD(params, { lr: s.lr });
    case 'momentum': return new nb.optim.SGD(params, { lr: s.lr, momentum: 0.9 });
    case 'adagrad': return new nb.optim.Adagrad(params, { lr: s.lr });
    case 'rmsprop': return new nb.optim.RMSprop(params, { lr: s.lr });
    default: return new nb.optim.Adam(params, { lr: s.lr });
  }
}

/** The L1/L2 term added to each batch's cost, scaled by the training-set size m as in the notes. */
export function penaltyOf(s: Settings, model: nb.nn.Module, m: number): nb.Tensor | null {
  if (s.regularization === 'none' || s.lambda === 0) return null;
  const options = { lambda: s.lambda, m: Math.max(1, m) };
  return s.regularization === 'l1' ? nb.nn.l1Penalty(model, options) : nb.nn.l2Penalty(model, options);
}

/** Everything a forward pass shows: each layer's activations [n, width] and per-class probabilities. */
export interface Probe {
  /** layers[0] is the input; layers[l] the output of layer l (after its activation). */
  layers: Float32Array[];
  /** Per point, the probability of each class (classification) or the value (regression): [n, classes or 1]. */
  output: Float32Array;
}

/** Runs x [n, inputs] through the model in evaluation mode, keeping every layer's output. */
export function probe(net: Network, x: nb.Tensor): Probe {
  const wasTraining = net.model.training;
  net.model.eval();
  try {
    return nb.noGrad(() => {
      const layers: Float32Array[] = [x.dataSync() as Float32Array];
      let out = x;
      net.model.children().forEach((m, i) => {
        out = m.forward(out);
        if (net.outputIndex.includes(i)) layers.push(out.dataSync() as Float32Array);
      });
      let output: nb.Tensor = out;
      if (net.head === 'softmax') output = out.softmax(-1);
      else if (net.head === 'sigmoid1') output = nb.concat([out.neg().add(1), out], 1);
      else if (net.head === 'sigmoid') output = out.div(out.sum(1, true).add(1e-12));
      return { layers, output: output.dataSync() as Float32Array };
    });
  } finally {
    net.model.train(wasTraining);
  }
}

/** Parameters as plain arrays, to restore them after a diverging step. */
export function snapshot(model: nb.nn.Module): Float32Array[] {
  return model.parameters().map((p) => p.dataSync() as Float32Array);
}

export function restore(model: nb.nn.Module, saved: readonly Float32Array[]): void {
  model.parameters().forEach((p, i) => p.assign(saved[i]));
}

/** True when every parameter is a finite number. */
export function allFinite(model: nb.nn.Module): boolean {
  return model.parameters().every((p) => p.data.every(Number.isFinite));
}

/**
 * The model as the notes draw it, for nb.explain.backprop: the same Linear and activation
 * modules (shared, so the weights are the live ones) without Dropout (the identity when
 * evaluating), and with the softmax that cross-entropy applies made an explicit last layer.
 */
export function traceModel(net: Network): nb.nn.Sequential {
  const model = new nb.nn.Sequential();
  for (const m of net.model.children()) if (!(m instanceof nb.nn.Dropout)) model.add(m);
  if (net.head === 'softmax') model.add(new nb.nn.Softmax());
  return model;
}

/** The target vector y of one point, in the trace model's output form. */
export function traceTarget(net: Network, label: number): number[] {
  const width = net.sizes[net.sizes.length - 1];
  if (net.head === 'softmax' || net.head === 'sigmoid') return Array.from({ length: width }, (_, k) => (k === label ? 1 : 0));
  return [label];
}
