import { afterEach, describe, expect, it, vi } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { Command } from 'commander';
import * as nb from 'nabla';
import { explainAction, exampleList, register as registerExplain } from '../../src/cli/commands/explain.js';
import { gradcheckAction, register as registerGradcheck } from '../../src/cli/commands/gradcheck.js';
import { CliError, UsageError } from '../../src/cli/errors.js';
import { expected222, expected231 } from './fixtures';

const EX222 = 'examples/explain/notes-2-2-2.json';
const EX231 = 'examples/explain/notes-2-3-1.json';
const fmt = (v: number): string => nb.explain.formatNumber(v);

/** Every value the issue lists for the two worked examples, as the output prints them. */
const values222 = [...expected222.out, expected222.loss, expected222.dw5, ...expected222.w5to8, ...expected222.w1to4].map(fmt);
const values231 = [expected231.yHat, expected231.dz2, ...expected231.dW2, ...expected231.db1, ...expected231.dW1.flat()].map(fmt);

/** Runs argv through a program holding only the two commands; returns what they print. */
async function runCommand(argv: string[]): Promise<string> {
  const program = new Command('nabla').exitOverride();
  registerExplain(program);
  registerGradcheck(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('nabla explain / nabla gradcheck, in process', () => {
  afterEach(() => vi.restoreAllMocks());

  it('explain prints the 2-2-2 example\'s values in the notes\' notation', async () => {
    const out = await explainAction(EX222);
    for (const v of values222) expect(out, v).toContain(v);
    for (const s of ['δ^(2)', 'δ^(1) = (W^(2))ᵀ δ^(2) ⊙ σ\'(z^(1))', 'w5', 'h1 → o1']) expect(out).toContain(s);
  });

  it('explain prints the 2-3-1 example\'s values and the notes\' misprints next to them', async () => {
    const out = await explainAction(EX231);
    for (const v of values231) expect(out, v).toContain(v);
    expect(out).toMatch(/a\^\(2\) at 1 +0\.0524 +0\.52390252/);
  });

  it('--format markdown and json, --digits, --lr, --input/--target through commander', async () => {
    const md = await runCommand(['explain', EX222, '--format', 'markdown']);
    expect(md.startsWith('# Backpropagation, step by step')).toBe(true);
    expect(md).toContain('| w5 | h1 → o1 | 0.40000000 | 0.08216704 | 0.35891648 |');
    const json = JSON.parse(await runCommand(['explain', EX231, '--format', 'json']));
    expect(Math.abs(json.layers[1].delta[0][0] - expected231.dz2)).toBeLessThan(1e-8);
    const short = await runCommand(['explain', EX222, '--digits', '3', '--lr', '0.1']);
    expect(short).toContain('0.751');
    expect(short).toContain('λ = 0.1');
    expect(short).toMatch(/w5 +h1 → o1 +0\.400 +0\.082 +0\.392\n/);
    const batch = await runCommand(['explain', EX222, '--input', '0.05,0.10;0.3,-0.2', '--target', '0.01,0.99;0.7,0.2']);
    expect(batch).toContain('2 examples');
    expect(batch).toContain('0.75136507');
    // The notes' misprints belong to the file's own example only.
    expect(batch).not.toContain('Where the notes print');
  });

  it('gradcheck: largest relative error below 1e-6 on both shipped examples', async () => {
    for (const file of [EX222, EX231]) {
      const { output, ok, report } = await gradcheckAction(file);
      expect(ok).toBe(true);
      expect(report.maxRelError).toBeLessThan(1e-6);
      expect(output).toMatch(/largest relative error: \d\.\d\de-\d+/);
      expect(output).toContain('OK: below 1e-6');
    }
    const out = await runCommand(['gradcheck', EX231, '--format', 'json']);
    expect(JSON.parse(out).maxRelError).toBeLessThan(1e-6);
  });

  it('errors: a missing file, a model without input, option values', async () => {
    await expect(explainAction('examples/explain/nope.json')).rejects.toThrow(CliError);
    await expect(explainAction('examples/explain/nope.json')).rejects.toThrow(/cannot read model JSON: no such file/);
    await expect(explainAction('examples/explain/README.md')).rejects.toThrow(/README\.md: not valid JSON/);
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/nabla-explain-');
    writeFileSync(`${dir}/m.json`, JSON.stringify({ sizes: [1, 1], weights: [[[1]]], biases: [[0]], activation: 'sigmoid', cost: 'mse' }));
    await expect(explainAction(`${dir}/m.json`)).rejects.toThrow(UsageError);
    await expect(explainAction(`${dir}/m.json`)).rejects.toThrow(/no input: .*pass --input/);
    expect((await explainAction(`${dir}/m.json`, { input: [[2]], target: [[1]] }))).toContain(fmt(1 / (1 + Math.exp(-2))));
    writeFileSync(`${dir}/bad.json`, JSON.stringify({ sizes: [1, 1], weights: [[[1, 2]]], biases: [[0]], activation: 'sigmoid', cost: 'mse' }));
    await expect(explainAction(`${dir}/bad.json`)).rejects.toThrow(/bad\.json: "weights\[0\]\[0\]" must hold 1 numbers, got 2/);
    await expect(explainAction(EX222, { input: [[1, 2, 3]] })).rejects.toThrow(/--input needs 2 numbers per example \(the model has 2 inputs\), got 3/);
    await expect(explainAction(EX231, { target: [[1, 0]] })).rejects.toThrow(/--target needs 1 numbers/);
    await expect(explainAction(EX231, { input: [[1, 2], [3, 4]] })).rejects.toThrow(/2 input examples but 1 target/);
    expect(exampleList('0.05, 0.10')).toEqual([[0.05, 0.1]]);
    expect(() => exampleList('0.05,abc')).toThrow(/expected numbers like 0.05,0.10/);
    expect(() => exampleList('1,2;3')).toThrow(/every example needs 2 numbers/);
    await expect(runCommand(['explain', EX222, '--format', 'html'])).rejects.toThrow(/Allowed choices are text, markdown, json/);
  });
});

const BIN = 'bin/nabla.js';
const run = promisify(execFile);

// bin/nabla.js belongs to the CLI core, written in parallel; these run once it exists.
describe.runIf(existsSync(BIN))('nabla explain / gradcheck as child processes', () => {
  it('`nabla explain` prints both worked examples\' values', async () => {
    const { stdout: a } = await run('node', [BIN, 'explain', EX222]);
    for (const v of values222) expect(a, v).toContain(v);
    expect(a).toContain('δ^(2)');
    const { stdout: b } = await run('node', [BIN, 'explain', EX231]);
    for (const v of values231) expect(b, v).toContain(v);
  });

  it('`nabla gradcheck` reports a largest relative error below 1e-6 and exits 0', async () => {
    for (const file of [EX222, EX231]) {
      const { stdout } = await run('node', [BIN, 'gradcheck', file]);
      const m = /largest relative error: (\S+)/.exec(stdout);
      expect(m, stdout).not.toBeNull();
      expect(Number(m![1])).toBeLessThan(1e-6);
    }
  });

  it('a bad model file exits non-zero with the field named', async () => {
    await expect(run('node', [BIN, 'explain', 'examples/explain/README.md'])).rejects.toMatchObject({ stderr: expect.stringContaining('not valid JSON') });
  });
});
