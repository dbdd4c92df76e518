/**
 * Iris (Fisher, 1936; the CSV ships in examples/data): a stratified train/test split,
 * standardisation fitted on the training part only, a 4-8-3 tanh network, and 5-fold
 * stratified cross-validation of the same recipe.
 *
 *     npx tsx --conditions=source examples/iris.ts
 */
import { readFileSync } from 'node:fs';
import * as nb from 'nabla';

const { nn, data } = nb;

/** Features [150, 4] float32 and species codes [150] int32, from the shipped CSV. */
export function loadIris(): { x: nb.Tensor; y: nb.Tensor; classes: string[] } {
  const path = new URL('./data/iris.csv', import.meta.url);
  const table = data.parseCsv(readFileSync(path, 'utf8'), { fileName: 'iris.csv' });
  const x = data.csvToTensor(table, { columns: [0, 1, 2, 3] });
  const encoder = new data.LabelEncoder().fit(table.rows.map((r) => r[4]));
  const y = encoder.transform(table.rows.map((r) => r[4]));
  return { x, y, classes: encoder.classes.map(String) };
}

/** Standardise on the training rows, train a 4-8-3 tanh network with Adam, return test accuracy. */
export async function trainAndScore(xTrain: nb.Tensor, yTrain: nb.Tensor, xTest: nb.Tensor, yTest: nb.Tensor): Promise<number> {
  const scaler = new data.StandardScaler().fit(xTrain);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3));
  await nb.fit(model, { x: scaler.transform(xTrain), y: yTrain }, {
    loss: 'crossEntropy', optimizer: 'adam', lr: 0.01, epochs: 200, batchSize: 16,
  });
  return nb.evaluate(model, { x: scaler.transform(xTest), y: yTest }, { metrics: ['accuracy'] }).accuracy;
}

/** Test accuracy on a stratified 80/20 split, and the 5-fold cross-validated accuracies. */
export async function iris(seed = 0): Promise<{ testAccuracy: number; foldAccuracies: number[] }> {
  nb.manualSeed(seed);
  const { x, y } = loadIris();
  const split = data.trainTestSplit(x, y, { testSize: 0.2, stratify: true });
  const testAccuracy = await trainAndScore(split.xTrain, split.yTrain, split.xTest, split.yTest);
  const foldAccuracies: number[] = [];
  for (const fold of data.stratifiedKFold(y, 5, { shuffle: true })) {
    foldAccuracies.push(await trainAndScore(x.indexSelect(0, fold.train), y.indexSelect(0, fold.train), x.indexSelect(0, fold.test), y.indexSelect(0, fold.test)));
  }
  return { testAccuracy, foldAccuracies };
}

async function main(): Promise<void> {
  const { testAccuracy, foldAccuracies } = await iris();
  console.log(`Iris test accuracy (stratified 80/20 split): ${(testAccuracy * 100).toFixed(1)}%`);
  const mean = foldAccuracies.reduce((a, b) => a + b, 0) / foldAccuracies.length;
  console.log(`5-fold cross-validation: ${foldAccuracies.map((a) => (a * 100).toFixed(1)).join('%, ')}%  (mean ${(mean * 100).toFixed(1)}%)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
