import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostNotice, ServerChoice } from '../../preload/contract';
import { EmbeddedServer, ServerStartError, hostConfigFor } from '../../main/embeddedServer';
import { accessPolicy, withLanPassword } from '../../main/server/serverAccess';
import { DEFAULT_SETTINGS } from '../../preload/contract';
import { createSignalingServer } from '../../signaling-server/index';
import { authenticate, makeIdentity } from '../support/testIdentity';
import { io } from 'socket.io-client';
import { cleanup as closeClients, connectClient, connectRefused } from '../server/harness';
import { silentLogger } from './fakes';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await closeClients();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(clientDir: string | null = null, dataDir: string | null = null) {
  const notices: HostNotice[] = [];
  const server = new EmbeddedServer({
    createServer: createSignalingServer,
    clientDir,
    logger: silentLogger,
    notify: (level, message) => notices.push({ level, message }),
    dataDir,
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

/** A port that was free a moment ago: the Host allowlist names the port, so it must be known before listening. */
async function freePort(): Promise<number> {
  const probe: Server = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Opens a socket.io WebSocket to the server with a chosen Host header and says
 * whether it got through the HTTP upgrade and handshake ('connected') or was
 * refused ('refused', whatever the layer: a refused upgrade or a connect_error).
 */
async function connectWithHost(port: number, hostHeader: string): Promise<'connected' | 'refused'> {
  const url = `http://127.0.0.1:${port}`;
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    autoConnect: false,
    extraHeaders: { Host: hostHeader },
  });
  // A real identity whose proof names the Host the request carries, so only the Host check can refuse it.
  authenticate(socket, url, await makeIdentity(), { displayName: 'Probe', host: hostHeader });
  socket.connect();
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.disconnect();
      resolve('connected');
    });
    socket.once('connect_error', () => {
      socket.disconnect();
      resolve('refused');
    });
  });
}

describe('who may reach the embedded server', () => {
  it('refuses a web page from another origin, so a site in the browser cannot talk to the local server', async () => {
    const { server } = setup();
    const endpoint = await server.endpoint(host({ port: await freePort() }));
    const url = endpoint.urls[0] ?? '';
    const refusal = await connectRefused(url, { name: 'evil-page', headers: { Origin: 'https://evil.example' } });
    expect(refusal.code).toBe('origin_forbidden');
  });

  it('accepts the app’s own origin and the browser build it serves itself', async () => {
    const { server } = setup();
    const port = await freePort();
    const endpoint = await server.endpoint(host({ port }));
    const url = endpoint.urls[0] ?? '';
    await connectClient(url, { name: 'desktop', headers: { Origin: 'app://parley' } });
    await connectClient(url, { name: 'served-page', headers: { Origin: `http://127.0.0.1:${port}` } });
  });

  it('refuses a request whose Host names another site (DNS rebinding) and accepts its own', async () => {
    const { server } = setup();
    const port = await freePort();
    await server.endpoint(host({ port }));
    expect(await connectWithHost(port, `evil.example:${port}`)).toBe('refused');
    expect(await connectWithHost(port, `localhost:${port}`)).toBe('connected');
  });

  it('in LAN mode also accepts the pages it serves at its LAN addresses and host name', () => {
    const policy = accessPolicy({ port: 7300, lan: true, lanAddresses: ['192.168.1.20', 'fe80::1%eth0'], hostname: 'Desk' });
    expect(policy.allowedOrigins).toEqual(
      expect.arrayContaining(['app://parley', 'http://127.0.0.1:7300', 'http://192.168.1.20:7300', 'http://[fe80::1]:7300', 'http://desk:7300']),
    );
    expect(policy.allowedHosts).toEqual(expect.arrayContaining(['localhost', '[::1]', '192.168.1.20', 'desk.local']));
    const loopbackOnly = accessPolicy({ port: 7300, lan: false, lanAddresses: ['192.168.1.20'], hostname: 'desk' });
    expect(loopbackOnly.allowedHosts).toEqual(['127.0.0.1', 'localhost', '[::1]']);
    expect(loopbackOnly.allowedOrigins.some((o) => o.startsWith('https://'))).toBe(false);
  });

  it('makes a strong password the first time LAN hosting is turned on, and keeps one that was set', () => {
    const on = withLanPassword({ server: { mode: 'host', port: 7300, lan: true, password: '' } }, DEFAULT_SETTINGS);
    expect(on.generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(on.patch.server).toMatchObject({ lan: true, password: on.generated });
    const kept = withLanPassword({ server: { mode: 'host', port: 7300, lan: true, password: 'ours' } }, DEFAULT_SETTINGS);
    expect(kept.generated).toBeNull();
    expect(withLanPassword({ relayOnly: true }, DEFAULT_SETTINGS).generated).toBeNull();
    expect(withLanPassword({}, { ...DEFAULT_SETTINGS, server: { mode: 'host', port: 7300, lan: true, password: '' } }).generated).not.toBeNull();
  });

  it('keeps the server’s membership key in its data folder, so calls can be rejoined after a restart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'parley-userdata-')), 'server');
    cleanups.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
    const { server } = setup(null, dataDir);
    await server.endpoint(host({ port: await freePort() }));
    expect(existsSync(join(dataDir, 'membership.key'))).toBe(true);
  });
});

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
