#!/usr/bin/env node
// The `nabla` command. Runs the compiled CLI when the package is built (dist/), else the
// TypeScript sources through tsx, so a fresh clone works right after `npm install`.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
await cli.main(process.argv);
