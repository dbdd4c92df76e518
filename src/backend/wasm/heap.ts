/**
 * The wasm linear memory seen from JS: one (shared when threads are possible) memory holding
 *
 * - blocks that outlive a kernel call: resident arrays (parameters and optimizer state live
 *   in wasm memory, so kernels read and write them with no copy), freed when their typed
 *   array is garbage-collected (FinalizationRegistry; no dispose);
 * - a scratch arena for one kernel call: kernels are synchronous and never nest, so each call
 *   starts from an empty arena (`reset`), bump-allocates its copied operands and scratch, and
 *   leaves nothing behind. The arena is itself a block, resized to the high-water mark.
 *
 * The memory keeps its high-water size (wasm memory cannot shrink).
 */

const PAGE = 65536;
/** Every block starts on a cache line, which also keeps v128 accesses aligned. */
const ALIGN = 64;
/** Pages a wasm32 memory can address (4 GiB). */
const MAX_PAGES = 65536;
/** First arena size; it grows to the largest call's needs. */
const INITIAL_ARENA = 1 << 20;

/** Rounds n up to a multiple of ALIGN. */
function aligned(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/**
 * Creates the memory the kernels import. Shared memories reserve their maximum up front, so
 * smaller maxima are tried where a large reservation is refused (32-bit or mobile browsers).
 */
export function createMemory(shared: boolean): WebAssembly.Memory {
  let lastError: unknown;
  for (const maximum of [MAX_PAGES, 16384, 4096]) {
    try {
      return new WebAssembly.Memory({ initial: 16, maximum, shared });
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

/** A free range of the block allocator. */
interface Range {
  at: number;
  bytes: number;
}

/** Block allocator, scratch arena, resident arrays and typed views over the kernels' memory. */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Whether typed arrays over the memory survive its growth (true for shared memory only). */
  readonly residentArrays: boolean;
  /** End of the highest block handed out; free ranges below it are in `free`, sorted by address. */
  private end: number;
  private readonly free: Range[] = [];
  /** Block sizes by address. */
  private readonly sizes = new Map<number, number>();
  private arena: Range = { at: 0, bytes: 0 };
  private top = 0;
  /** Blocks taken when a call outgrew the arena; released (and the arena enlarged) at the next reset. */
  private overflow: number[] = [];
  private used = 0;
  private highWater = 0;
  private readonly addresses = new WeakMap<object, number>();
  private readonly finalizer: FinalizationRegistry<number>;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.residentArrays = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    this.end = aligned(heapBase);
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
    this.finalizer = new FinalizationRegistry((at: number) => this.release(at));
  }

  // ---- blocks ------------------------------------------------------------------------

  /** Reserves a block of `bytes` (64-byte aligned) and returns its address, or −1 when the memory is full. */
  allocBlock(bytes: number): number {
    const size = aligned(Math.max(bytes, ALIGN));
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      if (r.bytes < size) continue;
      const at = r.at;
      if (r.bytes === size) this.free.splice(i, 1);
      else {
        r.at += size;
        r.bytes -= size;
      }
      this.sizes.set(at, size);
      return at;
    }
    const at = this.end;
    if (at + size > this.memory.buffer.byteLength && !this.grow(at + size)) return -1;
    this.end = at + size;
    this.sizes.set(at, size);
    return at;
  }

  /** Returns a block to the allocator, merging it with free neighbours. */
  release(at: number): void {
    const size = this.sizes.get(at);
    if (size === undefined) return;
    this.sizes.delete(at);
    let lo = 0;
    let hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid].at < at) lo = mid + 1;
      else hi = mid;
    }
    const range: Range = { at, bytes: size };
    this.free.splice(lo, 0, range);
    const next = this.free[lo + 1];
    if (next && range.at + range.bytes === next.at) {
      range.bytes += next.bytes;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.at + prev.bytes === range.at) {
      prev.bytes += range.bytes;
      this.free.splice(lo, 1);
    }
    // A free range that reaches the end shrinks the used region instead.
    const last = this.free[this.free.length - 1];
    if (last && last.at + last.bytes === this.end) {
      this.end = last.at;
      this.free.pop();
    }
  }

  private grow(end: number): boolean {
    const have = this.memory.buffer.byteLength / PAGE;
    const need = Math.ceil(end / PAGE);
    if (need > MAX_PAGES) return false;
    // Grow by at least a quarter so a slowly rising high-water mark does not grow every call.
    const want = Math.min(MAX_PAGES, Math.max(need, Math.ceil(have * 1.25)));
    try {
      this.memory.grow(want - have);
    } catch {
      try {
        this.memory.grow(need - have);
      } catch {
        return false;
      }
    }
    return true;
  }

  // ---- resident arrays ---------------------------------------------------------------

  /**
   * A zero-filled float32 or int32 array of `length` elements whose storage is in wasm memory,
   * so kernels use it in place; freed when the array is garbage-collected. Null where the
   * memory is not shared (its growth would detach the array) or is full.
   */
  residentArray(kind: 'float32' | 'int32', length: number): Float32Array | Int32Array | null {
    if (!this.residentArrays) return null;
    const at = this.allocBlock(length * 4);
    if (at < 0) return null;
    const array = kind === 'float32'
      ? new Float32Array(this.memory.buffer, at, length)
      : new Int32Array(this.memory.buffer, at, length);
    array.fill(0);
    this.addresses.set(array, at);
    this.finalizer.register(array, at);
    return array;
  }

  /** Byte address of a resident array (one residentArray returned), or −1 for any other array. */
  addressOf(array: object): number {
    return this.addresses.get(array) ?? -1;
  }

  // ---- the per-call scratch arena ----------------------------------------------------

  /** Forgets every scratch allocation: called at the start of each kernel. */
  reset(): void {
    if (this.overflow.length > 0 || this.arena.bytes === 0) {
      for (const at of this.overflow) this.release(at);
      this.overflow = [];
      if (this.arena.bytes > 0) this.release(this.arena.at);
      const bytes = Math.max(INITIAL_ARENA, aligned(Math.ceil(this.highWater * 1.25)));
      const at = this.allocBlock(bytes);
      this.arena = at < 0 ? { at: 0, bytes: 0 } : { at, bytes };
    }
    this.top = this.arena.at;
    this.used = 0;
  }

  /**
   * Reserves `bytes` of scratch (64-byte aligned) for the current call and returns its byte
   * address, or −1 when the memory cannot hold it (the caller falls back to js).
   */
  alloc(bytes: number): number {
    const size = aligned(Math.max(bytes, 0));
    this.used += size;
    this.highWater = Math.max(this.highWater, this.used);
    if (this.arena.bytes > 0 && this.top + size <= this.arena.at + this.arena.bytes) {
      const at = this.top;
      this.top += size;
      return at;
    }
    const at = this.allocBlock(size);
    if (at >= 0) this.overflow.push(at);
    return at;
  }

  /**
   * The address of an input operand: its own storage when resident, else a scratch copy.
   * Returns −1 when there is no room.
   */
  input(src: Float32Array | Int32Array): number {
    const own = this.addressOf(src);
    if (own >= 0) return own;
    const at = this.alloc(src.length * 4);
    if (at >= 0) this.write(at, src);
    return at;
  }

  /**
   * The address a kernel writes an output to: its own storage when resident, else scratch
   * (copied back by `finishOutput`). Returns −1 when there is no room.
   */
  output(dst: Float32Array | Int32Array): number {
    const own = this.addressOf(dst);
    return own >= 0 ? own : this.alloc(dst.length * 4);
  }

  /** Copies an output back from scratch unless the kernel wrote it in place. */
  finishOutput(at: number, dst: Float32Array | Int32Array): void {
    if (this.addressOf(dst) !== at) this.read(at, dst);
  }

  // ---- views and copies --------------------------------------------------------------

  /** A float32 view of the whole memory, rebuilt after the memory grew. */
  get f32(): Float32Array {
    if (this.f32View.buffer !== this.memory.buffer || this.f32View.length * 4 !== this.memory.buffer.byteLength) {
      this.f32View = new Float32Array(this.memory.buffer);
    }
    return this.f32View;
  }

  /** An int32 view of the whole memory, rebuilt after the memory grew. */
  get i32(): Int32Array {
    if (this.i32View.buffer !== this.memory.buffer || this.i32View.length * 4 !== this.memory.buffer.byteLength) {
      this.i32View = new Int32Array(this.memory.buffer);
    }
    return this.i32View;
  }

  /** Copies src (float32 or int32) into the memory at byte address `at`. */
  write(at: number, src: Float32Array | Int32Array): void {
    if (src instanceof Float32Array) this.f32.set(src, at >>> 2);
    else this.i32.set(src, at >>> 2);
  }

  /** Copies `dst.length` elements from byte address `at` into dst (float32 or int32). */
  read(at: number, dst: Float32Array | Int32Array): void {
    const i = at >>> 2;
    if (dst instanceof Float32Array) dst.set(this.f32.subarray(i, i + dst.length));
    else dst.set(this.i32.subarray(i, i + dst.length));
  }

  /** Bytes the memory holds now. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}
