/**
 * Shared pieces of the fused convolution block tests (block.test.ts, block-sequential.test.ts):
 * tolerances, fresh leaves, error capture and spies on the block kernels.
 */
import { expect, vi } from 'vitest';
import type * as nb from 'nabla';
import { jsBackend } from '../../src/backend/js/index.js';
import { findBackend } from '../../src/backend/registry.js';
import type { Backend } from '../../src/backend/types.js';

export const F32 = { rtol: 1e-5, atol: 1e-6 };
export const F64 = { rtol: 1e-12, atol: 1e-12 };

/** The same tensor values as a fresh leaf (so two graphs never share a leaf). */
export const leaf = (t: nb.Tensor | null, requiresGrad = true): nb.Tensor | null => (t ? t.detach().clone().requiresGrad_(requiresGrad) : null);

/** The error fn throws (fails the test when it throws none). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  return expect.fail('expected an error');
}

/** Spies on the fused kernels of the current backend and of js (where wasm falls back to). */
export function spyKernels(backend: string) {
  const own = findBackend(backend) as Backend;
  const jsFwd = vi.spyOn(jsBackend, 'conv2dMaxPoolRelu');
  const jsBwd = vi.spyOn(jsBackend, 'conv2dMaxPoolReluBackward');
  const fwd = own === jsBackend ? jsFwd : vi.spyOn(own, 'conv2dMaxPoolRelu');
  const bwd = own === jsBackend ? jsBwd : vi.spyOn(own, 'conv2dMaxPoolReluBackward');
  return { fwd, bwd, jsFwd, jsBwd, calls: (): number => (fwd === jsFwd ? 0 : fwd.mock.calls.length) + jsFwd.mock.calls.length };
}
