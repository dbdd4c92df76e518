/** `nabla train`: options and help; the work is in ../train/run.ts. */
import { Option, type Command } from 'commander';
import * as opt from '../options.js';
import { train, type TrainOptions } from '../train/run.js';

const EXAMPLES = `
Examples:
  $ nabla train                                   MNIST, 784-128-10 MLP, Adam, 5 epochs
  $ nabla train --data spiral --hidden 64,64      a synthetic 2-D problem
  $ nabla train --data houses.csv --target price  regression on your CSV (task inferred)
  $ nabla train --model cnn --epochs 3            a small convolutional network on MNIST
  $ nabla train --data iris.csv --json | jq .     machine-readable progress, one JSON object per line

Data: a CSV file needs a header row. Numeric columns are standardised (statistics from the
training rows only); text columns are one-hot encoded; both are saved with the model. Rows are
shuffled (--seed) and split into training, validation and test sets.`;

export function register(program: Command): void {
  program
    .command('train')
    .description('train a network and save the model, its learning curves (SVG) and a report (HTML)')
    .option('--data <name|file.csv>', 'mnist, xor, circles, spiral, moons, or a CSV file', 'mnist')
    .option('--target <column>', 'CSV: the column to predict (default: the last column)')
    .addOption(new Option('--task <task>', 'CSV: what to learn (default: inferred from the target)').choices(['classification', 'regression']))
    .option('--categorical <columns>', 'CSV: comma-separated columns to one-hot encode even if they hold numbers', opt.nameList)
    .option('--model <name|file.json>', 'mlp, cnn (LeNet-class, MNIST), or a JSON architecture file', 'mlp')
    .option('--hidden <sizes>', 'mlp hidden layer sizes, e.g. 128,64 (default: 128 for MNIST, 64,64 otherwise)', opt.sizeList)
    .option('--activation <name>', 'hidden-layer activation (relu, tanh, sigmoid, leakyRelu, elu, gelu, …)', opt.activationName, 'relu')
    .option('--loss <name>', 'loss (default: crossEntropy for classification, mse for regression)', opt.lossName)
    .option('--optimizer <name>', `optimizer: ${opt.OPTIMIZERS.join(', ')}`, opt.optimizerName, 'adam')
    .option('--lr <rate>', 'learning rate (default: 0.002 for MNIST, 0.01 otherwise)', opt.positiveNumber)
    .option('--epochs <n>', 'passes over the training data (default: 5 for MNIST, 50 otherwise)', opt.positiveInt)
    .option('--batch-size <n>', 'examples per gradient step (default: 128 for MNIST, 32 otherwise)', opt.positiveInt)
    .option('--validation-split <fraction>', 'share of the training examples held out for validation (0 for none; default 0.1)', opt.fraction)
    .option('--test-split <fraction>', 'CSV and synthetic data: share of the rows held out for the test metrics (default 0.2)', opt.fraction)
    .option('--early-stopping <patience>', 'stop when the validation loss has not improved for this many epochs, and keep the best weights', opt.nonNegativeInt)
    .option('--l2 <lambda>', 'L2 weight penalty λ/(2m)·Σw² (biases excluded)', opt.nonNegativeNumber)
    .option('--dropout <p>', 'dropout rate after each hidden layer', opt.fraction)
    .option('--seed <n>', 'random seed for the split, the initial weights and the shuffling', opt.nonNegativeInt, 0)
    .option('--samples <n>', 'synthetic data: points to generate (default 1000); otherwise use at most n examples (quick runs)', opt.positiveInt)
    .option('-o, --out <file>', 'where to write the model (default: runs/<time>-<data>/model.nabla); the SVG and the report go beside it')
    .option('--backend <name>', 'compute backend (js, or wasm when available)')
    .option('-q, --quiet', 'print only the final result')
    .option('--json', 'print one JSON object per line (start, each epoch, end) and nothing else')
    .addHelpText('after', EXAMPLES)
    .action(async (options: TrainOptions) => {
      process.exitCode = await train(options);
    });
}
