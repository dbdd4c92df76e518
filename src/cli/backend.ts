/** Choosing the compute backend for a command (--backend) and describing it in the header. */
import * as nb from '../index.js';
import { UsageError } from './errors.js';

/**
 * Optional parts of the package entry: a backend loader (wasm) and its thread count. They are
 * looked up at run time so the CLI works whether or not the package exports them yet.
 */
interface OptionalBackendApi {
  initDefaultBackend?: () => Promise<string>;
  initWasmBackend?: () => Promise<boolean>;
  getNumThreads?: () => number;
}

const optional = nb as unknown as OptionalBackendApi;

/**
 * Selects the backend: the named one (loading wasm first when asked for and loadable), or the
 * package's automatic choice. An unknown name is a usage error listing the available ones.
 */
export async function selectBackend(name: string | undefined): Promise<void> {
  if (name === undefined) {
    if (typeof optional.initDefaultBackend === 'function') await optional.initDefaultBackend();
    return;
  }
  if (!nb.listBackends().includes(name) && name === 'wasm' && typeof optional.initWasmBackend === 'function') await optional.initWasmBackend();
  if (!nb.listBackends().includes(name)) throw new UsageError(`unknown backend '${name}' (available: ${nb.listBackends().join(', ')})`, '--backend');
  nb.setBackend(name);
}

/** The backend in use, as the header describes it. */
export interface BackendInfo {
  name: string;
  /** Threads its kernels run on. */
  threads: number;
  /** Whether V8 collects garbage on the main thread only (bin/nabla.js starts `train` so on ≤ 4 cores). */
  singleThreadedGc: boolean;
}

/** The backend in use, the threads its kernels run on, and how V8 collects garbage. */
export function backendInfo(): BackendInfo {
  const name = nb.getBackend();
  const threads = name !== 'js' && typeof optional.getNumThreads === 'function' ? optional.getNumThreads() : 1;
  const flag = '--single-threaded-gc';
  const singleThreadedGc = process.execArgv.includes(flag) || (process.env.NODE_OPTIONS ?? '').includes(flag);
  return { name, threads, singleThreadedGc };
}
