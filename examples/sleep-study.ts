/**
 * The notes' first network: hours of (sleep, study) → test score. Three training examples,
 * inputs scaled by each column's maximum and scores by 100, a 2-3-1 sigmoid network, then a
 * prediction for the unseen (8, 3).
 *
 *     npx tsx --conditions=source examples/sleep-study.ts
 */
import * as nb from 'nabla';

const { nn } = nb;

/** The notes' table: (hours sleep, hours study) → score on the test. */
export const X = nb.tensor([[3, 5], [5, 1], [10, 2]]);
export const y = nb.tensor([[75], [82], [93]]);

/** Trains the network and returns its fitted scores for the three examples and the score predicted for (8, 3). */
export async function sleepStudy(seed = 0): Promise<{ fitted: number[]; predicted: number; loss: number }> {
  nb.manualSeed(seed);
  const xMax = X.max(0);
  const model = new nn.Sequential(new nn.Linear(2, 3), new nn.Sigmoid(), new nn.Linear(3, 1), new nn.Sigmoid());
  // Full batch: the three examples form the batch, as in the notes' gradient descent.
  const history = await nb.fit(model, { x: X.div(xMax), y: y.div(100) }, {
    loss: 'mse', optimizer: 'adam', lr: 0.05, epochs: 2000, batchSize: 3, shuffle: false,
  });
  const fitted = Array.from(nb.predict(model, X.div(xMax)).mul(100).dataSync());
  const predicted = nb.predict(model, nb.tensor([[8, 3]]).div(xMax)).mul(100).item();
  return { fitted, predicted, loss: history.history.loss.at(-1)! };
}

async function main(): Promise<void> {
  const { fitted, predicted, loss } = await sleepStudy();
  console.log('sleep, study → score   fitted');
  [[3, 5, 75], [5, 1, 82], [10, 2, 93]].forEach(([s, h, score], i) => console.log(`  ${s}, ${h}      → ${score}      ${fitted[i].toFixed(2)}`));
  console.log(`final loss ${loss.toExponential(2)}; predicted score for (8, 3): ${predicted.toFixed(1)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
