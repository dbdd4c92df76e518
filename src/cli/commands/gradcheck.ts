/**
 * `nabla gradcheck <model.json>`: backprop's gradient of every weight and bias against a
 * numerical derivative, in float64, and the largest relative error.
 */
import { Command, Option } from 'commander';
import * as nb from '../../index.js';
import { CliError } from '../errors.js';
import { nonNegativeInt, positiveNumber } from '../options.js';
import { exampleList, loadExample } from './explain.js';

/** Options of `nabla gradcheck`, as commander parses them. */
export interface GradcheckCliOptions {
  input?: number[][];
  target?: number[][];
  eps?: number;
  tol?: number;
  format?: 'text' | 'json';
  digits?: number;
}

/** Runs the check; returns what to print and whether the largest relative error is within tol (default 1e-6). */
export async function gradcheckAction(file: string, opts: GradcheckCliOptions = {}): Promise<{ output: string; ok: boolean; report: nb.explain.GradcheckReport }> {
  const { loaded, x, y } = await loadExample(file, opts);
  const report = nb.explain.gradcheck(loaded.model, x, y, { loss: loaded.loss, ...(opts.eps !== undefined ? { eps: opts.eps } : {}) });
  const tol = opts.tol ?? 1e-6;
  const ok = report.maxRelError <= tol;
  const output = opts.format === 'json'
    ? nb.explain.renderJson(report)
    : `${nb.explain.renderGradcheck(report, { digits: opts.digits ?? 8 })}${ok ? 'OK' : 'FAILED'}: ${ok ? 'below' : 'above'} ${tol.toExponential()}\n`;
  return { output, ok, report };
}

/** Adds `nabla gradcheck` to the program. */
export function register(program: Command): void {
  program
    .command('gradcheck')
    .description('compare backprop\'s gradients with numerical ones for every parameter (float64) and print the largest relative error')
    .argument('<model.json>', 'the network as JSON, as for `nabla explain`')
    .option('--input <x>', 'the input x, comma-separated (";" between examples); default: the file\'s "input"', exampleList)
    .option('--target <y>', 'the target y; default: the file\'s "target"', exampleList)
    .option('--eps <h>', 'finite-difference step', positiveNumber, 1e-4)
    .option('--tol <r>', 'fail (exit code 1) when the largest relative error exceeds this', positiveNumber, 1e-6)
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--digits <n>', 'decimals of each printed gradient', nonNegativeInt, 8)
    .action(async (file: string, opts: GradcheckCliOptions) => {
      const { output, ok, report } = await gradcheckAction(file, opts);
      process.stdout.write(output);
      if (!ok) throw new CliError(`largest relative error ${report.maxRelError.toExponential(2)} exceeds --tol ${(opts.tol ?? 1e-6).toExponential()}`, `${report.worst.symbol}[${report.worst.worstIndex.join(',')}]`);
    });
}
