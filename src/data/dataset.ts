import { Generator, ShapeError, Tensor, ValueError, allocate, fmtShape, globalGenerator } from '../tensor/index.js';

/**
 * A collection of samples the DataLoader can batch. Each sample is a list of tensors
 * (e.g. `[x_i, y_i]`). A dataset supplies `get(i)` (one sample), `getBatch(indices)`
 * (many at once, the fast path), or both.
 */
export type Dataset = SampleDataset | BatchDataset;

/** A dataset read one sample at a time: `get(i)` returns the tensors of sample i (no batch axis). */
export interface SampleDataset {
  readonly length: number;
  get(index: number): Tensor[];
  getBatch?(indices: Int32Array): Tensor[];
}

/** A dataset read a batch at a time: `getBatch(indices)` returns tensors whose first axis is the batch. */
export interface BatchDataset {
  readonly length: number;
  get?(index: number): Tensor[];
  getBatch(indices: Int32Array): Tensor[];
}

function checkIndex(op: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new ValueError(`${op}: index ${index} is out of range for a dataset of ${length} samples (expected 0..${length - 1})`);
  }
}

/**
 * Samples held as tensors that share their first dimension: sample i is
 * `[t_0[i], t_1[i], …]`. `new TensorDataset(x, y)` with x [N, …] and y [N, …].
 */
export class TensorDataset implements SampleDataset, BatchDataset {
  /** The tensors, each [N, …]. */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ValueError('TensorDataset: needs at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new ValueError(`TensorDataset: argument ${k} is not a Tensor`);
      if (t.ndim === 0) throw new ShapeError(`TensorDataset: tensor ${k} is a scalar; every tensor needs a first (sample) dimension`);
    });
    const n = tensors[0].shape[0];
    if (tensors.some((t) => t.shape[0] !== n)) {
      throw new ShapeError(`TensorDataset: every tensor needs the same first dimension (number of samples), got shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
    }
    this.tensors = Object.freeze([...tensors]);
  }

  /** Number of samples N. */
  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** Sample i: each tensor's row i, with the first axis dropped. */
  get(index: number): Tensor[] {
    checkIndex('TensorDataset.get', index, this.length);
    return this.tensors.map((t) => t.indexSelect(0, [index]).reshape(t.shape.slice(1)));
  }

  /** Rows `indices` of each tensor, as [B, …] tensors (one indexSelect each, no per-sample tensors). */
  getBatch(indices: Int32Array): Tensor[] {
    const idx = new Tensor(indices, [indices.length]);
    return this.tensors.map((t) => t.indexSelect(0, idx));
  }
}

/** The samples of `dataset` at `indices`, in that order (e.g. one side of a split). */
export class Subset implements SampleDataset, BatchDataset {
  readonly indices: Int32Array;

  constructor(readonly dataset: Dataset, indices: Int32Array | readonly number[]) {
    const idx = Int32Array.from(indices);
    for (let i = 0; i < idx.length; i++) checkIndex('Subset', idx[i], dataset.length);
    this.indices = idx;
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): Tensor[] {
    checkIndex('Subset.get', index, this.length);
    return fetchBatch(this.dataset, this.indices.subarray(index, index + 1)).map((t) => t.reshape(t.shape.slice(1)));
  }

  getBatch(indices: Int32Array): Tensor[] {
    const mapped = new Int32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      checkIndex('Subset.getBatch', indices[i], this.length);
      mapped[i] = this.indices[indices[i]];
    }
    return fetchBatch(this.dataset, mapped);
  }
}

/** Copies per-sample tensors into one [B, …] tensor per position (for datasets without getBatch). */
function stackSamples(samples: Tensor[][]): Tensor[] {
  const first = samples[0];
  return first.map((proto, k) => {
    const stride = proto.size;
    const data = allocate(proto.dtype, stride * samples.length);
    samples.forEach((sample, b) => {
      const t = sample[k];
      if (!(t instanceof Tensor) || t.dtype !== proto.dtype || t.shape.length !== proto.shape.length || t.shape.some((d, i) => d !== proto.shape[i])) {
        const got = t instanceof Tensor ? `${fmtShape(t.shape)} ${t.dtype}` : String(t);
        throw new ShapeError(`DataLoader: sample tensors at position ${k} differ (${fmtShape(proto.shape)} ${proto.dtype} vs ${got}); they cannot be stacked into a batch`);
      }
      data.set(t.data, b * stride);
    });
    return new Tensor(data, [samples.length, ...proto.shape]);
  });
}

/** The batch at `indices`, through getBatch when the dataset has it, else by stacking get(i). */
function fetchBatch(dataset: Dataset, indices: Int32Array): Tensor[] {
  if (typeof dataset.getBatch === 'function') return dataset.getBatch(indices);
  if (typeof dataset.get !== 'function') throw new ValueError('DataLoader: the dataset has neither get(i) nor getBatch(indices)');
  if (indices.length === 0) throw new ValueError('DataLoader: cannot stack an empty batch from get(i)');
  const samples: Tensor[][] = [];
  for (let i = 0; i < indices.length; i++) samples.push(dataset.get(indices[i]));
  return stackSamples(samples);
}

export interface DataLoaderOptions {
  /**
   * Samples per batch (default 32). The dataset's length gives the notes' (full) batch
   * gradient descent, a small number mini-batch gradient descent, 1 stochastic gradient
   * descent. A batchSize above the length gives one batch of every sample.
   */
  batchSize?: number;
  /** Draw a fresh random order at the start of every pass (epoch). Default false. */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize. Default false. */
  dropLast?: boolean;
  /** Where shuffling draws from; default nb.globalGenerator, so nb.manualSeed makes it reproducible. */
  generator?: Generator;
}

/**
 * Cuts a dataset into batches: iterating yields one array of batch tensors per step
 * (`for (const [xb, yb] of loader)`), each with the batch on its first axis. Every
 * iteration is one pass over the data (an epoch); with `shuffle` each pass has its own
 * order, drawn from the seeded generator.
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly generator: Generator;

  constructor(dataset: Dataset, options: DataLoaderOptions = {}) {
    if (dataset === null || typeof dataset !== 'object' || !Number.isInteger(dataset.length) || dataset.length < 0) {
      throw new ValueError('DataLoader: the dataset needs a non-negative integer length');
    }
    const batchSize = options.batchSize ?? 32;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options.shuffle ?? false;
    this.dropLast = options.dropLast ?? false;
    this.generator = options.generator ?? globalGenerator;
  }

  /** Number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    let order: Int32Array;
    if (this.shuffle) {
      order = this.generator.permutation(n);
    } else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      yield fetchBatch(this.dataset, order.slice(start, Math.min(start + this.batchSize, n)));
    }
  }
}

