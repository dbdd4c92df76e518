/**
 * Benchmark worker for TensorFlow.js (@tensorflow/tfjs, backend 'cpu' or 'wasm' from
 * @tensorflow/tfjs-backend-wasm): the same GEMM, MLP and CNN as bench/impl/nabla.ts, written
 * the way a tfjs user would (Layers models, optimizer.minimize, tidy). Images are NHWC here,
 * as tfjs wants; MNIST is read with nb.data.mnist() and handed over without a copy.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as nb from 'nabla';
import { emit, round, type BenchRecord, type Job } from './protocol.js';
import { timeGemm, type Trainer } from './timing.js';
import { runWorker } from './worker.js';

/** Selects tfjs' backend; the wasm binaries are loaded from node_modules by file path. Returns its threads. */
async function selectBackend(name: string): Promise<number> {
  if (name === 'wasm') {
    const wasmFile = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm');
    setWasmPaths(`${path.dirname(wasmFile)}${path.sep}`);
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs: backend '${name}' did not initialise`);
  await tf.ready();
  // tfjs-wasm only runs its threaded binary where SharedArrayBuffer workers are set up (browsers).
  return name === 'wasm' ? getThreadsCount() : 1;
}

function mlp(): tf.Sequential {
  return tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }), tf.layers.dense({ units: 10 })],
  });
}

function cnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function runGemm(job: Job, base: Omit<BenchRecord, 'value' | 'unit'>): void {
  const [m, k, n] = job.gemm!;
  const a = tf.randomNormal([m, k], 0, 1, 'float32', job.seed);
  const b = tf.randomNormal([k, n], 0, 1, 'float32', job.seed + 1);
  const t = timeGemm(() => {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
  }, 2 * m * k * n, job.quick);
  emit({ ...base, value: round(t.gflops, 2), unit: 'GFLOP/s', note: `${t.calls} products in ${t.rounds} rounds` });
}

/** A Trainer over MNIST: shuffled batches, softmax cross-entropy, Adam 1e-3. */
async function mnistTrainer(job: Job, model: tf.Sequential, images: boolean): Promise<Trainer> {
  const data = await nb.data.mnist();
  const imageShape = images ? [28, 28, 1] : [784];
  const xTrain = tf.tensor(data.xTrain.data as Float32Array, [data.xTrain.shape[0], ...imageShape]);
  const xTest = tf.tensor(data.xTest.data as Float32Array, [data.xTest.shape[0], ...imageShape]);
  const yTrain = tf.tidy(() => tf.oneHot(tf.tensor1d(data.yTrain.data as Int32Array, 'int32'), 10).toFloat());
  const yTest = data.yTest.data as Int32Array;
  const initial = model.getWeights().map((w) => w.clone());
  let optimizer = tf.train.adam(1e-3);
  const n = xTrain.shape[0];
  const batchSize = job.batchSize;
  const shuffled = (): Int32Array => {
    const order = new Int32Array(n).map((_, i) => i);
    tf.util.shuffle(order);
    return order;
  };
  let order = shuffled();
  return {
    batchesPerEpoch: Math.ceil(n / batchSize),
    beginEpoch() {
      order = shuffled();
    },
    restart() {
      model.setWeights(initial);
      optimizer.dispose();
      optimizer = tf.train.adam(1e-3);
    },
    step(batch) {
      const idx = order.slice(batch * batchSize, Math.min((batch + 1) * batchSize, n));
      const loss = tf.tidy(() => {
        const it = tf.tensor1d(idx, 'int32');
        const x = tf.gather(xTrain, it);
        const y = tf.gather(yTrain, it);
        return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    },
    accuracy() {
      let correct = 0;
      for (let s = 0; s < yTest.length; s += 1000) {
        const end = Math.min(s + 1000, yTest.length);
        const predicted = tf.tidy(() => (model.predict(xTest.slice(s, end - s)) as tf.Tensor).argMax(1).dataSync());
        for (let i = 0; i < predicted.length; i++) if (predicted[i] === yTest[s + i]) correct++;
      }
      return correct / yTest.length;
    },
  };
}

await runWorker({
  setup: (job) => selectBackend(job.backend),
  gemm: runGemm,
  trainer: (job) => (job.workload === 'mlp' ? mnistTrainer(job, mlp(), false) : mnistTrainer(job, cnn(), true)),
});
