import { beforeAll, describe, expect, it } from 'vitest';
import { jsBackend } from '../../src/backend/js/index.js';
import type { Conv2dGeometry } from '../../src/backend/types.js';
import { setNumThreads, startWasmThreads, wasmBackend, wasmInfo } from '../../src/backend/wasm/index.js';
import { loadWasm, uniform } from './setup.js';

beforeAll(loadWasm);

/** Geometry of a square window with equal stride, padding and dilation on both axes. */
function geometry(batch: number, channels: number, inH: number, inW: number, k: number, stride: number, pad: number, dilation: number): Conv2dGeometry {
  const out = (size: number): number => Math.floor((size + 2 * pad - dilation * (k - 1) - 1) / stride) + 1;
  return {
    batch, channels, inH, inW, kH: k, kW: k, strideH: stride, strideW: stride,
    padH: pad, padW: pad, dilationH: dilation, dilationW: dilation, outH: out(inH), outW: out(inW),
  };
}

const GEOMETRIES: [string, Conv2dGeometry][] = [
  ['3×3, pad 1 (same size)', geometry(8, 4, 14, 14, 3, 1, 1, 1)],
  ['5×5, stride 2, pad 2, non-square image', geometry(3, 5, 17, 13, 5, 2, 2, 1)],
  ['3×3 dilated by 2, pad 2', geometry(2, 3, 20, 20, 3, 1, 2, 2)],
  ['2×2 stride 2 (pooling)', geometry(4, 6, 9, 9, 2, 2, 0, 1)],
  ['window larger than the padding allows on a 5×5 image', geometry(2, 16, 5, 5, 4, 3, 1, 1)],
];

function identical(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${what} element ${i}: wasm ${actual[i]}, js ${expected[i]}`);
  }
}

describe('wasm window kernels give the js kernels\' bits', () => {
  it.each(GEOMETRIES)('%s', (_, g) => {
    const x = uniform(g.batch * g.channels * g.inH * g.inW, 21, -3, 3);
    x[7] = NaN; // NaN wins max pooling, as in PyTorch
    const colsLength = g.channels * g.kH * g.kW * g.batch * g.outH * g.outW;
    const [colsWasm, colsJs] = [new Float32Array(colsLength).fill(9), new Float32Array(colsLength)];
    wasmBackend.im2col(x, g, colsWasm);
    jsBackend.im2col(x, g, colsJs);
    identical(colsWasm, colsJs, 'im2col');
    const [imgWasm, imgJs] = [new Float32Array(x.length).fill(9), new Float32Array(x.length)];
    wasmBackend.col2im(colsJs, g, imgWasm);
    jsBackend.col2im(colsJs, g, imgJs);
    identical(imgWasm, imgJs, 'col2im');
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const [maxWasm, maxJs, argWasm, argJs] = [new Float32Array(pooled), new Float32Array(pooled), new Int32Array(pooled), new Int32Array(pooled)];
    wasmBackend.maxPool2d(x, g, maxWasm, argWasm);
    jsBackend.maxPool2d(x, g, maxJs, argJs);
    identical(maxWasm, maxJs, 'maxPool2d');
    identical(argWasm, argJs, 'maxPool2d argmax');
    for (const countIncludePad of [false, true]) {
      const [avgWasm, avgJs] = [new Float32Array(pooled), new Float32Array(pooled)];
      wasmBackend.avgPool2d(x, g, countIncludePad, avgWasm);
      jsBackend.avgPool2d(x, g, countIncludePad, avgJs);
      identical(avgWasm, avgJs, `avgPool2d(countIncludePad ${countIncludePad})`);
      const [backWasm, backJs] = [new Float32Array(x.length).fill(9), new Float32Array(x.length)];
      wasmBackend.avgPool2dBackward(avgJs, g, countIncludePad, backWasm);
      jsBackend.avgPool2dBackward(avgJs, g, countIncludePad, backJs);
      identical(backWasm, backJs, `avgPool2dBackward(countIncludePad ${countIncludePad})`);
    }
  });

  it('im2col of a hand-made image: the 2×2 windows of a 3×3 ramp', () => {
    // Large enough to run in wasm: 64 copies of the same 3×3 image.
    const g = geometry(64, 1, 3, 3, 2, 1, 0, 1);
    const x = new Float32Array(64 * 9).map((_, i) => i % 9);
    const cols = new Float32Array(4 * 64 * 4);
    wasmBackend.im2col(x, g, cols);
    // Row (ki, kj), image 0: the tap at (oh + ki, ow + kj) for the outputs (0,0) (0,1) (1,0) (1,1).
    const image0 = (row: number): number[] => Array.from(cols.subarray(row * 256, row * 256 + 4));
    expect(image0(0)).toEqual([0, 1, 3, 4]);
    expect(image0(1)).toEqual([1, 2, 4, 5]);
    expect(image0(2)).toEqual([3, 4, 6, 7]);
    expect(image0(3)).toEqual([4, 5, 7, 8]);
  });

  it('split between threads, the results do not change', async () => {
    setNumThreads(2);
    expect(await startWasmThreads()).toBe(2);
    const g = geometry(32, 16, 16, 16, 3, 1, 1, 1);
    const x = uniform(g.batch * g.channels * g.inH * g.inW, 22);
    const cols = new Float32Array(g.channels * 9 * g.batch * g.outH * g.outW);
    const run = (threads: number): [Float32Array, Float32Array] => {
      setNumThreads(threads);
      const c = new Float32Array(cols.length);
      const back = new Float32Array(x.length);
      wasmBackend.im2col(x, g, c);
      wasmBackend.col2im(c, g, back);
      return [c, back];
    };
    const [c1, back1] = run(1);
    // Until a worker has taken a chunk (on a busy machine the caller may run them all).
    for (let attempt = 0, before = wasmInfo()?.workerChunks ?? 0; (wasmInfo()?.workerChunks ?? 0) === before; attempt++) {
      expect(attempt, 'a worker took part').toBeLessThan(100);
      const [c2, back2] = run(2);
      identical(c2, c1, 'im2col, 2 threads vs 1');
      identical(back2, back1, 'col2im, 2 threads vs 1');
    }
  });
});
