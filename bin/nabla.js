#!/usr/bin/env node
// The `nabla` command. In a checkout (src/ present) it runs the TypeScript sources through
// tsx, so a fresh clone works right after `npm install` and never runs a stale build; an
// installed package (which ships dist/ only) runs the compiled CLI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const GC_FLAG = '--single-threaded-gc';

/**
 * Whether this process should re-run itself under `node --single-threaded-gc`: for `nabla
 * train` on a machine with at most 4 cores, where V8's background GC threads take the core that
 * nabla's worker thread computes on (the MNIST MLP trains 15–35% slower on 2 cores). A running
 * program cannot set that flag. NABLA_RESPAWN=0 turns this off.
 */
function wantsSingleThreadedGc(argv) {
  const command = argv.slice(2).find((a) => !a.startsWith('-'));
  if (command !== 'train' || process.env.NABLA_RESPAWN === '0' || process.env.NABLA_RESPAWNED) return false;
  if (process.execArgv.includes(GC_FLAG) || (process.env.NODE_OPTIONS ?? '').includes(GC_FLAG)) return false;
  return availableParallelism() <= 4;
}

/**
 * Runs the command in a child Node with the flag, passing signals on and exiting as it did.
 * Ctrl-C in a terminal reaches both processes; the trainer counts two signals within a moment
 * as one press (src/cli/train/run.ts). Resolves to false when the child cannot start.
 */
function respawn() {
  return new Promise((resolve) => {
    const args = [...process.execArgv, GC_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
    const child = spawn(process.execPath, args, { stdio: 'inherit', env: { ...process.env, NABLA_RESPAWNED: '1' } });
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const forward = (signal) => child.kill(signal);
    for (const signal of signals) process.on(signal, forward);
    child.on('error', () => {
      for (const signal of signals) process.off(signal, forward);
      resolve(false);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal) process.kill(process.pid, signal);
      else process.exitCode = code ?? 1;
      resolve(true);
    });
  });
}

if (!(wantsSingleThreadedGc(process.argv) && (await respawn()))) {
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
}
