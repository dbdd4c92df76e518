/**
 * Benchmark worker for nabla: one job (GEMM, MNIST MLP or LeNet-class CNN) on one backend.
 * Started by bench/run.ts as `node --conditions=source --import tsx bench/impl/nabla.ts <job>`.
 */
import * as nb from 'nabla';
import { emit, errorText, round, type BenchRecord, type Job } from './protocol.js';
import { median, timeGemm, type Trainer } from './timing.js';
import { runWorker } from './worker.js';

/** The part of src/backend/wasm/index.ts this worker uses (the module may not exist yet). */
interface WasmModule {
  initWasmBackend(options?: { relaxedSimd?: boolean }): Promise<boolean>;
  wasmInfo?(): { variant: string } | null;
  setNumThreads?(n: number): void;
  getNumThreads?(): number;
  startWasmThreads?(): Promise<number>;
  gemmKernelCeiling?(threads: number, rounds?: number, roundMs?: number): number | null;
}

// A computed specifier: the wasm backend is optional, and tsc must not require the file.
const WASM_MODULE = '../../src/backend/wasm/index.js';

/** The wasm backend's module, once a job selected that backend. */
let wasm: WasmModule | null = null;

/**
 * Selects the job's backend, loading the wasm backend when asked for and not yet registered.
 * Returns the threads the backend computes with.
 */
async function selectBackend(name: string, threads: number): Promise<number> {
  // 'wasm-simd' is the wasm backend with its plain-SIMD build (no relaxed-SIMD FMA); a label
  // with a comma is a backend run in another configuration ('wasm, single-threaded GC').
  name = name.split(',')[0];
  const plainSimd = name === 'wasm-simd';
  if (plainSimd) name = 'wasm';
  if (name === 'wasm') {
    try {
      wasm = (await import(WASM_MODULE)) as WasmModule;
    } catch (err) {
      throw new Error(`nabla's wasm backend could not be imported (src/backend/wasm/index.ts): ${errorText(err)}`);
    }
    if (!nb.listBackends().includes('wasm') && !(await wasm.initWasmBackend({ relaxedSimd: !plainSimd }))) {
      throw new Error("nabla's wasm backend did not load (no WebAssembly SIMD in this engine)");
    }
    // The package entry already loaded a build (NABLA_RELAXED_SIMD=0 selects the plain one):
    // never report one build under the other's name.
    const variant = wasm.wasmInfo?.()?.variant;
    if (variant && (variant === 'simd') !== plainSimd) {
      throw new Error(`the wasm backend runs its ${variant} build, not the ${plainSimd ? 'plain-SIMD' : 'relaxed-SIMD'} one this job measures`);
    }
    wasm.setNumThreads?.(threads);
    // Start the worker pool now, so that its start-up is not timed as the first kernel.
    await wasm.startWasmThreads?.();
  }
  nb.setBackend(name);
  return name === 'wasm' ? (wasm?.getNumThreads?.() ?? 1) : 1;
}

/** The MLP of the issue: 784 → 128 (ReLU) → 10 logits. */
function mlp(): nb.nn.Module {
  const { nn } = nb;
  return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
}

/** The LeNet-class CNN: conv 5×5 1→8, ReLU, max-pool 2, conv 5×5 8→16, ReLU, max-pool 2, flatten, dense 10. */
function cnn(): nb.nn.Module {
  const { nn } = nb;
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 4 * 4, 10),
  );
}

/**
 * GEMM through the matmul op, three times: on ordinary tensors (each product copies A and B
 * into wasm memory and C out), with A and B resident in wasm memory as parameters are once an
 * optimizer holds them (`makeResident`; C is still a new tensor copied out), and into a
 * resident C given as `out` (no allocation per product).
 */
function runGemm(job: Job, base: Omit<BenchRecord, 'value' | 'unit'>): void {
  const [m, k, n] = job.gemm!;
  const a = nb.randn([m, k]);
  const b = nb.randn([k, n]);
  const t = timeGemm(() => { a.matmul(b); }, 2 * m * k * n, job.quick);
  emit({ ...base, value: round(t.gflops, 2), unit: 'GFLOP/s', note: `${t.calls} products in ${t.rounds} rounds` });
  if (base.backend.startsWith('wasm')) {
    nb.makeResident(a);
    nb.makeResident(b);
    const r = timeGemm(() => { a.matmul(b); }, 2 * m * k * n, job.quick);
    emit({ ...base, backend: `${base.backend} resident`, value: round(r.gflops, 2), unit: 'GFLOP/s', note: 'A and B resident in wasm memory' });
    // Into a preallocated C (PyTorch's out=; the torch job times torch.mm(a, b, out=c) too):
    // no new 4·m·n-byte array per product, which costs this VM ~0.6 ms per MiB in page faults.
    const c = nb.zeros([m, n]);
    nb.makeResident(c);
    const o = timeGemm(() => { nb.matmul(a, b, { out: c }); }, 2 * m * k * n, job.quick);
    emit({ ...base, backend: `${base.backend} resident, out=`, value: round(o.gflops, 2), unit: 'GFLOP/s', note: 'A, B and C resident; nb.matmul(a, b, { out: c })' });
    emitCeilings(job, base, () => { nb.matmul(a, b, { out: c }); }, 2 * m * k * n);
  }
}

/**
 * The GEMM's compute ceiling, on the threads the job computes with and on one: the micro-kernel alone over
 * L1-resident panels (no packing, no cache misses), every thread at once. On this shared VM
 * what the second core adds changes from second to second, so the ceiling on the job's
 * threads is measured in rounds alternating with rounds of the product (`product`, the
 * "resident, out=" one): each round's product ÷ the ceiling next to it is the share the
 * blocking, packing and hand-offs keep, whatever the hardware gave at that moment.
 */
function emitCeilings(job: Job, base: Omit<BenchRecord, 'value' | 'unit'>, product: () => void, flops: number): void {
  const ceilingAt = wasm?.gemmKernelCeiling;
  if (!ceilingAt) return;
  const rounds = job.quick ? 2 : 7;
  const ceilings: number[] = [];
  const kept: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    let n = 0;
    do {
      product();
      n++;
    } while (performance.now() - t0 < 200);
    const gflops = (flops * n) / ((performance.now() - t0) / 1000) / 1e9;
    const ceiling = ceilingAt(base.threads, 1, 100);
    if (!ceiling) return;
    ceilings.push(ceiling);
    kept.push(gflops / ceiling);
  }
  const where = base.threads > 1 ? `${base.threads} threads at once` : 'one thread';
  emit({
    ...base, backend: `${base.backend} kernel ceiling`, value: round(median(ceilings), 2), unit: 'GFLOP/s', ceiling: true,
    note: `the micro-kernel alone, panels in L1, ${where}; "resident, out=" kept ${Math.round(100 * median(kept))}% of it (median of ${rounds} rounds, each next to a round of the product)`,
  });
  if (base.threads > 1) {
    const one = ceilingAt(1);
    if (one) emit({ ...base, backend: `${base.backend} kernel ceiling`, threads: 1, value: round(one, 2), unit: 'GFLOP/s', ceiling: true, note: 'the micro-kernel alone, panels in L1, one thread' });
  }
}

/** A Trainer over MNIST for `model`: shuffled batches, softmax cross-entropy, Adam 1e-3. */
async function mnistTrainer(job: Job, model: nb.nn.Module, flatten: boolean): Promise<Trainer> {
  const { xTrain, yTrain, xTest, yTest } = await nb.data.mnist({ flatten });
  const initial = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, t.clone()]));
  let optimizer = new nb.optim.Adam(model.parameters(), { lr: 1e-3 });
  const n = xTrain.shape[0];
  const batchSize = job.batchSize;
  let order = nb.randperm(n).dataSync() as Int32Array;
  return {
    batchesPerEpoch: Math.ceil(n / batchSize),
    beginEpoch() {
      order = nb.randperm(n).dataSync() as Int32Array;
      model.train();
    },
    restart() {
      model.loadStateDict(initial);
      optimizer = new nb.optim.Adam(model.parameters(), { lr: 1e-3 });
    },
    step(batch) {
      const idx = order.subarray(batch * batchSize, Math.min((batch + 1) * batchSize, n));
      const x = xTrain.indexSelect(0, idx);
      const y = yTrain.indexSelect(0, idx);
      optimizer.zeroGrad({ setToNone: false }); // as torch 1.13's zero_grad(): grads kept and zeroed
      const loss = nb.nn.functional.crossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return loss.item();
    },
    accuracy() {
      model.eval();
      let correct = 0;
      nb.noGrad(() => {
        for (let s = 0; s < xTest.shape[0]; s += 1000) {
          const end = Math.min(s + 1000, xTest.shape[0]);
          const predicted = model.forward(xTest.slice([s], [end])).argmax(1).dataSync();
          const labels = yTest.slice([s], [end]).dataSync();
          for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
        }
      });
      return correct / xTest.shape[0];
    },
  };
}

await runWorker({
  setup: async (job) => {
    nb.manualSeed(job.seed);
    return selectBackend(job.backend, job.threads);
  },
  gemm: runGemm,
  trainer: (job) => (job.workload === 'mlp' ? mnistTrainer(job, mlp(), true) : mnistTrainer(job, cnn(), false)),
});
