/**
 * The benchmark script (bench/run.ts): its JSON output on a tiny configuration, and the pure
 * parts it is built from (options, job plan, timing rules, the table's ratios).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as nb from 'nabla';
import { IMPLS, type BenchRecord, type Job } from '../../bench/impl/protocol.js';
import { epochTimeRecord, extrapolate, median, timeEpoch, trainAndTime, warmedUp, type Trainer } from '../../bench/impl/timing.js';
import { LIMIT_S, NABLA_LIMIT_S, parseArgs, planJobs, torchConfigs, UsageError, type PlanContext } from '../../bench/plan.js';
import { formatTable, mergeRounds, ratio } from '../../bench/report.js';
import { backends } from '../helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

describe.each(backends)('npm run bench --json on %s', (backend) => {
  beforeEach(() => nb.setBackend(backend));

  it('prints one parseable record per line with the required fields', async () => {
    const args = ['--conditions=source', '--import', 'tsx', 'bench/run.ts',
      '--only', 'gemm', '--impl', 'nabla', '--backends', backend, '--gemm', '24x40x16', '--quick', '--json'];
    const { stdout } = await run(process.execPath, args, { cwd: ROOT, timeout: 19_000 });
    const all = stdout.trim().split('\n').map((l) => JSON.parse(l) as BenchRecord);
    // wasm also times the product with A and B resident in wasm memory (backend 'wasm resident'),
    // and into a resident C given as out ('wasm resident, out='), and measures the compute
    // ceiling of its micro-kernel (on the job's threads and on one).
    const resident = backend === 'wasm';
    const ceilings = all.filter((r) => r.ceiling);
    const records = all.filter((r) => !r.ceiling);
    expect(records).toHaveLength(resident ? 4 : 2);
    expect(records.map((r) => r.backend).sort())
      .toEqual(resident ? [backend, backend, `${backend} resident`, `${backend} resident, out=`] : [backend, backend]);
    if (resident) {
      const threads = records[0].threads;
      expect(ceilings.map((r) => r.threads)).toEqual(threads > 1 ? [threads, 1] : [1]);
      for (const r of ceilings) {
        expect(r.backend).toBe(`${backend} kernel ceiling`);
        expect(r.unit).toBe('GFLOP/s');
        // Somewhere between a slow browser-class core and several times this VM's ~50 per core.
        expect(r.value!).toBeGreaterThan(1);
        expect(r.value!).toBeLessThan(1000);
      }
      expect(ceilings[0].note).toMatch(/"resident, out=" kept \d+% of it/);
    } else {
      expect(ceilings).toEqual([]);
    }
    for (const r of records) {
      expect(r.workload).toBe('gemm-24x40x16');
      expect(r.impl).toBe('nabla');
      expect(Number.isInteger(r.threads) && r.threads >= 1).toBe(true);
      expect(r.error).toBeUndefined();
      expect(typeof r.value).toBe('number');
      expect(r.value).toBeGreaterThan(0);
    }
    expect(records.map((r) => r.unit).sort()).toEqual(resident ? ['GFLOP/s', 'GFLOP/s', 'GFLOP/s', 'MiB'] : ['GFLOP/s', 'MiB']);
    // A 24×40×16 product is 30 720 flops; even the js backend does it in well under 1 ms, and
    // no CPU here does 10 000 GFLOP/s.
    for (const r of records.filter((x) => x.unit === 'GFLOP/s')) {
      expect(r.value!).toBeGreaterThan(0.01);
      expect(r.value!).toBeLessThan(10_000);
    }
    // Node alone holds tens of MiB; a tiny product does not take gigabytes.
    const rss = records.find((r) => r.unit === 'MiB')!.value!;
    expect(rss).toBeGreaterThan(20);
    expect(rss).toBeLessThan(2048);
  }, 20_000);
});

describe('bench options', () => {
  it('reads lists, sizes and flags', () => {
    const o = parseArgs(['--only', 'mlp,gemm', '--impl', 'nabla,torch', '--backends', 'js', '--gemm', '8x9x10', '--json', '--nabla-threads', '1,2']);
    expect(o.only).toEqual(['mlp', 'gemm']);
    expect(o.impls).toEqual(['nabla', 'torch']);
    expect(o.backends).toEqual(['js']);
    expect(o.gemm).toEqual([[8, 9, 10]]);
    expect(o.nablaThreads).toEqual([1, 2]);
    expect(o.json).toBe(true);
    expect(o.quick).toBe(false);
    expect(o.timeoutS).toBe(900);
    expect(parseArgs(['--quick']).timeoutS).toBe(180);
    expect(parseArgs([]).impls).toEqual([...IMPLS]);
  });

  it('rejects unknown names and malformed values', () => {
    expect(() => parseArgs(['--only', 'rnn'])).toThrow(UsageError);
    expect(() => parseArgs(['--only', 'rnn'])).toThrow("--only: unknown 'rnn'");
    expect(() => parseArgs(['--impl', 'jax'])).toThrow("--impl: unknown 'jax'");
    expect(() => parseArgs(['--gemm', '8x9'])).toThrow('expected m×k×n');
    expect(() => parseArgs(['--gemm', '8x0x9'])).toThrow('positive integer');
    expect(() => parseArgs(['--frobnicate'])).toThrow("unknown option '--frobnicate'");
    expect(() => parseArgs(['--only'])).toThrow('--only needs a value');
  });
});

describe('bench job plan', () => {
  const ctx: PlanContext = {
    cores: 2, nablaBackends: ['js', 'wasm'], threadedBackends: ['wasm'],
    torch: { ok: true, env: { LD_LIBRARY_PATH: '/blas' } }, mnistDir: '/mnist',
  };

  it('runs torch with 1 thread, all cores, and all cores with OpenBLAS at 1 thread, set in its environment', () => {
    expect(torchConfigs(2)).toEqual([{ threads: 1, blasThreads: 1 }, { threads: 2 }, { threads: 2, blasThreads: 1 }]);
    const jobs = planJobs(parseArgs(['--only', 'cnn', '--impl', 'torch']), ctx);
    expect(jobs.map((j) => [j.job.threads, j.env.OMP_NUM_THREADS, j.env.OPENBLAS_NUM_THREADS, j.env.LD_LIBRARY_PATH]))
      .toEqual([[1, '1', '1', '/blas'], [2, '2', undefined, '/blas'], [2, '2', '1', '/blas']]);
    expect(jobs.every((j) => j.job.mnistDir === '/mnist' && j.job.limitS === LIMIT_S)).toBe(true);
    // As many timed epochs as nabla's wasm backend (their median is compared).
    expect(jobs.map((j) => j.job.epochs)).toEqual([3, 3, 3]);
    expect(planJobs(parseArgs(['--only', 'mlp', '--impl', 'torch']), ctx).map((j) => j.job.epochs)).toEqual([5, 5, 5]);
    expect(planJobs(parseArgs(['--only', 'cnn', '--impl', 'nabla']), ctx).map((j) => `${j.job.backend} ${j.job.epochs}`))
      .toEqual(['js 1', 'wasm 3', 'wasm, single-threaded GC 3']);
    expect(planJobs(parseArgs(['--impl', 'torch']), { ...ctx, torch: { ok: false, env: {} } })).toEqual([]);
  });

  it('trains nabla 5 epochs on the MLP (1 under --quick), TensorFlow.js 1, one job per GEMM size', () => {
    const full = planJobs(parseArgs(['--only', 'mlp,gemm', '--impl', 'nabla,tfjs-cpu,tfjs-wasm', '--gemm', '4x4x4,8x8x8']), ctx);
    const key = (j: Job): string => `${j.workload}${j.gemm ? j.gemm.join('x') : ''} ${j.impl} ${j.backend} ${j.threads} ${j.epochs} ${j.limitS}`;
    expect(full.map((p) => key(p.job))).toEqual([
      `mlp nabla js 1 5 ${NABLA_LIMIT_S}`, `mlp nabla wasm 2 5 ${NABLA_LIMIT_S}`,
      // On 2 cores wasm also trains with V8's GC on the main thread (no GC threads competing).
      `mlp nabla wasm, single-threaded GC 2 5 ${NABLA_LIMIT_S}`,
      `mlp tfjs-cpu cpu 1 1 ${LIMIT_S}`, `mlp tfjs-wasm wasm 1 1 ${LIMIT_S}`,
      ...['4x4x4', '8x8x8'].flatMap((g) => [
        `gemm${g} nabla js 1 1 ${NABLA_LIMIT_S}`, `gemm${g} nabla wasm 2 1 ${NABLA_LIMIT_S}`,
        `gemm${g} nabla wasm, single-threaded GC 2 1 ${NABLA_LIMIT_S}`,
        `gemm${g} tfjs-cpu cpu 1 1 ${LIMIT_S}`, `gemm${g} tfjs-wasm wasm 1 1 ${LIMIT_S}`,
      ]),
    ]);
    expect(full.filter((p) => p.job.nodeFlags).map((p) => p.job.nodeFlags)).toEqual(Array(3).fill(['--single-threaded-gc']));
    // Not on a machine with many cores, where GC threads have cores of their own.
    expect(planJobs(parseArgs(['--only', 'mlp', '--impl', 'nabla']), { ...ctx, cores: 16 }).map((p) => p.job.backend)).toEqual(['js', 'wasm']);
    // The plain-SIMD build runs the GEMM only, unless named.
    const simd = { ...ctx, nablaBackends: ['js', 'wasm', 'wasm-simd'], threadedBackends: ['wasm', 'wasm-simd'] };
    expect(planJobs(parseArgs(['--only', 'cnn,gemm', '--impl', 'nabla', '--gemm', '4x4x4']), simd).map((p) => `${p.job.workload} ${p.job.backend}`))
      .toEqual(['cnn js', 'cnn wasm', 'cnn wasm, single-threaded GC', 'gemm js', 'gemm wasm', 'gemm wasm, single-threaded GC', 'gemm wasm-simd']);
    // The plain-SIMD job tells the package to load the plain build.
    expect(planJobs(parseArgs(['--only', 'gemm', '--impl', 'nabla', '--gemm', '4x4x4']), simd).find((p) => p.job.backend === 'wasm-simd')!.env)
      .toEqual({ NABLA_RELAXED_SIMD: '0' });
    const quick = planJobs(parseArgs(['--only', 'mlp', '--impl', 'nabla', '--backends', 'wasm', '--nabla-threads', '1,2', '--quick']), ctx);
    expect(quick.map((p) => [p.job.threads, p.job.epochs, p.job.quick])).toEqual([[1, 1, true], [2, 1, true]]);
  });

  it('with --rounds repeats the wasm and PyTorch training jobs, every other round in reverse order', () => {
    expect(parseArgs([]).rounds).toBe(1);
    expect(() => parseArgs(['--rounds', '0'])).toThrow('--rounds: expected a positive integer');
    const jobs = planJobs(parseArgs(['--only', 'mlp,gemm', '--impl', 'nabla,tfjs-cpu,torch', '--gemm', '4x4x4', '--rounds', '3']), ctx);
    const label = (p: (typeof jobs)[number]): string =>
      `${p.job.workload} ${p.job.impl} ${p.job.backend} ${p.job.threads}${p.env.OPENBLAS_NUM_THREADS ? ' blas1' : ''}${p.round ? ` r${p.round}` : ''}`;
    const repeated = ['mlp nabla wasm 2', 'mlp nabla wasm, single-threaded GC 2', 'mlp torch cpu 1 blas1', 'mlp torch cpu 2', 'mlp torch cpu 2 blas1'];
    expect(jobs.map(label)).toEqual([
      // The first pass in the usual order; js and TensorFlow.js (minutes an epoch) run once.
      'mlp nabla js 1', 'mlp nabla wasm 2 r1', 'mlp nabla wasm, single-threaded GC 2 r1', 'mlp tfjs-cpu cpu 1',
      'mlp torch cpu 1 blas1 r1', 'mlp torch cpu 2 r1', 'mlp torch cpu 2 blas1 r1',
      ...[...repeated].reverse().map((l) => `${l} r2`),
      ...repeated.map((l) => `${l} r3`),
      // GEMM jobs time their own rounds.
      'gemm nabla js 1', 'gemm nabla wasm 2', 'gemm nabla wasm, single-threaded GC 2', 'gemm tfjs-cpu cpu 1',
      'gemm torch cpu 1 blas1', 'gemm torch cpu 2', 'gemm torch cpu 2 blas1',
    ]);
  });
});

describe('bench timing rules', () => {
  const job = { quick: false, limitS: 120, subsetS: 30 };

  it('runs every batch of an epoch that fits the limit', async () => {
    const seen: number[] = [];
    const t = await timeEpoch(7, (b) => seen.push(b), { ...job, limitS: Infinity });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(t.extrapolated).toBe(false);
    expect(t.batches).toBe(7);
  });

  it('stops after the probe batches and extrapolates when the epoch would be too long', async () => {
    let steps = 0;
    const t = await timeEpoch(469, () => { steps++; }, { ...job, limitS: 0, subsetS: 0 });
    expect(steps).toBe(3);
    expect(t).toMatchObject({ extrapolated: true, batches: 3 });
    let quickSteps = 0;
    const q = await timeEpoch(469, () => { quickSteps++; }, { quick: true, limitS: 120, subsetS: 0 });
    expect(quickSteps).toBe(1);
    expect(q.extrapolated).toBe(true);
  });

  it('scales the mean batch time to the epoch, and takes medians', () => {
    expect(extrapolate(6, 3, 469)).toBe(938);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('reports the median of the timed epochs, every epoch in the note', () => {
    const base = { workload: 'mlp', impl: 'nabla', backend: 'wasm', threads: 2 } as const;
    expect(epochTimeRecord(base, [0.81, 0.7, 0.72, 1.4, 0.69], 469)).toEqual({
      ...base, value: 0.72, unit: 's', extrapolated: false, batches: 469, epochs: 1,
      note: 'median of 5 epochs: 0.81, 0.70, 0.72, 1.40, 0.69 s',
    });
    expect(epochTimeRecord(base, [3.14159], 938)).toEqual({ ...base, value: 3.142, unit: 's', extrapolated: false, batches: 938, epochs: 1 });
  });

  it('a later epoch that would pass the limit ends training; the epochs timed in full stand', async () => {
    // A clock the trainer moves: 10 ms a step while warming up and in epoch 1, then 500 ms.
    let now = 0;
    let stepS = 0.01;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const records: BenchRecord[] = [];
    const trainer: Trainer = {
      batchesPerEpoch: 100,
      beginEpoch: (epoch) => { if (epoch === 1) stepS = 0.5; },
      restart: () => {},
      step: () => { now += stepS * 1000; },
      accuracy: () => 0.5,
    };
    const base = { workload: 'mlp', impl: 'torch', backend: 'cpu', threads: 1 } as const;
    const timedJob = { ...job, limitS: 10, subsetS: 1, epochs: 3 } as Job;
    await trainAndTime(timedJob, trainer, base, true, (r) => records.push(r));
    vi.restoreAllMocks();
    // Epoch 1 took 1 s; epoch 2 would take 50 s (> 10): its subset is dropped, epoch 1's time stays.
    expect(records).toEqual([
      { ...base, value: 0.5, unit: 'acc', epochs: 1 },
      { ...base, value: 1, unit: 's', extrapolated: false, batches: 100, epochs: 1 },
    ]);
  });
});

describe('bench table', () => {
  const rec = (impl: BenchRecord['impl'], backend: string, value: number | null, extra: Partial<BenchRecord> = {}): BenchRecord =>
    ({ workload: 'gemm-512x512x512', impl, backend, threads: 1, value, unit: 'GFLOP/s', ...extra });

  it('gives nabla ÷ peer ratios, marks the fastest torch, extrapolations and failures', () => {
    const records: BenchRecord[] = [
      rec('nabla', 'wasm', 12),
      rec('tfjs-cpu', 'cpu', 0.5),
      rec('torch', 'cpu+openblas', 30, { blasThreads: 1 }),
      rec('torch', 'cpu+openblas', 48, { threads: 2, blasThreads: 1 }),
      rec('tfjs-wasm', 'wasm', null, { error: "Kernel 'X' not registered" }),
      { ...rec('nabla', 'wasm', 80), workload: 'cnn', unit: 's', extrapolated: true, batches: 4 },
    ];
    const table = formatTable(records);
    const line = (start: string): string => table.split('\n').find((l) => l.trim().startsWith(start))!;
    expect(line('tfjs-cpu')).toMatch(/0\.50\s+24\.0/);
    expect(line('nabla wasm ÷ fastest torch')).toBe('  nabla wasm ÷ fastest torch (2 threads, OPENBLAS_NUM_THREADS=1) = 0.25');
    expect(table).toContain('fastest torch configuration');
    expect(line('tfjs-wasm')).toContain("FAILED: Kernel 'X' not registered");
    expect(table).toContain('~80.0');
    expect(table).toContain('extrapolated from 4 batches');
    // An epoch time shows the epochs behind its median.
    const timed = formatTable([{ ...rec('torch', 'cpu', 0.7), workload: 'mlp', unit: 's', note: 'median of 3 epochs: 0.71, 0.70, 0.69 s' }]);
    expect(timed).toContain('median of 3 epochs: 0.71, 0.70, 0.69 s');
  });

  it('shows a ceiling row with its note and no ratio column of its own', () => {
    const table = formatTable([
      rec('nabla', 'wasm', 80, { threads: 2 }),
      rec('nabla', 'wasm kernel ceiling', 95, { threads: 2, ceiling: true, note: 'the micro-kernel alone; kept 84% of it' }),
      rec('torch', 'cpu+openblas', 160, { threads: 2 }),
    ]);
    expect(table).not.toContain('nabla wasm kernel ceiling ÷ this');
    expect(table).toMatch(/nabla wasm kernel ceiling\s+2\s+95\.0\s+the micro-kernel alone; kept 84% of it/);
    expect(table).toMatch(/torch cpu\+openblas\s+2\s+160\s+0\.50/);
  });

  it('folds --rounds into the median round, each round\'s time in the note, failures kept', () => {
    const round = (impl: BenchRecord['impl'], value: number | null, r: number, extra: Partial<BenchRecord> = {}): BenchRecord =>
      ({ ...rec(impl, 'wasm', value, { workload: 'mlp', unit: 's', threads: 2, epochs: 1, round: r, note: 'median of 5 epochs: 1, 2, 3, 4, 5 s', ...extra }) });
    const records: BenchRecord[] = [
      rec('tfjs-cpu', 'cpu', 70, { workload: 'mlp', unit: 's' }),
      round('nabla', 0.7, 1), round('nabla', 0.9, 1, { unit: 'MiB', note: undefined }),
      round('torch', 0.65, 1, { backend: 'cpu' }),
      round('torch', 0.8, 2, { backend: 'cpu' }), round('nabla', 0.6, 2), round('nabla', 0.95, 2, { unit: 'MiB', note: undefined }),
      round('nabla', 0.75, 3), round('nabla', null, 4, { unit: 's', error: 'crashed', note: undefined }),
      round('torch', 0.7, 3, { backend: 'cpu' }),
      // A figure round 1 could not take (an epoch timed on a subset) but round 2 took.
      round('torch', null, 1, { unit: 'acc', note: 'no accuracy: the epoch was timed on a subset' }),
      round('torch', 0.97, 2, { unit: 'acc', note: undefined }),
      // Taken by no round, without a failure: said once.
      round('nabla', null, 1, { unit: 'acc', epochs: 5, note: 'no accuracy: the epoch was timed on a subset' }),
      round('nabla', null, 2, { unit: 'acc', epochs: 5, note: 'no accuracy: the epoch was timed on a subset' }),
      // Failed in every round: the failures stay.
      round('torch', null, 1, { backend: 'cpu', threads: 1, error: 'no torch' }),
      round('torch', null, 2, { backend: 'cpu', threads: 1, error: 'no torch' }),
    ];
    const merged = mergeRounds(records);
    expect(merged.map((r) => [r.impl, r.unit, r.value, r.rounds, r.round])).toEqual([
      ['tfjs-cpu', 's', 70, undefined, undefined],
      ['nabla', 's', 0.7, 3, undefined], ['nabla', 'MiB', 0.925, 2, undefined],
      ['torch', 's', 0.7, 3, undefined],
      ['torch', 'acc', 0.97, 1, undefined],
      ['nabla', 'acc', null, undefined, undefined],
      ['torch', 's', null, undefined, 1], ['torch', 's', null, undefined, 2],
    ]);
    // nabla's failed round 4 is told in its time's note, and does not stop its comparisons.
    expect(merged[1].note).toBe('median of 3 rounds: 0.70, 0.60, 0.75 s, each the median of 5 epochs; round 4 failed: crashed');
    expect(merged[3].note).toBe('median of 3 rounds: 0.65, 0.80, 0.70 s, each the median of 5 epochs');
    expect(formatTable(merged)).toMatch(/tfjs-cpu\s+1\s+70\.0\s+0\.01/);
    // Records without rounds are left alone.
    expect(mergeRounds([rec('nabla', 'wasm', 12)])).toEqual([rec('nabla', 'wasm', 12)]);
  });

  it('gives no ratios against a nabla configuration that failed', () => {
    const table = formatTable([
      rec('nabla', 'gpu', null, { error: 'no such backend' }),
      rec('nabla', 'gpu', 90, { unit: 'MiB' }),
      rec('nabla', 'js', 100, { unit: 'MiB' }),
      rec('tfjs-cpu', 'cpu', 200, { unit: 'MiB' }),
      rec('tfjs-wasm', 'wasm', null, { error: 'no kernel' }),
      rec('tfjs-wasm', 'wasm', 600, { unit: 'MiB' }),
    ]);
    expect(table).not.toContain('nabla gpu ÷ this');
    expect(table).toMatch(/nabla gpu\s+1\s+90\s+of a job that failed/);
    // Nor ratios against the memory of a peer's failed job.
    expect(table).toMatch(/tfjs-wasm\s+1\s+600\s+of a job that failed/);
    expect(table).toMatch(/tfjs-cpu\s+1\s+200\s+0\.50/);
  });

  it('compares accuracies only after the same number of epochs', () => {
    const acc = (impl: BenchRecord['impl'], value: number, epochs: number): BenchRecord =>
      ({ workload: 'mlp', impl, backend: 'x', threads: 1, value, unit: 'acc', epochs });
    expect(ratio(acc('nabla', 0.95, 1), acc('torch', 0.95, 1))).toBe(1);
    expect(ratio(acc('nabla', 0.97, 5), acc('torch', 0.95, 1))).toBeNull();
    // 93.76% ÷ 94.16% = 0.99575…: shown to 4 decimals, and no torch row is called the fastest by accuracy.
    const table = formatTable([acc('nabla', 0.9376, 1), acc('tfjs-cpu', 0.9416, 1), acc('torch', 0.9344, 1), { ...acc('torch', 0.9344, 1), threads: 2 }]);
    expect(table).toMatch(/tfjs-cpu\s+1\s+1\s+94\.16%\s+0\.9958/);
    expect(table).not.toContain('fastest torch');
  });
});

describe('bench warm-up rule', () => {
  it('takes at least 2 steps and at least 10 s, whatever the epoch; 1 step under --quick', () => {
    expect(warmedUp(1, 60, false)).toBe(false);
    expect(warmedUp(2, 0.1, false)).toBe(false);
    expect(warmedUp(5000, 9.9, false)).toBe(false); // several epochs of a fast model: still warming
    expect(warmedUp(2, 10, false)).toBe(true);
    expect(warmedUp(0, 0, true)).toBe(false);
    expect(warmedUp(1, 0, true)).toBe(true);
  });
});
