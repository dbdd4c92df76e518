import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { perceptron, trainXor } from '../../examples/xor.js';
import { sleepStudy } from '../../examples/sleep-study.js';
import { iris } from '../../examples/iris.js';
import { trainMnistMlp } from '../../examples/mnist-mlp.js';
import { trainMnistCnn } from '../../examples/mnist-cnn.js';

const { nn } = nb;

describe('the notes\' examples, trained end to end', () => {
  it('XOR: a single perceptron cannot learn it; a 2-4-1 tanh/sigmoid network does, from 10 seeds', async () => {
    nb.manualSeed(0);
    const single = await trainXor(perceptron(), 500);
    expect(single.accuracy).toBeLessThanOrEqual(0.75);
    for (let seed = 0; seed < 10; seed++) {
      nb.manualSeed(seed);
      const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1), new nn.Sigmoid());
      const { accuracy, loss } = await trainXor(model, 1000);
      expect(accuracy, `seed ${seed}`).toBe(1);
      expect(loss, `seed ${seed}`).toBeLessThan(0.1);
    }
  });

  it('sleep/study → score: fits the three examples and predicts (8, 3) between its neighbours', async () => {
    const { fitted, predicted } = await sleepStudy(0);
    [75, 82, 93].forEach((score, i) => expect(Math.abs(fitted[i] - score)).toBeLessThan(0.5));
    // (8 h sleep, 3 h study) lies between (5, 1) → 82 and (10, 2) → 93 in the inputs.
    expect(predicted).toBeGreaterThan(75);
    expect(predicted).toBeLessThan(100);
  });

  it('Iris: ≥ 95% test accuracy on a stratified split and in 5-fold cross-validation', async () => {
    const { testAccuracy, foldAccuracies } = await iris(0);
    expect(testAccuracy).toBeGreaterThanOrEqual(0.95);
    const mean = foldAccuracies.reduce((a, b) => a + b, 0) / foldAccuracies.length;
    expect(mean).toBeGreaterThanOrEqual(0.95);
  });

  it('MNIST MLP 784-128-10 (Adam, batch 128): two epochs on a 10k subset pass 85% test accuracy (chance: 10%)', async () => {
    // The full run (60k, 5 epochs, ≥ 97%) is examples/mnist-mlp.ts; this keeps the suite fast.
    const { accuracy, epochSeconds } = await trainMnistMlp({ epochs: 2, train: 10000, test: 2000 });
    expect(epochSeconds).toHaveLength(2);
    expect(accuracy).toBeGreaterThan(0.85);
  });

  it('MNIST LeNet-class CNN: one epoch on a 4k subset passes 85% test accuracy (the full run is examples/mnist-cnn.ts)', async () => {
    const { accuracy, epochSeconds } = await trainMnistCnn({ epochs: 1, train: 4000, test: 1000 });
    expect(epochSeconds).toHaveLength(1);
    expect(accuracy).toBeGreaterThan(0.85);
  });
});
