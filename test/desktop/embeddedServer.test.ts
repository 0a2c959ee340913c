import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostNotice, ServerChoice } from '../../preload/contract';
import { EmbeddedServer, ServerStartError, hostConfigFor, startFailureMessage } from '../../main/embeddedServer';
import { mainText } from '../../main/i18n';
import { accessPolicy, withLanPassword } from '../../main/server/serverAccess';
import { DEFAULT_SETTINGS, hostedServerSchema } from '../../preload/contract';
import { createSignalingServer } from '../../signaling-server/index';
import { fetchPinnedCertificate, pinnedTlsOptions } from '../../signaling-server/tls';
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
const host = (over: { port?: number; password?: string; lan?: boolean } = {}): ServerChoice => ({
  mode: over.lan === true ? 'lan' : 'local',
  join: [],
  host: { ...DEFAULT_SETTINGS.server.host, port: over.port ?? 0, password: over.password ?? '' },
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
    const on = withLanPassword({ server: host({ lan: true, port: 7300 }) }, DEFAULT_SETTINGS);
    expect(on.generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(on.patch.server).toMatchObject({ mode: 'lan', host: { password: on.generated } });
    const kept = withLanPassword({ server: host({ lan: true, port: 7300, password: 'ours' }) }, DEFAULT_SETTINGS);
    expect(kept.generated).toBeNull();
    expect(withLanPassword({ relayOnly: true }, DEFAULT_SETTINGS).generated).toBeNull();
    expect(withLanPassword({ server: host({ port: 7300 }) }, DEFAULT_SETTINGS).generated).toBeNull();
    expect(withLanPassword({}, { ...DEFAULT_SETTINGS, server: host({ lan: true, port: 7300 }) }).generated).not.toBeNull();
  });

  it('keeps the server’s membership key in its data folder, so calls can be rejoined after a restart', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'parley-userdata-')), 'server');
    cleanups.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
    const { server } = setup(null, dataDir);
    await server.endpoint(host({ port: await freePort() }));
    expect(existsSync(join(dataDir, 'membership.key'))).toBe(true);
  });
});

describe('why the server did not start, in the UI language (issue 16.1)', () => {
  it('says a taken port, a forbidden port and any other failure in Russian', () => {
    const config = hostConfigFor({ ...DEFAULT_SETTINGS.server, mode: 'local' });
    const ru = mainText('ru');
    expect(startFailureMessage(config, 'EADDRINUSE', 'listen EADDRINUSE', ru)).toMatch(/^Parley не смог запустить свой сервер на порту 7300: этот порт занят другой программой\./);
    expect(startFailureMessage(config, 'EACCES', 'x', ru)).toBe('Parley не разрешено слушать порт 7300. Выберите порт выше 1024 в разделе «Настройки → Сервер».');
    expect(startFailureMessage(config, undefined, 'boom', ru)).toMatch(/^Parley не смог запустить свой сервер на 127\.0\.0\.1:7300 \(boom\)/);
    expect(startFailureMessage(config, 'EACCES', 'x')).toBe('Parley is not allowed to listen on port 7300. Choose a port above 1024 in Settings → Server.');
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
    // The renderer's Settings → Server sees the same reason.
    expect(server.status()).toEqual({ state: 'failed', mode: 'local', port, message: notices[0]?.message });
    expect(hostedServerSchema.safeParse(server.status()).success).toBe(true);
  });

  it('apply() swallows a start failure after telling the person; the next request tries again', async () => {
    const port = await occupiedPort();
    const { server, notices } = setup();
    await server.apply(host({ port }));
    expect(notices).toHaveLength(1);
    const endpoint = await server.endpoint(host());
    expect(endpoint.urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('off (join a server) stops hosting and returns the servers to join in failover order', async () => {
    const { server } = setup();
    await server.endpoint(host());
    const remote = await server.endpoint({
      mode: 'off',
      join: [
        { url: 'https://parley.example', fingerprint: null, password: 'pw', allowPlaintext: false },
        { url: 'https://backup.parley.example', fingerprint: null, password: 'pw2', allowPlaintext: false },
      ],
      host: DEFAULT_SETTINGS.server.host,
    });
    expect(remote).toEqual({
      urls: ['https://parley.example', 'https://backup.parley.example'],
      password: 'pw',
      // Each server its own password, so a failover to the backup signs in there too.
      passwords: ['pw', 'pw2'],
    });
    expect(server.address()).toBeNull();
    expect(server.status()).toEqual({ state: 'off' });
  });

  it('LAN mode listens on every interface with a self-signed certificate, announces itself, passes STUN/TURN on, and warns when there is no password', async () => {
    // Tests never listen beyond loopback, so this one records the options instead of binding 0.0.0.0.
    const asked: Array<Record<string, unknown>> = [];
    const notices: HostNotice[] = [];
    const lanDir = mkdtempSync(join(tmpdir(), 'parley-lan-'));
    cleanups.push(() => rmSync(lanDir, { recursive: true, force: true }));
    const server = new EmbeddedServer({
      createServer: async (options) => {
        const { logger: _logger, ...rest } = options;
        asked.push(rest);
        return { url: 'https://0.0.0.0:7300', address: { host: '0.0.0.0', port: 7300 }, tlsFingerprint: 'AB'.repeat(32).match(/../g)!.join(':'), close: async () => undefined };
      },
      clientDir: null,
      logger: silentLogger,
      notify: (level, message) => notices.push({ level, message }),
      dataDir: lanDir,
      addresses: () => ({ lanAddresses: ['192.168.1.20', 'fe80::1%eth0', 'fd00::5'], hostname: 'desk' }),
    });
    const choice: ServerChoice = { ...host({ lan: true, port: 7300 }) };
    const withIce: ServerChoice = {
      ...choice,
      host: { ...choice.host, stunUrls: ['stun:stun.example.org:3478'], turnUrls: ['turn:turn.example.org:3478'], turnSecret: 's3cret' },
    };
    const endpoint = await server.endpoint(withIce);
    expect(asked[0]).toMatchObject({
      host: '0.0.0.0',
      port: 7300,
      password: '',
      tls: { selfSigned: true },
      mdns: true,
      stunUrls: ['stun:stun.example.org:3478'],
      turn: { urls: ['turn:turn.example.org:3478'], secret: 's3cret' },
    });
    expect(asked[0]?.allowedOrigins).toEqual(expect.arrayContaining(['https://192.168.1.20:7300', 'https://127.0.0.1:7300']));
    // The renderer on this machine still connects over loopback, now https (pinned to its own certificate).
    expect(endpoint.urls).toEqual(['https://127.0.0.1:7300']);
    expect(notices.map((n) => n.message).join()).toContain('without a password');
    expect(server.status()).toMatchObject({
      state: 'running',
      mode: 'lan',
      urls: ['https://192.168.1.20:7300', 'https://[fd00::5]:7300'],
      passwordRequired: false,
      fingerprint: expect.stringMatching(/^AB:/),
    });
    expect(server.ownCertificate()?.ownHosts).toEqual(expect.arrayContaining(['127.0.0.1', 'localhost', '::1', '192.168.1.20']));
    expect(hostConfigFor({ ...choice, mode: 'local' }).host).toBe('127.0.0.1');
  });

  it('stop closes the server', async () => {
    const { server } = setup();
    const endpoint = await server.endpoint(host());
    await server.stop();
    await expect(fetch(new URL('/healthz', endpoint.urls[0]))).rejects.toThrow();
  });
});

describe('hosting for the local network, for real on loopback', () => {
  it('starts with a self-signed certificate kept in <userData>/server, reports its fingerprint, and a client pinning it gets through TLS', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'parley-userdata-')), 'server');
    cleanups.push(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
    const notices: HostNotice[] = [];
    const statuses: string[] = [];
    const server = new EmbeddedServer({
      createServer: createSignalingServer,
      clientDir: null,
      logger: silentLogger,
      notify: (level, message) => notices.push({ level, message }),
      dataDir,
      addresses: () => ({ lanAddresses: [], hostname: 'desk' }),
      lanOverrides: { listenHost: '127.0.0.1', announce: false },
    });
    cleanups.push(() => server.stop());
    server.onStatus((status) => statuses.push(status.state));
    const port = await freePort();
    const endpoint = await server.endpoint(host({ lan: true, port, password: 'lan-pw' }));
    expect(endpoint).toEqual({ urls: [`https://127.0.0.1:${port}`], password: 'lan-pw' });
    expect(existsSync(join(dataDir, 'tls-self-signed.pem'))).toBe(true);
    const status = server.status();
    if (status.state !== 'running') throw new Error(`not running: ${JSON.stringify(status)}`);
    expect(status.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(status.passwordRequired).toBe(true);
    expect(status.announcedAs).toBeNull();
    expect(statuses).toEqual(['starting', 'running']);

    // A client that pins the fingerprint (as main's verify proc does for the window) signs in over wss.
    const pem = await fetchPinnedCertificate('127.0.0.1', port, status.fingerprint ?? '');
    const url = endpoint.urls[0] ?? '';
    const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false, ...pinnedTlsOptions(pem, status.fingerprint ?? '') });
    authenticate(socket, url, await makeIdentity(), { displayName: 'Pinned', password: 'lan-pw' });
    socket.connect();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.disconnect();

    // A restart keeps the certificate: the fingerprint people pinned stays valid.
    const fingerprint = status.fingerprint;
    await server.stop();
    expect(server.status()).toEqual({ state: 'off' });
    await server.endpoint(host({ lan: true, port, password: 'lan-pw' }));
    expect(server.status()).toMatchObject({ state: 'running', fingerprint });
    // Plain http to it is not served.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});
