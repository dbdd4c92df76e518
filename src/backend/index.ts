export type * from './types.js';
export { jsBackend } from './js/index.js';
export { currentBackend, findBackend, listBackends, registerBackend, useBackend } from './registry.js';
