#!/usr/bin/env node
// The `nabla` command. In a checkout (src/ present) it runs the TypeScript sources through
// tsx, so a fresh clone works right after `npm install` and never runs a stale build; an
// installed package (which ships dist/ only) runs the compiled CLI.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
let cli;
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(sources.href);
} else {
  cli = await import(new URL('../dist/cli/main.js', import.meta.url).href);
}
await cli.main(process.argv);
