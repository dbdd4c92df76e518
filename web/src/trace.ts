/**
 * The "one example" view: nb.explain.backprop's trace for one point, written out in the
 * notes' notation with every number: the forward pass z^(l) = W^(l) a^(l−1) + b^(l),
 * a^(l) = f(z^(l)), the cost, then δ^(L), δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ f'(z^(l)),
 * ∂C/∂W^(l) = δ^(l) (a^(l−1))ᵀ and ∂C/∂b^(l) = δ^(l).
 * Every number carries data-q (which quantity) and data-v (its full value), so tests can
 * compare the page with the library.
 */
import * as nb from 'nabla';
import { fmt } from './dom.js';

type Trace = nb.explain.BackpropTrace;

const sup = (l: number | string): string => `<sup>(${l})</sup>`;
const v = (name: string, l: number | string): string => `<i>${name}</i>${sup(l)}`;

function num(value: number, key: string): string {
  return `<span class="num${value < 0 ? ' neg' : ''}" data-q="${key}" data-v="${value}" title="${value}">${fmt(value)}</span>`;
}

/** A column vector; key(i) names entry i. */
function column(values: readonly number[], key: (i: number) => string): string {
  return `<span class="mat col">${values.map((x, i) => `<span class="cell">${num(x, key(i))}</span>`).join('')}</span>`;
}

/** A matrix, row by row; key(r, c) names entry (r, c). */
function matrix(rows: readonly (readonly number[])[], key: (r: number, c: number) => string): string {
  const cols = rows[0]?.length ?? 0;
  const cells = rows.map((row, r) => row.map((x, c) => `<span class="cell">${num(x, key(r, c))}</span>`).join('')).join('');
  return `<span class="mat" style="grid-template-columns:repeat(${cols}, auto)">${cells}</span>`;
}

const op = (text: string): string => `<span class="op">${text}</span>`;
const eq = (lhs: string, ...rhs: string[]): string =>
  `<div class="eq"><span class="lhs">${lhs}</span>${rhs.map((r) => `${op('=')}<span class="term">${r}</span>`).join('')}</div>`;

/** The library's plain-text formulas with their ^(l) superscripts set as superscripts. */
const formula = (text: string): string => `<span class="formula">${text.replace(/\^\(([^)]*)\)/g, '<sup>($1)</sup>').replace(/ᵀ/g, '<sup>T</sup>')}</span>`;

/** f applied to z, in the notes' symbols. */
function applied(symbol: string, l: number): string {
  return symbol === 'id' ? v('z', l) : `${symbol}(${v('z', l)})`;
}

export interface TraceCaption {
  /** e.g. 'x = (0.93, −1.02), class 1' */
  title: string;
}

/** The trace as HTML. */
export function traceHtml(trace: Trace, caption: TraceCaption): string {
  const L = trace.layers.length;
  const parts: string[] = [];
  parts.push(`<h3>${caption.title}</h3>`);
  parts.push('<div class="trace-row"><div class="trace-block"><h4>Forward pass</h4>');
  parts.push(eq(v('a', 0), `<i>x</i>`, column(trace.input[0], (j) => `x.${j}`)));
  for (const layer of trace.layers) {
    const l = layer.index;
    const bias = layer.bias ? `${op('+')}${column(layer.bias, (k) => `b.${l}.${k}`)}` : '';
    parts.push(`<div class="layer-title">Layer ${l}${l === L ? ' (output)' : ''} · ${layer.activation}</div>`);
    parts.push(eq(
      v('z', l),
      `${v('W', l)}${v('a', l - 1)}${layer.bias ? ` + ${v('b', l)}` : ''}`,
      `${matrix(layer.weight, (k, j) => `W.${l}.${k}.${j}`)}${column(layer.input[0], (j) => `ain.${l}.${j}`)}${bias}`,
      column(layer.z[0], (k) => `z.${l}.${k}`),
    ));
    parts.push(eq(v('a', l), applied(layer.symbol, l), column(layer.a[0], (k) => `a.${l}.${k}`)));
  }
  parts.push(`<div class="layer-title">Cost</div>`);
  parts.push(eq(`<i>ŷ</i> = ${v('a', L)}`, column(trace.output[0], (k) => `yhat.${k}`)));
  parts.push(eq('<i>y</i>', column(trace.target[0], (k) => `y.${k}`)));
  parts.push(eq('<i>C</i>', formula(trace.cost.formula.replace(/^C = /, '')), num(trace.cost.value, 'C')));
  parts.push('</div><div class="trace-block"><h4>Backward pass</h4>');
  for (let i = L - 1; i >= 0; i--) {
    const layer = trace.layers[i];
    const l = layer.index;
    parts.push(`<div class="layer-title">Layer ${l} · ${layer.activation}</div>`);
    const dCda = column(layer.dCda[0], (k) => `dCda.${l}.${k}`);
    const source = layer.dCdaFrom === 'cost'
      ? formula(trace.cost.derivative)
      : `(${v('W', l + 1)})<sup>T</sup><i>δ</i>${sup(l + 1)}`;
    parts.push(eq(`∂<i>C</i>/∂${v('a', l)}`, source, dCda));
    if (layer.fprime) {
      parts.push(eq(`<i>f</i> ′(${v('z', l)})`, formula(layer.derivative), column(layer.fprime[0], (k) => `fprime.${l}.${k}`)));
      parts.push(eq(`<i>δ</i>${sup(l)}`, `∂<i>C</i>/∂${v('a', l)} ⊙ <i>f</i> ′(${v('z', l)})`, column(layer.delta[0], (k) => `delta.${l}.${k}`)));
    } else {
      // Softmax's Jacobian diag(a) − a aᵀ is not diagonal: δ is that matrix times ∂C/∂a
      // (with cross-entropy, the familiar ŷ − y).
      const rule = `(diag(${v('a', l)}) − ${v('a', l)}(${v('a', l)})<sup>T</sup>) ∂<i>C</i>/∂${v('a', l)}`;
      const short = trace.cost.name === 'crossEntropy' ? `${op('=')}<i>ŷ</i> − <i>y</i>` : '';
      parts.push(eq(`<i>δ</i>${sup(l)}`, `${rule}${short}`, column(layer.delta[0], (k) => `delta.${l}.${k}`)));
    }
    parts.push(eq(`∂<i>C</i>/∂${v('W', l)}`, `<i>δ</i>${sup(l)}(${v('a', l - 1)})<sup>T</sup>`, matrix(layer.dW, (k, j) => `dW.${l}.${k}.${j}`)));
    if (layer.db) parts.push(eq(`∂<i>C</i>/∂${v('b', l)}`, `<i>δ</i>${sup(l)}`, column(layer.db, (k) => `db.${l}.${k}`)));
  }
  const check = trace.check;
  const verdict = check.ok
    ? `✓ Autograd and the chain rule written out agree: largest difference ${fmt(check.maxAbsDiff, 2)}.`
    : `✗ Autograd and the chain rule written out disagree by ${fmt(check.maxAbsDiff, 2)} at ${check.worst}.`;
  parts.push(`<p class="check ${check.ok ? 'ok' : 'bad'}">${verdict}</p>`);
  parts.push('</div></div>');
  return parts.join('');
}
