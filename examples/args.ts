/**
 * The command-line options the MNIST examples share: `--name value` pairs read with Node's
 * own parser, and `--backend` applied to nabla.
 */
import { parseArgs } from 'node:util';
import * as nb from 'nabla';

const NAMES = ['epochs', 'train', 'batch-size', 'lr', 'lr-decay', 'backend'] as const;
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: Object.fromEntries(NAMES.map((name) => [name, { type: 'string' as const }])),
  strict: false,
});

/** The number given as `--name value`, or undefined when absent. */
export function numberOption(name: (typeof NAMES)[number]): number | undefined {
  const v = values[name];
  return typeof v === 'string' ? Number(v) : undefined;
}

/** Selects the backend named by `--backend`, when given. */
export function applyBackendOption(): void {
  const backend = values.backend;
  if (typeof backend === 'string') nb.setBackend(backend);
}
