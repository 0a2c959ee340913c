import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../signaling-server/index';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { cleanup, connectClient, establishCall, expectHonestCallWorks, startServer } from './harness';

afterEach(cleanup);

let clientDir = '';
beforeAll(() => {
  clientDir = mkdtempSync(join(tmpdir(), 'parley-client-'));
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Parley</title><script src="./app.js"></script>');
  writeFileSync(join(clientDir, 'app.js'), 'console.log("parley");');
});
afterAll(() => rmSync(clientDir, { recursive: true, force: true }));

describe('GET /healthz', () => {
  it('reports status, counts, and versions as JSON', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    await establishCall(alice, bob);
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({
      status: 'ok',
      uptimeSeconds: expect.any(Number),
      usersOnline: 2,
      devicesOnline: 2,
      activeCalls: 1,
      version: SERVER_VERSION,
      protocolVersion: PROTOCOL_VERSION,
    });
  });
});

describe('the served browser client', () => {
  it('serves index.html and assets with a strict Content-Security-Policy', async () => {
    const server = await startServer({ clientDir });
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Parley</title>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const script = await fetch(`${server.url}/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain('parley');
  });

  it('answers client-side routes with index.html, but a missing asset with 404', async () => {
    const server = await startServer({ clientDir });
    const route = await fetch(`${server.url}/call/some-one`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<title>Parley</title>');
    expect((await fetch(`${server.url}/missing.js`)).status).toBe(404);
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd']) {
      const raw = await rawGet(server.address.port, path);
      expect(raw.body, path).not.toContain('root:');
    }
    const post = await fetch(`${server.url}/call/some-one`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });

  it('survives a file that vanished since it started', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-client-'));
    try {
      writeFileSync(join(dir, 'index.html'), '<title>Parley</title>');
      writeFileSync(join(dir, 'old-build.js'), 'x'.repeat(10_000));
      const server = await startServer({ clientDir: dir });
      rmSync(join(dir, 'old-build.js'));
      await fetch(`${server.url}/old-build.js`).then((r) => r.text()).catch(() => 'aborted');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      await expectHonestCallWorks(server);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves nothing but /healthz without a client', async () => {
    const server = await startServer();
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`)).status).toBe(400);
  });
});

/** A GET with the path sent exactly as written (fetch would normalise "..").*/
function rawGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
