/**
 * The real renderer, built by Vite and running in real Chromium, talking to the
 * desktop host exactly as it would in Electron: `window.parley` is the preload's
 * createPreloadBridge, its ipc goes to main's validating IpcRegistry and desktop
 * host (real storage in a temp folder), and main's events come back through the
 * RendererEventQueue. Only Electron's IPC transport is stood in for, by Playwright
 * bindings, and app:// by plain http on loopback (same handler, files and headers).
 * Shared by rendererOnDesktopHost, serverSettingsOnDesktop and appSettingsOnDesktop;
 * each gives the settings file it starts from and the host's other services.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { DEFAULT_SETTINGS, type CallStateReport, type Settings } from '../../preload/contract';
import { EmbeddedServer } from '../../main/embeddedServer';
import { DownloadService } from '../../main/files/downloadService';
import { createDesktopHost, registerDesktopHost, type DesktopHostOptions } from '../../main/ipc/desktopHost';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import type { IpcEventLike } from '../../main/ipc/validateSender';
import { createAppProtocolHandler } from '../../main/protocol/appProtocol';
import { HostStorage } from '../../main/storage/hostStorage';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { createSignalingServer } from '../../signaling-server/index';
import { launchChromium } from '../support/chromium';
import { CallableIpcMain, silentLogger } from './fakes';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** The renderer's frame as main's validator sees it inside Electron. */
const FRAME = { url: 'app://parley/index.html', parent: null };
const CONTENTS = { mainFrame: FRAME };
const EVENT: IpcEventLike = { senderFrame: FRAME, sender: CONTENTS };

/** What the host's services are built from (DesktopPageOptions.host). */
export interface DesktopContext {
  /** The temp folder (removed by close); the settings file is in `userData`. */
  work: string;
  userData: string;
  events: RendererEventQueue;
  storage: HostStorage;
  /** What the renderer reported of its calls (onCallState), in order. */
  reports: CallStateReport[];
  /** The page's origin, http://127.0.0.1:<port>; known once the page's server listens (before the page loads). */
  pageOrigin(): string;
}

export interface DesktopPageOptions {
  /** The temp folder's name prefix. */
  name: string;
  /** The settings file the host starts from. */
  settings: Settings;
  /**
   * createDesktopHost's options other than storage, called once storage has loaded.
   * Those left out: no server found or reachable by a probe, no discovery, app info
   * 'desktop' 0.1.0-e2e on linux, call reports kept in `reports` (and the event
   * queue told), and no notifications, screen picker or external links.
   */
  host(context: DesktopContext): HostParts | Promise<HostParts>;
  /** Build the renderer as it ships (NODE_ENV=production: React's production build); else as Vite does under vitest. */
  production?: boolean;
  /** The browser context's prefers-color-scheme; Playwright's default when absent. */
  colorScheme?: 'light' | 'dark';
  /** Deliver main's events to the page's bridge listeners (default true). */
  deliverEvents?: boolean;
  /** Count the page's console errors as page errors (default true); uncaught errors always count. */
  consoleErrors?: boolean;
}

type HostParts = Pick<DesktopHostOptions, 'server' | 'downloads'> & Partial<Omit<DesktopHostOptions, 'storage'>>;

export interface DesktopPage extends DesktopContext {
  browser: Browser;
  page: Page;
  /** Uncaught page errors (and console errors unless consoleErrors is false), in order. */
  pageErrors: string[];
  /** Closes the browser and the page's server and removes the temp folder. */
  close(): Promise<void>;
}

/** Builds the renderer (a private build, so a concurrent `npm run build` cannot swap files mid-test) and opens it on the desktop host. */
export async function openDesktopPage(options: DesktopPageOptions): Promise<DesktopPage> {
  const work = mkdtempSync(join(tmpdir(), options.name));
  const rendererDir = join(work, 'renderer');
  const userData = join(work, 'userData');
  let http: Server | null = null;
  let browser: Browser | null = null;
  const close = async (): Promise<void> => {
    await browser?.close();
    await new Promise<void>((done) => (http ? http.close(() => done()) : done()));
    rmSync(work, { recursive: true, force: true });
  };
  try {
    const before = process.env.NODE_ENV;
    if (options.production === true) process.env.NODE_ENV = 'production';
    try {
      await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true, sourcemap: false } });
    } finally {
      process.env.NODE_ENV = before;
    }
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

    mkdirSync(userData);
    writeFileSync(join(userData, 'settings.json'), JSON.stringify(options.settings));
    const events = new RendererEventQueue({ logger: silentLogger });
    const storage = new HostStorage({ dir: userData, notify: events.notify, logger: silentLogger });
    await storage.load();
    let pageOrigin = '';
    const reports: CallStateReport[] = [];
    const context: DesktopContext = { work, userData, events, storage, reports, pageOrigin: () => pageOrigin };
    const ipcMain = new CallableIpcMain();
    const registry = new IpcRegistry({ ipcMain, logger: silentLogger, isTrustedSender: (s) => s === CONTENTS });
    registerDesktopHost(
      registry,
      createDesktopHost({
        storage,
        probeServer: async () => ({ ok: false, reason: 'unreachable', message: 'not in this test', fingerprint: null }),
        discovery: { start: () => [], stop: async () => undefined },
        appInfo: () => ({ host: 'desktop', version: '0.1.0-e2e', platform: 'linux' }),
        onCallState: (report) => {
          reports.push(report);
          events.rendererReported();
        },
        showIncomingCall: () => undefined,
        dismissIncomingCall: () => undefined,
        chooseScreenSource: () => undefined,
        openExternal: async () => undefined,
        ...(await options.host(context)),
      }),
    );

    const appHandler = createAppProtocolHandler({ rootDir: rendererDir, logger: silentLogger });
    const httpServer = createHttpServer((req, res) => {
      void appHandler({ url: `app://parley${req.url ?? '/'}`, method: req.method ?? 'GET' }).then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        res.end(Buffer.from(await response.arrayBuffer()));
      });
    });
    http = httpServer;
    await new Promise<void>((done) => httpServer.listen(0, '127.0.0.1', done));
    const httpAddress = httpServer.address();
    if (httpAddress === null || typeof httpAddress === 'string') throw new Error('no http port');
    pageOrigin = `http://127.0.0.1:${httpAddress.port}`;

    browser = await launchChromium();
    const browserContext = await browser.newContext(options.colorScheme === undefined ? {} : { colorScheme: options.colorScheme });
    await browserContext.exposeFunction('__parleyInvoke', (channel: string, args: unknown[]) => ipcMain.invoke(channel, EVENT, ...args));
    await browserContext.exposeFunction('__parleySend', (channel: string, args: unknown[]) => ipcMain.send(channel, EVENT, ...args));
    await browserContext.addInitScript({
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
    const page = await browserContext.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    if (options.consoleErrors !== false) {
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
    }
    if (options.deliverEvents !== false) {
      events.attach({
        send: (channel, payload) => {
          void page.evaluate(([c, p]) => (globalThis as unknown as { __parleyEmit(c: string, p: unknown): void }).__parleyEmit(c, p), [
            channel,
            payload,
          ] as const);
        },
        isDestroyed: () => page.isClosed(),
      });
    }
    await page.goto(`${pageOrigin}/index.html`);
    return { ...context, browser, page, pageErrors, close };
  } catch (error) {
    await close().catch((closeError: unknown) => console.error('the desktop page could not be closed after its start failed', closeError));
    throw error;
  }
}

/**
 * The embedded signaling server (its Origin allowlist also gets the page's origin,
 * standing in for app://parley) and received files in `work`/Downloads, as main
 * wires them; stop the server after the tests.
 */
export async function embeddedServerAndDownloads(context: DesktopContext): Promise<{ server: EmbeddedServer; downloads: DownloadService }> {
  const { work, userData, events, storage } = context;
  const server = new EmbeddedServer({
    createServer: (options) => createSignalingServer({ ...options, allowedOrigins: [...(options.allowedOrigins ?? []), context.pageOrigin()] }),
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
  return { server, downloads };
}

/** Settings that host the embedded server on loopback at `port` (password 'e2e'), joining nothing. */
export function hostingOn(port: number): Settings {
  return { ...DEFAULT_SETTINGS, server: { mode: 'local', join: [], host: { ...DEFAULT_SETTINGS.server.host, port, password: 'e2e' } } };
}
