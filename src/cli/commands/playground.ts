/**
 * `nabla playground`: the browser playground on localhost. Serves the built page (dist/web,
 * from `npm run build:web`) with Node's own HTTP server, or, in a source checkout without a
 * build (or with --dev), starts Vite's dev server on web/. Prints the URL and runs until
 * interrupted.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';

/** The package root: this file is src/cli/commands/ (sources) or dist/cli/commands/ (built). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BUILT_WEB = join(ROOT, 'dist', 'web');
export const WEB_SOURCE = join(ROOT, 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.ico': 'image/x-icon',
};

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the files of a built playground (root holds index.html) on host:port (port 0:
 * any free port). Only files under root are served; anything else is a 404.
 */
export async function serveBuilt(root: string, host = '127.0.0.1', port = 5173): Promise<PlaygroundServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    void (async () => {
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        res.writeHead(400).end('bad request');
        return;
      }
      const file = resolve(base, `.${path.endsWith('/') ? `${path}index.html` : path}`);
      const inside = file === base || file.startsWith(base + sep);
      const info = inside ? await stat(file).catch(() => null) : null;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
      } else if (!info?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      } else {
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : body);
      }
    })().catch(() => { if (!res.headersSent) res.writeHead(500).end(); });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** Vite's dev server on web/ (a source checkout: vite is a development dependency). */
async function serveDev(host: string, port: number): Promise<PlaygroundServer> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new CliError('the playground is not built and Vite is not installed', BUILT_WEB, 1, 'run `npm install` and `npm run build:web` in the nabla package');
  }
  const server = await vite.createServer({
    configFile: join(WEB_SOURCE, 'vite.config.ts'),
    server: { host, port, strictPort: port !== 0 },
    logLevel: 'warn',
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0] ?? `http://${host}:${port}/`;
  return { url, close: () => server.close() };
}

export interface PlaygroundOptions {
  port: string;
  host: string;
  dev?: boolean;
}

/** Starts the playground as the options ask and says where it is. */
export async function startPlayground(options: PlaygroundOptions): Promise<PlaygroundServer> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${JSON.stringify(options.port)}`);
  const built = existsSync(join(BUILT_WEB, 'index.html'));
  try {
    if (options.dev || !built) {
      if (!existsSync(join(WEB_SOURCE, 'index.html'))) throw new CliError('the playground is not built', BUILT_WEB, 1, 'run `npm run build:web` in the nabla package');
      return await serveDev(options.host, port);
    }
    return await serveBuilt(BUILT_WEB, options.host, port);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} is in use`, `${options.host}:${port}`, 1, 'pass --port 0 for any free port');
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`cannot listen on host ${JSON.stringify(options.host)}`);
    throw e;
  }
}

export function register(program: Command): void {
  program
    .command('playground')
    .description('open the browser playground on localhost: train small networks on 2-D data and watch them learn')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '5173')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--dev', 'serve web/ through Vite\'s dev server (hot reload) instead of the built page')
    .action(async (options: PlaygroundOptions) => {
      const server = await startPlayground(options);
      process.stdout.write(`nabla playground: ${server.url}  (Ctrl+C to stop)\n`);
      await new Promise<void>((done) => {
        const stop = (): void => { void server.close().then(done); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
