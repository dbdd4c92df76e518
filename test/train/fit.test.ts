import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';
import { expectClose } from '../helpers.js';

const { nn } = nb;

/** A noiseless linear problem y = 2x − 1 that SGD solves exactly. */
function line(n = 32): { x: nb.Tensor; y: nb.Tensor } {
  const x = nb.linspace(-1, 1, n).reshape([n, 1]);
  return { x, y: x.mul(2).sub(1) };
}

describe('fit', () => {
  it('full-batch gradient descent on one linear neuron follows the hand-computed update', async () => {
    // J = mean (w·x + b − y)² over x = [1, 2], y = [1, 3], from w = 0, b = 0, lr 0.1:
    // ∂J/∂w = mean 2(w x + b − y) x = (2·(−1)·1 + 2·(−3)·2)/2 = −7, ∂J/∂b = (−2 − 6)/2 = −4.
    const model = new nn.Linear(1, 1, { init: 'zeros' });
    const x = nb.tensor([[1], [2]]);
    const y = nb.tensor([[1], [3]]);
    const history = await nb.fit(model, { x, y }, { loss: 'mse', optimizer: 'sgd', lr: 0.1, epochs: 1, batchSize: 2, shuffle: false });
    expectClose(history.history.loss, [5]);
    expectClose(model.weight, [[0.7]]);
    expectClose(model.bias!, [0.4]);
  });

  it('keeps each gradient from batch to batch (added into in place), with the hand-computed steps', async () => {
    // Two SGD steps of 2 points each from w = 0, b = 0, lr 0.1 on y = 2x + 1:
    // batch 1: x = [1, 2], y = [3, 5]: ∂J/∂w = (2·(−3)·1 + 2·(−5)·2)/2 = −13, ∂J/∂b = −8 → w 1.3, b 0.8;
    // batch 2: x = [3, 4], y = [7, 9]: residuals 1.3·3 + 0.8 − 7 = −2.3 and 1.3·4 + 0.8 − 9 = −3,
    // ∂J/∂w = (2·(−2.3)·3 + 2·(−3)·4)/2 = −18.9, ∂J/∂b = −5.3 → w 3.19, b 1.33.
    const model = new nn.Linear(1, 1, { init: 'zeros' });
    const grads: (nb.Tensor | null)[] = [];
    await nb.fit(model, { x: nb.tensor([[1], [2], [3], [4]]), y: nb.tensor([[3], [5], [7], [9]]) }, {
      loss: 'mse', optimizer: 'sgd', lr: 0.1, epochs: 1, batchSize: 2, shuffle: false,
      callbacks: [{ onBatchEnd: () => { grads.push(model.weight.grad); } }],
    });
    expectClose(model.weight, [[3.19]], { atol: 1e-5 });
    expectClose(model.bias!, [1.33], { atol: 1e-5 });
    expectClose(grads[1]!, [[-18.9]], { atol: 1e-5 });
    // A second fit: every batch's gradient is the one tensor kept since the first fit.
    const kept: (nb.Tensor | null)[] = [];
    await nb.fit(model, { x: nb.tensor([[1], [2], [3], [4]]), y: nb.tensor([[3], [5], [7], [9]]) }, {
      loss: 'mse', optimizer: 'sgd', lr: 0.1, epochs: 1, batchSize: 1, shuffle: false,
      callbacks: [{ onBatchEnd: () => { kept.push(model.weight.grad); } }],
    });
    expect(kept).toHaveLength(4);
    expect(kept.every((g) => g !== null && g === kept[0])).toBe(true);
  });

  it('batch, mini-batch and stochastic gradient descent take 1, 4 and 32 steps per epoch', async () => {
    for (const [batchSize, steps] of [[32, 1], [8, 4], [1, 32]] as const) {
      let batches = 0;
      const model = new nn.Linear(1, 1);
      await nb.fit(model, line(), {
        loss: 'mse', optimizer: 'sgd', lr: 0.01, epochs: 1, batchSize,
        callbacks: [{ onBatchEnd: () => { batches++; } }],
      });
      expect(batches).toBe(steps);
    }
  });

  it('learns a line, records per-epoch loss and validation metrics, and calls hooks in order', async () => {
    nb.manualSeed(1);
    const model = new nn.Linear(1, 1);
    const events: string[] = [];
    const history = await nb.fit(model, line(40), {
      loss: 'mse', optimizer: 'sgd', lr: 0.1, epochs: 60, batchSize: 8, metrics: ['mae', 'r2'], validationSplit: 0.25,
      callbacks: [{
        onTrainBegin: () => { events.push('begin'); },
        onEpochBegin: (e) => { if (e < 1) events.push(`epoch ${e}`); },
        onEpochEnd: (e, logs) => { if (e < 1) events.push(`end ${e} ${Object.keys(logs).join(',')}`); },
        onTrainEnd: () => { events.push('end'); },
      }],
    });
    expect(events).toEqual(['begin', 'epoch 0', 'end 0 loss,mae,r2,valLoss,valMae,valR2', 'end']);
    expect(history.epochs).toHaveLength(60);
    expect(history.history.loss.at(-1)!).toBeLessThan(1e-4);
    // validationSplit holds out the last quarter (x > 0.5), which training never saw.
    expect(history.history.valR2.at(-1)!).toBeGreaterThan(0.999);
    expectClose(model.weight, [[2]], { atol: 1e-2 });
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    nb.manualSeed(0);
    const model = new nn.Linear(1, 1);
    const data = line();
    // lr 1.1 diverges from epoch 1 on, so the best validation loss is an early one.
    const stopper = new nb.callbacks.EarlyStopping({ monitor: 'loss', patience: 2, restoreBestWeights: true });
    const seen: number[][] = [];
    const history = await nb.fit(model, data, {
      loss: 'mse', optimizer: 'sgd', lr: 1.1, epochs: 50, batchSize: 32, shuffle: false,
      callbacks: [stopper, { onEpochEnd: () => { seen.push([...model.weight.dataSync(), ...model.bias!.dataSync()]); } }],
    });
    const losses = history.history.loss;
    const best = losses.indexOf(Math.min(...losses));
    expect(stopper.bestEpoch).toBe(best);
    expect(history.epochs.length).toBe(best + 3);
    expect(history.stopReason).toMatch(/early stopping: loss has not improved for 2 epochs/);
    // Restored: the weights are those at the end of the best epoch.
    expect([...model.weight.dataSync(), ...model.bias!.dataSync()]).toEqual(seen[best]);
  });

  it('a NaN loss stops training with a message naming the epoch and the batch', async () => {
    const model = new nn.Linear(1, 1);
    const x = nb.tensor([[1], [2], [3], [4]]);
    const y = nb.tensor([[1], [2], [NaN], [4]]);
    const history = await nb.fit(model, { x, y }, { loss: 'mse', optimizer: 'sgd', epochs: 3, batchSize: 1, shuffle: false });
    expect(history.stopReason).toBe('loss became NaN at epoch 1, batch 3: lower the learning rate, check the data for NaN/Inf, or clip gradients');
    expect(history.epochs).toHaveLength(0);
    await expect(nb.fit(model, { x, y }, { loss: 'mse', optimizer: 'sgd', epochs: 1, batchSize: 1, shuffle: false, onNonFinite: 'throw' }))
      .rejects.toThrow(/fit: loss became NaN at epoch 1, batch 3/);
  });

  it('an aborted signal stops after the current batch', async () => {
    const controller = new AbortController();
    let batches = 0;
    const history = await nb.fit(new nn.Linear(1, 1), line(), {
      loss: 'mse', optimizer: 'adam', epochs: 5, batchSize: 4, signal: controller.signal,
      callbacks: [{ onBatchEnd: (b) => { batches++; if (b === 2) controller.abort(); } }],
    });
    expect(batches).toBe(3);
    expect(history.stopReason).toBe('aborted');
    // The interrupted epoch is not recorded as if it had completed.
    expect(history.epochs).toHaveLength(0);
  });

  it('the learning-rate scheduler callback steps a schedule once per epoch', async () => {
    const model = new nn.Linear(1, 1);
    const optimizer = new nb.optim.SGD(model.parameters(), { lr: 0.1 });
    const lrs: number[] = [];
    await nb.fit(model, line(), {
      loss: 'mse', optimizer, epochs: 3, batchSize: 32,
      callbacks: [new nb.callbacks.LearningRateScheduler(new nb.optim.lr.StepLR(optimizer, { stepSize: 1, gamma: 0.5 })), { onEpochEnd: () => { lrs.push(optimizer.lr); } }],
    });
    expectClose(lrs, [0.05, 0.025, 0.0125], { atol: 1e-15 });
  });

  it('the notes\' L2 term λ/(2m)·Σθ² gives the ridge solution (bias not penalised)', async () => {
    // J(w, b) = mean((w·x + b − y)²) + λ/(2m)·w² with y = 2x − 1 and mean(x) = 0 has its minimum at
    // b = −1 and 2(w − 2)·mean(x²) + (λ/m)·w = 0, i.e. w = 4·mean(x²) / (2·mean(x²) + λ/m).
    const data = line();
    const meanX2 = data.x.square().mean().item();
    const lambda = 3;
    const m = 32;
    const model = new nn.Linear(1, 1, { init: 'zeros' });
    await nb.fit(model, data, {
      loss: 'mse', optimizer: 'sgd', lr: 0.5, epochs: 300, batchSize: 32,
      penalty: (mod) => nn.l2Penalty(mod, { lambda, m }),
    });
    expectClose(model.weight, [[(4 * meanX2) / (2 * meanX2 + lambda / m)]], { atol: 1e-5 });
    expectClose(model.bias!, [-1], { atol: 1e-5 });
    expect(model.weight.item()).toBeLessThan(1.9);
  });

  it('evaluate and predict work in eval mode and restore the mode', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout(0.5));
    model.train();
    const x = nb.randn([5, 2]);
    const a = nb.predict(model, x);
    const b = nb.predict(model, x, { batchSize: 2 });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(model.training).toBe(true);
    expect(a.requiresGrad).toBe(false);
  });

  it('bad arguments are errors that say what is wrong', async () => {
    const model = new nn.Linear(1, 1);
    await expect(nb.fit(model, { x: nb.zeros([4, 1]), y: nb.zeros([3, 1]) }, { loss: 'mse', optimizer: 'sgd' }))
      .rejects.toThrow(/fit: x \[4,1\] and y \[3,1\] must have the same number of examples/);
    await expect(nb.fit(model, line(), { loss: 'mse', optimizer: 'sgdd' })).rejects.toThrow(/unknown optimizer 'sgdd'/);
    await expect(nb.fit(model, line(), { loss: 'msq', optimizer: 'sgd' })).rejects.toThrow(/unknown loss/);
    await expect(nb.fit(model, line(), { loss: 'mse', optimizer: 'sgd', batchSize: 0 })).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(nb.fit(model, line(), { loss: 'mse', optimizer: 'sgd', validationSplit: 1.5 })).rejects.toThrow(/validationSplit must be in \[0, 1\)/);
  });

  it('trains from a DataLoader as well as from tensors', async () => {
    nb.manualSeed(0);
    const { x, y } = line();
    const loader = new nb.data.DataLoader(new nb.data.TensorDataset(x, y), { batchSize: 8, shuffle: true });
    const model = new nn.Linear(1, 1);
    const history = await nb.fit(model, loader, { loss: 'mse', optimizer: 'sgd', lr: 0.2, epochs: 40 });
    expect(history.history.loss.at(-1)!).toBeLessThan(1e-3);
  });
});
