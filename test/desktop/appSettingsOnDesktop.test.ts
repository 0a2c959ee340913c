/**
 * Issue 16.4 in the real renderer (Vite build, real Chromium) over main's real IPC
 * registry, desktop host and storage (the preload bridge over Playwright bindings,
 * as in rendererOnDesktopHost.test.ts): Settings → This computer and Appearance.
 * Each change applies at once: the theme on the page, start at login as an XDG
 * autostart file (temp HOME), the mute shortcut recorded by pressing keys and
 * registered by main before it is saved (one another app holds is refused in the
 * field).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../../preload/contract';
import { AUTOSTART_FILE, LoginItemService } from '../../main/loginItem/loginItem';
import { MuteShortcutService, checkShortcutPatch, type GlobalShortcutLike } from '../../main/shortcuts/muteShortcut';
import { openDesktopPage, type DesktopPage } from './desktopPage';
import { eventually, silentLogger } from './fakes';

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

let desktop: DesktopPage | null = null;
let work = '';
let home = '';
let page: Page | null = null;
const shortcuts = new FakeGlobalShortcut();
let pageErrors: string[] = [];

const onDisk = (): Settings => settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));

beforeAll(async () => {
  // A named user, joining a server that is not there: Settings works offline.
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    displayName: 'Ada',
    server: { mode: 'off', join: [{ url: 'http://127.0.0.1:9', fingerprint: null, password: '', allowPlaintext: false }], host: DEFAULT_SETTINGS.server.host },
  };
  desktop = await openDesktopPage({
    name: 'parley-app-settings-',
    settings,
    production: true,
    colorScheme: 'light',
    deliverEvents: false,
    consoleErrors: false,
    host: ({ work: folder, events, storage }) => {
      home = join(folder, 'home');
      mkdirSync(home);
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
      return {
        server: { endpoint: async () => ({ url: 'http://127.0.0.1:9', password: null }), status: () => ({ state: 'off' }) } as never,
        downloads: { folder: () => ({ path: join(folder, 'Downloads') }) } as never,
        prepareSettingsPatch: (patch) => checkShortcutPatch(shortcut, patch),
      };
    },
  });
  ({ work, page, pageErrors } = desktop);
}, 180_000);

afterAll(async () => {
  await desktop?.close();
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

/** The page's background as painted: theme.css's --bg is light-dark(#f3f4f7, #0e1014), resolved by the color-scheme. */
const bg = (): Promise<string> => (page as Page).evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT_BG = 'rgb(243, 244, 247)'; // #f3f4f7
const DARK_BG = 'rgb(14, 16, 20)'; // #0e1014

describe('Settings → Appearance and This computer, on the desktop host', () => {
  it('the theme applies at once: dark, light, and back to following the system live', async () => {
    const p = page as Page;
    const settings = await openSettings();
    expect(await bg()).toBe(LIGHT_BG);
    await settings.getByRole('radio', { name: 'Dark' }).check();
    await eventuallyAsync(async () => expect(await bg()).toBe(DARK_BG));
    expect(await p.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await eventually(() => expect(onDisk().theme).toBe('dark'));
    await settings.getByRole('radio', { name: 'Light' }).check();
    await p.emulateMedia({ colorScheme: 'dark' });
    await eventuallyAsync(async () => expect(await bg()).toBe(LIGHT_BG)); // pinned light, whatever the system says
    await settings.getByRole('radio', { name: 'Like the system' }).check();
    await eventuallyAsync(async () => expect(await bg()).toBe(DARK_BG));
    await p.emulateMedia({ colorScheme: 'light' }); // the system changes: followed live
    await eventuallyAsync(async () => expect(await bg()).toBe(LIGHT_BG));
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
