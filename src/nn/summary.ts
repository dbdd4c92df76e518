import { noGrad } from '../autograd/index.js';
import { fmtShape, zeros, type Tensor } from '../tensor/index.js';
import type { Module } from './module.js';

/** One row of a model summary. */
export interface LayerSummary {
  /** Dotted path from the model ('0', 'features.conv1'). */
  name: string;
  /** Nesting depth (0 for the model's direct children). */
  depth: number;
  /** The module's one-line description, e.g. 'Conv2d(1→8, 5x5)'. */
  description: string;
  /** Shape of the module's output on the first call; null when forward never called it. */
  outputShape: number[] | null;
  /** Trainable scalars the module holds itself (not counting its sub-modules). */
  parameters: number;
}

/** What `summary` returns: the rows, the totals, and a Keras-like table from toString(). */
export interface ModelSummary {
  inputShape: number[];
  outputShape: number[];
  layers: LayerSummary[];
  totalParameters: number;
  toString(): string;
}

/** Every sub-module with its dotted name and depth, parents before children. */
function descendants(model: Module): [string, Module, number][] {
  const out: [string, Module, number][] = [];
  const walk = (m: Module, prefix: string, depth: number): void => {
    for (const [name, child] of m.namedChildren()) {
      out.push([prefix + name, child, depth]);
      walk(child, `${prefix}${name}.`, depth + 1);
    }
  };
  walk(model, '', 0);
  return out;
}

function table(s: Omit<ModelSummary, 'toString'>): string {
  const rows = s.layers.map((l) => [`${'  '.repeat(l.depth)}${l.name}: ${l.description}`, l.outputShape ? fmtShape(l.outputShape) : '(not called)', String(l.parameters)]);
  const header = ['Layer', 'Output shape', 'Params'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padStart(widths[2])}`;
  const rule = '─'.repeat(widths[0] + widths[1] + widths[2] + 4);
  return [
    line(header), rule, line(['(input)', fmtShape(s.inputShape), '']), ...rows.map(line), rule,
    `Output shape: ${fmtShape(s.outputShape)}`,
    `Total trainable parameters: ${s.totalParameters}`,
  ].join('\n');
}

/**
 * Runs the model once on zeros of inputShape (batch axis included, e.g. [1, 1, 28, 28]) without
 * recording gradients and in eval mode (batch norm statistics are left alone; the previous
 * modes are restored), and reports every sub-module's output shape and parameter count, like
 * Keras' model.summary(). Works for any layer, with no per-layer code. A shape error thrown on
 * the way names the layer that rejected its input.
 */
export function summary(model: Module, inputShape: readonly number[], options: { dtype?: 'float32' | 'float64' } = {}): ModelSummary {
  const dtype = options.dtype ?? (model.parameters()[0]?.dtype === 'float64' ? 'float64' : 'float32');
  const input = zeros(inputShape, { dtype });
  const entries = descendants(model);
  const shapes = new Map<Module, number[]>();
  const modes = new Map<Module, boolean>([[model, model.training], ...entries.map(([, m]) => [m, m.training] as [Module, boolean])]);
  // Wrap each module's forward to see its output; the prototype method comes back afterwards.
  const saved = entries.map(([, m]) => [m, Object.getOwnPropertyDescriptor(m, 'forward')] as const);
  for (const [, m] of entries) {
    const original = m.forward;
    m.forward = (x: Tensor): Tensor => {
      const y = original.call(m, x);
      if (!shapes.has(m)) shapes.set(m, [...y.shape]);
      return y;
    };
  }
  let output: Tensor;
  try {
    model.eval();
    output = noGrad(() => model.forward(input));
  } finally {
    // In reverse, so a module listed twice (shared) gets its own forward back, not a wrapper.
    for (const [m, descriptor] of [...saved].reverse()) {
      if (descriptor) Object.defineProperty(m, 'forward', descriptor);
      else delete (m as unknown as { forward?: unknown }).forward;
    }
    for (const [m, training] of modes) m.training = training;
  }
  const layers = entries.map(([name, m, depth]) => ({
    name, depth, description: m.describe(), outputShape: shapes.get(m) ?? null,
    parameters: m.numParameters() - m.children().reduce((s, c) => s + c.numParameters(), 0),
  }));
  const result = { inputShape: [...inputShape], outputShape: [...output.shape], layers, totalParameters: model.numParameters() };
  return { ...result, toString: () => table(result) };
}
