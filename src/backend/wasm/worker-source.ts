/**
 * The source of a pool worker, as a string: it runs in a Node `worker_threads` Worker
 * (`eval: true`, CommonJS) or a browser Web Worker (from a Blob URL), so the package needs no
 * separate worker file. It is plain ES2015 with no imports, written out by hand rather than
 * taken from a function's `toString()`, which bundlers and tsx may rewrite.
 *
 * Protocol (Int32 words of a SharedArrayBuffer, see the offsets below). A task is a list of
 * chunks (an export to call and its arguments, in CHUNK records of a Float64Array). The caller
 * writes the chunks, COUNT and MAX_WORKERS, sets NEXT to (tag << 16 | 0) and bumps TASK.
 * Every participant — the caller and workers with index < MAX_WORKERS — registers in ACTIVE,
 * then claims chunks one by one with a compare-and-swap on NEXT, which only succeeds while
 * NEXT carries its task's tag: a worker that wakes late never runs another task's chunks,
 * and a chunk nobody has claimed yet is simply run by whoever gets there first. The caller
 * returns when no chunk is left and ACTIVE is back to 0. Each call gets one more argument,
 * the thread's index (caller 0, worker w at w + 1), for kernels with per-thread scratch.
 * Idle workers spin on TASK for
 * `spinMs`, then park on Atomics.wait (counted in SLEEPERS, so the caller knows to notify).
 */

/** Word offsets in the control block (separate cache lines for the contended words). */
export const TASK = 0;
export const COUNT = 1;
export const MAX_WORKERS_WORD = 2;
export const SLEEPERS = 3;
export const STOP = 4;
export const NEXT = 16;
export const ACTIVE = 32;
export const ERR = 48;
/** READY flag of worker w (1 ready, −1 failed to instantiate) at READY_BASE + w. */
export const READY_BASE = 64;
/** Int32 words of the control block (room for READY flags of 63 workers). */
export const CONTROL_WORDS = 128;
/** f64 arguments per chunk, and the record size: [export index, argument count, args…]. */
export const MAX_ARGS = 30;
export const RECORD = MAX_ARGS + 2;
/** Chunks per task. */
export const MAX_CHUNKS = 256;

export const WORKER_SOURCE = `'use strict';
(function () {
  var TASK = ${TASK}, COUNT = ${COUNT}, MAX_WORKERS = ${MAX_WORKERS_WORD}, SLEEPERS = ${SLEEPERS}, STOP = ${STOP};
  var NEXT = ${NEXT}, ACTIVE = ${ACTIVE}, ERR = ${ERR}, READY_BASE = ${READY_BASE}, RECORD = ${RECORD};
  function start(init) {
    var ctl = new Int32Array(init.control);
    var records = new Float64Array(init.records);
    var fns;
    try {
      var instance = new WebAssembly.Instance(init.module, {
        env: { memory: init.memory, abort: function () { throw new Error('wasm abort'); } },
      });
      fns = init.names.map(function (name) { return instance.exports[name]; });
    } catch (err) {
      Atomics.store(ctl, READY_BASE + init.index, -1);
      return;
    }
    // Read TASK before announcing READY: a task may be posted the moment READY is seen.
    var seen = Atomics.load(ctl, TASK);
    Atomics.store(ctl, READY_BASE + init.index, 1);
    var args = [];
    for (;;) {
      var task = Atomics.load(ctl, TASK);
      if (task === seen) {
        // Spin briefly: a task posted to a spinning worker starts within a microsecond.
        var deadline = performance.now() + init.spinMs;
        var spins = 0;
        while ((task = Atomics.load(ctl, TASK)) === seen) {
          if ((++spins & 1023) === 0 && performance.now() > deadline) {
            Atomics.add(ctl, SLEEPERS, 1);
            Atomics.wait(ctl, TASK, seen);
            Atomics.sub(ctl, SLEEPERS, 1);
            deadline = performance.now() + init.spinMs;
          }
        }
      }
      seen = task;
      if (Atomics.load(ctl, STOP) === 1) return;
      if (init.index >= Atomics.load(ctl, MAX_WORKERS)) continue;
      Atomics.add(ctl, ACTIVE, 1);
      var tag = (task & 0xffff) << 16;
      var count = Atomics.load(ctl, COUNT);
      for (;;) {
        var next = Atomics.load(ctl, NEXT);
        if ((next & 0xffff0000) !== tag || (next & 0xffff) >= count) break;
        if (Atomics.compareExchange(ctl, NEXT, next, next + 1) !== next) continue;
        var at = (next & 0xffff) * RECORD;
        var n = records[at + 1];
        args.length = n + 1;
        for (var i = 0; i < n; i++) args[i] = records[at + 2 + i];
        args[n] = init.index + 1; // the thread's index: kernels with per-thread scratch use it
        try {
          fns[records[at]].apply(null, args);
        } catch (err) {
          Atomics.store(ctl, ERR, 1);
        }
      }
      Atomics.sub(ctl, ACTIVE, 1);
      Atomics.notify(ctl, ACTIVE);
    }
  }
  if (typeof require === 'function' && typeof self === 'undefined') {
    start(require('node:worker_threads').workerData);
  } else {
    self.onmessage = function (event) { self.onmessage = null; start(event.data); };
  }
})();
`;
