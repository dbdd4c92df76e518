/** Reading constructor arguments back out of a ModuleConfig, with errors that name the field. */
import { ValueError, type DType } from '../tensor/index.js';
import type { ModuleConfig } from './module.js';

function fail(config: ModuleConfig, name: string, expected: string, got: unknown): never {
  throw new ValueError(`moduleFromConfig: ${config.type} needs ${expected} '${name}', got ${JSON.stringify(got) ?? String(got)}`);
}

function raw(config: ModuleConfig, name: string): unknown {
  return config.args?.[name];
}

/** A number argument; `fallback` when absent (required when no fallback is given). */
export function numArg(config: ModuleConfig, name: string, fallback?: number): number {
  const v = raw(config, name);
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number') fail(config, name, 'a number', v);
  return v;
}

/** A number or null (e.g. BatchNorm's momentum). */
export function numOrNullArg(config: ModuleConfig, name: string, fallback: number | null): number | null {
  const v = raw(config, name);
  if (v === undefined) return fallback;
  if (v !== null && typeof v !== 'number') fail(config, name, 'a number or null', v);
  return v as number | null;
}

export function boolArg(config: ModuleConfig, name: string, fallback: boolean): boolean {
  const v = raw(config, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') fail(config, name, 'a boolean', v);
  return v;
}

/** A string argument restricted to `allowed` when given. */
export function strArg<S extends string>(config: ModuleConfig, name: string, fallback: S, allowed?: readonly S[]): S {
  const v = raw(config, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || (allowed && !(allowed as readonly string[]).includes(v))) fail(config, name, allowed ? `one of ${allowed.join(', ')} as` : 'a string', v);
  return v as S;
}

/** An optional array of numbers (class weights). */
export function numArrayArg(config: ModuleConfig, name: string): number[] | undefined {
  const v = raw(config, name);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) fail(config, name, 'an array of numbers', v);
  return v as number[];
}

/** A float dtype argument (layers keep their parameters in float32 or float64). */
export function dtypeArg(config: ModuleConfig): 'float32' | 'float64' {
  return strArg<'float32' | 'float64'>(config, 'dtype', 'float32', ['float32', 'float64']);
}

/** Throws unless dtype is a float dtype a layer can hold parameters in. */
export function checkParamDType(layer: string, dtype: DType | undefined): 'float32' | 'float64' {
  const d = dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') throw new ValueError(`${layer}: parameters must be float32 or float64, got dtype ${String(d)}`);
  return d;
}

/** Throws unless n is a positive integer (layer sizes). */
export function checkSize(layer: string, name: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new ValueError(`${layer}: ${name} must be a positive integer, got ${String(n)}`);
  return n;
}
