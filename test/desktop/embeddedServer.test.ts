import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostNotice, ServerChoice } from '../../preload/contract';
import { EmbeddedServer, ServerStartError, hostConfigFor } from '../../main/embeddedServer';
import { createSignalingServer } from '../../signaling-server/index';
import { silentLogger } from './fakes';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(clientDir: string | null = null) {
  const notices: HostNotice[] = [];
  const server = new EmbeddedServer({
    createServer: createSignalingServer,
    clientDir,
    logger: silentLogger,
    notify: (level, message) => notices.push({ level, message }),
  });
  cleanups.push(() => server.stop());
  return { server, notices };
}

// Port 0: the OS picks a free port (the settings schema asks ≥1024 of people; tests need no fixed port).
const host = (over: Partial<Extract<ServerChoice, { mode: 'host' }>> = {}): ServerChoice => ({
  mode: 'host',
  port: 0,
  lan: false,
  password: '',
  ...over,
});

async function occupiedPort(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const address = blocker.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('embedded signaling server', () => {
  it('hosts on loopback and gives the renderer its URL and password', async () => {
    const { server } = setup();
    const endpoint = await server.endpoint(host({ password: 'secret' }));
    expect(endpoint.password).toBe('secret');
    expect(endpoint.urls).toHaveLength(1);
    const url = new URL(endpoint.urls[0] ?? '');
    expect(url.hostname).toBe('127.0.0.1');
    expect(server.address()).toMatchObject({ host: '127.0.0.1' });
    const health = await fetch(new URL('/healthz', url));
    expect(health.ok).toBe(true);
  });

  it('serves the renderer build to browsers from clientDir', async () => {
    const clientDir = mkdtempSync(join(tmpdir(), 'parley-client-'));
    cleanups.push(() => rmSync(clientDir, { recursive: true, force: true }));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Parley web</title>');
    const { server } = setup(clientDir);
    const endpoint = await server.endpoint(host());
    const page = await fetch(new URL('/', endpoint.urls[0]));
    expect(await page.text()).toContain('Parley web');
  });

  it('the same settings reuse the running server; a change restarts it', async () => {
    const { server } = setup();
    const first = await server.endpoint(host());
    expect(await server.endpoint(host())).toEqual(first);
    const restarted = await server.endpoint(host({ password: 'new' }));
    expect(restarted.password).toBe('new');
    // The old server is closed.
    await expect(fetch(new URL('/healthz', first.urls[0]))).rejects.toThrow();
    expect((await fetch(new URL('/healthz', restarted.urls[0]))).ok).toBe(true);
  });

  it('a port in use is a notice that says what to do, and the endpoint request fails with it', async () => {
    const port = await occupiedPort();
    const { server, notices } = setup();
    const failure = server.endpoint(host({ port }));
    await expect(failure).rejects.toBeInstanceOf(ServerStartError);
    await expect(failure).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(notices).toHaveLength(1);
    expect(notices[0]?.level).toBe('error');
    expect(notices[0]?.message).toContain(`port ${port}`);
    expect(notices[0]?.message).toContain('Choose another port in Settings');
    expect(server.address()).toBeNull();
  });

  it('apply() swallows a start failure after telling the person; the next request tries again', async () => {
    const port = await occupiedPort();
    const { server, notices } = setup();
    await server.apply(host({ port }));
    expect(notices).toHaveLength(1);
    const endpoint = await server.endpoint(host());
    expect(endpoint.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('remote mode stops hosting and returns the configured servers', async () => {
    const { server } = setup();
    await server.endpoint(host());
    const remote = await server.endpoint({
      mode: 'remote',
      urls: ['https://parley.example', 'https://backup.parley.example'],
      password: 'pw',
    });
    expect(remote).toEqual({ urls: ['https://parley.example', 'https://backup.parley.example'], password: 'pw' });
    expect(server.address()).toBeNull();
  });

  it('LAN mode listens on every interface and warns when there is no password', async () => {
    // Tests never listen beyond loopback, so this one records the options instead of binding 0.0.0.0.
    const asked: Array<{ host?: string; port?: number; password?: string }> = [];
    const notices: HostNotice[] = [];
    const server = new EmbeddedServer({
      createServer: async (options) => {
        asked.push({ host: options.host, port: options.port, password: options.password });
        return { url: 'http://0.0.0.0:7300', address: { host: '0.0.0.0', port: 7300 }, close: async () => undefined };
      },
      clientDir: null,
      logger: silentLogger,
      notify: (level, message) => notices.push({ level, message }),
    });
    const endpoint = await server.endpoint(host({ lan: true, port: 7300 }));
    expect(asked).toEqual([{ host: '0.0.0.0', port: 7300, password: '' }]);
    // The renderer on this machine still connects over loopback.
    expect(endpoint.urls).toEqual(['http://127.0.0.1:7300']);
    expect(notices.map((n) => n.message).join()).toContain('without a password');
    expect(hostConfigFor({ mode: 'host', port: 7300, lan: false, password: '' }).host).toBe('127.0.0.1');
  });

  it('stop closes the server', async () => {
    const { server } = setup();
    const endpoint = await server.endpoint(host());
    await server.stop();
    await expect(fetch(new URL('/healthz', endpoint.urls[0]))).rejects.toThrow();
  });
});
