/**
 * Mini-batch training in small steps the page can interleave with drawing: one call to
 * `step()` is one gradient step on the next batch of a seeded shuffle, and `run(ms)` takes
 * steps until a time budget is spent. A non-finite loss or weight stops training, restores
 * the last good weights and explains which setting to lower.
 */
import * as nb from 'nabla';
import { inputsOf, type Data } from './datasets.js';
import { allFinite, makeOptimizer, penaltyOf, restore, snapshot, targetsOf, type Network } from './network.js';
import type { Settings } from './settings.js';

export interface LossPoint {
  epoch: number;
  train: number;
  test: number;
}

/** Which setting to lower after a run diverged: a sentence and the change that follows it. */
export function divergenceFix(s: Settings): { advice: string; patch: Partial<Settings>; action: string } {
  // Below these rates a blow-up is more likely the penalty's doing than the step size's.
  const gentle = s.optimizer === 'sgd' || s.optimizer === 'momentum' ? 0.3 : 0.1;
  if (s.regularization !== 'none' && s.lambda >= 1 && s.lr < gentle) {
    const lambda = s.lambda / 10;
    return { advice: `Lower the regularisation rate λ (now ${s.lambda}).`, patch: { lambda }, action: `Use λ = ${lambda}` };
  }
  const lr = Number((s.lr / 10).toPrecision(3));
  return { advice: `Lower the learning rate (now ${s.lr}; try ${lr}).`, patch: { lr }, action: `Use learning rate ${lr}` };
}

export class Trainer {
  readonly net: Network;
  data: Data;
  private settings: Settings;
  private optimizer: nb.optim.Optimizer;
  private lossFn: nb.nn.Loss;
  private xTrain!: nb.Tensor;
  private yTrain!: nb.Tensor;
  private xTest!: nb.Tensor;
  private yTest!: nb.Tensor;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private readonly rng: nb.Generator;
  /** Completed passes over the training set. */
  epoch = 0;
  /** Gradient steps taken. */
  steps = 0;
  /** Train and test loss at the start and after every epoch. */
  history: LossPoint[] = [];
  /** The weights at the last epoch whose losses were finite (restored when training diverges). */
  private good: Float32Array[] = [];
  /** Why training stopped on a NaN/Inf, with advice; null while all is finite. */
  diverged: string | null = null;

  constructor(settings: Settings, data: Data, net: Network) {
    this.settings = settings;
    this.net = net;
    this.data = data;
    this.rng = new nb.Generator(settings.seed + 1);
    this.lossFn = nb.nn.loss(net.loss);
    this.optimizer = makeOptimizer(settings, net.model.parameters());
    this.setData(data);
    this.record();
  }

  /** New or edited points; the weights stay. */
  setData(data: Data): void {
    this.data = data;
    const train = data.points.filter((p) => !p.test);
    const test = data.points.filter((p) => p.test);
    this.xTrain = inputsOf(data.task, train);
    this.yTrain = targetsOf(this.net, train);
    this.xTest = inputsOf(data.task, test);
    this.yTest = targetsOf(this.net, test);
    this.order = new Int32Array(0);
    this.cursor = 0;
  }

  /** Settings that do not change the architecture (optimizer, lr, batch size, penalty). */
  updateSettings(s: Settings): void {
    const previous = this.settings;
    this.settings = s;
    if (s.optimizer !== previous.optimizer) this.optimizer = makeOptimizer(s, this.net.model.parameters());
    else this.optimizer.lr = s.lr;
    this.diverged = null;
  }

  get trainSize(): number {
    return this.xTrain.shape[0];
  }

  /** The next batch's row indices, reshuffling at each new epoch. */
  private nextBatch(): Int32Array {
    const n = this.trainSize;
    if (this.cursor >= this.order.length) {
      if (this.order.length > 0) {
        this.epoch++;
        this.record();
      }
      this.order = this.rng.permutation(n);
      this.cursor = 0;
    }
    const batch = this.order.subarray(this.cursor, Math.min(this.cursor + this.settings.batchSize, n));
    this.cursor += batch.length;
    return batch;
  }

  /** One gradient step on one batch. Returns false (and sets `diverged`) when it produced NaN/Inf. */
  step(): boolean {
    if (this.diverged || this.trainSize === 0) return false;
    const idx = this.nextBatch();
    if (this.diverged) return false;
    const { model } = this.net;
    model.train();
    this.optimizer.zeroGrad();
    let loss = this.lossFn.forward(model.forward(this.xTrain.indexSelect(0, idx)), this.yTrain.indexSelect(0, idx));
    const penalty = penaltyOf(this.settings, model, this.trainSize);
    if (penalty) loss = loss.add(penalty);
    const value = loss.item();
    if (Number.isFinite(value)) {
      loss.backward();
      this.optimizer.step();
    }
    this.steps++;
    if (!Number.isFinite(value)) return this.fail(`the cost became ${value}`);
    if (!allFinite(model)) return this.fail('the weights overflowed');
    return true;
  }

  /** Stops on a non-finite value: back to the last weights with finite losses, and advice. */
  private fail(what: string): false {
    restore(this.net.model, this.good);
    this.optimizer = makeOptimizer(this.settings, this.net.model.parameters());
    this.diverged = `Training diverged at epoch ${this.epoch}, step ${this.steps}: ${what}. ${divergenceFix(this.settings).advice}`;
    return false;
  }

  /** Takes steps for about `budgetMs` milliseconds; returns how many it took. */
  run(budgetMs: number): number {
    const end = performance.now() + budgetMs;
    let taken = 0;
    while (performance.now() < end && this.step()) taken++;
    return taken;
  }

  /** Cost of the model (in evaluation mode, no penalty) on x, y; NaN for an empty set. */
  private costOn(x: nb.Tensor, y: nb.Tensor): number {
    if (x.shape[0] === 0) return NaN;
    const { model } = this.net;
    model.eval();
    try {
      return nb.noGrad(() => this.lossFn.forward(model.forward(x), y).item());
    } finally {
      model.train();
    }
  }

  /** Current train and test loss. */
  losses(): { train: number; test: number } {
    return { train: this.costOn(this.xTrain, this.yTrain), test: this.costOn(this.xTest, this.yTest) };
  }

  /** Adds the epoch's losses to the history and keeps its weights as the last good ones. */
  private record(): void {
    const losses = this.losses();
    // A finite batch cost can hide weights so large that the whole set's cost overflows.
    if (!Number.isFinite(losses.train) && this.good.length) {
      this.fail(`the training loss became ${losses.train}`);
      return;
    }
    this.good = snapshot(this.net.model);
    this.history.push({ epoch: this.epoch, ...losses });
    // Long runs keep every other point of their older half, so memory and drawing stay small.
    if (this.history.length > 2000) this.history = this.history.filter((_, i) => i % 2 === 0 || i > 1000);
  }
}
