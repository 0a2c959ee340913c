/**
 * Settings → Server on the desktop host (issue 13), in the real renderer in real
 * Chromium over main's real IPC registry and desktop host (set up as in
 * rendererOnDesktopHost.test.ts): "Parley servers on your network" lists what
 * discovery found; picking one asks "Join …? Its certificate fingerprint is …";
 * Join checks the certificate through main's probe first — a server presenting
 * another certificate is refused with main's message and nothing is saved — and a
 * matching one is saved first in the join list, its fingerprint pinned.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsSchema, type CallStateReport, type DiscoveredServer, type ServerProbeResult, type Settings } from '../../preload/contract';
import { EmbeddedServer } from '../../main/embeddedServer';
import { DownloadService } from '../../main/files/downloadService';
import { createDesktopHost, registerDesktopHost } from '../../main/ipc/desktopHost';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import type { IpcEventLike } from '../../main/ipc/validateSender';
import { createAppProtocolHandler } from '../../main/protocol/appProtocol';
import { HostStorage } from '../../main/storage/hostStorage';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { createSignalingServer } from '../../signaling-server/index';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { launchChromium } from '../support/chromium';
import { freePort } from '../support/freePort';
import { CallableIpcMain, eventually, silentLogger } from './fakes';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The renderer's frame as main's validator sees it inside Electron. */
const FRAME = { url: 'app://parley/index.html', parent: null };
const CONTENTS = { mainFrame: FRAME };
const EVENT: IpcEventLike = { senderFrame: FRAME, sender: CONTENTS };

let work = '';
let browser: Browser | null = null;
let page: Page | null = null;
let http: Server | null = null;
let server: EmbeddedServer | null = null;
let events = new RendererEventQueue({ logger: silentLogger });
let port = 0;
let pageOrigin = '';
const FP = Array.from({ length: 32 }, (_, i) => ((i * 29 + 3) % 256).toString(16).toUpperCase().padStart(2, '0')).join(':');
const OTHER = FP.split(':').reverse().join(':');
const FOUND: DiscoveredServer = {
  instance: 'Lab server (lab-a:7300)',
  name: 'Lab server',
  protocolVersion: PROTOCOL_VERSION,
  compatible: true,
  tls: true,
  fingerprint: FP,
  passwordRequired: false,
  port: 7300,
  addresses: ['10.77.0.1'],
  url: 'https://10.77.0.1:7300',
};
let discoveryStarted = 0;
let probeAnswer: ServerProbeResult = { ok: false, reason: 'unreachable', message: 'not set', fingerprint: null };
const probes: unknown[] = [];
const onDisk = (): Settings => settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));

const reports: CallStateReport[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'parley-desktop-e2e-'));
  const rendererDir = join(work, 'renderer');
  const userData = join(work, 'userData');
  // A private renderer build, so a concurrent `npm run build` cannot swap files mid-test.
  await viteBuild({
    configFile: join(root, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: rendererDir, emptyOutDir: true, sourcemap: false },
  });
  const bridgeBundle = await esbuild({
    stdin: {
      contents: "import { createPreloadBridge } from './preload/bridge'; globalThis.__createParleyBridge = createPreloadBridge;",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  });

  port = await freePort();
  mkdirSync(userData);
  const settings: Settings = { ...DEFAULT_SETTINGS, server: { mode: 'local', join: [], host: { ...DEFAULT_SETTINGS.server.host, port, password: 'e2e' } } };
  writeFileSync(join(userData, 'settings.json'), JSON.stringify(settings));

  events = new RendererEventQueue({ logger: silentLogger });
  const storage = new HostStorage({ dir: userData, notify: events.notify, logger: silentLogger });
  await storage.load();
  server = new EmbeddedServer({
    // The page is served from http://127.0.0.1:<port> here, standing in for app://parley:
    // the server's Origin allowlist gets that origin too.
    createServer: (options) => createSignalingServer({ ...options, allowedOrigins: [...(options.allowedOrigins ?? []), pageOrigin] }),
    clientDir: null,
    logger: silentLogger,
    notify: events.notify,
  });
  const downloadFolder = join(work, 'Downloads');
  mkdirSync(downloadFolder);
  const downloads = new DownloadService({
    dir: userData,
    defaultFolder: downloadFolder,
    maxBytes: () => storage.getSettings().maxFileBytes,
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
    showItemInFolder: () => undefined,
    notify: events.notify,
    logger: silentLogger,
  });
  await downloads.load();
  const ipcMain = new CallableIpcMain();
  const registry = new IpcRegistry({ ipcMain, logger: silentLogger, isTrustedSender: (s) => s === CONTENTS });
  registerDesktopHost(
    registry,
    createDesktopHost({
      storage,
      server,
      probeServer: async (request) => {
        probes.push(request);
        return probeAnswer;
      },
      discovery: {
        start: () => {
          discoveryStarted += 1;
          return [FOUND];
        },
        stop: async () => undefined,
      },
      downloads,
      appInfo: () => ({
        host: 'desktop',
        version: '0.1.0-e2e',
        platform: 'linux',
      }),
      onCallState: (report) => {
        reports.push(report);
        events.rendererReported();
      },
      showIncomingCall: () => undefined,
      dismissIncomingCall: () => undefined,
      chooseScreenSource: () => undefined,
      openExternal: async () => undefined,
    }),
  );

  // app:// stands in as plain http on loopback: same handler, same files, same headers.
  const appHandler = createAppProtocolHandler({ rootDir: rendererDir, logger: silentLogger });
  http = createHttpServer((req, res) => {
    void appHandler({ url: `app://parley${req.url ?? '/'}`, method: req.method ?? 'GET' }).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((done) => http?.listen(0, '127.0.0.1', done));
  const httpAddress = http.address();
  if (httpAddress === null || typeof httpAddress === 'string') throw new Error('no http port');
  pageOrigin = `http://127.0.0.1:${httpAddress.port}`;

  browser = await launchChromium();
  const context = await browser.newContext();
  await context.exposeFunction('__parleyInvoke', (channel: string, args: unknown[]) => ipcMain.invoke(channel, EVENT, ...args));
  await context.exposeFunction('__parleySend', (channel: string, args: unknown[]) => ipcMain.send(channel, EVENT, ...args));
  await context.addInitScript({
    content: `${bridgeBundle.outputFiles[0]?.text ?? ''}
      (() => {
        const listeners = new Map();
        const ipc = {
          invoke: (channel, ...args) => globalThis.__parleyInvoke(channel, args),
          send: (channel, ...args) => { void globalThis.__parleySend(channel, args); },
          on: (channel, listener) => { (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)).add(listener); },
          removeListener: (channel, listener) => { listeners.get(channel)?.delete(listener); },
        };
        globalThis.__parleyEmit = (channel, payload) => { for (const l of listeners.get(channel) ?? []) l({}, payload); };
        window.parley = Object.freeze(globalThis.__createParleyBridge(ipc));
      })();`,
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  const target = page;
  events.attach({
    send: (channel, payload) => {
      void target.evaluate(([c, p]) => (globalThis as unknown as { __parleyEmit(c: string, p: unknown): void }).__parleyEmit(c, p), [
        channel,
        payload,
      ] as const);
    },
    isDestroyed: () => target.isClosed(),
  });
  await page.goto(`http://127.0.0.1:${httpAddress.port}/index.html`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise<void>((done) => (http ? http.close(() => done()) : done()));
  if (work !== '') rmSync(work, { recursive: true, force: true });
});


describe('Settings → Server on the desktop', () => {
  it('joins a server found on the network in two clicks, after its certificate checked out; a mismatch is refused and saves nothing', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    const name = p.getByLabel('Your display name');
    await name.waitFor({ timeout: 30_000 });
    await name.fill('Ada Desktop');
    await p.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => expect(reports.some((r) => r.phase === 'idle')).toBe(true), 30_000);

    await p.getByRole('button', { name: 'Settings' }).click();
    const settings = p.getByRole('dialog', { name: 'Settings' });
    // Hosting on this computer now: the radio says so, and the server's state is shown.
    expect(await settings.getByRole('radio', { name: 'Host on this computer only' }).isChecked()).toBe(true);
    await settings.getByText(`Hosting on port ${port}.`).waitFor({ timeout: 20_000 });
    await settings.getByRole('radio', { name: 'Off (join a server)' }).check();
    const joinLab = settings.getByRole('button', { name: 'Join Lab server' });
    await joinLab.waitFor({ timeout: 20_000 });
    expect(discoveryStarted).toBe(1);

    // Click 1: pick it. The question shows the fingerprint the announcement claims.
    probeAnswer = { ok: false, reason: 'fingerprint_mismatch', message: 'it presented a certificate with fingerprint AA:…, not the one you were given.', fingerprint: OTHER };
    await joinLab.click();
    const question = p.getByRole('dialog', { name: `Join Lab server (${FOUND.url})?` });
    await question.waitFor({ timeout: 10_000 });
    expect((await question.getByTestId('join-fingerprint').innerText()).replaceAll(' ', ':')).toBe(FP);
    // Click 2: Join. Main's probe says the certificate is another one: refused, in its words.
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    await question.getByRole('alert').filter({ hasText: `Not joined: ${FOUND.url}: it presented a certificate with fingerprint AA:…` }).waitFor({ timeout: 10_000 });
    expect(probes).toEqual([{ url: FOUND.url, fingerprint: FP }]);
    expect(onDisk().server.mode).toBe('local');

    // With a matching certificate the same two clicks join it.
    probeAnswer = { ok: true, fingerprint: FP };
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    await question.waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(() => {
      const server = onDisk().server;
      expect(server.mode).toBe('off');
      expect(server.join[0]).toEqual({ url: FOUND.url, fingerprint: FP, password: '', allowPlaintext: false });
    }, 10_000);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
