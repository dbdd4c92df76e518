import { DTypeError, FormatError, allocate, checkDType, sizeOf, Tensor, type DType, type TypedArray } from '../tensor/index.js';

/** First bytes of every nabla file: a non-text byte, the name, and a line-ending check (as PNG does). */
export const MAGIC = Uint8Array.from([0x89, 0x4e, 0x41, 0x42, 0x4c, 0x41, 0x0d, 0x0a, 0x1a, 0x0a]);
export const FORMAT_VERSION = 1;
/** Generous bounds that stop a hostile header from making us allocate absurd amounts. */
const MAX_HEADER_BYTES = 64 * 1024 * 1024;
const MAX_ELEMENTS = 2 ** 31 - 1;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4 };

/** Where one tensor's bytes lie in the blob that follows the header. */
export interface TensorEntry {
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
}

/** Collects tensors and typed arrays into one blob while JSON values refer to them by index. */
export class BlobWriter {
  readonly entries: TensorEntry[] = [];
  private readonly parts: TypedArray[] = [];
  private size = 0;

  /** Stores the values; returns the entry's index. */
  add(data: TypedArray, shape: readonly number[]): number {
    const dtype: DType = data instanceof Float32Array ? 'float32' : data instanceof Float64Array ? 'float64' : 'int32';
    // 8-byte alignment lets a reader view float64 data without copying.
    this.size = Math.ceil(this.size / 8) * 8;
    this.entries.push({ dtype, shape: [...shape], offset: this.size, byteLength: data.byteLength });
    this.parts.push(data);
    this.size += data.byteLength;
    return this.entries.length - 1;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    this.parts.forEach((p, i) => out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), this.entries[i].offset));
    return out;
  }
}

/**
 * Turns a value holding tensors, typed arrays and non-finite numbers into plain JSON, storing
 * array data in the blob ({"$tensor": i}, {"$array": i}, {"$number": "NaN"}).
 */
export function encodeValue(value: unknown, blob: BlobWriter): unknown {
  if (value instanceof Tensor) return { $tensor: blob.add(value.data, value.shape) };
  if (value instanceof Float32Array || value instanceof Float64Array || value instanceof Int32Array) {
    return { $array: blob.add(value, [value.length]) };
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $number: String(value) };
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, blob));
  if (value instanceof Map) return { $map: [...value.entries()].map(([k, v]) => [encodeValue(k, blob), encodeValue(v, blob)]) };
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeValue(v, blob)]));
  }
  return value;
}

/** Reads tensors back out of a checked blob. */
export class BlobReader {
  constructor(
    private readonly entries: readonly TensorEntry[],
    private readonly blob: Uint8Array,
    private readonly where: string,
  ) {}

  data(index: unknown): TypedArray {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= this.entries.length) {
      throw new FormatError(`${this.where}: reference to tensor ${String(index)}, but the file has ${this.entries.length}`);
    }
    const e = this.entries[index as number];
    const copy = this.blob.slice(e.offset, e.offset + e.byteLength);
    const out = allocate(e.dtype, e.byteLength / BYTES[e.dtype]);
    new Uint8Array(out.buffer).set(copy);
    return out;
  }

  tensor(index: unknown): Tensor {
    const data = this.data(index);
    return new Tensor(data, this.entries[index as number].shape);
  }
}

export function decodeValue(value: unknown, blob: BlobReader): unknown {
  if (Array.isArray(value)) return value.map((v) => decodeValue(v, blob));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('$tensor' in o) return blob.tensor(o.$tensor);
    if ('$array' in o) return blob.data(o.$array);
    if ('$number' in o) return Number(o.$number);
    if ('$map' in o && Array.isArray(o.$map)) {
      return new Map((o.$map as unknown[]).map((pair) => {
        if (!Array.isArray(pair) || pair.length !== 2) throw new FormatError('decode: malformed map entry');
        return [decodeValue(pair[0], blob), decodeValue(pair[1], blob)] as [unknown, unknown];
      }));
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeValue(v, blob)]));
  }
  return value;
}

/** Header + blob into one buffer: magic, u32 header length, UTF-8 JSON header, padding, blob. */
export function pack(header: Record<string, unknown>, blob: BlobWriter): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, tensors: blob.entries }));
  const headerEnd = MAGIC.length + 4 + json.length;
  const blobStart = Math.ceil(headerEnd / 8) * 8;
  const body = blob.bytes();
  const out = new Uint8Array(blobStart + body.length);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, json.length, true);
  out.set(json, MAGIC.length + 4);
  out.set(body, blobStart);
  return out;
}

/** Checks every structural claim of a buffer before trusting it; names what is wrong. */
export function unpack(bytes: Uint8Array, source = 'buffer'): { header: Record<string, unknown>; blob: BlobReader } {
  if (!(bytes instanceof Uint8Array)) throw new FormatError(`${source}: expected bytes (Uint8Array)`);
  if (bytes.length < MAGIC.length + 4 || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new FormatError(`${source}: not a nabla model file (wrong magic bytes)`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const headerEnd = MAGIC.length + 4 + headerLength;
  if (headerLength > MAX_HEADER_BYTES || headerEnd > bytes.length) {
    throw new FormatError(`${source}: header claims ${headerLength} bytes but the file has ${bytes.length - MAGIC.length - 4} after the magic (truncated or corrupt)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(MAGIC.length + 4, headerEnd)));
  } catch (e) {
    throw new FormatError(`${source}: header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new FormatError(`${source}: header is not an object`);
  if (header.version !== FORMAT_VERSION) throw new FormatError(`${source}: unsupported format version ${String(header.version)} (this nabla reads ${FORMAT_VERSION})`);
  const blobStart = Math.ceil(headerEnd / 8) * 8;
  const blobBytes = bytes.subarray(Math.min(blobStart, bytes.length));
  const rawEntries = header.tensors;
  if (!Array.isArray(rawEntries)) throw new FormatError(`${source}: header has no tensor table`);
  const entries = rawEntries.map((e: unknown, i: number): TensorEntry => {
    const where = `${source}: tensor ${i}`;
    if (!e || typeof e !== 'object') throw new FormatError(`${where}: entry is not an object`);
    const { dtype, shape, offset, byteLength } = e as Record<string, unknown>;
    let dt: DType;
    try {
      dt = checkDType('load', String(dtype));
    } catch (err) {
      if (err instanceof DTypeError) throw new FormatError(`${where}: unknown dtype '${String(dtype)}'`);
      throw err;
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0 && d <= MAX_ELEMENTS)) {
      throw new FormatError(`${where}: invalid shape ${JSON.stringify(shape)}`);
    }
    const elements = sizeOf(shape as number[]);
    if (elements > MAX_ELEMENTS) throw new FormatError(`${where}: shape ${JSON.stringify(shape)} has an absurd number of elements (${elements})`);
    if (byteLength !== elements * BYTES[dt]) {
      throw new FormatError(`${where}: shape ${JSON.stringify(shape)} of ${dt} needs ${elements * BYTES[dt]} bytes, the table says ${String(byteLength)}`);
    }
    if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 8 !== 0 || (offset as number) + (byteLength as number) > blobBytes.length) {
      throw new FormatError(`${where}: bytes ${String(offset)}..${(offset as number) + (byteLength as number)} lie outside the data (${blobBytes.length} bytes; truncated file?)`);
    }
    return { dtype: dt, shape: shape as number[], offset: offset as number, byteLength: byteLength as number };
  });
  return { header, blob: new BlobReader(entries, blobBytes, source) };
}
