import { DTypeError, FormatError, ShapeError, Tensor, ValueError, allocate, fmtShape, type DType } from '../tensor/index.js';

/** A class label as it appears in raw data: a name or a number. */
export type Label = string | number;

function labelCodes(op: string, labels: Tensor | readonly number[]): Int32Array {
  if (labels instanceof Tensor) {
    if (labels.dtype !== 'int32') throw new DTypeError(`${op}: labels must be int32 class indices, got ${labels.dtype} (use LabelEncoder, or cast('int32'))`);
    if (labels.ndim !== 1) throw new ShapeError(`${op}: labels must be 1-D [N], got shape ${fmtShape(labels.shape)}`);
    return labels.data as Int32Array;
  }
  if (!Array.isArray(labels)) throw new ValueError(`${op}: labels must be an int32 Tensor or an array of integers`);
  labels.forEach((v, i) => {
    if (!Number.isInteger(v)) throw new DTypeError(`${op}: label ${v} at position ${i} is not an integer class index`);
  });
  return Int32Array.from(labels);
}

/**
 * One-hot encoding, the notes' "multiclass: turn training samples into i-dimensional
 * vectors": labels [N] (int32 class indices) → [N, C] with a 1 in column labels[n].
 * numClasses defaults to max(label) + 1.
 */
export function oneHot(labels: Tensor | readonly number[], numClasses?: number, options: { dtype?: DType } = {}): Tensor {
  const codes = labelCodes('oneHot', labels);
  let c = numClasses;
  if (c === undefined) {
    c = 0;
    for (let i = 0; i < codes.length; i++) c = Math.max(c, codes[i] + 1);
  }
  if (!Number.isInteger(c) || c < 1) throw new ValueError(`oneHot: numClasses must be a positive integer, got ${c}`);
  const dtype = options.dtype ?? 'float32';
  const out = allocate(dtype, codes.length * c);
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (k < 0 || k >= c) throw new ValueError(`oneHot: label ${k} at position ${i} is out of range for ${c} classes (expected 0..${c - 1})`);
    out[i * c + k] = 1;
  }
  return new Tensor(out, [codes.length, c]);
}

function labelList(op: string, values: Tensor | readonly Label[]): Label[] {
  if (values instanceof Tensor) {
    if (values.ndim !== 1) throw new ShapeError(`${op}: labels must be 1-D [N], got shape ${fmtShape(values.shape)}`);
    return Array.from(values.data);
  }
  if (!Array.isArray(values)) throw new ValueError(`${op}: labels must be a 1-D Tensor or an array of strings or numbers`);
  return values as Label[];
}

function checkLabel(op: string, v: unknown, i: number): void {
  if (typeof v === 'string') return;
  if (typeof v === 'number' && !Number.isNaN(v)) return;
  throw new ValueError(`${op}: label at position ${i} is ${typeof v === 'number' ? 'NaN' : typeof v}; labels must be strings or numbers`);
}

function sortClasses(op: string, classes: Label[]): Label[] {
  const kinds = new Set(classes.map((c) => typeof c));
  if (kinds.size > 1) throw new ValueError(`${op}: labels mix strings and numbers (${classes.slice(0, 6).map((c) => JSON.stringify(c)).join(', ')}…); use one kind`);
  // Numbers in numeric order, strings by code unit: the order does not depend on the locale.
  return kinds.has('number') ? (classes as number[]).sort((a, b) => a - b) : (classes as string[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Maps labels (strings or numbers) to int32 codes 0..C−1 and back. The classes are the
 * distinct training labels in sorted order, so `fit(['cat', 'dog', 'cat'])` gives
 * classes ['cat', 'dog'] and codes [0, 1, 0].
 */
export class LabelEncoder {
  private classList: Label[] | null = null;
  private index = new Map<Label, number>();

  /** The known classes, code order. */
  get classes(): Label[] {
    return [...this.requireFitted('classes')];
  }

  get numClasses(): number {
    return this.requireFitted('numClasses').length;
  }

  get fitted(): boolean {
    return this.classList !== null;
  }

  /** Learns the classes from training labels [N]; returns this. */
  fit(values: Tensor | readonly Label[]): this {
    const list = labelList('LabelEncoder.fit', values);
    list.forEach((v, i) => checkLabel('LabelEncoder.fit', v, i));
    this.setClasses(sortClasses('LabelEncoder.fit', [...new Set(list)]));
    return this;
  }

  /** Labels [N] → int32 codes [N]; an unknown label is a ValueError naming it. */
  transform(values: Tensor | readonly Label[]): Tensor {
    const classes = this.requireFitted('transform');
    const list = labelList('LabelEncoder.transform', values);
    const out = new Int32Array(list.length);
    list.forEach((v, i) => {
      const code = this.index.get(v);
      if (code === undefined) {
        throw new ValueError(`LabelEncoder.transform: unknown label ${JSON.stringify(v)} at position ${i} (known: ${classes.slice(0, 10).map((c) => JSON.stringify(c)).join(', ')}${classes.length > 10 ? ', …' : ''})`);
      }
      out[i] = code;
    });
    return new Tensor(out, [out.length]);
  }

  fitTransform(values: Tensor | readonly Label[]): Tensor {
    return this.fit(values).transform(values);
  }

  /** int32 codes [N] → the original labels. */
  inverseTransform(codes: Tensor | readonly number[]): Label[] {
    const classes = this.requireFitted('inverseTransform');
    const c = labelCodes('LabelEncoder.inverseTransform', codes);
    return Array.from(c, (k, i) => {
      if (k < 0 || k >= classes.length) throw new ValueError(`LabelEncoder.inverseTransform: code ${k} at position ${i} is out of range for ${classes.length} classes`);
      return classes[k];
    });
  }

  toJSON(): { type: 'LabelEncoder'; classes: Label[] } {
    return { type: 'LabelEncoder', classes: this.classes };
  }

  static fromJSON(json: unknown): LabelEncoder {
    const o = json as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || o.type !== 'LabelEncoder') throw new FormatError("LabelEncoder.fromJSON: expected an object with type 'LabelEncoder'");
    const classes = o.classes;
    if (!Array.isArray(classes)) throw new FormatError("LabelEncoder.fromJSON: 'classes' must be an array");
    const enc = new LabelEncoder();
    try {
      classes.forEach((v, i) => checkLabel('LabelEncoder.fromJSON', v, i));
      if (new Set(classes).size !== classes.length) throw new ValueError('LabelEncoder.fromJSON: repeated class');
      // Kept in the stored order: the codes must stay exactly as they were saved.
      sortClasses('LabelEncoder.fromJSON', [...classes]);
    } catch (e) {
      throw new FormatError(`LabelEncoder.fromJSON: bad 'classes': ${(e as Error).message}`);
    }
    enc.setClasses(classes as Label[]);
    return enc;
  }

  private setClasses(classes: Label[]): void {
    this.classList = classes;
    this.index = new Map(classes.map((c, i) => [c, i]));
  }

  private requireFitted(method: string): Label[] {
    if (this.classList === null) throw new ValueError(`LabelEncoder.${method}: the encoder is not fitted; call fit(labels) first`);
    return this.classList;
  }
}

/**
 * Labels (strings or numbers) → one-hot rows [N, C], and back by argmax. A LabelEncoder
 * plus oneHot; pass `categories` to fix the classes and their column order (e.g. 0..9 for
 * digits, so a training subset that lacks a digit still gets 10 columns).
 */
export class OneHotEncoder {
  private labels = new LabelEncoder();
  private readonly dtype: DType;
  private readonly fixed: boolean;

  constructor(options: { categories?: readonly Label[]; dtype?: DType } = {}) {
    this.dtype = options.dtype ?? 'float32';
    this.fixed = options.categories !== undefined;
    if (options.categories !== undefined) {
      try {
        this.labels = LabelEncoder.fromJSON({ type: 'LabelEncoder', classes: options.categories });
      } catch (e) {
        throw new ValueError(`OneHotEncoder: bad categories: ${(e as Error).message}`);
      }
    }
  }

  get classes(): Label[] {
    return this.labels.classes;
  }

  get numClasses(): number {
    return this.labels.numClasses;
  }

  /** Learns the classes from training labels (unless categories were given); returns this. */
  fit(values: Tensor | readonly Label[]): this {
    if (this.fixed) this.labels.transform(values); // only checks that every label is a known category
    else this.labels.fit(values);
    return this;
  }

  /** Labels [N] → [N, C]. */
  transform(values: Tensor | readonly Label[]): Tensor {
    return oneHot(this.labels.transform(values), this.labels.numClasses, { dtype: this.dtype });
  }

  fitTransform(values: Tensor | readonly Label[]): Tensor {
    return this.fit(values).transform(values);
  }

  /** Rows [N, C] (one-hot or scores) → the label of each row's largest entry. */
  inverseTransform(y: Tensor): Label[] {
    const c = this.labels.numClasses;
    if (!(y instanceof Tensor) || y.ndim !== 2 || y.shape[1] !== c) {
      throw new ShapeError(`OneHotEncoder.inverseTransform: expected [N,${c}], got ${y instanceof Tensor ? fmtShape(y.shape) : typeof y}`);
    }
    return this.labels.inverseTransform(y.argmax(1));
  }

  toJSON(): { type: 'OneHotEncoder'; classes: Label[]; dtype: DType } {
    return { type: 'OneHotEncoder', classes: this.labels.classes, dtype: this.dtype };
  }

  static fromJSON(json: unknown): OneHotEncoder {
    const o = json as Record<string, unknown> | null;
    if (o === null || typeof o !== 'object' || o.type !== 'OneHotEncoder') throw new FormatError("OneHotEncoder.fromJSON: expected an object with type 'OneHotEncoder'");
    if (o.dtype !== 'float32' && o.dtype !== 'float64' && o.dtype !== 'int32') throw new FormatError(`OneHotEncoder.fromJSON: bad dtype ${JSON.stringify(o.dtype)}`);
    const enc = new OneHotEncoder({ dtype: o.dtype });
    enc.labels = LabelEncoder.fromJSON({ type: 'LabelEncoder', classes: o.classes });
    return enc;
  }
}
