import * as tf from '@tensorflow/tfjs';
import { setWasmPaths, getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
const req = createRequire(import.meta.url);
const dir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
console.log(dir);
setWasmPaths(dir + '/');
for (const be of ['cpu', 'wasm']) {
  const ok = await tf.setBackend(be); await tf.ready();
  console.log(be, ok, tf.getBackend(), be === 'wasm' ? getThreadsCount() : '', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  for (const n of [128, 512]) {
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    let t = performance.now(); let k = 0;
    while (performance.now() - t < 500) { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); k++; }
    console.log(be, n, (2 * n ** 3 * k / ((performance.now() - t) / 1000) / 1e9).toFixed(2), 'GFLOP/s');
  }
}
