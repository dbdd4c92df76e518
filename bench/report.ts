/**
 * What the benchmark prints: the machine, and a table per workload and unit with the
 * ratios nabla ÷ peer.
 */
import os from 'node:os';
import type { BenchRecord, Unit } from './impl/protocol.js';
import { median } from './impl/timing.js';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run began (other work on the machine skews the figures). */
  load: number;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    load: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

export function machineLines(m: Machine, extra: readonly string[]): string[] {
  return [
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform}`,
    `node ${m.node}; load average ${m.load} at start`,
    ...extra,
  ];
}

/** Higher is better for throughput and accuracy; lower for time and memory. */
export function higherIsBetter(unit: Unit): boolean {
  return unit === 'GFLOP/s' || unit === 'acc';
}

const UNIT_TITLE: Record<Unit, string> = {
  'GFLOP/s': 'GFLOP/s, higher is better',
  s: 'seconds per epoch, lower is better',
  acc: 'test accuracy, higher is better',
  MiB: 'peak RSS of the process in MiB, lower is better',
};
const UNIT_RANK: Record<Unit, number> = { 'GFLOP/s': 0, s: 0, acc: 1, MiB: 2 };

export function formatValue(v: number, unit: Unit): string {
  switch (unit) {
    case 'acc': return `${(v * 100).toFixed(2)}%`;
    case 'MiB': return v.toFixed(0);
    default: return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  }
}

/** A ratio to 3 significant digits; accuracies, which differ in the third digit, to 4 decimals. */
export function formatRatio(r: number, unit?: Unit): string {
  if (unit === 'acc') return r.toFixed(4);
  return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** The name of a nabla configuration in ratio column headings: 'js', 'wasm' or 'wasm×1' when thread counts differ. */
function nablaLabel(r: BenchRecord, threadsVary: boolean): string {
  return threadsVary ? `${r.backend}×${r.threads}` : r.backend;
}

function rowLabel(r: BenchRecord): string {
  if (r.impl === 'nabla') return `nabla ${r.backend}`;
  if (r.impl === 'torch') return `torch ${r.backend}${r.blasThreads ? ` (OPENBLAS_NUM_THREADS=${r.blasThreads})` : ''}`;
  return r.impl;
}

/** Records that can be compared in a ratio: both measured, same unit, same number of epochs. */
export function ratio(nabla: BenchRecord, peer: BenchRecord): number | null {
  if (nabla.value === null || peer.value === null || peer.value === 0) return null;
  if (nabla.unit !== peer.unit || (nabla.epochs ?? 1) !== (peer.epochs ?? 1)) return null;
  return nabla.value / peer.value;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function pad(cells: string[][]): string[] {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
}

/** The best torch record of a section (the one the issue compares with), if any. */
function fastestTorch(rows: BenchRecord[], unit: Unit): BenchRecord | null {
  const torch = rows.filter((r) => r.impl === 'torch' && r.value !== null);
  if (torch.length === 0) return null;
  const better = higherIsBetter(unit) ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  return torch.reduce((best, r) => (better(r.value!, best.value!) ? r : best));
}

/** Identifies a configuration across a workload's records (its time, accuracy and RSS). */
function configKey(r: BenchRecord): string {
  return `${r.impl}|${r.backend}|${r.threads}|${r.blasThreads ?? ''}`;
}

function sectionLines(workload: string, unit: Unit, rows: BenchRecord[], failed: Set<string>): string[] {
  // A nabla configuration that failed has no figure to compare with, not even its RSS.
  const nablaRows = rows.filter((r) => r.impl === 'nabla' && r.value !== null && !r.ceiling && !failed.has(configKey(r)) && (unit !== 'acc' || (r.epochs ?? 1) === 1));
  const threadsVary = new Set(nablaRows.map((r) => `${r.backend}`)).size !== nablaRows.length;
  // Speed decides which torch configuration nabla is held against; accuracy and memory do not.
  const best = unit === 'GFLOP/s' || unit === 's' ? fastestTorch(rows, unit) : null;
  const withEpochs = unit === 'acc';
  const head = ['implementation', 'threads', ...(withEpochs ? ['epochs'] : []), 'value', ...nablaRows.map((n) => `nabla ${nablaLabel(n, threadsVary)} ÷ this`), 'note'];
  const cells = [head];
  for (const r of rows) {
    const notes: string[] = [];
    if (r.extrapolated) notes.push(`extrapolated from ${plural(r.batches ?? 0, 'batch', 'batches')}`);
    if (r === best && rows.filter((x) => x.impl === 'torch').length > 1) notes.push('fastest torch configuration');
    if (r.error) notes.push(`FAILED: ${r.error}`);
    else if (failed.has(configKey(r))) notes.push('of a job that failed');
    else if (r.note && (r.value === null || r.unit === 's' || r.ceiling)) notes.push(r.note); // why nothing, the epochs behind a time, what a bound is
    const value = r.value === null ? '—' : `${r.extrapolated ? '~' : ''}${formatValue(r.value, unit)}`;
    const ratios = nablaRows.map((n) => {
      if (r.impl === 'nabla' || failed.has(configKey(r))) return '';
      const x = ratio(n, r);
      return x === null ? '' : formatRatio(x, unit);
    });
    cells.push([rowLabel(r), String(r.threads), ...(withEpochs ? [String(r.epochs ?? '')] : []), value, ...ratios, notes.join('; ')]);
  }
  const lines = [`${workload}: ${UNIT_TITLE[unit]}`, ...pad(cells).map((l) => `  ${l}`)];
  if (best) {
    for (const n of nablaRows) {
      const x = ratio(n, best);
      const config = `${plural(best.threads, 'thread', 'threads')}${best.blasThreads ? `, OPENBLAS_NUM_THREADS=${best.blasThreads}` : ''}`;
      if (x !== null) lines.push(`  nabla ${nablaLabel(n, threadsVary)} ÷ fastest torch (${config}) = ${formatRatio(x, unit)}`);
    }
  }
  return lines;
}

/**
 * Folds the records of --rounds into one per configuration and figure: the median of the
 * rounds that measured it, with `rounds` set and, for a time, each round's figure in the note.
 * Records without a round pass through. A failed round of a configuration that other rounds
 * measured is told in that configuration's time note (so its figures still compare); where no
 * round measured a configuration, its failures stay as they are. A figure no round could
 * take (with no failure) appears once. Each merged record takes the place of its first round's.
 */
export function mergeRounds(records: readonly BenchRecord[]): BenchRecord[] {
  const figureKey = (r: BenchRecord): string => `${r.workload}|${configKey(r)}|${r.unit}|${r.epochs ?? 1}`;
  const configOf = (r: BenchRecord): string => `${r.workload}|${configKey(r)}`;
  const measured = new Map<string, BenchRecord[]>();
  const failures = new Map<string, BenchRecord[]>();
  const add = (map: Map<string, BenchRecord[]>, key: string, r: BenchRecord): void => {
    map.set(key, [...(map.get(key) ?? []), r]);
  };
  for (const r of records) {
    if (r.round === undefined) continue;
    if (r.error) add(failures, configOf(r), r);
    else if (r.value !== null) add(measured, figureKey(r), r);
  }
  const configsMeasured = new Set([...measured.values()].map((group) => configOf(group[0])));
  const out: BenchRecord[] = [];
  const done = new Set<string>();
  for (const r of records) {
    if (r.round === undefined) {
      out.push(r);
      continue;
    }
    if (r.error) {
      if (!configsMeasured.has(configOf(r))) out.push(r);
      continue;
    }
    const k = figureKey(r);
    if (done.has(k)) continue;
    done.add(k);
    const group = measured.get(k);
    const { round: _round, ...first } = group?.[0] ?? r;
    if (!group) {
      out.push(first); // measured in no round, yet no failure (an accuracy not taken on a subset)
      continue;
    }
    const values = group.map((g) => g.value!);
    const merged: BenchRecord = { ...first, value: median(values), rounds: group.length };
    if (group.some((g) => g.extrapolated)) merged.extrapolated = true;
    if (r.unit === 's') {
      const each = values.map((v) => formatValue(v, r.unit)).join(', ');
      const inner = new Set(group.map((g) => g.note?.match(/^median of \d+ epochs/)?.[0]));
      const [what] = [...inner];
      const failed = (failures.get(configOf(r)) ?? []).map((f) => `; round ${f.round} failed: ${f.error}`).join('');
      merged.note = `median of ${plural(group.length, 'round', 'rounds')}: ${each} s${inner.size === 1 && what ? `, each the ${what}` : ''}${failed}`;
    }
    out.push(merged);
  }
  return out;
}

/** The whole table: one section per workload and unit, in the order the workloads ran. */
export function formatTable(records: readonly BenchRecord[]): string {
  const workloads: string[] = [];
  for (const r of records) if (!workloads.includes(r.workload)) workloads.push(r.workload);
  const out: string[] = [
    'ratio columns: nabla\'s figure ÷ this row\'s figure. For GFLOP/s and accuracy a ratio above 1 means nabla is ahead;',
    'for seconds and MiB a ratio below 1 means nabla is ahead. "~" marks an epoch time extrapolated from a subset of batches.',
  ];
  for (const workload of workloads) {
    const mine = records.filter((r) => r.workload === workload);
    const failed = new Set(mine.filter((r) => r.error).map(configKey));
    const units = [...new Set(mine.map((r) => r.unit))].sort((a, b) => UNIT_RANK[a] - UNIT_RANK[b]);
    for (const unit of units) {
      out.push('', ...sectionLines(workload, unit, mine.filter((r) => r.unit === unit), failed));
    }
  }
  return out.join('\n');
}
