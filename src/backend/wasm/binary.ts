/**
 * Helpers over the embedded .wasm bytes: base64 decoding, and the one-byte patch that lets
 * the shared-memory build run on a plain memory where SharedArrayBuffer is unavailable
 * (a browser page that is not cross-origin isolated).
 */

/** Decodes base64 (atob exists in browsers and in Node ≥ 16). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

/** Reads an unsigned LEB128 at pos; returns [value, next position]. */
function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7;
  }
}

/** Skips limits (flags, min, optional max); returns the position after them. */
function skipLimits(bytes: Uint8Array, pos: number): number {
  const flags = bytes[pos];
  pos = readU32(bytes, pos + 1)[1];
  return flags & 0x01 ? readU32(bytes, pos)[1] : pos;
}

/**
 * A copy of the module whose imported memories are declared unshared (limits flag bit 1
 * cleared). The kernels use no atomic instructions, so nothing else depends on sharing.
 * Returns the bytes unchanged when there is no shared memory import.
 */
export function unshareMemoryImports(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(wasm);
  let pos = 8; // magic and version
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readU32(bytes, pos + 1);
    const end = start + size;
    if (id === 2) {
      let p = start;
      let count: number;
      [count, p] = readU32(bytes, p);
      for (let i = 0; i < count; i++) {
        for (let name = 0; name < 2; name++) {
          const [len, q] = readU32(bytes, p); // module name, then field name
          p = q + len;
        }
        const kind = bytes[p++];
        if (kind === 0x00) p = readU32(bytes, p)[1]; // function: type index
        else if (kind === 0x01) p = skipLimits(bytes, p + 1); // table: ref type, limits
        else if (kind === 0x02) {
          bytes[p] &= ~0x02; // memory: the 'shared' bit
          p = skipLimits(bytes, p);
        } else if (kind === 0x03) p += 2; // global: value type, mutability
        else if (kind === 0x04) p = readU32(bytes, p + 1)[1]; // tag: attribute, type index
        else throw new Error(`wasm: unknown import kind ${kind}`);
      }
    }
    pos = end;
  }
  return bytes;
}
