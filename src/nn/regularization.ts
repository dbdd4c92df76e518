/** Penalty terms added to a cost to keep weights small. */
import { ValueError, zeros, Tensor } from '../tensor/index.js';
import { Module } from './module.js';

export interface PenaltyOptions {
  /** Strength λ ≥ 0. */
  lambda: number;
  /** Number of training examples m the cost averages over (default 1). */
  m?: number;
  /** Also penalise biases (parameters whose name ends in 'bias'); default false. */
  includeBias?: boolean;
}

/** The tensors a penalty applies to: a module's parameters (biases only if asked) or a list as given. */
function penalised(op: string, source: Module | readonly Tensor[], includeBias: boolean): Tensor[] {
  if (source instanceof Module) {
    return source.namedParameters().filter(([name]) => includeBias || !/(^|\.)bias$/.test(name)).map(([, p]) => p);
  }
  if (!Array.isArray(source) || !source.every((t) => t instanceof Tensor)) throw new ValueError(`${op}: expected a Module or an array of tensors`);
  return [...source];
}

function scale(op: string, options: PenaltyOptions): [number, number] {
  const { lambda, m = 1 } = options ?? ({} as PenaltyOptions);
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) throw new ValueError(`${op}: lambda must be a finite number ≥ 0, got ${String(lambda)}`);
  if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0) throw new ValueError(`${op}: m (the number of examples) must be positive, got ${String(m)}`);
  return [lambda, m];
}

function total(params: Tensor[], term: (p: Tensor) => Tensor): Tensor {
  if (params.length === 0) return zeros([]);
  return params.map((p) => term(p).sum()).reduce((a, b) => a.add(b));
}

/**
 * The notes' L2 regularisation term λ/(2m)·Σ_l Σ_i Σ_j (θ_ij^(l))² over every weight of
 * the model (biases excluded unless includeBias), as a differentiable scalar to add to the
 * cost. Its gradient is (λ/m)·θ: "weight decay". A list of tensors is penalised as given.
 */
export function l2Penalty(model: Module | readonly Tensor[], options: PenaltyOptions): Tensor {
  const [lambda, m] = scale('l2Penalty', options);
  const params = penalised('l2Penalty', model, options.includeBias ?? false);
  return total(params, (p) => p.square()).mul(lambda / (2 * m));
}

/**
 * L1 regularisation (λ/m)·Σ|θ| over the weights (biases excluded unless includeBias): its
 * gradient (λ/m)·sign(θ) pushes weights to exactly zero (sparse models).
 */
export function l1Penalty(model: Module | readonly Tensor[], options: PenaltyOptions): Tensor {
  const [lambda, m] = scale('l1Penalty', options);
  const params = penalised('l1Penalty', model, options.includeBias ?? false);
  return total(params, (p) => p.abs()).mul(lambda / m);
}
