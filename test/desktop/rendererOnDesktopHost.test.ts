/**
 * The real renderer, built by Vite and running in real Chromium, talking to the
 * desktop host exactly as it would in Electron: `window.parley` is the preload's
 * createPreloadBridge, its ipc goes to main's validating IpcRegistry and desktop
 * host (real storage in a temp folder, the real embedded signaling server on
 * loopback), and main's events come back through the RendererEventQueue.
 * Only Electron's IPC transport is stood in for, by Playwright bindings.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, EVENT_CHANNELS, settingsSchema, type CallStateReport, type Settings } from '../../preload/contract';
import { EmbeddedServer } from '../../main/embeddedServer';
import { DownloadService } from '../../main/files/downloadService';
import { createDesktopHost, registerDesktopHost } from '../../main/ipc/desktopHost';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import type { IpcEventLike } from '../../main/ipc/validateSender';
import { createAppProtocolHandler } from '../../main/protocol/appProtocol';
import { HostStorage } from '../../main/storage/hostStorage';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { SignalingClient } from '../../renderer/signaling/client';
import { createSignalingServer } from '../../signaling-server/index';
import { userIdSchema, type IncomingCall } from '../../signaling-server/protocol';
import { launchChromium } from '../support/chromium';
import { newDeviceIdentity } from '../support/rendererIdentity';
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
/** Ada's userId as the page shows it (Settings → Your devices). */
let adaUserId = '';
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
      probeServer: async () => ({ ok: false, reason: 'unreachable', message: 'not in this test', fingerprint: null }),
      discovery: { start: () => [], stop: async () => undefined },
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

describe('the renderer on the desktop host', () => {
  it('boots from the bridge, saves the first-run name to the settings file, and comes online on the embedded server', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    const name = p.getByLabel('Your display name');
    await name.waitFor({ timeout: 30_000 });
    await name.fill('Ada Desktop');
    await p.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => {
      const onDisk = settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));
      expect(onDisk.displayName).toBe('Ada Desktop');
    }, 20_000);
    // The renderer reached the server main started for it and reports an idle phone.
    await eventually(() => expect(reports.some((r) => r.phase === 'idle')).toBe(true), 30_000);
    expect(server?.address()?.port).toBe(port);
    // The identity is the renderer's keys (IndexedDB of the page's origin), shown in Settings; main keeps no identity file.
    await p.getByRole('button', { name: 'Settings' }).click();
    const settings = p.getByRole('dialog', { name: 'Settings' });
    adaUserId = userIdSchema.parse(await settings.getByLabel('Your ID', { exact: true }).inputValue());
    await settings.getByRole('button', { name: 'Close' }).click();
    expect(existsSync(join(work, 'userData', 'identity.json'))).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('a notice from main reaches the page through the event queue and the bridge', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    events.notify('warning', 'The shortcut Alt+M is taken by another app; choose another in Settings.');
    await p.getByText('The shortcut Alt+M is taken by another app').waitFor({ timeout: 10_000 });
  }, 30_000);
});

describe('a parley:// link on the desktop', () => {
  it('asks before it dials: name, id, audio first even when the link says video; Cancel dials nothing', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    // Bob is online on the same embedded server (a Node client sends no Origin; the password guards it).
    const bobIdentity = (await newDeviceIdentity()).identity;
    const bob = new SignalingClient({
      urls: [`http://127.0.0.1:${port}`],
      identity: bobIdentity,
      displayName: 'Bob',
      password: 'e2e',
      contacts: () => [adaUserId],
      strangerCalls: () => 'ring',
    });
    const rang: IncomingCall[] = [];
    bob.events.on('call:incoming', (incoming) => rang.push(incoming));
    bob.start();
    try {
      // Presence flows between mutual contacts only: Bob (who lists Ada) asks, Ada accepts in the app.
      await eventually(() => expect(bob.getState().phase).toBe('online'), 20_000);
      await bob.request('contact:request', { to: adaUserId, secret: null });
      await p.getByRole('button', { name: 'Accept Bob', exact: true }).click({ timeout: 20_000 });
      await p.getByRole('button', { name: 'Audio call Bob', exact: true }).waitFor({ timeout: 20_000 });
      const ask = p.getByRole('dialog', { name: 'Call Bob?' });

      // As main's DeepLinkRouter sends it for parley://call/<Bob's userId>?media=video.
      events.send(EVENT_CHANNELS.callRequested, { userId: bobIdentity.userId, media: 'video', via: 'link' });
      await ask.waitFor({ timeout: 10_000 });
      await ask.getByText(bobIdentity.userId).first().waitFor();
      expect(rang).toEqual([]);
      // Enter on the open question starts an audio call, never the camera.
      await ask.locator('button:focus', { hasText: 'Audio call' }).waitFor({ timeout: 10_000 });
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await ask.waitFor({ state: 'detached' });

      const unknown = p.getByRole('dialog', { name: 'Call Unknown person?' });
      events.send(EVENT_CHANNELS.callRequested, { userId: 'user-nobody-known-1', media: 'audio', via: 'link' });
      await unknown.getByText('user-nobody-known-1').first().waitFor({ timeout: 10_000 });
      await unknown.getByRole('button', { name: 'Cancel' }).click();
      await unknown.waitFor({ state: 'detached' });
      expect(rang).toEqual([]);

      events.send(EVENT_CHANNELS.callRequested, { userId: bobIdentity.userId, media: 'video', via: 'link' });
      await ask.getByRole('button', { name: 'Audio call' }).click();
      await eventually(() => expect(rang.map((r) => [r.from.displayName, r.media])).toEqual([['Ada Desktop', 'audio']]), 20_000);
      await bob.request('call:decline', { callId: rang[0]?.callId ?? '' });
      expect(pageErrors).toEqual([]);
    } finally {
      bob.close();
    }
  }, 90_000);
});
