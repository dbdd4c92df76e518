/**
 * `nabla playground`'s static server (src/cli/commands/playground.ts): serves a built page
 * from its folder and nothing outside it. Runs in Node, no browser needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveBuilt, startPlayground, type PlaygroundServer } from '../../src/cli/commands/playground.js';

/** A raw HTTP request, so paths like /../x reach the server unnormalised. */
function get(url: string, path: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => done({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('nabla playground: serving the built page', () => {
  let dir: string;
  let server: PlaygroundServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nabla-serve-'));
    mkdirSync(join(dir, 'web', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'web', 'index.html'), '<!doctype html><title>playground</title>');
    writeFileSync(join(dir, 'web', 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, 'secret.txt'), 'outside the served folder');
    server = await serveBuilt(join(dir, 'web'), '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / (query strings ignored) and assets with their types', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url, '/?data=spiral&layers=4-4');
    expect(page).toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<!doctype html><title>playground</title>' });
    const script = await get(server.url, '/assets/app.js');
    expect(script.status).toBe(200);
    expect(script.type).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe('console.log(1)');
  });

  it('answers 404 for missing files and for paths that leave the folder', async () => {
    expect((await get(server.url, '/nope.js')).status).toBe(404);
    expect((await get(server.url, '/../secret.txt')).status).toBe(404);
    expect((await get(server.url, '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get(server.url, '/assets')).status).toBe(404);
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await get(server.url, '/', 'POST')).status).toBe(405);
    const head = await get(server.url, '/', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('rejects a port that is not a port', async () => {
    await expect(startPlayground({ port: '99999', host: '127.0.0.1' })).rejects.toThrow('--port must be an integer from 0 to 65535, got "99999"');
    await expect(startPlayground({ port: 'abc', host: '127.0.0.1' })).rejects.toThrow('--port must be an integer');
  });
});
