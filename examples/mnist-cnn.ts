/**
 * A LeNet-class CNN on MNIST: conv 5x5 1→8, ReLU, max-pool 2, conv 5x5 8→16, ReLU,
 * max-pool 2, flatten, dense 10. Adam from lr 3e-3, decayed ×0.7 per epoch, batch 64.
 * Target: ≥ 98.8% test accuracy.
 *
 *     npx tsx --conditions=source examples/mnist-cnn.ts [--epochs 6] [--train 60000] [--lr 3e-3] [--lr-decay 0.7] [--backend js]
 */
import * as nb from 'nabla';
import { applyBackendOption, numberOption } from './args.js';
import { epochTimer } from './epoch-timer.js';

const { nn } = nb;

/** The LeNet-class model of the CNN issue; input [N, 1, 28, 28], output 10 logits. */
export function lenet(): nb.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 8, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(8, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(), new nn.Linear(16 * 4 * 4, 10),
  );
}

export interface CnnRunOptions {
  epochs?: number;
  train?: number;
  test?: number;
  seed?: number;
  batchSize?: number;
  /** Adam's initial learning rate (default 3e-3) and its decay factor per epoch (default 0.7). */
  lr?: number;
  lrDecay?: number;
  /** Report the test accuracy after every epoch (as valAccuracy). */
  trackTest?: boolean;
  onEpoch?: (epoch: number, logs: Record<string, number>, seconds: number) => void;
}

/** Trains the CNN and returns the test accuracy and seconds per epoch. */
export async function trainMnistCnn(options: CnnRunOptions = {}): Promise<{ accuracy: number; epochSeconds: number[]; model: nb.nn.Module }> {
  nb.manualSeed(options.seed ?? 0);
  const { xTrain, yTrain, xTest, yTest } = await nb.data.mnist({ train: options.train, test: options.test, flatten: false });
  const model = lenet();
  const timer = epochTimer(options.onEpoch);
  const optimizer = new nb.optim.Adam(model.parameters(), { lr: options.lr ?? 3e-3 });
  // A learning rate that shrinks every epoch: large steps early, fine ones at the end.
  const schedule = new nb.optim.lr.ExponentialLR(optimizer, { gamma: options.lrDecay ?? 0.7 });
  await nb.fit(model, { x: xTrain, y: yTrain }, {
    loss: 'crossEntropy', optimizer, epochs: options.epochs ?? 6, batchSize: options.batchSize ?? 64,
    // The test set rides along as validation data so each epoch reports its test accuracy
    // (it is never used to choose anything).
    validationData: options.trackTest ? { x: xTest, y: yTest } : undefined,
    metrics: options.trackTest ? ['accuracy'] : [],
    callbacks: [new nb.callbacks.LearningRateScheduler(schedule), timer.callback],
  });
  const { accuracy } = nb.evaluate(model, { x: xTest, y: yTest }, { metrics: ['accuracy'] });
  return { accuracy, epochSeconds: timer.seconds, model };
}

async function main(): Promise<void> {
  applyBackendOption();
  console.log(`MNIST LeNet-class CNN on backend '${nb.getBackend()}'`);
  console.log(nb.nn.summary(lenet(), [1, 1, 28, 28]).toString());
  const { accuracy, epochSeconds } = await trainMnistCnn({
    epochs: numberOption('epochs'), train: numberOption('train'), batchSize: numberOption('batch-size'), lr: numberOption('lr'), lrDecay: numberOption('lr-decay'), trackTest: true,
    onEpoch: (e, logs, s) => console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)}, train accuracy ${(logs.accuracy * 100).toFixed(2)}%, test accuracy ${(logs.valAccuracy * 100).toFixed(2)}%  ${s.toFixed(1)} s`),
  });
  const mean = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
  console.log(`test accuracy ${(accuracy * 100).toFixed(2)}%  (${mean.toFixed(1)} s per epoch)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
