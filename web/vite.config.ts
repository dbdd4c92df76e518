/**
 * The playground's Vite config: `vite web` serves it, `vite build web` writes dist/web.
 * The page imports the library from its TypeScript source through the `nabla` alias.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  // Relative asset URLs: the built page works under any path the CLI serves it from.
  base: './',
  resolve: { alias: { nabla: here('../src/index.ts') } },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: here('../dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // Node-only modules (fs in io/save.ts, data/mnist.ts) are behind dynamic imports of
      // node: builtins that the browser path never reaches; keep them out of the bundle.
      external: [/^node:/],
      // nabla names a module by its class name (Module.typeName) in saved files; minified
      // names would make the downloaded model unreadable.
      output: { keepNames: true },
    },
  },
});
