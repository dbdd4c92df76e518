/**
 * Vitest setup file that registers the wasm backend before any test file loads, so every
 * `describe.each(backends)` suite also runs on wasm (the default backend stays js, as the
 * CLI subprocesses some suites start use it). Run:
 *   npx vitest run --config test/wasm/all-backends.config.ts
 */
import { initWasmBackend } from '../../src/backend/wasm/index.js';

await initWasmBackend();
