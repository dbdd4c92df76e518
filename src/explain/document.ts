/**
 * A backprop trace as a document (headings, formula lines, tables) in the notes' notation:
 * superscript layer index z^(l), a^(l), δ^(l), W^(l). render.ts prints it as plain text or
 * Markdown, so both show the same content.
 */
import type { BackpropTrace, LayerTrace, NotesPrinted } from './types.js';

/** One piece of a rendered trace. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'formulas'; lines: string[] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'text'; text: string };

/**
 * A number with `digits` decimals (the notes' style: 0.75136507); tiny non-zero values in
 * exponent form so they do not print as 0.
 */
export function formatNumber(v: number, digits = 8): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v !== 0 && Math.abs(v) < 0.5 * 10 ** -digits) return v.toExponential(Math.max(digits - 6, 2));
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

const sup = (l: number | string): string => `^(${l})`;

/** Names from the trace's labels, or the notes' indexed defaults. */
export class Names {
  constructor(private readonly trace: BackpropTrace) {}

  neuron(l: number, k: number): string {
    return this.trace.labels?.neurons?.[l]?.[k] ?? (l === 0 ? `x${k + 1}` : `${k + 1}`);
  }

  weight(l: number, k: number, j: number): string {
    return this.trace.labels?.weights?.[l - 1]?.[k]?.[j] ?? `w${sup(l)}_${k + 1}${j + 1}`;
  }

  bias(l: number, k: number): string {
    return this.trace.labels?.biases?.[l - 1]?.[k] ?? `b${sup(l)}_${k + 1}`;
  }
}

/** Sigmoid with cross-entropy, softmax with cross-entropy: δ^(L) = ŷ − y, the notes' shortcut. */
function cancels(layer: LayerTrace, trace: BackpropTrace): boolean {
  return (layer.activation === 'sigmoid' && trace.cost.name === 'bce') || (layer.activation === 'softmax' && trace.cost.name === 'crossEntropy');
}

function fDash(layer: LayerTrace): string {
  return layer.symbol === 'id' ? "id'" : `${layer.symbol}'`;
}

/** Rows of a per-neuron table: one row per (example, neuron), with an example column for batches. */
function neuronRows(trace: BackpropTrace, names: Names, l: number, columns: ((i: number, k: number) => string)[]): string[][] {
  const out: string[][] = [];
  const n = trace.sizes[l];
  for (let i = 0; i < trace.batchSize; i++) {
    for (let k = 0; k < n; k++) out.push([...(trace.batchSize > 1 ? [String(i + 1)] : []), names.neuron(l, k), ...columns.map((c) => c(i, k))]);
  }
  return out;
}

function head(trace: BackpropTrace, rest: string[]): string[] {
  return [...(trace.batchSize > 1 ? ['example'] : []), 'neuron', ...rest];
}

function matrixLine(m: number[][], digits: number): string {
  return `[${m.map((r) => `[${r.map((v) => formatNumber(v, digits)).join(', ')}]`).join(', ')}]`;
}

function forwardBlocks(trace: BackpropTrace, names: Names, digits: number): Block[] {
  const f = (v: number): string => formatNumber(v, digits);
  const L = trace.layers.length;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: '1. Forward pass' },
    { kind: 'formulas', lines: ['a^(0) = x'] },
    { kind: 'table', head: head(trace, ['x = a^(0)']), rows: neuronRows(trace, names, 0, [(i, k) => f(trace.input[i][k])]) },
  ];
  for (const layer of trace.layers) {
    const l = layer.index;
    const act = layer.symbol === 'id' ? `z${sup(l)}` : `${layer.symbol}(z${sup(l)})`;
    blocks.push(
      { kind: 'heading', level: 3, text: `Layer ${l} (${l === L ? 'output' : 'hidden'}): ${layer.linear}, ${layer.activation}` },
      { kind: 'formulas', lines: [`z${sup(l)} = W${sup(l)} a${sup(l - 1)} + b${sup(l)}`, `a${sup(l)} = ${act}`] },
      {
        kind: 'table',
        head: ['neuron', ...layer.weight[0].map((_, j) => `from ${names.neuron(l - 1, j)}`), ...(layer.bias ? ['bias'] : [])],
        rows: layer.weight.map((row, k) => [
          names.neuron(l, k),
          ...row.map((w, j) => `${names.weight(l, k, j)} = ${f(w)}`),
          ...(layer.bias ? [`${names.bias(l, k)} = ${f(layer.bias[k])}`] : []),
        ]),
      },
      {
        kind: 'table',
        head: head(trace, [`z${sup(l)}`, `a${sup(l)} = ${act}`]),
        rows: neuronRows(trace, names, l, [(i, k) => f(layer.z[i][k]), (i, k) => f(layer.a[i][k])]),
      },
    );
  }
  return blocks;
}

function costBlocks(trace: BackpropTrace, names: Names, digits: number): Block[] {
  const f = (v: number): string => formatNumber(v, digits);
  const L = trace.layers.length;
  const c = trace.cost;
  const m = Math.round(1 / c.scale);
  const folded = c.reduction === 'sum' ? 'the sum of the terms' : c.reduction === 'mean' ? `the mean of the ${m === 1 ? 'term' : `${m} terms`}` : `the sum of the terms ÷ N = ${m}`;
  const perSample = c.terms[0].length === 1 && trace.sizes[L] > 1;
  const rows = perSample
    ? c.terms.map((t, i) => [String(i + 1), `[${trace.target[i].map(f).join(', ')}]`, `[${trace.output[i].map(f).join(', ')}]`, f(t[0])])
    : neuronRows(trace, names, L, [(i, k) => f(trace.target[i][k]), (i, k) => f(trace.output[i][k]), (i, k) => f(c.terms[i][k])]);
  return [
    { kind: 'heading', level: 2, text: '2. Cost' },
    { kind: 'formulas', lines: [`${c.formula}   (ŷ = a${sup(L)}; C is ${folded})`] },
    { kind: 'table', head: perSample ? ['example', 'y', 'ŷ', 'term'] : head(trace, ['y', 'ŷ', 'term']), rows },
    { kind: 'formulas', lines: [`C = ${f(c.value)}`] },
  ];
}

function backwardBlocks(trace: BackpropTrace, names: Names, digits: number): Block[] {
  const f = (v: number): string => formatNumber(v, digits);
  const L = trace.layers.length;
  const blocks: Block[] = [{ kind: 'heading', level: 2, text: '3. Backward pass' }];
  const batch = trace.batchSize > 1;
  for (let idx = L - 1; idx >= 0; idx--) {
    const layer = trace.layers[idx];
    const l = layer.index;
    const fd = fDash(layer);
    const source = l === L ? `∂C/∂a${sup(l)}` : `(W${sup(l + 1)})ᵀ δ${sup(l + 1)}`;
    const lines: string[] = [];
    if (l === L) {
      const scaled = trace.cost.scale === 1 ? '' : `, × 1/${Math.round(1 / trace.cost.scale)} (${trace.cost.reduction})`;
      lines.push(`∂C/∂a${sup(l)} = ∂C/∂ŷ = ${trace.cost.derivative}${scaled}`);
    } else {
      lines.push(`∂C/∂a${sup(l)} = (W${sup(l + 1)})ᵀ δ${sup(l + 1)}`);
    }
    if (layer.fprime) {
      lines.push(`${fd}(z${sup(l)}) = ${layer.derivative}`, `δ${sup(l)} = ${source} ⊙ ${fd}(z${sup(l)})`);
    } else {
      lines.push(`δ${sup(l)} = a${sup(l)} ⊙ (∂C/∂a${sup(l)} − (a${sup(l)})ᵀ ∂C/∂a${sup(l)})   (softmax: ${layer.derivative})`);
    }
    if (l === L && cancels(layer, trace)) {
      const scaled = trace.cost.scale === 1 ? '' : ` (× 1/${Math.round(1 / trace.cost.scale)})`;
      lines.push(`      = ŷ − y${scaled}   (${layer.symbol}' cancels against the cost's denominator${layer.fprime ? '' : ', for targets that sum to 1'})`);
    }
    const columns: ((i: number, k: number) => string)[] = [(i, k) => f(layer.dCda[i][k])];
    const titles = [l === L ? `∂C/∂a${sup(l)}` : `(W${sup(l + 1)})ᵀ δ${sup(l + 1)}`];
    if (layer.fprime) {
      const fp = layer.fprime;
      columns.push((i, k) => f(fp[i][k]));
      titles.push(`${fd}(z${sup(l)})`);
    }
    columns.push((i, k) => f(layer.delta[i][k]));
    titles.push(`δ${sup(l)}`);
    blocks.push(
      { kind: 'heading', level: 3, text: `Layer ${l} (${l === L ? 'output' : 'hidden'})` },
      { kind: 'formulas', lines },
      { kind: 'table', head: head(trace, titles), rows: neuronRows(trace, names, l, columns) },
      {
        kind: 'formulas',
        lines: batch
          ? [`∂C/∂W${sup(l)} = Σ_i δ${sup(l)}(i) (a${sup(l - 1)}(i))ᵀ`, `∂C/∂b${sup(l)} = Σ_i δ${sup(l)}(i)`]
          : [`∂C/∂W${sup(l)} = δ${sup(l)} (a${sup(l - 1)})ᵀ`, `∂C/∂b${sup(l)} = δ${sup(l)}`],
      },
      parameterTable(trace, names, layer, digits),
    );
  }
  return blocks;
}

function parameterTable(trace: BackpropTrace, names: Names, layer: LayerTrace, digits: number): Block {
  const f = (v: number): string => formatNumber(v, digits);
  const l = layer.index;
  const lr = trace.learningRate;
  const rows: string[][] = [];
  layer.weight.forEach((row, k) => row.forEach((w, j) => {
    rows.push([names.weight(l, k, j), `${names.neuron(l - 1, j)} → ${names.neuron(l, k)}`, f(w), f(layer.dW[k][j]), ...(layer.updatedWeight ? [f(layer.updatedWeight[k][j])] : [])]);
  }));
  if (layer.bias && layer.db) {
    const { bias, db } = layer;
    bias.forEach((b, k) => rows.push([names.bias(l, k), `→ ${names.neuron(l, k)}`, f(b), f(db[k]), ...(layer.updatedBias ? [f(layer.updatedBias[k])] : [])]));
  }
  return { kind: 'table', head: ['parameter', 'connects', 'value', '∂C/∂(parameter)', ...(lr !== undefined ? [`after step (λ = ${lr})`] : [])], rows };
}

function stepBlocks(trace: BackpropTrace, digits: number): Block[] {
  if (trace.learningRate === undefined) return [];
  const lines: string[] = [];
  for (const layer of trace.layers) {
    const l = layer.index;
    if (layer.updatedWeight) lines.push(`W${sup(l)} = ${matrixLine(layer.updatedWeight, digits)}`);
    if (layer.updatedBias) lines.push(`b${sup(l)} = [${layer.updatedBias.map((v) => formatNumber(v, digits)).join(', ')}]`);
  }
  return [
    { kind: 'heading', level: 2, text: `4. Gradient step (λ = ${trace.learningRate})` },
    { kind: 'formulas', lines: ['W^(l) ← W^(l) − λ ∂C/∂W^(l),   b^(l) ← b^(l) − λ ∂C/∂b^(l)'] },
    { kind: 'formulas', lines },
  ];
}

/** The trace's value a notes entry refers to, and a readable name for it (undefined if out of range). */
export function lookupPrinted(trace: BackpropTrace, names: Names, e: NotesPrinted): { name: string; value: number | undefined } {
  if (e.quantity === 'loss') return { name: 'C', value: trace.cost.value };
  const l = e.layer ?? 0;
  const layer = trace.layers[l - 1];
  const [p, q] = e.index ?? [];
  const ex = trace.batchSize > 1 ? `, example ${p + 1}` : '';
  const perNeuron: Record<string, [string, number[][] | null | undefined]> = {
    z: [`z${sup(l)}`, layer?.z], a: [`a${sup(l)}`, layer?.a], dCda: [`∂C/∂a${sup(l)}`, layer?.dCda],
    fprime: [`f'(z${sup(l)})`, layer?.fprime], delta: [`δ${sup(l)}`, layer?.delta],
  };
  if (e.quantity in perNeuron) {
    const [sym, m] = perNeuron[e.quantity];
    return { name: `${sym} at ${names.neuron(l, q)}${ex}`, value: m?.[p]?.[q] };
  }
  if (e.quantity === 'dW') return { name: `∂C/∂${names.weight(l, p, q)}`, value: layer?.dW[p]?.[q] };
  if (e.quantity === 'updatedWeight') return { name: `${names.weight(l, p, q)} after the step`, value: layer?.updatedWeight?.[p]?.[q] };
  if (e.quantity === 'db') return { name: `∂C/∂${names.bias(l, p)}`, value: layer?.db?.[p] };
  return { name: `${names.bias(l, p)} after the step`, value: layer?.updatedBias?.[p] ?? undefined };
}

function checkBlocks(trace: BackpropTrace, names: Names, digits: number): Block[] {
  const c = trace.check;
  const blocks: Block[] = [
    { kind: 'heading', level: 2, text: 'Check' },
    {
      kind: 'text',
      text: c.ok
        ? `δ, ∂C/∂W and ∂C/∂b come from autograd; the chain rule written out above gives the same values (largest difference ${c.maxAbsDiff.toExponential(1)}${c.worst ? ` at ${c.worst}` : ''}).`
        : `WARNING: autograd and the explicit chain rule disagree: largest difference ${c.maxAbsDiff.toExponential(3)} at ${c.worst} (tolerance ${c.atol} + ${c.rtol}·|value|).`,
    },
  ];
  if (trace.notesPrinted?.length) {
    blocks.push(
      { kind: 'heading', level: 2, text: 'Where the notes print a different number' },
      {
        kind: 'table',
        head: ['quantity', 'notes print', 'correct value', 'comment'],
        rows: trace.notesPrinted.map((e) => {
          const { name, value } = lookupPrinted(trace, names, e);
          return [name, String(e.printed), value === undefined ? '(not in this trace)' : formatNumber(value, digits), e.comment ?? ''];
        }),
      },
    );
  }
  return blocks;
}

/** The whole trace as blocks: notation, forward pass, cost, backward pass, step, check. */
export function traceDocument(trace: BackpropTrace, digits = 8): Block[] {
  const names = new Names(trace);
  const L = trace.layers.length;
  const lr = trace.learningRate !== undefined;
  return [
    { kind: 'heading', level: 1, text: 'Backpropagation, step by step' },
    ...(trace.description ? [{ kind: 'text' as const, text: trace.description }] : []),
    {
      kind: 'text',
      text: `Network ${trace.sizes.join('-')} (${trace.layers.map((l) => l.activation).join(', ')}), cost ${trace.cost.name}, `
        + `${trace.batchSize} example${trace.batchSize > 1 ? 's' : ''}, ${trace.dtype}.`,
    },
    { kind: 'heading', level: 2, text: 'Notation' },
    {
      kind: 'formulas',
      lines: [
        'a^(0) = x,   z^(l) = W^(l) a^(l−1) + b^(l),   a^(l) = f(z^(l))',
        `δ^(l) = ∂C/∂z^(l):   δ^(${L}) = ∂C/∂a^(${L}) ⊙ f'(z^(${L}))`,
        "δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ f'(z^(l))",
        '∂C/∂W^(l) = δ^(l) (a^(l−1))ᵀ,   ∂C/∂b^(l) = δ^(l)',
        ...(lr ? ['W^(l) ← W^(l) − λ ∂C/∂W^(l)'] : []),
      ],
    },
    ...forwardBlocks(trace, names, digits),
    ...costBlocks(trace, names, digits),
    ...backwardBlocks(trace, names, digits),
    ...stepBlocks(trace, digits),
    ...checkBlocks(trace, names, digits),
  ];
}
