import { moduleFromConfig, type Module, type ModuleConfig } from '../nn/index.js';
import { FormatError, NablaError, ValueError, Tensor } from '../tensor/index.js';
import { BlobWriter, FORMAT_VERSION, decodeValue, encodeValue, pack, unpack } from './format.js';

/** What travels with a model besides its architecture and weights. */
export interface SaveExtras {
  /** Fitted preprocessing (scalers, encoders) as JSON-able data, e.g. scaler.toJSON(). */
  preprocessing?: unknown;
  /** An optimizer's stateDict(), to resume training. */
  optimizer?: unknown;
  /** Anything else JSON-able: class names, the training settings, metrics. */
  metadata?: unknown;
}

/** Everything a nabla file holds. */
export interface SavedModel {
  model: Module;
  preprocessing?: unknown;
  optimizer?: unknown;
  metadata?: unknown;
}

/** The model (architecture + weights + buffers) and extras as bytes in nabla's native format. */
export function serialize(model: Module, extras: SaveExtras = {}): Uint8Array {
  const blob = new BlobWriter();
  const state = Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, encodeValue(t, blob)]));
  const header: Record<string, unknown> = {
    format: 'nabla-model',
    version: FORMAT_VERSION,
    model: model.config(),
    state,
  };
  for (const key of ['preprocessing', 'optimizer', 'metadata'] as const) {
    if (extras[key] !== undefined) header[key] = encodeValue(extras[key], blob);
  }
  return pack(header, blob);
}

/** Rebuilds a model and its extras from bytes; any inconsistency is a FormatError. */
export function deserialize(bytes: Uint8Array, source = 'buffer'): SavedModel {
  const { header, blob } = unpack(bytes, source);
  if (header.format !== 'nabla-model') throw new FormatError(`${source}: not a nabla model (format '${String(header.format)}')`);
  let model: Module;
  try {
    model = moduleFromConfig(header.model as ModuleConfig);
  } catch (e) {
    throw new FormatError(`${source}: the model architecture cannot be rebuilt: ${(e as Error).message}`);
  }
  const rawState = header.state;
  if (!rawState || typeof rawState !== 'object') throw new FormatError(`${source}: no weights in the file`);
  const state: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(rawState as Record<string, unknown>)) {
    const t = decodeValue(v, blob);
    if (!(t instanceof Tensor)) throw new FormatError(`${source}: weight '${k}' is not a tensor`);
    state[k] = t;
  }
  try {
    model.loadStateDict(state);
  } catch (e) {
    if (e instanceof NablaError) throw new FormatError(`${source}: weights do not fit the architecture: ${e.message}`);
    throw e;
  }
  const out: SavedModel = { model };
  for (const key of ['preprocessing', 'optimizer', 'metadata'] as const) {
    if (header[key] !== undefined) out[key] = decodeValue(header[key], blob);
  }
  return out;
}

/**
 * Writes the model to `path` atomically (a temporary file renamed into place, so a crash
 * never leaves half a file), or returns the bytes when given {toBuffer: true}.
 */
export async function save(model: Module, dest: string | { toBuffer: true }, extras: SaveExtras = {}): Promise<Uint8Array | undefined> {
  const bytes = serialize(model, extras);
  if (typeof dest !== 'string') {
    if (dest && dest.toBuffer) return bytes;
    throw new ValueError('save: destination must be a file path or {toBuffer: true}');
  }
  await writeFileAtomic(dest, bytes);
  return undefined;
}

/** Writes bytes to a temporary file next to path, then renames it over path. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${path}.tmp-${process.pid}-${Date.now().toString(36)}`;
  try {
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads a model file (path) or bytes back into everything it holds. */
export async function loadBundle(src: string | Uint8Array): Promise<SavedModel> {
  if (typeof src !== 'string') return deserialize(src);
  const fs = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(src));
  } catch (e) {
    throw new ValueError(`load: cannot read '${src}': ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
  return deserialize(bytes, src);
}

/** Reads a model saved by nb.save (path or bytes): the architecture rebuilt, the weights restored. */
export async function load(src: string | Uint8Array): Promise<Module> {
  return (await loadBundle(src)).model;
}
