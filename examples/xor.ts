/**
 * XOR, the notes' history lesson: a single perceptron cannot separate XOR (Minsky & Papert,
 * 1969), a 2-2-1 network trained by backpropagation can.
 *
 *     npx tsx --conditions=source examples/xor.ts
 */
import * as nb from 'nabla';

const { nn } = nb;
const x = nb.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = nb.tensor([[0], [1], [1], [0]]);

/** Trains a model on the four XOR points and returns its accuracy and final loss. */
export async function trainXor(model: nb.nn.Module, epochs = 2000, lr = 0.5): Promise<{ accuracy: number; loss: number }> {
  const history = await nb.fit(model, { x, y }, {
    loss: 'bce', optimizer: 'sgd', lr, epochs, batchSize: 4, shuffle: false, metrics: ['accuracy'],
  });
  const loss = history.history.loss.at(-1)!;
  const accuracy = nb.evaluate(model, { x, y }, { metrics: ['accuracy'] }).accuracy;
  return { accuracy, loss };
}

/** A single sigmoid neuron: a line, which cannot separate XOR. */
export const perceptron = (): nb.nn.Module => new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid());

/** The notes' 2-2-1 network. */
export const twoLayer = (): nb.nn.Module => new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh(), new nn.Linear(2, 1), new nn.Sigmoid());

async function main(): Promise<void> {
  nb.manualSeed(0);
  const single = await trainXor(perceptron());
  console.log(`single perceptron: accuracy ${(single.accuracy * 100).toFixed(0)}%, loss ${single.loss.toFixed(4)}  (a line cannot separate XOR)`);
  nb.manualSeed(0);
  const model = twoLayer();
  const two = await trainXor(model);
  console.log(`2-2-1 network:     accuracy ${(two.accuracy * 100).toFixed(0)}%, loss ${two.loss.toFixed(4)}`);
  const p = nb.predict(model, x);
  for (let i = 0; i < 4; i++) console.log(`  ${(x.toArray() as number[][])[i].join(",")} → ${(p.data[i]).toFixed(3)}`);
  console.log(`\n${model.toString()}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
