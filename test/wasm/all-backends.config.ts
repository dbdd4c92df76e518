/**
 * Runs the whole test suite with the wasm backend registered as well (every
 * `describe.each(backends)` suite then runs on js and wasm), before the package entry does it:
 *   npx vitest run --config test/wasm/all-backends.config.ts
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from '../../vitest.config.js';

export default mergeConfig(base, defineConfig({
  test: {
    setupFiles: ['test/wasm/all-backends.setup.ts'],
  },
}));
