/**
 * The source of a pool worker, as a string: it runs in a Node `worker_threads` Worker
 * (`eval: true`, CommonJS) or a browser Web Worker (from a Blob URL), so the package needs no
 * separate worker file. It is plain ES2020 with no imports, written out by hand rather than
 * taken from a function's `toString()`, which bundlers and tsx may rewrite.
 *
 * Protocol (Int32 words in a SharedArrayBuffer; worker w owns the block at w·SLOT_WORDS):
 *   SEQ   bumped by the caller to post a job   DONE  set to SEQ by the worker when finished
 *   SLEEP 1 while the worker is parked         READY 1 once the instance exists (−1: failed)
 *   FN    export index to call                 NARGS number of f64 arguments in its ARGS
 *   ERR   1 if the call threw                  STOP  1: leave the loop
 * The worker spins on SEQ for `spinMs`, then parks on Atomics.wait until notified.
 */

/** Int32 words per worker control block (one 64-byte cache line: no false sharing). */
export const SLOT_WORDS = 16;
export const SEQ = 0;
export const DONE = 1;
export const SLEEP = 2;
export const READY = 3;
export const FN = 4;
export const NARGS = 5;
export const ERR = 6;
export const STOP = 7;
/** f64 arguments per job. */
export const MAX_ARGS = 32;

export const WORKER_SOURCE = `'use strict';
(function () {
  var SLOT = ${SLOT_WORDS}, SEQ = ${SEQ}, DONE = ${DONE}, SLEEP = ${SLEEP}, READY = ${READY};
  var FN = ${FN}, NARGS = ${NARGS}, ERR = ${ERR}, STOP = ${STOP}, MAX_ARGS = ${MAX_ARGS};
  function start(init) {
    var ctl = new Int32Array(init.control);
    var base = init.index * SLOT;
    var args = new Float64Array(init.args, init.index * MAX_ARGS * 8, MAX_ARGS);
    var fns;
    try {
      var instance = new WebAssembly.Instance(init.module, {
        env: { memory: init.memory, abort: function () { throw new Error('wasm abort'); } },
      });
      fns = init.names.map(function (name) { return instance.exports[name]; });
    } catch (err) {
      Atomics.store(ctl, base + READY, -1);
      Atomics.notify(ctl, base + READY);
      return;
    }
    Atomics.store(ctl, base + READY, 1);
    Atomics.notify(ctl, base + READY);
    var seen = Atomics.load(ctl, base + SEQ);
    var call = new Array(MAX_ARGS);
    for (;;) {
      var seq = Atomics.load(ctl, base + SEQ);
      if (seq === seen) {
        // Spin briefly: a job posted to a spinning worker starts in well under a microsecond.
        var deadline = performance.now() + init.spinMs;
        var spins = 0;
        while ((seq = Atomics.load(ctl, base + SEQ)) === seen) {
          if ((++spins & 1023) === 0 && performance.now() > deadline) {
            Atomics.store(ctl, base + SLEEP, 1);
            Atomics.wait(ctl, base + SEQ, seen);
            Atomics.store(ctl, base + SLEEP, 0);
            deadline = performance.now() + init.spinMs;
          }
        }
      }
      seen = seq;
      if (Atomics.load(ctl, base + STOP) === 1) return;
      var n = Atomics.load(ctl, base + NARGS);
      call.length = n;
      for (var i = 0; i < n; i++) call[i] = args[i];
      try {
        fns[Atomics.load(ctl, base + FN)].apply(null, call);
        Atomics.store(ctl, base + ERR, 0);
      } catch (err) {
        Atomics.store(ctl, base + ERR, 1);
      }
      Atomics.store(ctl, base + DONE, seq);
      Atomics.notify(ctl, base + DONE);
    }
  }
  if (typeof require === 'function' && typeof self === 'undefined') {
    start(require('node:worker_threads').workerData);
  } else {
    self.onmessage = function (event) { self.onmessage = null; start(event.data); };
  }
})();
`;
