/** Option value parsers for commander: each throws InvalidArgumentError with what it expected. */
import { InvalidArgumentError } from 'commander';
import * as nb from '../index.js';

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function number(value: string): number {
  const v = value.trim();
  if (!NUMBER.test(v)) throw new InvalidArgumentError('not a number.');
  return Number(v);
}

/** An integer ≥ 1 (epochs, batch size, patience). */
export function positiveInt(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError('expected a whole number ≥ 1.');
  return v;
}

/** An integer ≥ 0 (seed, patience). */
export function nonNegativeInt(value: string): number {
  const v = number(value);
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError('expected a whole number ≥ 0.');
  return v;
}

/** A finite number > 0 (learning rate). */
export function positiveNumber(value: string): number {
  const v = number(value);
  if (!(v > 0) || !Number.isFinite(v)) throw new InvalidArgumentError('expected a number > 0.');
  return v;
}

/** A finite number ≥ 0 (L2 strength). */
export function nonNegativeNumber(value: string): number {
  const v = number(value);
  if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidArgumentError('expected a number ≥ 0.');
  return v;
}

/** A fraction in [0, 1) (validation and test splits, dropout). */
export function fraction(value: string): number {
  const v = number(value);
  if (!(v >= 0 && v < 1)) throw new InvalidArgumentError('expected a fraction in [0, 1).');
  return v;
}

/** Layer sizes, e.g. "128,64" → [128, 64]; "" or "none" → no hidden layer. */
export function sizeList(value: string): number[] {
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'none') return [];
  return v.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1 || !NUMBER.test(part.trim())) throw new InvalidArgumentError('expected layer sizes like 128,64.');
    return n;
  });
}

/** Column names, e.g. "color,size". */
export function nameList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** An activation name the library knows (relu, tanh, leaky_relu, …). */
export function activationName(value: string): string {
  try {
    nb.nn.activation(value);
  } catch {
    throw new InvalidArgumentError(`unknown activation (known: ${nb.nn.ACTIVATION_NAMES.join(', ')}).`);
  }
  return value;
}

/** A loss name the library knows (crossEntropy, mse, …). */
export function lossName(value: string): string {
  try {
    nb.nn.loss(value);
  } catch {
    throw new InvalidArgumentError(`unknown loss (known: ${nb.nn.LOSS_NAMES.join(', ')}).`);
  }
  return value;
}

/** Optimizer names nb.fit builds by name. */
export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'amsgrad', 'adamw'] as const;

export function optimizerName(value: string): string {
  const v = value.toLowerCase();
  if (!(OPTIMIZERS as readonly string[]).includes(v)) throw new InvalidArgumentError(`unknown optimizer (known: ${OPTIMIZERS.join(', ')}).`);
  return v;
}
