import { FormatError, Tensor, allocate, type DType } from '../tensor/index.js';

/**
 * The IDX format (LeCun's MNIST files): a 4-byte magic number 00 00 TT DD (TT the element
 * type, DD the number of dimensions), DD big-endian uint32 sizes, then the elements
 * big-endian, row-major.
 */
const TYPES: Record<number, { name: string; bytes: number; dtype: DType }> = {
  0x08: { name: 'unsigned byte', bytes: 1, dtype: 'int32' },
  0x09: { name: 'signed byte', bytes: 1, dtype: 'int32' },
  0x0b: { name: 'short (int16)', bytes: 2, dtype: 'int32' },
  0x0c: { name: 'int (int32)', bytes: 4, dtype: 'int32' },
  0x0d: { name: 'float (float32)', bytes: 4, dtype: 'float32' },
  0x0e: { name: 'double (float64)', bytes: 8, dtype: 'float64' },
};

/** What the header of an IDX file declares. */
export interface IdxHeader {
  /** The element type code (0x08 … 0x0E). */
  typeCode: number;
  /** Bytes per element. */
  elementBytes: number;
  dims: number[];
  /** Number of elements the dims declare. */
  size: number;
  /** Bytes before the first element: 4 + 4·ndim. */
  headerBytes: number;
}

function hex(v: number): string {
  return `0x${v.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Reads and checks the magic number and dims; `where` names the file in errors. */
export function readIdxHeader(bytes: Uint8Array, where = 'readIdx'): IdxHeader {
  if (bytes.length < 4) throw new FormatError(`${where}: ${bytes.length} bytes is too short for an IDX file (the header alone is at least 8)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (this looks gzip-compressed: decompress the .gz first)' : '';
    throw new FormatError(`${where}: bad magic number ${hex(bytes[0])} ${hex(bytes[1])} ${hex(bytes[2])} ${hex(bytes[3])}: an IDX file starts with two zero bytes${gz}`);
  }
  const typeCode = bytes[2];
  const type = TYPES[typeCode];
  if (!type) {
    throw new FormatError(`${where}: unknown element type ${hex(typeCode)} in the magic number (expected 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float or 0x0E double)`);
  }
  const ndim = bytes[3];
  if (ndim === 0) throw new FormatError(`${where}: the magic number declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) {
    throw new FormatError(`${where}: truncated header: ${ndim} dimensions need ${headerBytes} header bytes, the data has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < ndim; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n; // a float: an absurd product stays absurd (no 32-bit wrap-around) and fails the size check
  }
  return { typeCode, elementBytes: type.bytes, dims, size, headerBytes };
}

/**
 * Decodes `count` elements starting at element `first` of an IDX body into a typed array
 * of the header's dtype (or into float32 scaled by `scale`, for pixels).
 */
export function decodeIdxElements(
  bytes: Uint8Array, header: IdxHeader, bodyOffset: number, count: number, scale?: number,
): Float32Array | Float64Array | Int32Array {
  const type = TYPES[header.typeCode];
  const out = allocate(scale === undefined ? type.dtype : 'float32', count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + bodyOffset, count * type.bytes);
  const k = scale ?? 1;
  switch (header.typeCode) {
    case 0x08: {
      const src = bytes.subarray(bodyOffset, bodyOffset + count);
      if (scale === undefined) out.set(src);
      else for (let i = 0; i < count; i++) out[i] = src[i] * k;
      break;
    }
    case 0x09: for (let i = 0; i < count; i++) out[i] = view.getInt8(i) * k; break;
    case 0x0b: for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, false) * k; break;
    case 0x0c: for (let i = 0; i < count; i++) out[i] = view.getInt32(4 * i, false) * k; break;
    case 0x0d: for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, false) * k; break;
    case 0x0e: for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, false) * k; break;
  }
  return out;
}

/** Throws unless the body holds exactly the bytes the dims declare. */
export function checkIdxBodySize(header: IdxHeader, totalBytes: number, where = 'readIdx'): void {
  const declared = header.size * header.elementBytes;
  const body = totalBytes - header.headerBytes;
  if (declared === body) return;
  const what = `dims [${header.dims.join(',')}] declare ${header.size} elements of ${header.elementBytes} byte${header.elementBytes > 1 ? 's' : ''} (${declared} bytes)`;
  if (declared > body) throw new FormatError(`${where}: truncated data: ${what} but only ${body} bytes follow the header`);
  throw new FormatError(`${where}: ${what} but ${body} bytes follow the header (${body - declared} extra: wrong dims or a different file)`);
}

/**
 * Parses an IDX file held in memory into a tensor of the declared dims. Integer types
 * (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int) give int32; 0x0D float gives float32,
 * 0x0E double float64. A wrong magic number, a truncated file or dims that do not match
 * the byte count is a FormatError, checked before anything is allocated.
 */
export function readIdx(bytes: Uint8Array | ArrayBuffer): Tensor {
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) throw new FormatError('readIdx: expected a Uint8Array (or Buffer) or an ArrayBuffer');
  const header = readIdxHeader(data);
  checkIdxBodySize(header, data.length);
  return new Tensor(decodeIdxElements(data, header, header.headerBytes, header.size), header.dims);
}
