/**
 * Times training steps of the benchmark's MNIST models in one process, for profiling:
 *
 *   node --conditions=source --import tsx --cpu-prof --cpu-prof-dir /tmp/prof bench/profile.ts mlp 200
 *
 * Arguments: the model (mlp | cnn), the number of timed batches (after 20 warm-up batches) and
 * optionally the wasm thread count.
 * Prints milliseconds per batch and the epoch time they extrapolate to.
 */
import * as nb from 'nabla';

const model = process.argv[2] === 'cnn' ? 'cnn' : 'mlp';
const batches = Number(process.argv[3] ?? 200);
if (process.argv[4]) nb.setNumThreads(Number(process.argv[4]));
await nb.startWasmThreads();
const batchSize = model === 'mlp' ? 128 : 64;
const { nn } = nb;
nb.manualSeed(0);
const net = model === 'mlp'
  ? new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10))
  : new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 4 * 4, 10),
  );
const { xTrain, yTrain } = await nb.data.mnist({ flatten: model === 'mlp' });
const optimizer = new nb.optim.Adam(net.parameters(), { lr: 1e-3 });
const n = xTrain.shape[0];
const order = nb.randperm(n).dataSync() as Int32Array;

function step(batch: number): number {
  const start = (batch * batchSize) % (n - batchSize);
  const idx = order.subarray(start, start + batchSize);
  const x = xTrain.indexSelect(0, idx);
  const y = yTrain.indexSelect(0, idx);
  optimizer.zeroGrad({ setToNone: process.env.SET_TO_NONE === '1' });
  const loss = nn.functional.crossEntropy(net.forward(x), y);
  loss.backward();
  optimizer.step();
  return loss.item();
}

for (let b = 0; b < Number(process.env.WARMUP ?? 20); b++) step(b);
// Five blocks: the mean says what an epoch costs, the best block what the code can do on a
// quiet machine (this one is shared and drifts).
const blocks: number[] = [];
let last = 0;
const t0 = performance.now();
for (let block = 0; block < 5; block++) {
  const start = performance.now();
  const count = Math.ceil(batches / 5);
  for (let b = 0; b < count; b++) last = step(20 + block * count + b);
  blocks.push((performance.now() - start) / count);
}
const ms = (performance.now() - t0) / (5 * Math.ceil(batches / 5));
const epoch = (x: number): string => ((x * Math.ceil(n / batchSize)) / 1000).toFixed(2);
console.log(`${model} on ${nb.getBackend()}: ${ms.toFixed(3)} ms/batch (${epoch(ms)} s/epoch), best block ` +
  `${Math.min(...blocks).toFixed(3)} ms/batch (${epoch(Math.min(...blocks))} s/epoch), loss ${last.toFixed(3)}; ` +
  `blocks ${blocks.map((b) => b.toFixed(2)).join(' ')}`);
