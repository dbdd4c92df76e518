/**
 * Where a run writes: the model (`--out`, default runs/<time>-<data>/model.nabla) and, beside
 * it, <stem>.curves.svg and <stem>.report.html. Nothing is created until the first epoch is
 * complete, and every file is written atomically (temporary file + rename).
 */
import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as nb from '../../index.js';
import { UsageError, fsReason } from '../errors.js';
import { htmlReport, type RunReport } from '../report/html.js';
import { learningCurves } from '../report/svg.js';

export interface OutputPaths {
  dir: string;
  model: string;
  svg: string;
  html: string;
}

function stamp(d = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The paths of a run; checks --out is usable before any training starts. */
export async function outputPaths(out: string | undefined, dataLabel: string): Promise<OutputPaths> {
  let model: string;
  if (out === undefined) {
    const base = join('runs', `${stamp()}-${dataLabel.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 40)}`);
    let dir = base;
    for (let k = 2; await exists(dir); k++) dir = `${base}-${k}`;
    model = join(dir, 'model.nabla');
  } else {
    model = out;
    try {
      if ((await stat(out)).isDirectory()) throw new UsageError(`--out ${out} is a directory; give a file name such as ${join(out, 'model.nabla')}`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
    try {
      const parent = await stat(dirname(out));
      if (!parent.isDirectory()) throw new UsageError(`--out ${out}: ${dirname(out)} is not a directory`);
    } catch (e) {
      if (e instanceof UsageError) throw e; // a missing parent folder is created at the first save
    }
  }
  const dir = dirname(model);
  const stem = basename(model, extname(model)) || 'model';
  return { dir, model, svg: join(dir, `${stem}.curves.svg`), html: join(dir, `${stem}.report.html`) };
}

/** Saves the model (with its preprocessing and metadata) atomically, creating the folder when needed. */
export async function saveModel(paths: OutputPaths, model: nb.nn.Module, extras: nb.SaveExtras): Promise<void> {
  try {
    await mkdir(paths.dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`cannot create the output folder: ${fsReason(e)}`, paths.dir);
  }
  await nb.save(model, paths.model, extras);
}

/** Writes the learning-curve SVG and the HTML report beside the model. */
export async function writeReports(paths: OutputPaths, report: RunReport): Promise<void> {
  await mkdir(paths.dir, { recursive: true });
  await nb.writeFileAtomic(paths.svg, learningCurves(report.history, { title: report.title, task: report.task }));
  await nb.writeFileAtomic(paths.html, htmlReport(report));
}

/** Size of a written file, or NaN. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return NaN;
  }
}
