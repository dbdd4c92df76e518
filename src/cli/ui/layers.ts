/** A model's layers as text. */
import type * as nb from '../../index.js';
import { color, int } from './format.js';

/**
 * The model's layers as a compact table: description, output shape per example ([N, …]) and
 * parameters, with the input first and the total last. `styled` false gives plain text (HTML).
 */
export function layerTable(summary: nb.nn.ModelSummary, styled = true): string {
  const dim = styled ? color.dim : (s: string): string => s;
  const shape = (sh: readonly number[] | null): string => (sh ? `[N,${sh.slice(1).join(',')}]` : '–');
  const rows = [
    ['input', shape(summary.inputShape), ''],
    ...summary.layers.map((l) => [`${'  '.repeat(l.depth)}${l.description}`, shape(l.outputShape), l.parameters ? int(l.parameters) : '']),
  ];
  const head = ['layer', 'output', 'params'];
  const total = ['total', '', int(summary.totalParameters)];
  const w = head.map((h, k) => Math.max(h.length, total[k].length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string => `${r[0].padEnd(w[0])}   ${r[1].padEnd(w[1])}   ${r[2].padStart(w[2])}`.trimEnd();
  const rule = '─'.repeat(w[0] + w[1] + w[2] + 6);
  return [dim(line(head)), dim(rule), ...rows.map(line), dim(rule), dim(line(total))].join('\n');
}
