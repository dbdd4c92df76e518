/**
 * Tooltips of the network view: a neuron's bias, its gradient on the last batch, and its
 * z, a and δ for the traced example; an edge's weight and gradients.
 */
import * as nb from 'nabla';
import type { App } from './app.js';
import { fmt } from './dom.js';
import type { Hover } from './render/network-view.js';

type Trace = nb.explain.BackpropTrace;

const sub = (s: string | number): string => `<sub>${s}</sub>`;
const sup = (l: number): string => `<sup>(${l})</sup>`;
const row = (key: string, value: number | string): string => `<div><span class="k">${key}</span> <b>${typeof value === 'number' ? fmt(value) : value}</b></div>`;

/** Entry i of a tensor's gradient, or NaN before any backward pass. */
function gradAt(t: nb.Tensor, i: number): number {
  return t.grad ? t.grad.dataSync()[i] : Number.NaN;
}

export function describeHover(app: App, hover: Hover, trace: Trace | null): string {
  const net = app.net;
  const L = net.sizes.length - 1;
  const traceNote = '<div class="note">Trace a point (click it on the plot) to see the values for one example.</div>';
  if (hover.node) {
    const { l, j } = hover.node;
    if (l === 0) {
      const name = app.settings.task === 'regress' ? 'x' : `x${sub(j + 1)}`;
      const parts = [`<div class="t">Input ${name}</div>`];
      parts.push(trace ? row(`value for the traced example`, trace.input[0][j]) : traceNote);
      return parts.join('');
    }
    const act = net.activations[l - 1];
    const linear = net.linears[l - 1];
    const title = l === L ? `Output ${j + 1}` : `Neuron ${j + 1} of layer ${l}`;
    const parts = [`<div class="t">${title} · ${act}</div>`];
    if (linear.bias) {
      parts.push(row(`bias b${sub(j + 1)}${sup(l)}`, linear.bias.dataSync()[j]));
      parts.push(row('∂C/∂b, last batch', gradAt(linear.bias, j)));
    }
    if (trace) {
      const layer = trace.layers[l - 1];
      parts.push(row(`z${sub(j + 1)}${sup(l)}`, layer.z[0][j]));
      parts.push(row(`a${sub(j + 1)}${sup(l)}`, layer.a[0][j]));
      parts.push(row(`δ${sub(j + 1)}${sup(l)} = ∂C/∂z`, layer.delta[0][j]));
    } else {
      parts.push(traceNote);
    }
    return parts.join('');
  }
  if (hover.edge) {
    const { l, k, j } = hover.edge;
    const linear = net.linears[l - 1];
    const i = k * net.sizes[l - 1] + j;
    const from = l === 1 ? (app.settings.task === 'regress' ? 'input x' : `input x${sub(j + 1)}`) : `neuron ${j + 1} of layer ${l - 1}`;
    const to = l === L ? `output ${k + 1}` : `neuron ${k + 1} of layer ${l}`;
    const w = linear.weight.dataSync()[i];
    const parts = [`<div class="t">Weight w${sub(`${k + 1}${j + 1}`)}${sup(l)}</div>`, `<div class="k">${from} → ${to}</div>`];
    parts.push(row('w', w));
    parts.push(row('∂C/∂w, last batch', gradAt(linear.weight, i)));
    if (trace) {
      const layer = trace.layers[l - 1];
      parts.push(row('w · a (traced example)', w * layer.input[0][j]));
      parts.push(row('∂C/∂w (traced example)', layer.dW[k][j]));
    } else {
      parts.push(traceNote);
    }
    return parts.join('');
  }
  return '';
}
