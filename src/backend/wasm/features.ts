/**
 * What the host's WebAssembly engine can do, probed with `WebAssembly.validate` on tiny
 * hand-assembled modules, plus the Node-only switch that turns relaxed SIMD on in V8 11.3.
 */

/** The engine features the wasm backend uses. */
export interface WasmFeatures {
  /** 128-bit SIMD (required: without it the backend does not register). */
  simd: boolean;
  /** f32x4.relaxed_madd (a fused multiply-add): +20–30% on matmul. */
  relaxedSimd: boolean;
  /** Shared memories validate and `SharedArrayBuffer` can be created: worker threads possible. */
  threads: boolean;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** Type section: one function type () → v128. Function section: one function of type 0. */
const V128_FUNC = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
/** i32.const 0; i8x16.splat — pushes a v128. */
const V128_ZERO = [0x41, 0x00, 0xfd, 0x0f];

function codeSection(body: number[]): number[] {
  const fn = [0x00, ...body, 0x0b]; // no locals, body, end
  return [0x0a, fn.length + 2, 0x01, fn.length, ...fn];
}

/** (func (result v128) (i8x16.splat (i32.const 0))) */
export const SIMD_PROBE = new Uint8Array([...HEADER, ...V128_FUNC, ...codeSection(V128_ZERO)]);

/** (func (result v128) (f32x4.relaxed_madd zero zero zero)) — opcode 0xfd 0x105. */
export const RELAXED_SIMD_PROBE = new Uint8Array([
  ...HEADER, ...V128_FUNC, ...codeSection([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]),
]);

/** (memory 1 1 shared): validates only where the threads proposal is on. */
export const THREADS_PROBE = new Uint8Array([...HEADER, 0x05, 0x04, 0x01, 0x03, 0x01, 0x01]);

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** True in Node (where worker_threads and node:v8 exist), false in browsers. */
export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/**
 * Imports a Node builtin by a computed name, so browser bundlers do not try to resolve it.
 * Only called on Node.
 */
export async function importNodeBuiltin<T>(name: string): Promise<T> {
  const specifier = `node:${name}`;
  return (await import(/* @vite-ignore */ specifier)) as T;
}

/**
 * On Node 20 (V8 11.3) relaxed SIMD validates only behind `--experimental-wasm-relaxed-simd`;
 * V8 reads the flag at compile time, so switching it on now, before compiling, is enough.
 * Newer engines ship the feature and need nothing.
 */
export async function enableRelaxedSimdOnNode(): Promise<void> {
  if (!isNode() || validates(RELAXED_SIMD_PROBE)) return;
  try {
    const v8 = await importNodeBuiltin<{ setFlagsFromString(flags: string): void }>('v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // No node:v8 (a Node-like runtime): stay with plain SIMD.
  }
}

/** Probes the engine. Threads also need SharedArrayBuffer (browsers: a cross-origin-isolated page). */
export function detectFeatures(): WasmFeatures {
  const g = globalThis as { crossOriginIsolated?: boolean };
  const sharedMemory = typeof SharedArrayBuffer === 'function' && (isNode() || g.crossOriginIsolated === true);
  return {
    simd: validates(SIMD_PROBE),
    relaxedSimd: validates(RELAXED_SIMD_PROBE),
    threads: sharedMemory && validates(THREADS_PROBE),
  };
}
