/**
 * The composition root (main/index.ts) run for real in Node, with only the
 * 'electron' module replaced by a recording fake: real storage in a temp folder,
 * the real signaling server on loopback, the real protocol handler and IPC registry.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  SEND_CHANNELS,
  requestSchemas,
  type CallStateReport,
  type ServerEndpoint,
  type Settings,
} from '../../preload/contract';
import { freePort } from '../support/freePort';
import { makeCertificate } from './certificates';
import { eventually } from './fakes';
import { FakeBrowserWindow, FakeNotification, FakeTray, fake, type FakeFrame } from './fakeElectron';

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule);

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
let dir = '';
let port = 0;

const win = (): FakeBrowserWindow => {
  const w = FakeBrowserWindow.instances[0];
  if (w === undefined) throw new Error('no window');
  return w;
};
const invoke = (channel: string, ...args: unknown[]) => fake.ipcMain.invoke(win().webContents, win().webContents.mainFrame, channel, ...args);
const sendFromPage = (channel: string, payload: unknown) =>
  fake.ipcMain.send(win().webContents, win().webContents.mainFrame, channel, payload);
const sentTo = (channel: string) => win().webContents.sent.filter(([c]) => c === channel).map(([, p]) => p);

interface MenuTemplateItem {
  label?: string;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}
const trayMenu = (): MenuTemplateItem[] => {
  const menu = FakeTray.instances[0]?.menu as { template: MenuTemplateItem[] } | null;
  return menu?.template ?? [];
};

const inCall: CallStateReport = {
  phase: 'in_call',
  status: 'available',
  muted: false,
  cameraOn: true,
  sharing: false,
  caller: null,
  contacts: [{ userId: 'user_ABC-123', displayName: 'Ada', status: 'available', favourite: true }],
};

let SELF_SIGNED_PEM = '';

beforeAll(async () => {
  SELF_SIGNED_PEM = (await makeCertificate()).cert;
  dir = mkdtempSync(join(tmpdir(), 'parley-main-'));
  port = await freePort();
  // Written as a Parley from before issue 13 kept it: main upgrades it field by field.
  const settings = { ...DEFAULT_SETTINGS, server: { mode: 'host', port, lan: false, password: 'pw' } };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  fake.app.userData = dir;
  fake.app.appPath = root;
  await import('../../main/index');
  fake.app.becomeReady();
  await eventually(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
}, 60_000);

afterAll(async () => {
  if (!fake.app.exited) fake.app.quit();
  await eventually(() => expect(fake.app.exited).toBe(true));
  rmSync(dir, { recursive: true, force: true });
});

describe('main process (composition root)', () => {
  it('registers app:// as a privileged standard scheme and sandboxes every renderer', () => {
    expect(fake.registered.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
    ]);
    expect(fake.app.calls).toContain('enableSandbox');
    expect(fake.app.calls).toContain('protocolClient:parley');
  });

  it('opens one hardened window on app://parley with the preload bundle', () => {
    const w = win();
    expect(w.loadedUrl).toBe('app://parley/index.html');
    expect(w.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      preload: join(root, 'dist', 'preload', 'index.cjs'),
    });
    expect(w.webContents.ipPolicy).toBe('default_public_and_private_interfaces');
    // Hardening came through 'web-contents-created'.
    expect(w.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    let prevented = false;
    w.webContents.emit('will-navigate', { url: 'https://evil.example/', preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    w.emit('ready-to-show');
    expect(w.calls).toContain('show');
  });

  it('installs the permission, device and display-media handlers on the session', () => {
    expect(fake.sessionCalls.permissionRequest).toBeTypeOf('function');
    expect(fake.sessionCalls.permissionCheck).toBeTypeOf('function');
    expect(fake.sessionCalls.devicePermission?.({})).toBe(false);
    expect(fake.sessionCalls.displayMedia).toBeTypeOf('function');
    expect(fake.sessionCalls.certificateVerify).toBeTypeOf('function');
  });

  it('serves app:// with the CSP and refuses traversal', async () => {
    const handler = fake.registered.handlers.get('app');
    const response = (await handler?.({ url: 'app://parley/%2e%2e/package.json', method: 'GET' })) as Response;
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('answers every contract channel from the app frame, and nothing from a subframe', async () => {
    const registered = [...fake.ipcMain.handlers.keys(), ...fake.ipcMain.listeners.keys()].sort();
    expect(registered).toEqual(Object.keys(requestSchemas).sort());
    const settings = (await invoke(INVOKE_CHANNELS.getSettings)) as Settings;
    expect(settings.server).toEqual({ mode: 'local', join: [], host: { port, password: 'pw', stunUrls: [], turnUrls: [], turnSecret: '' } });
    const iframe: FakeFrame = { url: 'app://parley/index.html', parent: win().webContents.mainFrame };
    await expect(fake.ipcMain.invoke(win().webContents, iframe, INVOKE_CHANNELS.getSettings)).rejects.toThrow(/subframe/);
    const info = await invoke(INVOKE_CHANNELS.getAppInfo);
    expect(info).toMatchObject({ host: 'desktop', version: '0.1.0-test' });
  });

  it('hosts the signaling server and hands the renderer its loopback endpoint', async () => {
    const endpoint = (await invoke(INVOKE_CHANNELS.getServerEndpoint)) as ServerEndpoint;
    expect(endpoint).toEqual({ urls: [`http://127.0.0.1:${port}`], password: 'pw' });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).ok).toBe(true);
    expect(await invoke(INVOKE_CHANNELS.getHostedServer)).toMatchObject({ state: 'running', mode: 'local', port, fingerprint: null, urls: [] });
  });


  it('the tray and the power blocker follow call-state reports; tray clicks reach the window', async () => {
    sendFromPage(SEND_CHANNELS.reportCallState, inCall);
    await eventually(() => expect(trayMenu().some((i) => i.label === 'Mute')).toBe(true));
    expect(FakeTray.instances[0]?.image).toBe(join(root, 'build', 'tray', 'in-call.png'));
    expect([...fake.blockers.values()]).toEqual(['prevent-display-sleep']);
    trayMenu()
      .find((i) => i.label === 'Mute')
      ?.click?.();
    expect(sentTo(EVENT_CHANNELS.callAction)).toContainEqual({ type: 'toggle-mute' });
  });

  it('waking from sleep or unlocking the screen asks the renderer to check its call connections', () => {
    const before = sentTo(EVENT_CHANNELS.callAction).length;
    fake.powerMonitor.emit('resume');
    fake.powerMonitor.emit('unlock-screen');
    expect(sentTo(EVENT_CHANNELS.callAction).slice(before)).toEqual([{ type: 'network-check' }, { type: 'network-check' }]);
  });

  it('a parley:// link from a second launch shows the window and asks for the call', () => {
    fake.app.emit('second-instance', {}, ['/opt/Parley/parley', 'parley://call/user_ABC-123?media=video'], '/');
    expect(sentTo(EVENT_CHANNELS.callRequested)).toContainEqual({ userId: 'user_ABC-123', media: 'video', via: 'link' });
    expect(win().calls).toContain('focus');
  });

  it('a parley:// link from macOS (open-url) is routed the same way, and a bad one is ignored', () => {
    let prevented = false;
    fake.app.emit('open-url', { preventDefault: () => (prevented = true) }, 'parley://call/user_XYZ-456');
    fake.app.emit('open-url', { preventDefault: () => undefined }, 'parley://call/../../etc/passwd');
    expect(prevented).toBe(true);
    const requests = sentTo(EVENT_CHANNELS.callRequested);
    expect(requests.at(-1)).toEqual({ userId: 'user_XYZ-456', media: 'audio', via: 'link' });
    expect(requests).toHaveLength(2);
  });

  it('an incoming call shows a notification whose Accept answers the call', async () => {
    await invoke(INVOKE_CHANNELS.showIncomingCall, { callId: 'call-abcdefgh', callerName: 'Ada', media: 'audio' });
    const notification = FakeNotification.instances[0];
    expect(notification?.shown).toBe(true);
    expect(win().calls).toContain('flash:true');
    notification?.emit('action', { actionIndex: 0 }, 0);
    expect(sentTo(EVENT_CHANNELS.callAction)).toContainEqual({ type: 'accept', video: false });
    sendFromPage(SEND_CHANNELS.dismissIncomingCall, 'call-abcdefgh');
    expect(notification?.closed).toBe(true);
  });

  it('settings changes re-register the mute shortcut and apply relay-only to WebRTC', async () => {
    expect([...fake.shortcuts.keys()]).toEqual(['CommandOrControl+Shift+M']);
    await invoke(INVOKE_CHANNELS.updateSettings, { muteShortcut: 'Alt+M', relayOnly: true });
    expect([...fake.shortcuts.keys()]).toEqual(['Alt+M']);
    expect(win().webContents.ipPolicy).toBe('disable_non_proxied_udp');
    fake.shortcuts.get('Alt+M')?.();
    expect(sentTo(EVENT_CHANNELS.callAction).at(-1)).toEqual({ type: 'toggle-mute' });
  });

  it('a crashed renderer is reloaded, and events wait for the new page', () => {
    const contents = win().webContents;
    contents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(contents.reloads).toBe(1);
    const before = contents.sent.length;
    fake.app.emit('second-instance', {}, ['parley', 'parley://call/user_ABC-123'], '/');
    expect(contents.sent.length).toBe(before);
    sendFromPage(SEND_CHANNELS.reportCallState, { ...inCall, phase: 'idle' });
    expect(sentTo(EVENT_CHANNELS.callRequested).at(-1)).toEqual({ userId: 'user_ABC-123', media: 'audio', via: 'link' });
  });

  it('a received file streamed from the page is saved by main in the Downloads folder, and can be shown there', async () => {
    const bytes = new Uint8Array(40_000).map((_, i) => i & 255);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const { id } = (await invoke(INVOKE_CHANNELS.beginDownload, { name: 'notes/../../plan.txt', size: bytes.byteLength, sha256 })) as {
      id: string;
    };
    await invoke(INVOKE_CHANNELS.writeDownload, { id, chunk: bytes.subarray(0, 16_384) });
    await invoke(INVOKE_CHANNELS.writeDownload, { id, chunk: bytes.subarray(16_384) });
    const saved = join(dir, 'Downloads', 'plan.txt');
    expect(await invoke(INVOKE_CHANNELS.finishDownload, { id })).toEqual({ ok: true, path: saved, sha256 });
    expect(readFileSync(saved).equals(Buffer.from(bytes))).toBe(true);
    await invoke(INVOKE_CHANNELS.revealDownload, { id });
    expect(fake.shownInFolder).toEqual([saved]);

    const chosen = join(dir, 'Elsewhere');
    mkdirSync(chosen);
    fake.openDialogAnswer = chosen;
    expect(await invoke(INVOKE_CHANNELS.chooseDownloadFolder)).toBe(chosen);
    expect(await invoke(INVOKE_CHANNELS.getDownloadFolder)).toBe(chosen);
  });

  it('refuses an unpinned self-signed certificate for the window, with a notice naming the host (queued notices flow: the renderer reported)', async () => {
    const verify = fake.sessionCalls.certificateVerify as (request: unknown, callback: (result: number) => void) => void;
    const results: number[] = [];
    verify({ hostname: '10.9.9.9', certificate: { data: SELF_SIGNED_PEM }, verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID', errorCode: -202 }, (r) =>
      results.push(r),
    );
    expect(results).toEqual([-2]);
    await eventually(() =>
      expect(win().webContents.sent.some(([channel, payload]) => channel === 'parley:notice' && JSON.stringify(payload).includes('10.9.9.9'))).toBe(true),
    );
  });

  it('closing the window hides it to the tray; quitting stops the server and cleans up', async () => {
    let prevented = false;
    win().emit('close', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    expect(win().calls.at(-1)).toBe('hide');

    fake.app.quit();
    await eventually(() => expect(fake.app.exited).toBe(true));
    expect(fake.app.quitRequests).toBe(2); // the first was held until the server closed
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    expect(FakeTray.instances[0]?.destroyed).toBe(true);
    expect(fake.shortcuts.size).toBe(0);
    expect(fake.blockers.size).toBe(0);
  });
});
