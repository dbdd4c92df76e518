/** The commands of `nabla`, in the order `nabla --help` lists them. One line each. */
import type { Command } from 'commander';
import { register as train } from './train.js';
import { register as evaluate } from './evaluate.js';
import { register as predict } from './predict.js';
import { register as summary } from './summary.js';
import { register as explain } from './explain.js';
import { register as gradcheck } from './gradcheck.js';
import { register as playground } from './playground.js';

export const commands: ((program: Command) => void)[] = [
  train,
  evaluate,
  predict,
  summary,
  explain,
  gradcheck,
  playground,
];
