/**
 * Helpers of the playground's end-to-end tests: build the page with Vite's JS API, serve it
 * on a free localhost port, and drive Debian's Chromium through playwright-core.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import type * as nabla from 'nabla';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';
/** Run when Chromium is installed, and always in CI (where its absence is a failure, not a skip). */
export const RUN = existsSync(CHROMIUM) || IN_CI;
export const ARTIFACTS = resolve('test-artifacts');

const CONFIG = resolve('web/vite.config.ts');

/** The built playground served on 127.0.0.1 and a fresh Chromium profile pointed at it. */
export interface Session {
  url: string;
  context: BrowserContext;
  close(): Promise<void>;
}

export async function startSession(): Promise<Session> {
  const work = mkdtempSync(join(tmpdir(), 'nabla-playground-'));
  const outDir = join(work, 'dist');
  const profile = join(work, 'profile');
  mkdirSync(ARTIFACTS, { recursive: true });
  await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  let server: PreviewServer | null = null;
  let context: BrowserContext | null = null;
  try {
    server = await preview({ configFile: CONFIG, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true } });
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('test/web: the preview server reported no URL');
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
      acceptDownloads: true,
    });
    const opened = { server, context };
    return {
      url,
      context,
      async close() {
        await opened.context.close();
        await opened.server.close();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A page on the playground (query string `query`) that records console errors, uncaught
 * exceptions and every URL it requests.
 */
export async function openPage(session: Session, query = ''): Promise<{ page: Page; errors: string[]; requests: string[] }> {
  const page = await session.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${session.url}${query}`);
  await page.waitForSelector('.node');
  return { page, errors, requests };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `playground-${name}.png`), fullPage: true });
}

/** A number an <output> or element shows, from its data-value attribute. */
export async function valueOf(page: Page, selector: string): Promise<number> {
  return Number(await page.getAttribute(selector, 'data-value'));
}

/** Clicks data point i on the plot with the mouse, at the place the page draws it. */
export async function clickPoint(page: Page, i: number): Promise<void> {
  const [x, y] = await page.evaluate((index) => {
    const { app, plot } = (window as unknown as { playground: PlaygroundHandle }).playground;
    const p = app.data.points[index];
    const [sx, sy] = plot.toScreen(p.x, app.data.task === 'regress' ? p.label : p.y);
    const box = plot.canvas.getBoundingClientRect();
    return [box.x + sx, box.y + sy];
  }, i);
  await page.mouse.click(x, y);
}

/** What the page exposes on window.playground, as far as the tests read it. */
export interface PlaygroundHandle {
  app: {
    data: { task: string; points: { x: number; y: number; label: number; test: boolean }[] };
    net: { model: nabla.nn.Sequential };
  };
  nb: typeof nabla;
  plot: { toScreen(x: number, y: number): [number, number]; canvas: HTMLCanvasElement };
}
