/**
 * GEMM micro-benchmark of the wasm backend: GFLOP/s (2·m·k·n per second, copies in and out of
 * wasm memory included) for 128×784×128, 512³ and 1024³ on 1 and 2 threads, with the plain
 * SIMD and the relaxed-SIMD build, and the js kernel for scale.
 *
 *   npx tsx --conditions=source bench/gemm.ts [--rounds 3] [--seconds 0.4] [--resident]
 *
 * --resident keeps A, B and C in wasm memory (as the optimizers keep parameters): the
 * kernel alone, no copies.
 *
 * Each build runs in its own child process (a process loads one build); rounds alternate the
 * builds, since timings on a shared machine drift by 5–10% over minutes. Best of the rounds.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jsBackend } from '../src/backend/js/index.js';
import type { MatmulSpec } from '../src/backend/types.js';
import { initWasmBackend, setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../src/backend/wasm/index.js';

const SIZES: [number, number, number][] = [[128, 784, 128], [512, 512, 512], [1024, 1024, 1024]];
const THREADS = [1, 2];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function randomMatrix(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** Best GFLOP/s over 5 timed blocks of about seconds/5 each, after a warm-up. */
function measure(run: () => void, flops: number, seconds: number): number {
  for (let i = 0; i < 3; i++) run();
  const reps = Math.max(1, Math.round((seconds / 5) * 40e9 / flops));
  let best = Infinity;
  for (let block = 0; block < 5; block++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) run();
    best = Math.min(best, (performance.now() - start) / 1000 / reps);
  }
  return flops / best / 1e9;
}

/** A random matrix in wasm memory (as parameters are) with --resident, else an ordinary array. */
function operand(n: number, resident: boolean): Float32Array {
  const x = randomMatrix(n);
  if (!resident) return x;
  const r = wasmBackend.residentArray?.('float32', n) as Float32Array | null;
  if (!r) throw new Error('gemm: this engine has no resident wasm arrays (no shared memory)');
  r.set(x);
  return r;
}

/** Child: one build, every size and thread count; prints one JSON line. */
async function child(relaxed: boolean, seconds: number, resident: boolean): Promise<void> {
  await initWasmBackend({ relaxedSimd: relaxed });
  setNumThreads(2);
  await startWasmThreads();
  const results: Record<string, number> = {};
  for (const [m, k, n] of SIZES) {
    const a = operand(m * k, resident);
    const b = operand(k * n, resident);
    const out = resident ? operand(m * n, true) : new Float32Array(m * n);
    const spec: MatmulSpec = { batch: 1, m, k, n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    for (const threads of THREADS) {
      setNumThreads(threads);
      results[`${m}x${k}x${n}/${threads}`] = measure(() => wasmBackend.matmul(a, b, out, spec), 2 * m * k * n, seconds);
    }
  }
  console.log(JSON.stringify({ variant: wasmInfo()?.variant, results }));
}

function jsBaseline(): number {
  const [m, k, n] = [128, 784, 128];
  const a = randomMatrix(m * k);
  const b = randomMatrix(k * n);
  const out = new Float32Array(m * n);
  const spec: MatmulSpec = { batch: 1, m, k, n, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  return measure(() => jsBackend.matmul(a, b, out, spec), 2 * m * k * n, 0.5);
}

async function main(): Promise<void> {
  const seconds = option('seconds', 0.4);
  const childVariant = process.argv.indexOf('--child');
  if (childVariant >= 0) {
    await child(process.argv[childVariant + 1] === 'relaxed', seconds, process.argv.includes('--resident'));
    return;
  }
  const rounds = option('rounds', 3);
  const resident = process.argv.includes('--resident');
  const script = fileURLToPath(import.meta.url);
  const best: Record<string, Record<string, number>> = { simd: {}, 'relaxed-simd': {} };
  for (let round = 0; round < rounds; round++) {
    for (const build of ['simd', 'relaxed']) {
      const result = spawnSync(process.execPath, [...process.execArgv, script, '--child', build, '--seconds', String(seconds), ...(resident ? ['--resident'] : [])], {
        encoding: 'utf8',
      });
      const line = result.stdout.trim().split('\n').pop() ?? '';
      if (result.status !== 0 || !line.startsWith('{')) throw new Error(`benchmark child failed:\n${result.stderr}`);
      const { variant, results } = JSON.parse(line) as { variant: string; results: Record<string, number> };
      for (const [key, gflops] of Object.entries(results)) best[variant][key] = Math.max(best[variant][key] ?? 0, gflops);
    }
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const where = resident ? 'operands resident in wasm memory' : 'copies into wasm memory included';
  console.log(`GEMM GFLOP/s, float32, best of ${rounds} rounds (${where})\n`);
  const header = ['build', 'threads', ...SIZES.map(([m, k, n]) => `${m}×${k}×${n}`)];
  console.log(header.map((h) => h.padStart(16)).join(''));
  for (const variant of ['simd', 'relaxed-simd']) {
    for (const threads of THREADS) {
      const cells = SIZES.map(([m, k, n]) => (best[variant][`${m}x${k}x${n}/${threads}`] ?? NaN).toFixed(1));
      console.log([variant, String(threads), ...cells].map((c) => c.padStart(16)).join(''));
    }
  }
  console.log(`\njs kernel, 128×784×128: ${jsBaseline().toFixed(2)} GFLOP/s`);
}

await main();
