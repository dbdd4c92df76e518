import * as nb from 'nabla';
const t0 = performance.now();
const m = await import('../src/backend/wasm/index.js').catch((e) => { console.log('import fail', e.message); return null; });
if (m) { const ok = await m.initWasmBackend(); console.log('wasm ok', ok, m.wasmInfo()); }
console.log(nb.listBackends(), performance.now() - t0);
for (const be of nb.listBackends()) {
  nb.setBackend(be);
  for (const n of [128, 512]) {
    const a = nb.randn([n, n]), b = nb.randn([n, n]);
    let t = performance.now(); let k = 0;
    while (performance.now() - t < 500) { a.matmul(b); k++; }
    console.log(be, n, (2 * n ** 3 * k / ((performance.now() - t) / 1000) / 1e9).toFixed(2), 'GFLOP/s');
  }
}
