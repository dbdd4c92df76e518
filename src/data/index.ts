/**
 * nb.data: datasets and batching, preprocessing (scalers, encoders), splits and
 * cross-validation, and loaders (IDX/MNIST, CSV, synthetic 2-D problems).
 */
export { TensorDataset, Subset, DataLoader, type Dataset, type SampleDataset, type BatchDataset, type DataLoaderOptions } from './dataset.js';
export {
  StandardScaler, CenterScaler, MinMaxScaler, scalerFromJSON,
  type Scaler, type ScalerJSON, type StandardScalerJSON, type CenterScalerJSON, type MinMaxScalerJSON,
} from './scalers.js';
export { oneHot, OneHotEncoder, LabelEncoder, type Label } from './encoding.js';
export { trainTestSplit, kFold, stratifiedKFold, type Fold, type SplitResult, type TrainTestSplitOptions } from './split.js';
export {
  crossValidate, nestedCrossValidation,
  type TrainFn, type ScoreFn, type CrossValidateOptions, type CrossValidateResult,
  type NestedCrossValidationOptions, type NestedCrossValidationResult,
} from './crossval.js';
export { readIdx, readIdxHeader, type IdxHeader } from './idx.js';
export { mnist, type MnistOptions, type MnistData } from './mnist.js';
export { xor, circles, moons, spiral, gaussians, type Points2D, type SyntheticOptions } from './synthetic.js';
export { parseCsv, csvToTensor, csvColumnIndex, type CsvOptions, type CsvTable } from './csv.js';
