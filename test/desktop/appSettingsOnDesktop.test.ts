/**
 * Issue 16.4 in the real renderer (Vite build, real Chromium) over main's real IPC
 * registry, desktop host and storage (the preload bridge over Playwright bindings,
 * as in rendererOnDesktopHost.test.ts): Settings → This computer and Appearance.
 * Each change applies at once: the theme on the page, start at login as an XDG
 * autostart file (temp HOME), the mute shortcut recorded by pressing keys and
 * registered by main before it is saved (one another app holds is refused in the
 * field).
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
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../preload/contract';
import { createDesktopHost, registerDesktopHost } from '../../main/ipc/desktopHost';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import type { IpcEventLike } from '../../main/ipc/validateSender';
import { AUTOSTART_FILE, LoginItemService } from '../../main/loginItem/loginItem';
import { createAppProtocolHandler } from '../../main/protocol/appProtocol';
import { MuteShortcutService, checkShortcutPatch, type GlobalShortcutLike } from '../../main/shortcuts/muteShortcut';
import { HostStorage } from '../../main/storage/hostStorage';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { launchChromium } from '../support/chromium';
import { CallableIpcMain, eventually, silentLogger } from './fakes';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const FRAME = { url: 'app://parley/index.html', parent: null };
const CONTENTS = { mainFrame: FRAME };
const EVENT: IpcEventLike = { senderFrame: FRAME, sender: CONTENTS };

class FakeGlobalShortcut implements GlobalShortcutLike {
  readonly owned = new Set<string>();
  readonly takenByOthers = new Set<string>(['CommandOrControl+Alt+K']);
  register(accelerator: string): boolean {
    if (this.takenByOthers.has(accelerator)) return false;
    this.owned.add(accelerator);
    return true;
  }
  unregister(accelerator: string): void {
    this.owned.delete(accelerator);
  }
}

let work = '';
let home = '';
let browser: Browser | null = null;
let page: Page | null = null;
let http: Server | null = null;
const shortcuts = new FakeGlobalShortcut();
const pageErrors: string[] = [];

const onDisk = (): Settings => settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'parley-app-settings-'));
  home = join(work, 'home');
  mkdirSync(home);
  const rendererDir = join(work, 'renderer');
  const userData = join(work, 'userData');
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await viteBuild({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: rendererDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = before;
  }
  const bridgeBundle = await esbuild({
    stdin: { contents: "import { createPreloadBridge } from './preload/bridge'; globalThis.__createParleyBridge = createPreloadBridge;", resolveDir: root, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  });

  mkdirSync(userData);
  // A named user, joining a server that is not there: Settings works offline.
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    displayName: 'Ada',
    server: { mode: 'off', join: [{ url: 'http://127.0.0.1:9', fingerprint: null, password: '', allowPlaintext: false }], host: DEFAULT_SETTINGS.server.host },
  };
  writeFileSync(join(userData, 'settings.json'), JSON.stringify(settings));

  const events = new RendererEventQueue({ logger: silentLogger });
  const storage = new HostStorage({ dir: userData, notify: events.notify, logger: silentLogger });
  await storage.load();
  const shortcut = new MuteShortcutService({ globalShortcut: shortcuts, events, notify: events.notify, logger: silentLogger });
  shortcut.apply(settings.muteShortcut);
  const loginItem = new LoginItemService({
    platform: 'linux',
    setLoginItemSettings: () => {
      throw new Error('not on Linux');
    },
    command: { path: '/opt/Parley/parley', args: [] },
    env: { HOME: home },
    notify: events.notify,
    logger: silentLogger,
  });
  // As main/index.ts wires them.
  storage.onSettingsChanged((next, previous) => {
    if (next.startAtLogin !== previous.startAtLogin) void loginItem.apply(next.startAtLogin);
  });
  const ipcMain = new CallableIpcMain();
  const registry = new IpcRegistry({ ipcMain, logger: silentLogger, isTrustedSender: (s) => s === CONTENTS });
  registerDesktopHost(
    registry,
    createDesktopHost({
      storage,
      server: { endpoint: async () => ({ url: 'http://127.0.0.1:9', password: null }), status: () => ({ state: 'off' }) } as never,
      probeServer: async () => ({ ok: false, reason: 'unreachable', message: 'not in this test', fingerprint: null }),
      discovery: { start: () => [], stop: async () => undefined },
      downloads: { folder: () => ({ path: join(work, 'Downloads') }) } as never,
      appInfo: () => ({ host: 'desktop', version: '0.1.0-e2e', platform: 'linux' }),
      onCallState: () => events.rendererReported(),
      showIncomingCall: () => undefined,
      dismissIncomingCall: () => undefined,
      chooseScreenSource: () => undefined,
      openExternal: async () => undefined,
      prepareSettingsPatch: (patch) => checkShortcutPatch(shortcut, patch),
    }),
  );

  const appHandler = createAppProtocolHandler({ rootDir: rendererDir, logger: silentLogger });
  http = createHttpServer((req, res) => {
    void appHandler({ url: `app://parley${req.url ?? '/'}`, method: req.method ?? 'GET' }).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((done) => http?.listen(0, '127.0.0.1', done));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no http port');

  browser = await launchChromium();
  const context = await browser.newContext({ colorScheme: 'light' });
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
        window.parley = Object.freeze(globalThis.__createParleyBridge(ipc));
      })();`,
  });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`http://127.0.0.1:${address.port}/index.html`);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (http ? http.close(() => done()) : done()));
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

async function openSettings(): Promise<ReturnType<Page['getByRole']>> {
  const p = page;
  if (p === null) throw new Error('no page');
  const dialog = p.getByRole('dialog', { name: 'Settings' });
  if (!(await dialog.isVisible())) await p.getByRole('button', { name: 'Settings' }).click({ timeout: 30_000 });
  await dialog.getByRole('heading', { name: 'This computer' }).waitFor({ timeout: 30_000 });
  return dialog;
}

/** Retries an async check until it passes (fakes.ts eventually takes a sync one). */
async function eventuallyAsync(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

const bg = (): Promise<string> =>
  (page as Page).evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());

describe('Settings → Appearance and This computer, on the desktop host', () => {
  it('the theme applies at once: dark, light, and back to following the system live', async () => {
    const p = page as Page;
    const settings = await openSettings();
    expect(await bg()).toBe('#f3f4f7');
    await settings.getByRole('radio', { name: 'Dark' }).check();
    await eventuallyAsync(async () => expect(await bg()).toBe('#0e1014'));
    expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await eventually(() => expect(onDisk().theme).toBe('dark'));
    await settings.getByRole('radio', { name: 'Light' }).check();
    await p.emulateMedia({ colorScheme: 'dark' });
    await eventuallyAsync(async () => expect(await bg()).toBe('#f3f4f7')); // pinned light, whatever the system says
    await settings.getByRole('radio', { name: 'Like the system' }).check();
    await eventuallyAsync(async () => expect(await bg()).toBe('#0e1014'));
    await p.emulateMedia({ colorScheme: 'light' }); // the system changes: followed live
    await eventuallyAsync(async () => expect(await bg()).toBe('#f3f4f7'));
    await eventually(() => expect(onDisk().theme).toBe('system'));
  });

  it('start at login writes and removes the XDG autostart file; the tray toggles are saved at once', async () => {
    const settings = await openSettings();
    const file = join(home, '.config', 'autostart', AUTOSTART_FILE);
    await settings.getByRole('checkbox', { name: 'Start Parley when I log in' }).check();
    await eventually(() => expect(existsSync(file)).toBe(true));
    expect(onDisk().startAtLogin).toBe(true);
    await settings.getByRole('checkbox', { name: 'Start Parley when I log in' }).uncheck();
    await eventually(() => expect(existsSync(file)).toBe(false));
    await settings.getByRole('checkbox', { name: 'Keep Parley running in the tray when the window is closed' }).uncheck();
    await settings.getByRole('checkbox', { name: 'Start minimised to the tray' }).check();
    await eventually(() => expect([onDisk().closeToTray, onDisk().startMinimised]).toEqual([false, true]));
  });

  it('the mute shortcut is recorded by pressing it: a modifier is required, one another app holds is refused, a free one is registered and saved', async () => {
    const p = page as Page;
    const settings = await openSettings();
    const recorder = settings.getByTestId('shortcut-recorder');
    await expect(recorder.innerText()).resolves.toBe('Ctrl+Shift+M');
    await recorder.click();
    await p.keyboard.press('Shift+M');
    await settings.getByRole('alert').filter({ hasText: 'needs a modifier' }).waitFor();
    await p.keyboard.press('Control+Alt+K');
    await settings.getByRole('alert').filter({ hasText: 'CommandOrControl+Alt+K is taken by another app' }).waitFor();
    expect(onDisk().muteShortcut).toBe('CommandOrControl+Shift+M');
    expect([...shortcuts.owned]).toEqual(['CommandOrControl+Shift+M']);
    await recorder.click();
    await p.keyboard.press('Control+Shift+L');
    await settings.getByText('Saved: Ctrl+Shift+L mutes and unmutes you from any app.').waitFor();
    await eventually(() => expect(onDisk().muteShortcut).toBe('CommandOrControl+Shift+L'));
    expect([...shortcuts.owned]).toEqual(['CommandOrControl+Shift+L']);
    await settings.getByRole('button', { name: 'Turn off' }).click();
    await eventually(() => expect(onDisk().muteShortcut).toBe(''));
    expect([...shortcuts.owned]).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
