/** Reading a model file written by `nabla train`: the model, its preprocessing and its metadata, checked. */
import * as nb from '../index.js';
import { preprocessingOf, type DataSource, type Preprocessing } from './data/load.js';
import type { Task } from './data/tabular.js';
import { CliError, readFileOrFail } from './errors.js';
import type { OutputKind } from './models.js';

/** What `nabla train` records in a model file's metadata. */
export interface RunMetadata {
  createdBy?: string;
  createdAt?: string;
  command?: string;
  source: DataSource;
  title: string;
  task: Task;
  classes: string[];
  inputShape: number[];
  output: OutputKind;
  loss: string;
  settings: Record<string, string | number | boolean>;
  splits?: Record<string, number>;
  epochsCompleted: number;
  history: Record<string, number[]>;
  test?: Record<string, number>;
  confusion?: number[][];
  stopReason?: string;
}

export interface SavedRun {
  path: string;
  model: nb.nn.Module;
  preprocessing: Preprocessing;
  metadata: RunMetadata;
  bytes: number;
}

const OUTPUTS: OutputKind[] = ['logits', 'log-probabilities', 'binary-logit', 'binary-probability', 'scores', 'value'];

function checkMetadata(m: unknown, path: string): RunMetadata {
  const meta = m as RunMetadata | null;
  const ok = !!meta && typeof meta === 'object'
    && (meta.task === 'classification' || meta.task === 'regression')
    && Array.isArray(meta.classes) && Array.isArray(meta.inputShape) && meta.inputShape.every((d) => Number.isInteger(d) && d > 0)
    && OUTPUTS.includes(meta.output) && typeof meta.loss === 'string' && !!meta.source;
  if (!ok) throw new CliError('the model file lacks the training metadata the CLI needs (was it saved by `nabla train`?)', path);
  return meta;
}

/** Loads and checks a model file; a missing, unreadable or corrupt file is one clear error. */
export async function loadRun(path: string): Promise<SavedRun> {
  const bytes = await readFileOrFail(path, 'the model file');
  let bundle: nb.SavedModel;
  try {
    bundle = nb.deserialize(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
  } catch (e) {
    if (e instanceof nb.NablaError) {
      const reason = e.message.startsWith(`${path}: `) ? e.message.slice(path.length + 2) : e.message;
      throw new CliError(`not a usable nabla model file: ${reason}`, path);
    }
    throw e;
  }
  return { path, model: bundle.model, preprocessing: preprocessingOf(bundle.preprocessing, path), metadata: checkMetadata(bundle.metadata, path), bytes: bytes.byteLength };
}
