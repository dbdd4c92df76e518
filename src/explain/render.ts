/**
 * Renderers for backprop traces and gradient checks: plain text, Markdown and JSON.
 */
import { ValueError } from '../tensor/index.js';
import { traceDocument, formatNumber, type Block } from './document.js';
import type { GradcheckReport } from './gradcheck.js';
import type { BackpropTrace } from './types.js';

/** Options of the renderers. */
export interface RenderOptions {
  /** Decimals of every printed number (default 8, as the notes' values are quoted). */
  digits?: number;
}

/** A formatted number (not a bare index like a neuron's number). */
const NUMERIC = /^[−-]?(\d+\.\d|\d(\.\d+)?e|∞|NaN)/;

function checkDigits(digits: number | undefined): number {
  const d = digits ?? 8;
  if (!(Number.isInteger(d) && d >= 0 && d <= 20)) throw new ValueError(`explain: digits must be an integer in 0..20, got ${String(digits)}`);
  return d;
}

function textTable(headRow: string[], rows: string[][]): string[] {
  const widths = headRow.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  // Columns of numbers align right, like a column of sums on paper.
  const numeric = headRow.map((_, c) => rows.length > 0 && rows.every((r) => NUMERIC.test(r[c] ?? '')));
  const line = (cells: string[]): string => cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(headRow), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].map((l) => `  ${l}`);
}

function renderTextBlocks(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') {
      if (out.length) out.push('');
      out.push(b.text);
      if (b.level < 3) out.push((b.level === 1 ? '=' : '-').repeat(b.text.length));
    } else if (b.kind === 'formulas') {
      out.push(...b.lines.map((l) => `  ${l}`));
    } else if (b.kind === 'table') {
      out.push(...textTable(b.head, b.rows));
    } else {
      out.push(b.text);
    }
  }
  return `${out.join('\n')}\n`;
}

const mdEscape = (s: string): string => s.replace(/([\\|*_`[\]<>])/g, '\\$1');

function renderMarkdownBlocks(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'heading') parts.push(`${'#'.repeat(b.level)} ${mdEscape(b.text)}`);
    else if (b.kind === 'formulas') parts.push(['```text', ...b.lines, '```'].join('\n'));
    else if (b.kind === 'text') parts.push(mdEscape(b.text));
    else {
      const numeric = b.head.map((_, c) => b.rows.length > 0 && b.rows.every((r) => NUMERIC.test(r[c] ?? '')));
      parts.push([
        `| ${b.head.map(mdEscape).join(' | ')} |`,
        `|${numeric.map((n) => (n ? ' ---: ' : ' --- ')).join('|')}|`,
        ...b.rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`),
      ].join('\n'));
    }
  }
  return `${parts.join('\n\n')}\n`;
}

/** The trace as plain text: notation, forward pass, cost, backward pass, step and check, in the notes' notation. */
export function renderText(trace: BackpropTrace, options: RenderOptions = {}): string {
  return renderTextBlocks(traceDocument(trace, checkDigits(options.digits)));
}

/** The same content as Markdown: headings, GitHub tables, formulas in code blocks. */
export function renderMarkdown(trace: BackpropTrace, options: RenderOptions = {}): string {
  return renderMarkdownBlocks(traceDocument(trace, checkDigits(options.digits)));
}

/**
 * JSON with every number at full precision (a trace or a gradcheck report); arrays of
 * numbers stay on one line so matrices read as rows. Non-finite numbers become null.
 */
export function renderJson(value: BackpropTrace | GradcheckReport): string {
  const write = (v: unknown, indent: string): string => {
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'number' || typeof x === 'string')) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
      const inner = indent + '  ';
      return `[\n${v.map((x) => inner + write(x, inner)).join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const inner = indent + '  ';
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, inner)}`).join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return `${write(value, '')}\n`;
}

/** A setting as written by hand: 0.0001 → 1e-4. */
export function short(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** A gradient-check report as a text table, ending with the largest relative error. */
export function renderGradcheck(report: GradcheckReport, options: RenderOptions = {}): string {
  const d = checkDigits(options.digits);
  const exp = (v: number): string => (Number.isNaN(v) ? 'NaN' : v.toExponential(2));
  const rows = report.parameters.map((p) => [
    p.symbol, p.name, `[${p.shape.join(',')}]`, exp(p.maxRelError), exp(p.maxAbsError),
    `[${p.worstIndex.join(',')}]`, formatNumber(p.backprop, d), formatNumber(p.numerical, d),
  ]);
  const w = report.worst;
  return renderTextBlocks([
    { kind: 'heading', level: 1, text: 'Gradient check: backprop against numerical derivatives' },
    { kind: 'text', text: `${report.method}, h = ${short(report.eps)}; relative error |b − n| / max(|b|, |n|, ${short(report.floor)}).` },
    { kind: 'table', head: ['parameter', 'name', 'shape', 'max rel. error', 'max abs. error', 'at', 'backprop', 'numerical'], rows },
    { kind: 'text', text: '' },
    { kind: 'text', text: `largest relative error: ${exp(report.maxRelError)} (${w.symbol}[${w.worstIndex.join(',')}])` },
  ]);
}
