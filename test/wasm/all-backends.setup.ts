/**
 * Vitest setup file that registers the wasm backend before any test file loads, so every
 * `describe.each(backends)` suite also runs on wasm — what the package entry will do once it
 * calls initDefaultBackend(). Run: npx vitest run --setupFiles test/wasm/all-backends.setup.ts
 */
import { initDefaultBackend } from '../../src/backend/wasm/index.js';

await initDefaultBackend();
