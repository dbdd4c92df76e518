import type { Backend } from './types.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

/** Makes a backend selectable by name; a faster backend registers itself here. */
export function registerBackend(backend: Backend): void {
  backends.set(backend.name, backend);
}

/** Names of every registered backend, the reference `js` first. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend registered under `name`, if any. */
export function findBackend(name: string): Backend | undefined {
  return backends.get(name);
}

/** The backend ops run on now. */
export function currentBackend(): Backend {
  return current;
}

/** Makes `backend` current (the tensor layer checks names and reports errors). */
export function useBackend(backend: Backend): void {
  current = backend;
}
