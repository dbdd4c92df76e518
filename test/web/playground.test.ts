/**
 * End-to-end tests of the playground (web/) in a real browser: Debian's Chromium driven by
 * playwright-core, the page built and served by Vite on a free localhost port. Screenshots
 * go to test-artifacts/ (git-ignored). Without /usr/bin/chromium the suite is skipped with
 * a message, except in CI (CI=true), where it runs and fails.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as nb from 'nabla';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, CHROMIUM, RUN, clickPoint, openPage, screenshot, startSession, valueOf, type PlaygroundHandle, type Session } from './browser.js';

if (!RUN) console.warn(`test/web: SKIPPED — ${CHROMIUM} is missing. Install it with 'apt-get install -y chromium' to run the playground's browser tests (in CI they run and fail without it).`);

/** Every number of a trace under the name the page gives it (data-q), read independently of web/src/trace.ts. */
function numbersOf(trace: nb.explain.BackpropTrace): Record<string, number> {
  const out: Record<string, number> = { C: trace.cost.value };
  const vector = (name: string, values: readonly number[] | null | undefined): void => values?.forEach((v, i) => { out[`${name}.${i}`] = v; });
  const grid = (name: string, rows: readonly (readonly number[])[]): void => rows.forEach((row, k) => row.forEach((v, j) => { out[`${name}.${k}.${j}`] = v; }));
  vector('x', trace.input[0]);
  vector('y', trace.target[0]);
  vector('yhat', trace.output[0]);
  for (const layer of trace.layers) {
    const l = layer.index;
    grid(`W.${l}`, layer.weight);
    vector(`b.${l}`, layer.bias);
    vector(`ain.${l}`, layer.input[0]);
    for (const q of ['z', 'a', 'dCda', 'delta'] as const) vector(`${q}.${l}`, layer[q][0]);
    vector(`fprime.${l}`, layer.fprime?.[0]);
    grid(`dW.${l}`, layer.dW);
    vector(`db.${l}`, layer.db);
  }
  return out;
}

/** The page's window, with the handle main.ts puts on it (a type only: page functions run in the browser). */
type PageWindow = { playground: PlaygroundHandle };

describe.skipIf(!RUN)('the playground in Chromium', () => {
  let session: Session;
  beforeAll(async () => { session = await startSession(); }, 120_000);
  afterAll(async () => { await session?.close(); });

  it('loads with no console errors and no request beyond localhost, and draws the default XOR network', async () => {
    const { page, errors, requests } = await openPage(session);
    await page.waitForTimeout(500);
    await screenshot(page, 'loaded');
    expect(errors).toEqual([]);
    // Everything the page needs comes from its own server: it works without a network.
    expect(requests.filter((url) => !url.startsWith(session.url) && !url.startsWith('data:') && !url.startsWith('blob:'))).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    // 2 inputs, two hidden layers of 4, 2 outputs (softmax over the two classes).
    expect(await page.locator('.node').count()).toBe(12);
    expect(await page.locator('.edge').count()).toBe(2 * 4 + 4 * 4 + 4 * 2);
    expect(await page.getAttribute('[data-dataset="xor"]', 'aria-pressed')).toBe('true');
    expect(await valueOf(page, '#epoch')).toBe(0);
    await page.close();
  });

  it('play on XOR brings the test loss below 0.1 within 20 seconds', async () => {
    const { page, errors } = await openPage(session);
    const start = await valueOf(page, '#test-loss');
    expect(start).toBeGreaterThan(0.3); // an untrained network is unsure: about ln 2
    const t0 = Date.now();
    await page.click('#play');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#test-loss')?.dataset.value) < 0.1, null, { timeout: 20_000, polling: 50 });
    const ms = Date.now() - t0;
    const epoch = await valueOf(page, '#epoch');
    await page.click('#play');
    await screenshot(page, 'xor-trained');
    writeFileSync(join(ARTIFACTS, 'xor-timing.json'), JSON.stringify({ ms, epoch }, null, 2));
    console.log(`test/web: XOR reached test loss < 0.1 after ${ms} ms (epoch ${epoch})`);
    expect(ms).toBeLessThan(20_000);
    expect(await page.evaluate(() => document.body.classList.contains('playing'))).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('changing an activation and the layer count rebuilds the network', async () => {
    const { page, errors } = await openPage(session);
    for (let i = 0; i < 3; i++) await page.click('#step');
    expect(Number(await page.getAttribute('#epoch', 'data-steps'))).toBe(3);
    const types = (): Promise<string[]> => page.evaluate(() => ((window as unknown as PageWindow).playground.app.net.model.config().children ?? []).map((c) => c.type));
    expect(await types()).toEqual(['Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']);

    await page.selectOption('#activation-1', 'relu');
    expect(await types()).toEqual(['Linear', 'ReLU', 'Linear', 'Tanh', 'Linear']);
    expect(Number(await page.getAttribute('#epoch', 'data-steps'))).toBe(0);
    expect(new URL(page.url()).searchParams.get('act')).toBe('relu-tanh');

    await page.click('#add-layer');
    expect(await page.textContent('#layer-count')).toBe('3 hidden layers');
    expect(await page.locator('.node').count()).toBe(2 + 4 + 4 + 4 + 2);
    expect(await page.inputValue('#activation-3')).toBe('tanh');
    expect(await types()).toEqual(['Linear', 'ReLU', 'Linear', 'Tanh', 'Linear', 'Tanh', 'Linear']);

    await page.click('[aria-label="Add a neuron to layer 1"]');
    expect(await page.locator('.node').count()).toBe(2 + 5 + 4 + 4 + 2);
    await page.click('#remove-layer');
    await page.click('#remove-layer');
    expect(await page.textContent('#layer-count')).toBe('1 hidden layer');
    expect(await types()).toEqual(['Linear', 'ReLU', 'Linear']);
    await screenshot(page, 'rebuilt');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the one-example trace shows the numbers of nb.explain.backprop for the downloaded weights', async () => {
    const { page, errors } = await openPage(session);
    for (let i = 0; i < 5; i++) await page.click('#step');
    await page.click('[data-tool="trace"]');
    await clickPoint(page, 3);
    await page.waitForSelector('#trace-body [data-q="C"]');
    const point = await page.evaluate(() => (window as unknown as PageWindow).playground.app.data.points[3]);
    const shown = await page.$$eval('#trace-body [data-q]', (els) => els.map((e) => ({ q: e.getAttribute('data-q')!, v: Number(e.getAttribute('data-v')), text: e.textContent! })));
    await screenshot(page, 'trace');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    expect(download.suggestedFilename()).toBe('playground-xor.nabla');
    const model = await nb.load(new Uint8Array(readFileSync((await download.path())!)));
    // The network as the notes draw it: the saved layers, then the softmax that cross-entropy applies.
    const traced = new nb.nn.Sequential(...model.children(), new nb.nn.Softmax());
    const values = Object.fromEntries(shown.map((s) => [s.q, s.v]));
    expect(values['x.0']).toBeCloseTo(point.x, 6);
    expect(values['x.1']).toBeCloseTo(point.y, 6);
    const target = point.label === 0 ? [1, 0] : [0, 1];
    const expected = numbersOf(nb.explain.backprop(traced, [values['x.0'], values['x.1']], target, { loss: 'crossEntropy' }));

    expect(shown.map((s) => s.q).sort()).toEqual(Object.keys(expected).sort());
    for (const { q, v, text } of shown) {
      expect(Math.abs(v - expected[q]), `${q}: page ${v}, library ${expected[q]}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected[q])));
      // The digits on screen are that value rounded to 4 significant figures.
      const printed = Number(text.replace(/−/g, '-'));
      expect(Math.abs(printed - v), `${q} is printed as ${text}`).toBeLessThanOrEqual(5e-4 * Math.abs(v) + 1e-12);
    }
    expect(await page.textContent('.check')).toContain('agree');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the downloaded model is read by nb.load and by the CLI (summary, predict)', async () => {
    const { page, errors } = await openPage(session);
    await page.click('#play');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#epoch')?.dataset.value) >= 20);
    await page.click('#play');
    const points = [[1, 1], [-1, 1], [0.9, -1.1], [0.2, -0.3]];
    const pageOutputs = await page.evaluate((xs) => {
      const { app, nb: lib } = (window as unknown as PageWindow).playground;
      return lib.noGrad(() => app.net.model.forward(lib.tensor(xs)).softmax(-1).toArray()) as number[][];
    }, points);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const dir = mkdtempSync(join(tmpdir(), 'nabla-playground-model-'));
    try {
      const file = join(dir, download.suggestedFilename());
      await download.saveAs(file);
      const model = await nb.load(new Uint8Array(readFileSync(file)));
      const local = nb.noGrad(() => model.forward(nb.tensor(points)).softmax(-1).toArray()) as number[][];
      local.forEach((row, i) => row.forEach((p, k) => expect(p).toBeCloseTo(pageOutputs[i][k], 6)));

      const run = promisify(execFile);
      const summary = await run(process.execPath, ['bin/nabla.js', 'summary', file], { timeout: 60_000 });
      expect(summary.stdout).toContain('nabla playground');
      expect(summary.stdout).toContain('Linear(2 → 4)');
      const input = join(dir, 'points.json');
      writeFileSync(input, JSON.stringify(points));
      const predicted = await run(process.execPath, ['bin/nabla.js', 'predict', file, '-i', input, '--json'], { timeout: 60_000 });
      const rows = predicted.stdout.trim().split('\n').map((line) => JSON.parse(line) as { prediction: string; probabilities: Record<string, number> });
      expect(rows).toHaveLength(points.length);
      rows.forEach((row, i) => {
        expect(row.probabilities['0']).toBeCloseTo(pageOutputs[i][0], 5);
        expect(row.probabilities['1']).toBeCloseTo(pageOutputs[i][1], 5);
        expect(row.prediction).toBe(pageOutputs[i][1] > pageOutputs[i][0] ? '1' : '0');
      });
      // XOR: the class is 1 where x1 and x2 have opposite signs.
      expect(rows.map((r) => r.prediction).slice(0, 3)).toEqual(['0', '1', '1']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('a URL with settings restores them, and changes are written back to the URL', async () => {
    const query = '?task=classify&data=spiral&classes=4&noise=0.3&n=300&train=0.7&seed=7&layers=6-5-3&act=relu-tanh-sigmoid'
      + '&dropout=0.1&cost=mse&opt=rmsprop&lr=0.003&batch=25&reg=l2&lambda=0.01&init=he';
    const { page, errors } = await openPage(session, query);
    const selects: [string, string][] = [
      ['#lr', '0.003'], ['#optimizer', 'rmsprop'], ['#cost', 'mse'], ['#regularization', 'l2'], ['#lambda', '0.01'],
      ['#dropout', '0.1'], ['#init', 'he'], ['#activation-1', 'relu'], ['#activation-2', 'tanh'], ['#activation-3', 'sigmoid'],
      ['#noise', '30'], ['#points', '300'], ['#train-ratio', '70'], ['#batch', '25'],
    ];
    for (const [selector, value] of selects) expect(await page.inputValue(selector), selector).toBe(value);
    expect(await page.getAttribute('[data-dataset="spiral"]', 'aria-pressed')).toBe('true');
    expect(await page.textContent('.inline-choice button[aria-pressed="true"]')).toBe('4');
    expect(await page.textContent('#regenerate')).toContain('seed 7');
    expect(await page.locator('.node').count()).toBe(2 + 6 + 5 + 3 + 4);
    const given = new URLSearchParams(query);
    const kept = new URL(page.url()).searchParams;
    for (const [key, value] of given) expect(kept.get(key), key).toBe(value);

    await page.selectOption('#lr', '0.01');
    expect(new URL(page.url()).searchParams.get('lr')).toBe('0.01');
    await page.reload();
    await page.waitForSelector('.node');
    expect(await page.inputValue('#lr')).toBe('0.01');
    expect(await page.inputValue('#optimizer')).toBe('rmsprop');
    await screenshot(page, 'from-url');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a diverging run pauses with a message naming the setting to lower', async () => {
    const { page, errors } = await openPage(session, '?task=regress&opt=sgd&lr=10');
    await page.click('#play');
    await page.waitForSelector('#banner:not([hidden])', { timeout: 10_000 });
    expect(await page.textContent('#banner')).toContain('Lower the learning rate (now 10');
    expect(await page.evaluate(() => document.body.classList.contains('playing'))).toBe(false);
    // The last finite weights were restored: the page shows numbers, not NaN.
    expect(Number.isFinite(await valueOf(page, '#train-loss'))).toBe(true);
    await screenshot(page, 'diverged');
    await page.click('#banner button');
    expect(await page.inputValue('#lr')).toBe('1');
    expect(await page.isHidden('#banner')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('clicking adds and removes points, and a dropped CSV file becomes the dataset', async () => {
    const { page, errors } = await openPage(session);
    await page.click('[data-tool="add-2"]');
    const [x, y] = await page.evaluate(() => {
      const { plot } = (window as unknown as PageWindow).playground;
      const [sx, sy] = plot.toScreen(0, 0);
      const box = plot.canvas.getBoundingClientRect();
      return [box.x + sx, box.y + sy];
    });
    await page.mouse.click(x, y);
    const count = (): Promise<number> => page.evaluate(() => (window as unknown as PageWindow).playground.app.data.points.length);
    expect(await count()).toBe(201);
    expect(await page.getAttribute('[data-dataset="custom"]', 'aria-pressed')).toBe('true');
    expect(await page.locator('.node.output').count()).toBe(3); // a third class appeared
    const added = await page.evaluate(() => (window as unknown as PageWindow).playground.app.data.points.at(-1)!);
    expect(added.label).toBe(2);
    expect(Math.hypot(added.x, added.y)).toBeLessThan(0.03); // where the click was: (0, 0) give or take a pixel
    expect(new URL(page.url()).searchParams.get('pts')?.split(';').at(-1)).toMatch(/,2$/);
    await page.click('[data-tool="remove"]');
    await page.mouse.click(x, y);
    expect(await count()).toBe(200);

    const csv = 'length,width,species\n1,1,setosa\n1.2,0.8,setosa\n5,5,virginica\n5.5,4.8,virginica\n9,1,versicolor\n8.7,1.3,versicolor\n';
    const transfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'flowers.csv', { type: 'text/csv' }));
      return dt;
    }, csv);
    await page.dispatchEvent('body', 'drop', { dataTransfer: transfer });
    await page.waitForFunction(() => document.querySelector('#csv-status')?.textContent?.includes('flowers.csv'));
    expect(await page.textContent('#csv-status')).toContain('6 points in 3 classes');
    expect(await count()).toBe(6);
    expect(await page.locator('.node.output').count()).toBe(3);
    expect(await page.textContent('[data-tool="add-2"]')).toContain('virginica');
    await screenshot(page, 'csv');
    expect(errors).toEqual([]);
    await page.close();
  });
});
