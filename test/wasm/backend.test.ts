import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { jsBackend } from '../../src/backend/js/index.js';
import type { Kernels } from '../../src/backend/types.js';
import { decodeBase64, unshareMemoryImports } from '../../src/backend/wasm/binary.js';
import { RELAXED_SIMD_PROBE, SIMD_PROBE, THREADS_PROBE, detectFeatures } from '../../src/backend/wasm/features.js';
import { SIMD_WASM_BASE64 } from '../../src/backend/wasm/generated/kernels.js';
import { WasmHeap, createMemory } from '../../src/backend/wasm/heap.js';
import {
  WASM_KERNELS, getNumThreads, initDefaultBackend, initWasmBackend, setNumThreads, startWasmThreads, wasmBackend, wasmInfo,
} from '../../src/backend/wasm/index.js';
import { currentRuntime } from '../../src/backend/wasm/runtime.js';
import { kernelsFor } from '../../src/tensor/index.js';
import { loadWasm, uniform } from './setup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** This process loaded the relaxed build (the package enables relaxed SIMD on Node 20 when it can). */
const RELAXED_AVAILABLE = wasmInfo()?.variant === 'relaxed-simd';

describe('wasm backend selection', () => {
  const savedEnv = process.env.NABLA_BACKEND;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.NABLA_BACKEND;
    else process.env.NABLA_BACKEND = savedEnv;
    nb.setBackend('js');
  });

  it('defaults to one thread per core before anything is set', async () => {
    await loadWasm();
    expect(getNumThreads()).toBe(availableParallelism());
  });

  it('registers itself once loaded; loading twice is harmless', async () => {
    expect(await initWasmBackend()).toBe(true);
    expect(await initWasmBackend()).toBe(true);
    expect(nb.listBackends()).toEqual(['js', 'wasm']);
    const info = wasmInfo();
    expect(info?.variant).toBe('relaxed-simd'); // Node 20: enabled through the V8 flag
    expect(info?.features).toEqual({ simd: true, relaxedSimd: true, threads: true });
  });

  it('computes float32 only: the op layer sends float64 and int32 to js', () => {
    expect(wasmBackend.name).toBe('wasm');
    expect(wasmBackend.dtypes).toEqual(['float32']);
    nb.setBackend('wasm');
    expect(kernelsFor('float32').name).toBe('wasm');
    expect(kernelsFor('float64').name).toBe('js');
    expect(kernelsFor('int32').name).toBe('js');
    const x = nb.tensor([[1, 2], [3, 4]], { dtype: 'float64' });
    expect(x.matmul(x).toArray()).toEqual([[7, 10], [15, 22]]);
  });

  it('takes every kernel it does not implement from js', () => {
    const names = Object.keys(jsBackend).filter((key) => typeof jsBackend[key as keyof Kernels] === 'function') as (keyof Kernels)[];
    for (const name of names) {
      expect(typeof wasmBackend[name], name).toBe('function');
      if (!WASM_KERNELS.includes(name)) expect(wasmBackend[name], name).toBe(jsBackend[name]);
    }
    expect([...WASM_KERNELS].sort()).toEqual([
      'adamStep', 'avgPool2d', 'avgPool2dBackward', 'binary', 'col2im', 'conv2d', 'conv2dBackwardInput', 'conv2dBackwardWeight',
      'conv2dMaxPoolRelu', 'conv2dMaxPoolReluBackward', 'fill',
      'im2col', 'matmul', 'maxPool2d', 'maxPool2dBackward', 'reduce', 'sgdStep', 'softmax', 'unary',
    ]);
  });

  it('NABLA_RELAXED_SIMD=0 loads the plain-SIMD build at package load; the default is relaxed where available', async () => {
    const script = "import * as nb from 'nabla'; console.log(nb.wasmInfo()?.variant)";
    const run = (env: Record<string, string>): string => execFileSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000,
    }).trim();
    expect(run({ NABLA_RELAXED_SIMD: '0' })).toBe('simd');
    expect(run({ NABLA_RELAXED_SIMD: '' })).toBe(detectFeatures().relaxedSimd || RELAXED_AVAILABLE ? 'relaxed-simd' : 'simd');
  }, 40_000);

  it('initDefaultBackend picks wasm, or what NABLA_BACKEND names', async () => {
    delete process.env.NABLA_BACKEND;
    expect(await initDefaultBackend()).toBe('wasm');
    expect(nb.getBackend()).toBe('wasm');
    process.env.NABLA_BACKEND = 'js';
    expect(await initDefaultBackend()).toBe('js');
    expect(nb.getBackend()).toBe('js');
    process.env.NABLA_BACKEND = 'wasm';
    expect(await initDefaultBackend()).toBe('wasm');
    process.env.NABLA_BACKEND = 'webgpu';
    await expect(initDefaultBackend()).rejects.toThrow(/NABLA_BACKEND=webgpu: no such backend/);
  });

  it('setNumThreads checks its argument; getNumThreads reports the setting', () => {
    expect(() => setNumThreads(0)).toThrow(RangeError);
    expect(() => setNumThreads(1.5)).toThrow(/integer ≥ 1/);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
  });
});

describe('feature probes and the embedded binary', () => {
  beforeAll(loadWasm);

  it('probe modules are well-formed and validate on Node 20 (relaxed SIMD once the flag is on)', () => {
    for (const probe of [SIMD_PROBE, RELAXED_SIMD_PROBE, THREADS_PROBE]) {
      expect(WebAssembly.validate(probe)).toBe(true);
      expect(new WebAssembly.Module(probe)).toBeInstanceOf(WebAssembly.Module);
    }
    expect(detectFeatures()).toEqual({ simd: true, relaxedSimd: true, threads: true });
    // A corrupted probe must not validate: the probes really are checked.
    const broken = SIMD_PROBE.slice();
    broken[broken.length - 3] = 0xff; // an unknown SIMD opcode
    expect(WebAssembly.validate(broken)).toBe(false);
  });

  it('decodes base64 like Buffer does', () => {
    const bytes = decodeBase64(SIMD_WASM_BASE64);
    expect(Buffer.from(bytes).equals(Buffer.from(SIMD_WASM_BASE64, 'base64'))).toBe(true);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x00, 0x61, 0x73, 0x6d]);
  });

  it('the unshared build runs on a plain memory (a page without cross-origin isolation)', async () => {
    const shared = decodeBase64(SIMD_WASM_BASE64);
    const plainMemory = createMemory(false);
    const module = await WebAssembly.compile(shared);
    await expect(WebAssembly.instantiate(module, { env: { memory: plainMemory, abort() {} } })).rejects.toThrow();
    const plain = await WebAssembly.compile(unshareMemoryImports(shared));
    const instance = await WebAssembly.instantiate(plain, { env: { memory: plainMemory, abort() {} } });
    const exports = instance.exports as unknown as { heapBase(): number; gemmWorkBytes(): number; gemm(...args: number[]): void };
    const heap = new WasmHeap(plainMemory, exports.heapBase());
    const [pa, pb, pc] = [heap.alloc(16), heap.alloc(16), heap.alloc(16)];
    const work = heap.alloc(exports.gemmWorkBytes());
    heap.write(pa, new Float32Array([1, 2, 3, 4]));
    heap.write(pb, new Float32Array([5, 6, 7, 8]));
    // [[1,2],[3,4]]·[[5,6],[7,8]] in one chunk, on thread 0.
    exports.gemm(pa, pb, pc, 2, 2, 2, 1, 2, 1, 0, 0, 4, 0, 1, 0, 2, 0, 2, work, 0);
    const c = new Float32Array(4);
    heap.read(pc, c);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });
});

describe('wasm heap', () => {
  it('aligns blocks to 64 bytes, grows the memory and keeps data across growth', () => {
    const memory = createMemory(true);
    const heap = new WasmHeap(memory, 1000);
    const a = heap.alloc(10);
    const b = heap.alloc(1);
    expect(a % 64).toBe(0);
    expect(b - a).toBe(64);
    const data = uniform(1000, 1);
    heap.write(b, data);
    const big = heap.alloc(40 << 20); // beyond the initial 1 MiB
    expect(big).toBeGreaterThan(0);
    expect(heap.byteLength).toBeGreaterThanOrEqual(big + (40 << 20));
    const back = new Float32Array(1000);
    heap.read(b, back);
    expect(Array.from(back)).toEqual(Array.from(data));
    heap.reset();
    expect(heap.alloc(4)).toBe(a);
    expect(heap.alloc(2 ** 33)).toBe(-1); // past what wasm32 can address: the caller falls back
  });
});

describe('worker pool', () => {
  it('reports a chunk that fails instead of hanging, and keeps working', async () => {
    await loadWasm();
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    const pool = currentRuntime()?.pool;
    expect(pool).toBeTruthy();
    const good = { fn: 'gemmSliceK', args: [10] };
    // Whichever thread claims the bad chunk, the caller gets an error.
    for (let t = 0; t < 20; t++) expect(() => pool!.run([good, { fn: 'noSuchKernel', args: [] }, good], 1)).toThrow();
    expect(() => pool!.run([good, good, good], 1)).not.toThrow();
  });
});
