/**
 * The 784-128-10 MLP on MNIST (ReLU, softmax cross-entropy, Adam 1e-3, batch 128, 5 epochs).
 * Target: ≥ 97% test accuracy.
 *
 *     npx tsx --conditions=source examples/mnist-mlp.ts [--epochs 5] [--train 60000] [--backend wasm]
 */
import * as nb from 'nabla';
import { applyBackendOption, numberOption } from './args.js';
import { epochTimer } from './epoch-timer.js';

const { nn } = nb;

export interface MnistRunOptions {
  epochs?: number;
  /** Training examples used (all 60 000 by default). */
  train?: number;
  test?: number;
  seed?: number;
  onEpoch?: (epoch: number, logs: Record<string, number>, seconds: number) => void;
}

/** The MLP of the issue: 784 → 128 (ReLU) → 10 logits. */
export function mlp(): nb.nn.Sequential {
  return new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
}

/** Trains the MLP and returns its test accuracy and the seconds each epoch took. */
export async function trainMnistMlp(options: MnistRunOptions = {}): Promise<{ accuracy: number; epochSeconds: number[]; model: nb.nn.Module }> {
  nb.manualSeed(options.seed ?? 0);
  const { xTrain, yTrain, xTest, yTest } = await nb.data.mnist({ train: options.train, test: options.test });
  const model = mlp();
  const timer = epochTimer(options.onEpoch);
  await nb.fit(model, { x: xTrain, y: yTrain }, {
    loss: 'crossEntropy', optimizer: 'adam', lr: 1e-3, epochs: options.epochs ?? 5, batchSize: 128,
    callbacks: [timer.callback],
  });
  const { accuracy } = nb.evaluate(model, { x: xTest, y: yTest }, { metrics: ['accuracy'] });
  return { accuracy, epochSeconds: timer.seconds, model };
}

async function main(): Promise<void> {
  applyBackendOption();
  console.log(`MNIST MLP 784-128-10 on backend '${nb.getBackend()}'`);
  const { accuracy, epochSeconds } = await trainMnistMlp({
    epochs: numberOption('epochs'), train: numberOption('train'),
    onEpoch: (e, logs, s) => console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)}  ${s.toFixed(2)} s`),
  });
  const mean = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
  console.log(`test accuracy ${(accuracy * 100).toFixed(2)}%  (${mean.toFixed(2)} s per epoch)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
