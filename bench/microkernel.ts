/**
 * The compute ceiling of GEMM register tiles on one core: each tile runs over packed panels
 * that stay in L1 (no packing, no cache misses, no threads), built twice from
 * assembly/microbench/kernels.ts — plain SIMD (multiply + add) and relaxed SIMD (FMA).
 *
 *   npx tsx --conditions=source bench/microkernel.ts
 *
 * Two threads can at most double these figures, which bounds what the blocked GEMM can reach.
 */
import { fileURLToPath } from 'node:url';
import { enableRelaxedSimdOnNode } from '../src/backend/wasm/features.js';

const SOURCE = fileURLToPath(new URL('../assembly/microbench/kernels.ts', import.meta.url));
/** [export, rows, columns] of each tile. */
const TILES: [string, number, number][] = [['tile4x8', 4, 8], ['tile4x8Broadcast', 4, 8], ['tile2x16', 2, 16], ['tile3x12', 3, 12], ['tile2x8', 2, 8], ['tile2x8Pair', 2, 8], ['tile1x32', 1, 32]];
const KC = 256;
const REPS = 20_000;
const ROUNDS = 3;

async function compile(relaxed: boolean): Promise<Uint8Array<ArrayBuffer>> {
  const { main } = await import('assemblyscript/asc');
  let binary: Uint8Array<ArrayBuffer> | undefined;
  const stderr: string[] = [];
  const { error } = await main([
    SOURCE, '--enable', 'simd', ...(relaxed ? ['--enable', 'relaxed-simd'] : []),
    '-O3', '--noAssert', '--runtime', 'stub', '--initialMemory', '4', '--outFile', 'kernels.wasm',
  ], {
    writeFile: (name: string, contents: Uint8Array | string) => { if (name.endsWith('.wasm')) binary = new Uint8Array(contents as Uint8Array); },
    stdout: { write: () => true },
    stderr: { write: (s: string) => { stderr.push(String(s)); return true; } },
  } as never);
  if (error || !binary) throw new Error(`microkernel: asc failed\n${stderr.join('')}`);
  return binary;
}

/** GFLOP/s of each tile: the best of ROUNDS timings. */
async function measure(relaxed: boolean): Promise<number[]> {
  const module = await WebAssembly.compile(await compile(relaxed));
  const instance = await WebAssembly.instantiate(module, { env: { abort() {} } });
  const memory = instance.exports.memory as WebAssembly.Memory;
  new Float32Array(memory.buffer).fill(0.001, 0, 60_000);
  return TILES.map(([name, mr, nr]) => {
    const kernel = instance.exports[name] as (kc: number, pa: number, pb: number, c: number, reps: number) => void;
    kernel(KC, 4096, 65536, 1024, 200); // warm up: V8 optimises hot wasm in the background
    let best = Infinity;
    for (let r = 0; r < ROUNDS; r++) {
      const start = performance.now();
      kernel(KC, 4096, 65536, 1024, REPS);
      best = Math.min(best, (performance.now() - start) / 1000);
    }
    return (2 * mr * nr * KC * REPS) / best / 1e9;
  });
}

await enableRelaxedSimdOnNode();
const plain = await measure(false);
const relaxed = await measure(true);
console.log(`register tiles over L1-resident panels, one core, GFLOP/s (best of ${ROUNDS})\n`);
console.log(`${'tile'.padEnd(18)}${'plain SIMD'.padStart(12)}${'relaxed FMA'.padStart(13)}`);
TILES.forEach(([name], i) => console.log(`${name.padEnd(18)}${plain[i].toFixed(1).padStart(12)}${relaxed[i].toFixed(1).padStart(13)}`));
