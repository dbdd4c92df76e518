/**
 * What the GEMM's zero-step skipping gives on the MNIST MLP's two large products, kernel
 * only (operands and C resident in wasm memory): the forward x·Wᵀ (x a batch of 128 MNIST
 * images, W [128, 784]) and the weight gradient dzᵀ·x (dz [128, 128]), each on the real
 * batch and on a dense random x of the same shape, on 1 and 2 threads.
 *
 *   npx tsx --conditions=source bench/sparse.ts [--rounds 7]
 *
 * Rounds alternate the sparse and the dense operand (a shared VM drifts); medians are printed.
 */
import * as nb from 'nabla';
import type { MatmulSpec } from '../src/backend/types.js';
import { setNumThreads, startWasmThreads, wasmBackend } from '../src/backend/wasm/index.js';

const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 7;
const [m, k, n] = [128, 784, 128];

function resident(values: Float32Array): Float32Array {
  const r = wasmBackend.residentArray?.('float32', values.length) as Float32Array | null;
  if (!r) throw new Error('sparse: this engine has no resident wasm arrays (no shared memory)');
  r.set(values);
  return r;
}
const random = (len: number): Float32Array => Float32Array.from({ length: len }, () => Math.random() * 2 - 1);

const { xTrain } = await nb.data.mnist({ flatten: true });
const mnist = resident((xTrain.dataSync() as Float32Array).slice(0, m * k));
const dense = resident(random(m * k));
const w = resident(random(n * k));
const dz = resident(random(m * n));
const y = resident(new Float32Array(m * n));
const dw = resident(new Float32Array(n * k));
const zeros = mnist.reduce((c, v) => c + (v === 0 ? 1 : 0), 0) / mnist.length;

const spec = (mm: number, kk: number, nn: number, transA: boolean, transB: boolean): MatmulSpec => ({
  batch: 1, m: mm, k: kk, n: nn, transA, transB, aBatchStride: mm * kk, bBatchStride: kk * nn,
});
const forward = spec(m, k, n, false, true); // y = x·Wᵀ
const weightGrad = spec(n, m, k, true, false); // dW = dzᵀ·x

/** Microseconds per product: the median of `rounds` blocks of about 0.2 s. */
function time(run: () => void): number {
  for (let r = 0; r < 20; r++) run();
  let reps = 0;
  const t0 = performance.now();
  do {
    run();
    reps++;
  } while (performance.now() - t0 < 200);
  return ((performance.now() - t0) * 1000) / reps;
}

await startWasmThreads();
console.log(`MNIST batch: ${(zeros * 100).toFixed(1)}% of pixels are 0`);
for (const threads of [1, 2]) {
  setNumThreads(threads);
  const results: Record<string, number[]> = {};
  const add = (key: string, us: number): void => void (results[key] ??= []).push(us);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [mnist, dense] : [dense, mnist];
    for (const x of order) {
      const label = x === mnist ? 'MNIST' : 'dense';
      add(`x·Wᵀ ${label}`, time(() => wasmBackend.matmul(x, w, y, forward)));
      add(`dzᵀ·x ${label}`, time(() => wasmBackend.matmul(dz, x, dw, weightGrad)));
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  for (const product of ['x·Wᵀ', 'dzᵀ·x']) {
    const s = median(results[`${product} MNIST`]);
    const d = median(results[`${product} dense`]);
    const gflops = (us: number): string => ((2 * m * k * n) / us / 1e3).toFixed(1);
    console.log(`${threads} thread(s) ${product}: MNIST ${s.toFixed(0)} µs (${gflops(s)} GFLOP/s equivalent), dense ${d.toFixed(0)} µs (${gflops(d)}); MNIST/dense ${(s / d).toFixed(2)}`);
  }
}
