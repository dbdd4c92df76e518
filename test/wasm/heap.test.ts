/**
 * The wasm heap (src/backend/wasm/heap.ts): the block allocator, the per-call scratch arena,
 * resident arrays, and through the library, parameters moved into wasm memory by optimizers.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { WasmHeap, createMemory } from '../../src/backend/wasm/heap.js';
import { wasmBackend } from '../../src/backend/wasm/index.js';
import { currentRuntime } from '../../src/backend/wasm/runtime.js';
import { loadWasm, rng, uniform } from './setup.js';

const PAGE = 65536;
const BASE = 1024;

/** A fresh heap over its own shared memory (16 pages), blocks from address 1024. */
function freshHeap(): WasmHeap {
  return new WasmHeap(createMemory(true), BASE);
}

/** Fills the bytes [at, at + bytes) (bytes a multiple of 4) with the int32 `tag`. */
function stamp(heap: WasmHeap, at: number, bytes: number, tag: number): void {
  heap.i32.fill(tag, at >>> 2, (at + bytes) >>> 2);
}

/** Whether every int32 of [at, at + bytes) still holds `tag`. */
function holds(heap: WasmHeap, at: number, bytes: number, tag: number): boolean {
  return heap.i32.subarray(at >>> 2, (at + bytes) >>> 2).every((x) => x === tag);
}

describe('WasmHeap block allocator', () => {
  it('aligns every block to 64 bytes, at least 64 bytes apart, from the aligned heap base', () => {
    const heap = new WasmHeap(createMemory(true), 1000); // 1000 rounds up to 1024
    expect(heap.allocBlock(1)).toBe(1024);
    expect(heap.allocBlock(0)).toBe(1088); // an empty request still takes a 64-byte block
    expect(heap.allocBlock(65)).toBe(1152); // 65 bytes take 128
    expect(heap.allocBlock(64)).toBe(1280);
    expect(heap.allocBlock(4)).toBe(1344);
    const r = rng(1);
    for (let k = 0; k < 50; k++) expect(heap.allocBlock(1 + Math.floor(r() * 5000)) % 64).toBe(0);
  });

  it('never hands out overlapping live blocks: random allocations and frees against a model', () => {
    const heap = freshHeap();
    const live = new Map<number, { bytes: number; tag: number }>();
    const r = rng(7);
    let tag = 1;
    const overlaps = (at: number, bytes: number): boolean =>
      [...live].some(([a, b]) => at < a + b.bytes && a < at + bytes);
    for (let k = 0; k < 600; k++) {
      if (live.size > 0 && r() < 0.45) {
        const addresses = [...live.keys()];
        const at = addresses[Math.floor(r() * addresses.length)];
        heap.release(at);
        live.delete(at);
      } else {
        // Mostly small blocks, now and then one of up to 300 KiB (the memory has to grow).
        const bytes = 4 * (1 + Math.floor(r() < 0.1 ? r() * 75_000 : r() * 1000));
        const at = heap.allocBlock(bytes);
        expect(at % 64).toBe(0);
        expect(at).toBeGreaterThanOrEqual(BASE);
        expect(at + bytes).toBeLessThanOrEqual(heap.byteLength);
        if (overlaps(at, bytes)) expect.fail(`step ${k}: block [${at}, ${at + bytes}) overlaps a live block`);
        stamp(heap, at, bytes, tag);
        live.set(at, { bytes, tag: tag++ });
      }
    }
    // No block was written over by another one.
    for (const [at, b] of live) expect(holds(heap, at, b.bytes, b.tag), `block at ${at}`).toBe(true);
    // Freeing everything (in address order) leaves one free region: the next block is at the base.
    for (const at of [...live.keys()].sort((a, b) => a - b)) heap.release(at);
    expect(heap.allocBlock(4)).toBe(BASE);
  });

  it.each([
    [[0, 1, 2]], [[0, 2, 1]], [[1, 0, 2]], [[1, 2, 0]], [[2, 0, 1]], [[2, 1, 0]],
  ])('coalesces three adjacent free blocks (freed in order %j) into one of their total size', (order) => {
    const heap = freshHeap();
    const blocks = [heap.allocBlock(1000), heap.allocBlock(1000), heap.allocBlock(1000)]; // 1024 bytes each
    const guard = heap.allocBlock(100); // keeps the three away from the end of the used region
    expect(blocks).toEqual([BASE, BASE + 1024, BASE + 2048]);
    heap.release(blocks[order[0]]);
    heap.release(blocks[order[1]]);
    // Two free blocks (adjacent or not) cannot hold three: that block goes past the guard.
    const past = heap.allocBlock(3 * 1024);
    expect(past).toBeGreaterThan(guard);
    heap.release(past);
    heap.release(blocks[order[2]]);
    // One byte more than the three does not fit either ...
    const tooBig = heap.allocBlock(3 * 1024 + 1);
    expect(tooBig).toBeGreaterThan(guard);
    heap.release(tooBig);
    // ... and exactly the three comes back at the first address.
    expect(heap.allocBlock(3 * 1024)).toBe(BASE);
    expect(heap.allocBlock(64)).toBe(guard + 128);
  });

  it('splits a larger free range and reuses the remainder', () => {
    const heap = freshHeap();
    const a = heap.allocBlock(4096);
    const guard = heap.allocBlock(64);
    heap.release(a);
    expect(heap.allocBlock(1024)).toBe(a);
    expect(heap.allocBlock(1024)).toBe(a + 1024);
    expect(heap.allocBlock(2048)).toBe(a + 2048);
    expect(heap.allocBlock(64)).toBe(guard + 64);
  });

  it('grows the memory past its 16 initial pages, keeping the data; refuses what wasm32 cannot address', () => {
    const heap = freshHeap();
    expect(heap.byteLength).toBe(16 * PAGE);
    const small = heap.allocBlock(4000);
    const data = uniform(1000, 3);
    heap.write(small, data);
    const big = heap.allocBlock(3 << 20);
    expect(big).toBeGreaterThanOrEqual(small + 4000);
    expect(heap.byteLength).toBeGreaterThanOrEqual(big + (3 << 20));
    expect(heap.byteLength % PAGE).toBe(0);
    const back = new Float32Array(1000);
    heap.read(small, back);
    expect(back).toEqual(data);
    // The whole new block is usable (the views were rebuilt over the grown memory).
    stamp(heap, big, 3 << 20, 42);
    expect(holds(heap, big, 3 << 20, 42)).toBe(true);
    expect(heap.allocBlock(2 ** 33)).toBe(-1);
    expect(heap.allocBlock(64)).toBe(big + (3 << 20)); // a refused request leaves the heap as it was
  });

  it('releasing an unknown address or the same block twice changes nothing', () => {
    const heap = freshHeap();
    const a = heap.allocBlock(128);
    const b = heap.allocBlock(128);
    heap.release(a + 64);
    heap.release(12345);
    heap.release(a);
    heap.release(a);
    expect(heap.allocBlock(128)).toBe(a);
    expect(heap.allocBlock(128)).toBe(b + 128);
  });
});

describe('WasmHeap scratch arena', () => {
  it('an overflowing call takes extra blocks; after reset the arena has grown and the same call fits', () => {
    const heap = freshHeap();
    const bytes = 600 * 1024;
    heap.reset();
    const a1 = heap.alloc(bytes);
    const a2 = heap.alloc(bytes); // past the 1 MiB arena: a block of its own
    expect(a2 >= a1 + bytes || a2 + bytes <= a1).toBe(true);
    expect(a2 < a1 || a2 >= a1 + (1 << 20)).toBe(true);
    stamp(heap, a1, bytes, 1);
    stamp(heap, a2, bytes, 2);
    expect(holds(heap, a1, bytes, 1)).toBe(true);
    // The next call: the arena now holds both, one right after the other.
    heap.reset();
    const b1 = heap.alloc(bytes);
    const b2 = heap.alloc(bytes);
    expect(b2).toBe(b1 + bytes);
    const b3 = heap.alloc(100);
    expect(b3).toBe(b2 + bytes); // 600 KiB is a multiple of 64
    // And the call after that reuses the same arena from its start.
    heap.reset();
    expect(heap.alloc(bytes)).toBe(b1);
    expect(heap.alloc(bytes)).toBe(b2);
    expect(heap.alloc(1)).toBe(b3);
    expect(heap.alloc(1)).toBe(b3 + 64);
  });

  it('a resident array stays intact when the arena is moved and enlarged around it', () => {
    const heap = freshHeap();
    heap.reset();
    const resident = heap.residentArray('float32', 5000) as Float32Array;
    const values = uniform(5000, 4);
    resident.set(values);
    const at = heap.addressOf(resident);
    for (let call = 0; call < 4; call++) {
      heap.reset();
      // Each call needs more scratch than the last: overflow, then a bigger arena elsewhere.
      const need = (call + 1) * (700 << 10);
      const scratch = [heap.alloc(need), heap.alloc(need)];
      for (const s of scratch) {
        expect(s >= at + 20000 || s + need <= at).toBe(true);
        stamp(heap, s, need, -1);
      }
    }
    expect(resident).toEqual(values);
    expect(heap.addressOf(resident)).toBe(at);
  });
});

describe('WasmHeap resident arrays', () => {
  it('are zero-filled views into the memory, float32 or int32, with their address known', () => {
    const heap = freshHeap();
    const f = heap.residentArray('float32', 100);
    const i = heap.residentArray('int32', 10);
    expect(f).toBeInstanceOf(Float32Array);
    expect(i).toBeInstanceOf(Int32Array);
    expect(f!.buffer).toBeInstanceOf(SharedArrayBuffer);
    const at = heap.addressOf(f!);
    expect(at % 64).toBe(0);
    expect(f!.byteOffset).toBe(at);
    expect(heap.addressOf(i!)).toBe(i!.byteOffset);
    // Writes through the array are the memory's contents, and the other way round.
    f!.set([1.5, -2.5], 10);
    expect(Array.from(heap.f32.subarray((at >>> 2) + 10, (at >>> 2) + 12))).toEqual([1.5, -2.5]);
    heap.write(at, new Float32Array([7, 8]));
    expect(Array.from(f!.subarray(0, 2))).toEqual([7, 8]);
    // A reused block comes back zeroed.
    f!.fill(9);
    heap.release(at);
    const again = heap.residentArray('float32', 100)!;
    expect(heap.addressOf(again)).toBe(at);
    expect(again.every((x) => x === 0)).toBe(true);
    // Only the arrays residentArray returned have an address: not copies, not subarrays.
    expect(heap.addressOf(new Float32Array(100))).toBe(-1);
    expect(heap.addressOf(again.subarray(0, 10))).toBe(-1);
  });

  it('keep their values and their storage when the memory grows', () => {
    const heap = freshHeap();
    const a = heap.residentArray('float32', 3000)!;
    const b = heap.residentArray('int32', 500)!;
    const values = uniform(3000, 8);
    a.set(values);
    b.set(Array.from({ length: 500 }, (_, k) => k * 7 - 1000));
    const before = heap.byteLength;
    const big = heap.allocBlock(6 << 20);
    expect(heap.byteLength).toBeGreaterThan(before);
    stamp(heap, big, 6 << 20, 3);
    expect(a).toEqual(values);
    expect(b[499]).toBe(499 * 7 - 1000);
    // Still the kernels' memory: writes on either side are seen by the other after growth.
    const at = heap.addressOf(a);
    a[0] = 123.25;
    expect(heap.f32[at >>> 2]).toBe(123.25);
    heap.write(at + 4, new Float32Array([-4.5]));
    expect(a[1]).toBe(-4.5);
  });

  it('input() uses a resident array in place and copies a plain one into scratch', () => {
    const heap = freshHeap();
    const resident = heap.residentArray('float32', 64)!;
    resident.set(uniform(64, 9));
    heap.reset();
    const first = heap.alloc(0); // where this call's scratch starts
    heap.reset();
    expect(heap.input(resident)).toBe(heap.addressOf(resident));
    // Nothing was copied: the scratch is still empty.
    expect(heap.alloc(4)).toBe(first);
    heap.reset();
    const plain = uniform(64, 10);
    const at = heap.input(plain);
    expect(at).toBe(first);
    expect(heap.f32.subarray(at >>> 2, (at >>> 2) + 64)).toEqual(plain);
    // A copy: changing the source later does not change it.
    plain[0] = 99;
    expect(heap.f32[at >>> 2]).not.toBe(99);
    const ints = new Int32Array([5, -6, 7]);
    const atInts = heap.input(ints);
    expect(Array.from(heap.i32.subarray(atInts >>> 2, (atInts >>> 2) + 3))).toEqual([5, -6, 7]);
  });

  it('output() writes a resident array in place; a plain one gets scratch and finishOutput copies it back', () => {
    const heap = freshHeap();
    const resident = heap.residentArray('float32', 8)!;
    heap.reset();
    const atResident = heap.output(resident);
    expect(atResident).toBe(heap.addressOf(resident));
    heap.f32.set([1, 2, 3, 4, 5, 6, 7, 8], atResident >>> 2);
    heap.finishOutput(atResident, resident);
    expect(Array.from(resident)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const plain = new Float32Array(8);
    const atPlain = heap.output(plain);
    expect(atPlain).not.toBe(atResident);
    heap.f32.set([8, 7, 6, 5, 4, 3, 2, 1], atPlain >>> 2);
    expect(Array.from(plain)).toEqual(new Array(8).fill(0)); // not yet
    heap.finishOutput(atPlain, plain);
    expect(Array.from(plain)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('are not handed out over an unshared memory (its growth would detach them)', () => {
    const heap = new WasmHeap(createMemory(false), BASE);
    expect(heap.residentArrays).toBe(false);
    expect(heap.residentArray('float32', 10)).toBeNull();
  });
});

describe('resident parameters through the library', () => {
  beforeAll(loadWasm);
  afterEach(() => {
    vi.restoreAllMocks();
    nb.setBackend('js');
  });

  const heap = (): WasmHeap => currentRuntime()!.heap;

  function model(dtype: 'float32' | 'float64' = 'float32'): nb.nn.Sequential {
    nb.manualSeed(3);
    return new nb.nn.Sequential(new nb.nn.Linear(20, 16, { dtype }), new nb.nn.Tanh(), new nb.nn.Linear(16, 2, { dtype }));
  }

  it('modules keep float32 parameters in wasm memory; new Adam moves plain tensors there, values unchanged', () => {
    nb.setBackend('wasm');
    const net = model();
    const params = net.parameters();
    // Registered module parameters are resident from the start (before any view of them exists).
    params.forEach((p, i) => expect(heap().addressOf(p.data), `parameter ${i}`).toBeGreaterThanOrEqual(0));
    const plain = nb.randn([300], { requiresGrad: true });
    const plainStorage = plain.data;
    const plainBefore = plain.dataSync();
    expect(heap().addressOf(plain.data)).toBe(-1);
    const before = params.map((p) => p.dataSync());
    const storage = params.map((p) => p.data);
    const opt = new nb.optim.Adam(params, { lr: 0.01 });
    new nb.optim.Adam([plain]);
    expect(plain.data).not.toBe(plainStorage);
    expect(heap().addressOf(plain.data)).toBeGreaterThanOrEqual(0);
    expect(plain.dataSync()).toEqual(plainBefore);
    params.forEach((p, i) => {
      expect(p.data, `parameter ${i}`).toBe(storage[i]);
      expect(p.data).toBeInstanceOf(Float32Array);
      expect(p.dataSync()).toEqual(before[i]);
    });
    // A second optimizer over the same parameters leaves them where they are.
    const moved = params.map((p) => p.data);
    new nb.optim.SGD(params, { momentum: 0.9 });
    params.forEach((p, i) => expect(p.data).toBe(moved[i]));
    // A step updates them in place, and the state (m, v) is resident too.
    const x = nb.randn([8, 20]);
    nb.nn.functional.mseLoss(net.forward(x), nb.zeros([8, 2])).backward();
    opt.step();
    params.forEach((p, i) => {
      expect(p.data).toBe(moved[i]);
      expect(Array.from(p.data).some((v, j) => v !== before[i][j])).toBe(true);
    });
    const state = (opt as unknown as { state: Map<nb.Tensor, nb.optim.AdamState> }).state;
    for (const p of params) {
      const st = state.get(p)!;
      expect(heap().addressOf(st.expAvg.data)).toBeGreaterThanOrEqual(0);
      expect(heap().addressOf(st.expAvgSq.data)).toBeGreaterThanOrEqual(0);
    }
  });

  it('SGD with momentum keeps its buffers resident on wasm', () => {
    nb.setBackend('wasm');
    const net = model();
    const params = net.parameters();
    const opt = new nb.optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    nb.nn.functional.mseLoss(net.forward(nb.randn([4, 20])), nb.zeros([4, 2])).backward();
    opt.step();
    const state = (opt as unknown as { state: Map<nb.Tensor, nb.optim.SGDState> }).state;
    for (const p of params) expect(heap().addressOf(state.get(p)!.momentumBuffer!.data)).toBeGreaterThanOrEqual(0);
  });

  it('on js, and for float64 parameters on wasm, the parameters are left alone', () => {
    nb.setBackend('js');
    const onJs = model().parameters();
    const jsStorage = onJs.map((p) => p.data);
    new nb.optim.Adam(onJs);
    onJs.forEach((p, i) => {
      expect(p.data).toBe(jsStorage[i]);
      expect(heap().addressOf(p.data)).toBe(-1);
    });
    nb.setBackend('wasm');
    const f64 = model('float64').parameters();
    const storage = f64.map((p) => p.data);
    new nb.optim.Adam(f64);
    f64.forEach((p, i) => {
      expect(p.data).toBe(storage[i]);
      expect(p.data).toBeInstanceOf(Float64Array);
      expect(heap().addressOf(p.data)).toBe(-1);
    });
    // The backend hands out no float64 or empty resident arrays at all.
    expect(wasmBackend.residentArray!('float64', 10)).toBeNull();
    expect(wasmBackend.residentArray!('float32', 0)).toBeNull();
    expect(wasmBackend.residentArray!('float32', 10)).toBeInstanceOf(Float32Array);
  });

  it('matmul with a resident operand reads it in place and gives the same product as a plain copy', () => {
    nb.setBackend('wasm');
    const net = model();
    const weight = net.parameters()[0]; // [16, 20]
    new nb.optim.Adam(net.parameters());
    const at = heap().addressOf(weight.data);
    expect(at).toBeGreaterThanOrEqual(0);
    const x = nb.randn([20, 64]);
    const copy = nb.tensor(weight.dataSync(), { dtype: 'float32' }).reshape([16, 20]);
    expect(heap().addressOf(copy.data)).toBe(-1);
    const input = vi.spyOn(heap(), 'input');
    const viaResident = weight.matmul(x); // 16·64·20 multiply-adds: runs in wasm
    expect(input).toHaveBeenCalledWith(weight.data);
    expect(input.mock.results[0].value).toBe(at);
    const viaCopy = copy.matmul(x);
    expect(viaResident.dataSync()).toEqual(viaCopy.dataSync());
    // And the product is right: an independent float64 sum for a few entries.
    const w = weight.dataSync();
    const xs = x.dataSync();
    const out = viaResident.dataSync();
    for (const [i, j] of [[0, 0], [7, 33], [15, 63]]) {
      let sum = 0;
      for (let k = 0; k < 20; k++) sum += w[i * 20 + k] * xs[k * 64 + j];
      expect(Math.abs(out[i * 64 + j] - sum)).toBeLessThan(1e-5);
    }
  });
});
