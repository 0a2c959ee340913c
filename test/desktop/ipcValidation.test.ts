import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  INVOKE_CHANNELS,
  SEND_CHANNELS,
  requestSchemas,
  type CallStateReport,
} from '../../preload/contract';
import { DownloadService } from '../../main/files/downloadService';
import { withLanPassword } from '../../main/server/serverAccess';
import { createDesktopHost, registerDesktopHost } from '../../main/ipc/desktopHost';
import { IpcRegistry } from '../../main/ipc/ipcRegistry';
import { validatePayload, validateSender, type IpcEventLike, type SenderFrameLike } from '../../main/ipc/validateSender';
import { HostStorage } from '../../main/storage/hostStorage';
import { callStateReport } from '../support/callStateReport';
import { CallableIpcMain, recordingLogger, silentLogger } from './fakes';

const mainFrame: SenderFrameLike = { url: 'app://parley/index.html', parent: null };
const ourContents = { mainFrame };
const trusted = (sender: unknown): boolean => sender === ourContents;

const event = (frame: SenderFrameLike | null, sender: { mainFrame: SenderFrameLike } = ourContents): IpcEventLike => ({
  senderFrame: frame,
  sender,
});

describe('validateSender', () => {
  it('accepts the main frame of our window at app://parley', () => {
    expect(validateSender(event(mainFrame), trusted)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['https://evil.example/'],
    ['app://parley.evil/index.html'],
    ['app://evil/index.html'],
    ['file:///work/main/dist/renderer/index.html'],
    ['http://127.0.0.1:7300/'],
    ['about:blank'],
    ['devtools://devtools/bundled/inspector.html'],
  ])('rejects a main frame showing %s', (url) => {
    const foreign: SenderFrameLike = { url, parent: null };
    const verdict = validateSender(event(foreign, { mainFrame: foreign }), (s) => s !== null);
    expect(verdict.ok).toBe(false);
  });

  it('rejects a subframe, even one at app://parley', () => {
    const iframe: SenderFrameLike = { url: 'app://parley/index.html', parent: mainFrame };
    expect(validateSender(event(iframe), trusted)).toMatchObject({ ok: false, reason: expect.stringContaining('subframe') });
  });

  it('rejects a frame that is gone', () => {
    expect(validateSender(event(null), trusted)).toMatchObject({ ok: false });
  });

  it('rejects another webContents, even at app://parley', () => {
    const otherFrame: SenderFrameLike = { url: 'app://parley/index.html', parent: null };
    expect(validateSender(event(otherFrame, { mainFrame: otherFrame }), trusted)).toMatchObject({ ok: false });
  });
});

describe('validatePayload', () => {
  it('rejects unknown channels', () => {
    expect(validatePayload('parley:shell:exec', ['rm -rf /'])).toMatchObject({ ok: false, reason: expect.stringContaining('unknown channel') });
    expect(validatePayload('__proto__', [])).toMatchObject({ ok: false });
  });

  it.each([
    [INVOKE_CHANNELS.openExternal, ['http://example.com/']],
    [INVOKE_CHANNELS.openExternal, ['javascript:alert(1)']],
    [INVOKE_CHANNELS.updateSettings, [{ relayOnly: 'yes' }]],
    [INVOKE_CHANNELS.updateSettings, [{ nodeIntegration: true }]],
    [INVOKE_CHANNELS.setFavourites, [[{ userId: '../../etc', displayName: 'x' }]]],
    [INVOKE_CHANNELS.getSettings, ['unexpected']],
    [INVOKE_CHANNELS.getSettings, [undefined, undefined]],
    [SEND_CHANNELS.dismissIncomingCall, [42]],
    [SEND_CHANNELS.chooseScreenSource, [{ requestId: 'r', sourceId: 'screen:0:0', extra: true }]],
  ])('rejects a bad payload on %s: %j', (channel, args) => {
    expect(validatePayload(channel, args).ok).toBe(false);
  });

  it.each([
    [INVOKE_CHANNELS.getSettings, []],
    [INVOKE_CHANNELS.openExternal, ['https://example.com/']],
    [INVOKE_CHANNELS.updateSettings, [{ relayOnly: true }]],
    [SEND_CHANNELS.chooseScreenSource, [{ requestId: 'r', sourceId: null }]],
  ])('accepts a good payload on %s: %j', (channel, args) => {
    expect(validatePayload(channel, args).ok).toBe(true);
  });
});

describe('IpcRegistry', () => {
  it('runs the handler only for valid messages, and answers rejections with an error', async () => {
    const ipc = new CallableIpcMain();
    const { logger, lines } = recordingLogger();
    const registry = new IpcRegistry({ ipcMain: ipc, logger, isTrustedSender: trusted });
    const opened: string[] = [];
    registry.handle(INVOKE_CHANNELS.openExternal, (url) => {
      opened.push(url);
    });

    await ipc.invoke(INVOKE_CHANNELS.openExternal, event(mainFrame), 'https://example.com/');
    await expect(ipc.invoke(INVOKE_CHANNELS.openExternal, event(mainFrame), 'file:///etc/passwd')).rejects.toThrow(
      /refused the request on parley:open-external: invalid payload/,
    );
    const iframe: SenderFrameLike = { url: 'app://parley/index.html', parent: mainFrame };
    await expect(ipc.invoke(INVOKE_CHANNELS.openExternal, event(iframe), 'https://example.com/')).rejects.toThrow(/subframe/);
    const evil: SenderFrameLike = { url: 'https://evil.example/', parent: null };
    await expect(
      ipc.invoke(INVOKE_CHANNELS.openExternal, event(evil, { mainFrame: evil }), 'https://example.com/'),
    ).rejects.toThrow(/not a Parley window/);

    expect(opened).toEqual(['https://example.com/']);
    const rejections = lines().filter((l) => l.msg === 'IPC request rejected');
    expect(rejections).toHaveLength(3);
    expect(rejections.every((l) => l.channel === INVOKE_CHANNELS.openExternal && typeof l.reason === 'string')).toBe(true);
  });

  it('drops invalid one-way messages without calling the handler', () => {
    const ipc = new CallableIpcMain();
    const registry = new IpcRegistry({ ipcMain: ipc, logger: silentLogger, isTrustedSender: trusted });
    const dismissed: string[] = [];
    registry.on(SEND_CHANNELS.dismissIncomingCall, (callId) => dismissed.push(callId));
    ipc.send(SEND_CHANNELS.dismissIncomingCall, event(mainFrame), 'call-abcdefgh');
    ipc.send(SEND_CHANNELS.dismissIncomingCall, event(mainFrame), { callId: 'x' });
    ipc.send(SEND_CHANNELS.dismissIncomingCall, event({ url: 'app://parley/', parent: mainFrame }), 'call-abcdefgh');
    expect(dismissed).toEqual(['call-abcdefgh']);
  });

  it('refuses to register a channel the contract does not know', () => {
    const registry = new IpcRegistry({ ipcMain: new CallableIpcMain(), logger: silentLogger, isTrustedSender: trusted });
    expect(() => registry.handle('parley:secret' as typeof INVOKE_CHANNELS.getSettings, () => null)).toThrow(/no schema/);
  });

  it('dispose removes every handler and listener', () => {
    const ipc = new CallableIpcMain();
    const registry = new IpcRegistry({ ipcMain: ipc, logger: silentLogger, isTrustedSender: trusted });
    registry.handle(INVOKE_CHANNELS.getSettings, () => null);
    registry.on(SEND_CHANNELS.reportCallState, () => undefined);
    registry.dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listeners.get(SEND_CHANNELS.reportCallState)).toEqual([]);
  });
});

describe('the desktop host over IPC', () => {
  let dir = '';
  afterEach(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  async function host() {
    dir = mkdtempSync(join(tmpdir(), 'parley-host-'));
    const storage = new HostStorage({ dir, notify: () => undefined, logger: silentLogger });
    await storage.load();
    const ipc = new CallableIpcMain();
    const reports: CallStateReport[] = [];
    const opened: string[] = [];
    const registry = new IpcRegistry({ ipcMain: ipc, logger: silentLogger, isTrustedSender: trusted });
    const downloadFolder = join(dir, 'Downloads');
    const chosenFolder = join(dir, 'Chosen');
    mkdirSync(downloadFolder);
    mkdirSync(chosenFolder);
    const dialogs: string[] = [];
    const revealed: string[] = [];
    const downloads = new DownloadService({
      dir,
      defaultFolder: downloadFolder,
      maxBytes: () => storage.getSettings().maxFileBytes,
      showOpenDialog: async (options) => {
        dialogs.push(options.title);
        return { canceled: false, filePaths: [chosenFolder] };
      },
      showItemInFolder: (path) => void revealed.push(path),
      notify: () => undefined,
      logger: silentLogger,
    });
    await downloads.load();
    registerDesktopHost(
      registry,
      createDesktopHost({
        storage,
        downloads,
        server: {
          endpoint: async (choice) =>
            choice.mode === 'off'
              ? { urls: choice.join.map((s) => s.url), password: choice.join[0]?.password ?? '' }
              : { urls: ['http://127.0.0.1:7300'], password: choice.host.password },
          status: () => ({ state: 'off' }),
        },
        probeServer: async (request) => ({ ok: true, fingerprint: request.fingerprint }),
        discovery: { start: () => [], stop: async () => undefined },
        appInfo: () => ({
          host: 'desktop',
          version: '0.1.0',
          platform: 'linux',
        }),
        onCallState: (report) => reports.push(report),
        showIncomingCall: () => undefined,
        dismissIncomingCall: () => undefined,
        chooseScreenSource: () => undefined,
        openExternal: async (url) => {
          opened.push(url);
        },
        // As main/index.ts wires it: LAN hosting never goes without a password.
        prepareSettingsPatch: (patch) => withLanPassword(patch, storage.getSettings()).patch,
      }),
    );
    return { ipc, reports, opened, downloadFolder, chosenFolder, dialogs, revealed };
  }

  it('registers a handler for every channel of the contract', async () => {
    const { ipc } = await host();
    const registered = [...ipc.handlers.keys(), ...ipc.listeners.keys()].sort();
    expect(registered).toEqual(Object.keys(requestSchemas).sort());
  });

  it('answers requests from the app with stored data', async () => {
    const { ipc, reports } = await host();
    const from = event(mainFrame);
    expect(await ipc.invoke(INVOKE_CHANNELS.getSettings, from)).toEqual(DEFAULT_SETTINGS);
    const updated = await ipc.invoke(INVOKE_CHANNELS.updateSettings, from, { displayName: 'Ada' });
    expect(updated).toMatchObject({ displayName: 'Ada' });
    expect(await ipc.invoke(INVOKE_CHANNELS.getServerEndpoint, from)).toEqual({ urls: ['http://127.0.0.1:7300'], password: '' });
    const report = callStateReport();
    ipc.send(SEND_CHANNELS.reportCallState, from, report);
    expect(reports).toEqual([report]);
  });

  it('saves a received file streamed over IPC inside the download folder, whatever name it came with', async () => {
    const { ipc, downloadFolder, revealed } = await host();
    const from = event(mainFrame);
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const begun = (await ipc.invoke(INVOKE_CHANNELS.beginDownload, from, { name: '../../escape.txt', size: 5, sha256 })) as { id: string };
    await ipc.invoke(INVOKE_CHANNELS.writeDownload, from, { id: begun.id, chunk: bytes });
    const done = await ipc.invoke(INVOKE_CHANNELS.finishDownload, from, { id: begun.id });
    expect(done).toEqual({ ok: true, path: join(downloadFolder, 'escape.txt'), sha256 });
    expect([...readFileSync(join(downloadFolder, 'escape.txt'))]).toEqual([1, 2, 3, 4, 5]);
    await ipc.invoke(INVOKE_CHANNELS.revealDownload, from, { id: begun.id });
    expect(revealed).toEqual([join(downloadFolder, 'escape.txt')]);
  });

  it('turning on LAN hosting through settings stores a generated password; a chosen one is kept', async () => {
    const { ipc } = await host();
    const from = event(mainFrame);
    const lan = { mode: 'lan', join: [], host: DEFAULT_SETTINGS.server.host } as const;
    const generated = (await ipc.invoke(INVOKE_CHANNELS.updateSettings, from, { server: lan })) as typeof DEFAULT_SETTINGS;
    expect(generated.server).toMatchObject({ mode: 'lan', host: { password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) } });
    const chosen = (await ipc.invoke(INVOKE_CHANNELS.updateSettings, from, {
      server: { ...lan, host: { ...lan.host, password: 'our-team' } },
    })) as typeof DEFAULT_SETTINGS;
    expect(chosen.server).toMatchObject({ host: { password: 'our-team' } });
  });

  it('refuses a plain-http server on another computer over IPC, with the reason, unless plaintext is allowed for it', async () => {
    const { ipc } = await host();
    const from = event(mainFrame);
    const join = (allowPlaintext: boolean) => ({
      server: { mode: 'off', join: [{ url: 'http://192.168.1.20:7300', fingerprint: null, password: 'pw', allowPlaintext }], host: DEFAULT_SETTINGS.server.host },
    });
    await expect(ipc.invoke(INVOKE_CHANNELS.updateSettings, from, join(false))).rejects.toThrow(/could read your password/);
    expect(await ipc.invoke(INVOKE_CHANNELS.getSettings, from)).toEqual(DEFAULT_SETTINGS);
    const allowed = (await ipc.invoke(INVOKE_CHANNELS.updateSettings, from, join(true))) as typeof DEFAULT_SETTINGS;
    expect(allowed.server.mode).toBe('off');
    expect(await ipc.invoke(INVOKE_CHANNELS.getServerEndpoint, from)).toEqual({ urls: ['http://192.168.1.20:7300'], password: 'pw' });
  });

  it('answers the hosted server, probe and discovery rows, and refuses a probe of a URL that is not a server address', async () => {
    const { ipc } = await host();
    const from = event(mainFrame);
    expect(await ipc.invoke(INVOKE_CHANNELS.getHostedServer, from)).toEqual({ state: 'off' });
    expect(await ipc.invoke(INVOKE_CHANNELS.startServerDiscovery, from)).toEqual([]);
    await ipc.invoke(INVOKE_CHANNELS.stopServerDiscovery, from);
    await expect(ipc.invoke(INVOKE_CHANNELS.probeServer, from, { url: 'file:///etc/passwd', fingerprint: null })).rejects.toThrow();
  });

  it('refuses download requests that fail the schema before they reach the writer', async () => {
    const { ipc, downloadFolder } = await host();
    const from = event(mainFrame);
    const sha256 = '0'.repeat(64);
    const refusals = [
      [INVOKE_CHANNELS.beginDownload, { name: 'a.txt', size: -1, sha256 }],
      [INVOKE_CHANNELS.beginDownload, { name: 'a.txt', size: 1, sha256: 'not-a-hash' }],
      [INVOKE_CHANNELS.beginDownload, { name: 'a.txt', size: 1, sha256, folder: '/etc' }],
      [INVOKE_CHANNELS.writeDownload, { id: 'download-00000001', chunk: [1, 2, 3] }],
      [INVOKE_CHANNELS.writeDownload, { id: 'download-00000001', chunk: new Uint8Array(2 * 1024 * 1024) }],
      [INVOKE_CHANNELS.finishDownload, { id: '../../x' }],
    ] as const;
    for (const [channel, payload] of refusals) {
      await expect(ipc.invoke(channel, from, payload), `${channel} ${JSON.stringify(payload).slice(0, 80)}`).rejects.toThrow(/refused/);
    }
    // From a page that is not Parley's, even a well-formed request is refused.
    const foreign: SenderFrameLike = { url: 'https://evil.example/', parent: null };
    await expect(
      ipc.invoke(INVOKE_CHANNELS.beginDownload, event(foreign, { mainFrame: foreign }), { name: 'a.txt', size: 1, sha256 }),
    ).rejects.toThrow(/refused/);
    expect(readdirSync(downloadFolder)).toEqual([]);
  });

  it('the download folder changes only through the system dialog, not through settings', async () => {
    const { ipc, downloadFolder, chosenFolder, dialogs } = await host();
    const from = event(mainFrame);
    expect(await ipc.invoke(INVOKE_CHANNELS.getDownloadFolder, from)).toBe(downloadFolder);
    await expect(ipc.invoke(INVOKE_CHANNELS.updateSettings, from, { downloadFolder: '/etc' })).rejects.toThrow(/refused/);
    expect(await ipc.invoke(INVOKE_CHANNELS.chooseDownloadFolder, from)).toBe(chosenFolder);
    expect(dialogs).toEqual(['Save received files to…']);
    expect(await ipc.invoke(INVOKE_CHANNELS.getDownloadFolder, from)).toBe(chosenFolder);
  });

  it('openExternal hands the shell the normalised https URL and refuses a user@host look-alike', async () => {
    const { ipc, opened } = await host();
    await ipc.invoke(INVOKE_CHANNELS.openExternal, event(mainFrame), 'https://example.com/a b');
    await expect(ipc.invoke(INVOKE_CHANNELS.openExternal, event(mainFrame), 'https://parley@evil.com/')).rejects.toThrow(
      /only plain https links/,
    );
    expect(opened).toEqual(['https://example.com/a%20b']);
  });
});
