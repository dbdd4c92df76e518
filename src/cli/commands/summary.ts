/** `nabla summary <model>`: what a model file holds (layers, inputs, classes, how it was trained). */
import type { Command } from 'commander';
import * as nb from '../../index.js';
import { loadRun } from '../saved.js';
import { bytes, color, int, metricLabel, metricValue } from '../ui/format.js';
import { layerTable } from '../ui/layers.js';
import { jsonLine, out } from '../ui/reporter.js';

const OUTPUT_MEANING: Record<string, string> = {
  logits: 'class scores (logits) → probabilities by softmax',
  'log-probabilities': 'log-probabilities of the classes',
  'binary-logit': 'one logit → probability of the second class by sigmoid',
  'binary-probability': 'probability of the second class',
  scores: 'one score per class (the largest wins)',
  value: 'the target value (standardised; predict converts back)',
};

async function summaryCommand(modelPath: string, options: { json?: boolean }): Promise<void> {
  const run = await loadRun(modelPath);
  const meta = run.metadata;
  const pre = run.preprocessing;
  const s = nb.nn.summary(run.model, [1, ...meta.inputShape]);
  const inputs = pre.kind === 'tabular'
    ? pre.columns.map((c) => (c.type === 'numeric' ? { name: c.name, type: 'numeric' } : { name: c.name, type: 'categorical', categories: c.categories }))
    : [{ name: 'pixels', type: 'image', shape: pre.inputShape }];
  if (options.json) {
    jsonLine({
      model: modelPath, bytes: run.bytes, parameters: s.totalParameters, inputShape: meta.inputShape, outputShape: s.outputShape.slice(1),
      layers: s.layers.map((l) => ({ name: l.name, description: l.description, outputShape: l.outputShape?.slice(1) ?? null, parameters: l.parameters })),
      task: meta.task, classes: meta.classes, target: pre.target.name, inputs, output: meta.output, data: meta.title,
      settings: meta.settings, epochs: meta.epochsCompleted, test: meta.test ?? null, createdAt: meta.createdAt ?? null, createdBy: meta.createdBy ?? null,
    });
    return;
  }
  const row = (label: string, text: string): void => out(`  ${color.dim(label.padEnd(9))} ${text}`);
  out();
  out(`${color.bold('nabla summary')} ${color.dim('·')} ${modelPath} ${color.dim(`(${bytes(run.bytes)})`)}`);
  out();
  if (meta.createdAt) row('saved', `${meta.createdAt.replace('T', ' ').slice(0, 19)} UTC by ${meta.createdBy ?? 'nabla'}`);
  if (meta.command) row('command', meta.command);
  row('data', meta.title);
  const what = meta.task === 'classification'
    ? `classification of ${JSON.stringify(pre.target.name)}: ${meta.classes.length} classes (${meta.classes.slice(0, 12).join(', ')}${meta.classes.length > 12 ? ', …' : ''})`
    : `regression of ${JSON.stringify(pre.target.name)}`;
  row('task', what);
  if (pre.kind === 'tabular') {
    const described = pre.columns.map((c) => (c.type === 'numeric' ? c.name : `${c.name} ${color.dim(`(${c.categories.length} categories)`)}`));
    row('inputs', `${described.join(', ')} ${color.dim(`→ ${pre.featureNames.length} features${pre.scaler ? ', numeric ones standardised' : ''}`)}`);
  } else {
    row('inputs', `images ${pre.inputShape.join('×')} ${color.dim(`(pixel values × ${Number(pre.pixelScale.toPrecision(6))})`)}`);
  }
  row('outputs', OUTPUT_MEANING[meta.output] ?? meta.output);
  const st = meta.settings;
  row('training', `${meta.epochsCompleted} epoch${meta.epochsCompleted === 1 ? '' : 's'} · ${st.optimizer} lr ${st.lr} · ${meta.loss} · batch ${st.batchSize} · seed ${st.seed}${meta.stopReason ? color.dim(` (${meta.stopReason})`) : ''}`);
  if (meta.test) row('test', Object.entries(meta.test).filter(([k]) => k !== 'examples').map(([k, v]) => `${color.dim(metricLabel(k))} ${metricValue(k, v)}`).join('  ') + color.dim(`  (${int(meta.test.examples ?? 0)} examples)`));
  row('params', color.bold(int(s.totalParameters)));
  out();
  for (const line of layerTable(s).split('\n')) out(`  ${line}`);
  out();
}

export function register(program: Command): void {
  program
    .command('summary')
    .description('describe a saved model: layers and parameters, inputs, classes and how it was trained')
    .argument('<model>', 'a model file written by nabla train')
    .option('--json', 'print the description as one JSON object')
    .action(summaryCommand);
}
