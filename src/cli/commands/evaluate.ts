/** `nabla evaluate <model> [--data …]`: loss, metrics and confusion matrix of a saved model. */
import type { Command } from 'commander';
import * as nb from '../../index.js';
import { selectBackend } from '../backend.js';
import { isBuiltin, loadData, type Split } from '../data/load.js';
import { CliError } from '../errors.js';
import { evaluateSplit } from '../evaluation.js';
import { readInputs } from '../inputs.js';
import { chooseHead } from '../models.js';
import * as opt from '../options.js';
import { loadRun, type SavedRun } from '../saved.js';
import { confusionText } from '../ui/charts.js';
import { color, int, metricLabel, metricValue } from '../ui/format.js';
import { jsonLine, out } from '../ui/reporter.js';

interface EvaluateOptions {
  data?: string;
  samples?: number;
  seed?: number;
  backend?: string;
  json?: boolean;
}

/** The examples to evaluate on, and a description of them. */
async function evaluationData(run: SavedRun, options: EvaluateOptions): Promise<{ split: Split; what: string }> {
  const meta = run.metadata;
  const s = meta.settings;
  let name = options.data;
  if (name !== undefined && !isBuiltin(name)) {
    const { x, y } = await readInputs(run, name, true);
    return { split: { x, y: y! }, what: `${name} (all ${int(x.shape[0])} rows)` };
  }
  // The same recipe as training (seed, splits) rebuilds the run's own test set.
  if (name === undefined) {
    if (meta.source.kind === 'csv') name = meta.source.path;
    else name = meta.source.kind === 'mnist' ? 'mnist' : meta.source.name;
  }
  const seed = options.seed ?? (typeof s.seed === 'number' ? s.seed : 0);
  nb.manualSeed(seed);
  const samples = options.samples ?? (typeof s.samples === 'number' ? s.samples : meta.source.kind === 'synthetic' ? meta.source.samples : undefined);
  let data;
  try {
    data = await loadData({
      data: name,
      validationSplit: typeof s.validationSplit === 'number' ? s.validationSplit : 0.1,
      testSplit: typeof s.testSplit === 'number' ? s.testSplit : 0.2,
      samples,
      images: meta.inputShape.length === 3,
      preprocessing: run.preprocessing,
      task: meta.task,
    });
  } catch (e) {
    if (e instanceof CliError && options.data === undefined && meta.source.kind === 'csv') {
      throw new CliError(`cannot rebuild the test set from the training data (${e.message}); pass --data <file.csv>`, run.path);
    }
    throw e;
  }
  if (!data.test) throw new CliError('the run kept no test set (--test-split 0); pass --data <file.csv>', run.path);
  return { split: data.test, what: `${data.title}, test set (${int(data.test.x.shape[0])} examples, seed ${seed})` };
}

async function evaluateCommand(modelPath: string, options: EvaluateOptions): Promise<void> {
  await selectBackend(options.backend);
  const run = await loadRun(modelPath);
  const meta = run.metadata;
  const { split, what } = await evaluationData(run, options);
  const head = chooseHead(meta.task, meta.classes.length, meta.loss);
  let result;
  try {
    result = evaluateSplit(run.model, split, head, run.preprocessing, meta.classes.length);
  } catch (e) {
    if (e instanceof nb.NablaError) throw new CliError(`the data does not fit the model: ${e.message}`, options.data ?? modelPath);
    throw e;
  }
  if (options.json) {
    jsonLine({ model: modelPath, data: what, examples: result.examples, ...result.metrics, ...(result.confusion ? { confusionMatrix: result.confusion, classes: meta.classes } : {}) });
    return;
  }
  out();
  out(`${color.bold('nabla evaluate')} ${color.dim('·')} ${modelPath}`);
  out(`  ${color.dim('data'.padEnd(9))} ${what}`);
  for (const [k, v] of Object.entries(result.metrics)) out(`  ${color.dim(metricLabel(k).padEnd(9))} ${k === 'accuracy' || k === 'r2' ? color.bold(metricValue(k, v)) : metricValue(k, v)}`);
  if (result.confusion && meta.classes.length <= 20) {
    out();
    for (const line of confusionText(result.confusion, meta.classes).split('\n')) out(`  ${line}`);
  }
  out();
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description("measure a saved model: loss, metrics and confusion matrix (default: the training run's test set)")
    .argument('<model>', 'a model file written by nabla train')
    .option('--data <name|file.csv>', 'a labelled CSV file (all rows are used), or mnist / xor / circles / spiral / moons (their test set)')
    .option('--samples <n>', 'built-in data: as in train (default: as the model was trained)', opt.positiveInt)
    .option('--seed <n>', 'built-in data: seed of the split (default: the training seed)', opt.nonNegativeInt)
    .option('--backend <name>', 'compute backend')
    .option('--json', 'print the result as one JSON object')
    .action(evaluateCommand);
}
