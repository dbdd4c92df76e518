import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';

/** An IDX file: magic 00 00 type ndim, big-endian uint32 dims, then the body bytes. */
function idx(type: number, dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

describe('readIdx', () => {
  it('unsigned bytes 0x08 → int32 with the declared dims', () => {
    const t = nb.data.readIdx(idx(0x08, [2, 3], [1, 2, 3, 4, 5, 255]));
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 255]]);
  });

  it('signed bytes 0x09, shorts 0x0B and ints 0x0C are big-endian two\'s complement', () => {
    expect(nb.data.readIdx(idx(0x09, [3], [0xff, 0x80, 0x7f])).toArray()).toEqual([-1, -128, 127]);
    expect(nb.data.readIdx(idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe])).toArray()).toEqual([258, -2]);
    expect(nb.data.readIdx(idx(0x0c, [2], [0x00, 0x01, 0x00, 0x00, 0x80, 0, 0, 0])).toArray()).toEqual([65536, -2147483648]);
  });

  it('float 0x0D → float32, double 0x0E → float64', () => {
    // 1.5 = 0x3FC00000, −2 = 0xC0000000 (IEEE 754 single).
    const f = nb.data.readIdx(idx(0x0d, [1, 2], [0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0]));
    expect(f.dtype).toBe('float32');
    expect(f.toArray()).toEqual([[1.5, -2]]);
    // 0.1 as a double is 3F B9 99 99 99 99 99 9A.
    const d = nb.data.readIdx(idx(0x0e, [1], [0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]));
    expect(d.dtype).toBe('float64');
    expect(d.item()).toBe(0.1);
  });

  it('reads from a view into a larger buffer, and from an ArrayBuffer', () => {
    const file = idx(0x0b, [2], [0x00, 0x07, 0x01, 0x00]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(nb.data.readIdx(padded.subarray(3)).toArray()).toEqual([7, 256]);
    expect(nb.data.readIdx(file.slice().buffer).toArray()).toEqual([7, 256]);
  });

  it('an empty dimension gives an empty tensor', () => {
    expect(nb.data.readIdx(idx(0x08, [0, 28, 28], [])).shape).toEqual([0, 28, 28]);
  });

  describe('FormatError for every kind of bad file', () => {
    const fails = (bytes: Uint8Array, message: RegExp): void => {
      expect(() => nb.data.readIdx(bytes)).toThrow(nb.FormatError);
      expect(() => nb.data.readIdx(bytes)).toThrow(message);
    };

    it('too short for a header', () => {
      fails(new Uint8Array([0, 0, 8]), /3 bytes is too short for an IDX file/);
      fails(new Uint8Array(0), /0 bytes is too short/);
    });

    it('wrong magic number (first two bytes), with a hint for gzip', () => {
      fails(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), /bad magic number 0x01 0x00 0x08 0x01/);
      fails(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), /gzip-compressed/);
    });

    it('unknown element type and zero dimensions', () => {
      fails(idx(0x0a, [1], [0]), /unknown element type 0x0A/);
      fails(new Uint8Array([0, 0, 8, 0]), /declares 0 dimensions/);
    });

    it('truncated header', () => {
      fails(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]), /truncated header: 3 dimensions need 16 header bytes, the data has 10/);
    });

    it('truncated data: fewer bytes than the dims declare', () => {
      fails(idx(0x08, [2, 3], [1, 2, 3, 4, 5]), /truncated data: dims \[2,3\] declare 6 elements of 1 byte \(6 bytes\) but only 5 bytes follow the header/);
      fails(idx(0x0d, [2], [0, 0, 0, 0, 0, 0]), /declare 2 elements of 4 bytes \(8 bytes\) but only 6/);
    });

    it('more bytes than the dims declare', () => {
      fails(idx(0x08, [2], [1, 2, 3]), /dims \[2\] declare 2 elements .* but 3 bytes follow the header \(1 extra/);
    });

    it('absurd declared sizes fail on the size check, before any allocation', () => {
      fails(idx(0x0e, [0xffffffff, 0xffffffff, 0xffffffff], [1, 2, 3]), /truncated data/);
      // 65536 · 65536 wraps to 0 in 32-bit arithmetic; the check must not be fooled.
      fails(idx(0x08, [65536, 65536], []), /truncated data: dims \[65536,65536\] declare 4294967296 elements/);
    });
  });
});
