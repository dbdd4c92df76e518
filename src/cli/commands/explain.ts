/**
 * `nabla explain <model.json>`: one forward and backward pass of a small network, printed
 * number by number in the notes' notation (see examples/explain/README.md for the JSON).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import * as nb from '../../index.js';
import { UsageError, readFileOrFail } from '../errors.js';
import { nonNegativeInt, nonNegativeNumber } from '../options.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** "0.05,0.10" → [[0.05, 0.1]]; "1,2;3,4" → two examples. */
export function exampleList(value: string): number[][] {
  const rows = value.split(';').map((row) => row.split(',').map((s) => s.trim()));
  for (const row of rows) {
    for (const s of row) if (!NUMBER.test(s)) throw new InvalidArgumentError(`expected numbers like 0.05,0.10 (';' between examples), got '${value}'.`);
  }
  const width = rows[0].length;
  if (rows.some((r) => r.length !== width)) throw new InvalidArgumentError(`every example needs ${width} numbers, got '${value}'.`);
  return rows.map((r) => r.map(Number));
}

/** The formats `nabla explain` prints. */
export const EXPLAIN_FORMATS = ['text', 'markdown', 'json'] as const;

/** Options of `nabla explain`, as commander parses them. */
export interface ExplainOptions {
  input?: number[][];
  target?: number[][];
  format?: (typeof EXPLAIN_FORMATS)[number];
  lr?: number;
  digits?: number;
}

/** Reads a model JSON file (errors name the file) and the example to run. */
export async function loadExample(file: string, opts: { input?: number[][]; target?: number[][] }): Promise<{ loaded: nb.explain.LoadedModel; x: number[][]; y: number[][] }> {
  const text = (await readFileOrFail(file, 'model JSON')).toString('utf8');
  const loaded = nb.explain.loadModelJson(text, file);
  const inputs = loaded.sizes[0];
  const outputs = loaded.sizes[loaded.sizes.length - 1];
  if (opts.input && opts.input[0].length !== inputs) throw new UsageError(`--input needs ${inputs} numbers per example (the model has ${inputs} inputs), got ${opts.input[0].length}`);
  if (opts.target && opts.target[0].length !== outputs) throw new UsageError(`--target needs ${outputs} numbers per example (the model has ${outputs} outputs), got ${opts.target[0].length}`);
  const x = opts.input ?? loaded.input;
  const y = opts.target ?? loaded.target;
  if (!x) throw new UsageError(`no input: ${file} has no "input"; pass --input with ${loaded.sizes[0]} numbers, e.g. --input ${new Array(loaded.sizes[0]).fill('0.5').join(',')}`);
  if (!y) throw new UsageError(`no target: ${file} has no "target"; pass --target with ${outputs} numbers`);
  if (x.length !== y.length) throw new UsageError(`${x.length} input example${x.length > 1 ? 's' : ''} but ${y.length} target${y.length > 1 ? 's' : ''} (use ';' between examples in both)`);
  return { loaded, x, y };
}

/** Runs `nabla explain` and returns what it prints. */
export async function explainAction(file: string, opts: ExplainOptions = {}): Promise<string> {
  const { loaded, x, y } = await loadExample(file, opts);
  const trace = nb.explain.backprop(loaded.model, x, y, {
    loss: loaded.loss,
    lr: opts.lr ?? loaded.learningRate,
    labels: loaded.labels,
    // The notes' misprints belong to the file's own example only.
    notesPrinted: opts.input || opts.target ? undefined : loaded.notesPrinted,
    description: loaded.description,
  });
  const digits = opts.digits ?? 8;
  switch (opts.format ?? 'text') {
    case 'markdown': return nb.explain.renderMarkdown(trace, { digits });
    case 'json': return nb.explain.renderJson(trace);
    default: return nb.explain.renderText(trace, { digits });
  }
}

/** Adds `nabla explain` to the program. */
export function register(program: Command): void {
  program
    .command('explain')
    .description('print one forward and backward pass of a small network, number by number, in the notes\' notation')
    .argument('<model.json>', 'the network as JSON: sizes, weights, biases, activation, cost (see examples/explain/README.md)')
    .option('--input <x>', 'the input x, comma-separated (";" between examples); default: the file\'s "input"', exampleList)
    .option('--target <y>', 'the target y, comma-separated (";" between examples); default: the file\'s "target"', exampleList)
    .addOption(new Option('--format <format>', 'output format').choices(EXPLAIN_FORMATS).default('text'))
    .option('--lr <rate>', 'learning rate λ: also show the weights after one gradient step; default: the file\'s "learningRate"', nonNegativeNumber)
    .option('--digits <n>', 'decimals of each printed number', nonNegativeInt, 8)
    .action(async (file: string, opts: ExplainOptions) => {
      process.stdout.write(await explainAction(file, opts));
    });
}
