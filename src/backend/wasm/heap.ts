/**
 * The wasm linear memory seen from JS: one (shared when threads are possible) memory, and a
 * bump allocator over it. Kernels are synchronous and never nest, so each kernel call starts
 * from an empty heap (`reset`), allocates its operands and scratch, and leaves nothing behind:
 * no free list is needed. The memory keeps its high-water size (wasm memory cannot shrink).
 */

const PAGE = 65536;
/** Every block starts on a cache line, which also keeps v128 accesses aligned. */
const ALIGN = 64;
/** Pages a wasm32 memory can address (4 GiB). */
const MAX_PAGES = 65536;

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

/** Bump allocator and typed views over the kernels' memory. */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** First byte JS may use: the module's static data ends below it. */
  private readonly base: number;
  private top: number;
  private f32View: Float32Array;
  private i32View: Int32Array;

  constructor(memory: WebAssembly.Memory, heapBase: number) {
    this.memory = memory;
    this.base = aligned(heapBase);
    this.top = this.base;
    this.f32View = new Float32Array(memory.buffer);
    this.i32View = new Int32Array(memory.buffer);
  }

  /** Forgets every allocation: called at the start of each kernel. */
  reset(): void {
    this.top = this.base;
  }

  /**
   * Reserves `bytes` (64-byte aligned) and returns its byte address, growing the memory when
   * needed. Returns -1 when the memory cannot grow that far (the caller falls back to js).
   */
  alloc(bytes: number): number {
    const at = this.top;
    const end = at + aligned(Math.max(bytes, 0));
    if (end > this.memory.buffer.byteLength && !this.grow(end)) return -1;
    this.top = end;
    return at;
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
