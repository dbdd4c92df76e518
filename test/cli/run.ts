/** Runs the real `nabla` command (node bin/nabla.js) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/nabla.js');
export const FIXTURES = join(ROOT, 'test/fixtures/cli');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment without colours or CI detection, so output is plain and stable. */
function env(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete e.FORCE_COLOR;
  delete e.CI;
  return e;
}

export interface Running {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** Resolves with the first stdout line that matches. */
  waitForLine(match: (line: string) => boolean): Promise<string>;
}

/** Process options of `start`: extra environment, and detached (a process group of its own). */
export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
}

/** Starts `nabla ...args` in cwd (default the repository root). */
export function start(args: string[], cwd = ROOT, options: StartOptions = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd, env: { ...env(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let scanned = 0;
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const lines = stdout.split('\n');
    for (; scanned < lines.length - 1; scanned++) {
      for (const w of [...waiters]) {
        if (w.match(lines[scanned])) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(lines[scanned]);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    waitForLine: (match) => new Promise((res, rej) => {
      waiters.push({ match, resolve: res });
      void done.then(() => rej(new Error(`the process ended before a matching line; stdout:\n${stdout}\nstderr:\n${stderr}`)));
    }),
  };
}

/** Runs `nabla ...args` to the end. */
export function nabla(args: string[], cwd = ROOT): Promise<CliResult> {
  return start(args, cwd).done;
}

/** Runs `nabla ...args` to the end with extra environment variables. */
export function nablaWithEnv(args: string[], extraEnv: NodeJS.ProcessEnv, cwd = ROOT): Promise<CliResult> {
  return start(args, cwd, { env: extraEnv }).done;
}

/** Runs several command lines, at most `limit` at a time (the machine has 2 cores). */
export async function nablaAll(commands: string[][], limit = 3): Promise<CliResult[]> {
  const results: CliResult[] = new Array(commands.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < commands.length) {
      const i = next++;
      results[i] = await nabla(commands[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, commands.length) }, worker));
  return results;
}

/** A fresh temporary folder and a function that removes it. */
export function tempDir(prefix = 'nabla-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Files in a folder (none when it does not exist). */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** stdout as parsed JSON lines (throws on a line that is not JSON). */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
