import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, appInfoSchema, type CallAction, type HistoryEntry, type HostNotice } from '../../../preload/contract';
import { i18n } from '../../../renderer/i18n';
import { STORAGE_KEYS, createWebHost, type NotificationPort, type WebHostOptions } from '../../../renderer/host/web';
import { createMemoryStorage } from '../../../renderer/host/webStorage';
import { callStateReport } from '../../support/callStateReport';

const origin = 'http://127.0.0.1:7300';

interface Shown {
  title: string;
  options: NotificationOptions;
  click(): void;
  closed: boolean;
}

function setup(patch: Partial<WebHostOptions> & { permission?: NotificationPermission; attended?: boolean } = {}) {
  const shown: Shown[] = [];
  const page = { title: '', focused: 0, opened: [] as string[] };
  const notifications: NotificationPort = {
    permission: () => patch.permission ?? 'granted',
    request: async () => 'granted',
    show(title, options, onClick) {
      const entry: Shown = { title, options, click: onClick, closed: false };
      shown.push(entry);
      return { close: () => void (entry.closed = true) };
    },
  };
  const options: WebHostOptions = {
    storage: createMemoryStorage(),
    tabStorage: createMemoryStorage(),
    origin,
    version: '1.2.3',
    platform: 'test',
    notifications,
    page: {
      setTitle: (title) => void (page.title = title),
      focus: () => void page.focused++,
      isAttended: () => patch.attended ?? false,
      open: (url) => void page.opened.push(url),
    },
    ...patch,
  };
  const host = createWebHost(options);
  return { host, bridge: host.bridge, options, shown, page };
}

function noticesOf(bridge: ReturnType<typeof setup>['bridge']): Promise<HostNotice[]> {
  const seen: HostNotice[] = [];
  bridge.onNotice((n) => seen.push(n));
  // Notices raised before anyone listened are delivered in a microtask.
  return Promise.resolve().then(() => seen);
}

describe('web host storage', () => {
  it('starts from defaults pointing at the server that served the page', async () => {
    const { bridge } = setup();
    const settings = await bridge.getSettings();
    expect(settings).toEqual({
      ...DEFAULT_SETTINGS,
      server: { mode: 'off', join: [{ url: origin, fingerprint: null, password: '', allowPlaintext: true }], host: DEFAULT_SETTINGS.server.host },
    });
    expect(await bridge.getServerEndpoint()).toEqual({ urls: [origin], password: '' });
    expect(await noticesOf(bridge)).toEqual([]);
  });

  it('says so in Russian when the UI is Russian (issue 16.1)', async () => {
    await i18n.changeLanguage('ru');
    try {
      const storage = createMemoryStorage({ [STORAGE_KEYS.settings]: '{"displayName": "Ada"' });
      const { bridge } = setup({ storage });
      await bridge.getSettings();
      const notices = await noticesOf(bridge);
      expect(notices[0]?.message).toBe(
        'Не удалось прочитать сохранённое (настройки): значение не является корректным JSON, поэтому Parley начал с исходных значений. Старое значение сохранено как «parley.settings.corrupt».',
      );
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('replaces corrupt JSON with defaults, keeps the old value aside, and says so', async () => {
    const storage = createMemoryStorage({ [STORAGE_KEYS.settings]: '{"displayName": "Ada"' });
    const { bridge } = setup({ storage });
    expect((await bridge.getSettings()).displayName).toBe('');
    const notices = await noticesOf(bridge);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.level).toBe('warning');
    expect(notices[0]?.message).toMatch(/settings could not be read.*not valid JSON/);
    expect(storage.getItem(`${STORAGE_KEYS.settings}.corrupt`)).toBe('{"displayName": "Ada"');
    expect(storage.getItem(STORAGE_KEYS.settings)).toBeNull();
  });

  it('replaces values that fail their schema and names the field', async () => {
    const storage = createMemoryStorage({
      [STORAGE_KEYS.favourites]: JSON.stringify([{ userId: 'no', displayName: 'Bob' }]),
      [STORAGE_KEYS.history]: JSON.stringify({ not: 'a list' }),
    });
    const { bridge } = setup({ storage });
    expect(await bridge.getFavourites()).toEqual([]);
    expect(await bridge.getHistory()).toEqual([]);
    const notices = await noticesOf(bridge);
    expect(notices.map((n) => n.message)).toEqual([
      expect.stringMatching(/favourites could not be read.*“0\.userId”/),
      expect.stringMatching(/call history could not be read/),
    ]);
  });

  it('fills settings fields added since they were saved, without a notice', async () => {
    const { maxFileBytes: _dropped, ...older } = { ...DEFAULT_SETTINGS, displayName: 'Ada' };
    const storage = createMemoryStorage({ [STORAGE_KEYS.settings]: JSON.stringify(older) });
    const { bridge } = setup({ storage });
    expect(await bridge.getSettings()).toMatchObject({ displayName: 'Ada', maxFileBytes: DEFAULT_SETTINGS.maxFileBytes });
    expect(await noticesOf(bridge)).toEqual([]);
  });

  it('gives settings saved before the block list an empty one, and keeps a saved list across visits', async () => {
    const { blockedUserIds: _dropped, ...older } = { ...DEFAULT_SETTINGS, displayName: 'Ada' };
    const first = setup({ storage: createMemoryStorage({ [STORAGE_KEYS.settings]: JSON.stringify(older) }) });
    expect((await first.bridge.getSettings()).blockedUserIds).toEqual([]);
    await first.bridge.updateSettings({ blockedUserIds: ['user-mallory-01'] });
    const again = setup({ storage: first.options.storage });
    expect((await again.bridge.getSettings()).blockedUserIds).toEqual(['user-mallory-01']);
    await expect(again.bridge.updateSettings({ blockedUserIds: ['<script>'] })).rejects.toThrow(/blockedUserIds/);
    expect(await noticesOf(again.bridge)).toEqual([]);
  });

  it('keeps settings across visits and refuses invalid patches with the field named', async () => {
    const first = setup();
    await first.bridge.updateSettings({ displayName: 'Ada', status: 'dnd' });
    const again = setup({ storage: first.options.storage });
    expect(await again.bridge.getSettings()).toMatchObject({ displayName: 'Ada', status: 'dnd' });
    await expect(again.bridge.updateSettings({ displayName: 'x'.repeat(41) })).rejects.toThrow(/displayName/);
    expect((await again.bridge.getSettings()).displayName).toBe('Ada');
  });

  it('follows the desktop rules: older settings upgraded inside devices, favourites once per user, history by start time', async () => {
    const older = { ...DEFAULT_SETTINGS, server: { mode: 'remote', urls: [origin], password: '' }, devices: { microphone: 'mic-1', camera: null } };
    const storage = createMemoryStorage({ [STORAGE_KEYS.settings]: JSON.stringify(older) });
    const { bridge } = setup({ storage });
    expect((await bridge.getSettings()).devices).toEqual({ microphone: 'mic-1', camera: null, speaker: null });
    await bridge.setFavourites([
      { userId: 'user-bob-00001', displayName: 'Bob' },
      { userId: 'user-bob-00001', displayName: 'Bob twice' },
    ]);
    expect(await bridge.getFavourites()).toEqual([{ userId: 'user-bob-00001', displayName: 'Bob' }]);
    const call = (id: string, startedAt: number): HistoryEntry => ({
      id,
      callId: 'call-00000001',
      direction: 'outgoing',
      outcome: 'answered',
      media: 'audio',
      peers: [{ userId: 'bob-00000001', displayName: 'Bob' }],
      startedAt,
      durationMs: 0,
    });
    await bridge.addHistoryEntry(call('entry-later-01', 2_000));
    await bridge.addHistoryEntry(call('entry-early-01', 1_000));
    expect((await bridge.getHistory()).map((e) => e.id)).toEqual(['entry-later-01', 'entry-early-01']);
    expect(await noticesOf(bridge)).toEqual([]);
    expect(storage.getItem(`${STORAGE_KEYS.settings}.corrupt`)).toBeNull();
  });

  it('keeps history newest first, without duplicates', async () => {
    const { bridge, options } = setup();
    const entry = (id: string): HistoryEntry => ({
      id,
      callId: 'call-00000001',
      direction: 'incoming',
      outcome: 'missed',
      media: 'audio',
      peers: [{ userId: 'bob-00000001', displayName: 'Bob' }],
      startedAt: 1,
      durationMs: 0,
    });
    await bridge.addHistoryEntry(entry('entry-0000001'));
    await bridge.addHistoryEntry(entry('entry-0000002'));
    await bridge.addHistoryEntry(entry('entry-0000001'));
    expect((await setup({ storage: options.storage }).bridge.getHistory()).map((e) => e.id)).toEqual([
      'entry-0000001',
      'entry-0000002',
    ]);
    await bridge.clearHistory();
    expect(await setup({ storage: options.storage }).bridge.getHistory()).toEqual([]);
  });
});

describe('web host: the move to keys (issue 12)', () => {
  /** A browser profile as an older Parley left it: made-up ids, favourites, a block list, history. */
  const older = () => {
    const storage = createMemoryStorage({
      'parley.user': JSON.stringify('user-ada-000001'),
      'parley.settings': JSON.stringify({ ...DEFAULT_SETTINGS, displayName: 'Ada', blockedUserIds: ['user-mallory-01'] }),
      'parley.favourites': JSON.stringify([{ userId: 'user-bob-000001', displayName: 'Bob' }]),
      'parley.history': JSON.stringify([
        {
          id: 'entry-0000001',
          callId: 'call-000000001',
          direction: 'incoming',
          outcome: 'missed',
          media: 'audio',
          peers: [{ userId: 'user-mallory-01', displayName: 'Mallory' }],
          startedAt: 1_000,
          durationMs: 0,
        },
      ]),
    });
    const tabStorage = createMemoryStorage({ 'parley.device': JSON.stringify('device-ada-0001') });
    return { storage, tabStorage };
  };

  it('sets favourites and blocked people aside with their names, keeps history, says so once, and drops the old ids', async () => {
    const stored = older();
    const { bridge } = setup({ ...stored, now: () => 5_000 });
    const notices = await noticesOf(bridge);
    expect(await bridge.getLegacy()).toEqual({
      migratedAt: 5_000,
      oldUserId: 'user-ada-000001',
      favourites: [{ userId: 'user-bob-000001', displayName: 'Bob' }],
      blocked: [{ userId: 'user-mallory-01', displayName: 'Mallory' }],
    });
    expect(await bridge.getFavourites()).toEqual([]);
    expect((await bridge.getSettings()).blockedUserIds).toEqual([]);
    expect((await bridge.getSettings()).displayName).toBe('Ada');
    expect((await bridge.getHistory()).map((e) => e.id)).toEqual(['entry-0000001']);
    await Promise.resolve();
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toMatch(/1 favourite and 1 blocked person are kept under Settings → Your devices → Earlier contacts/);
    expect(notices[0]?.message).toMatch(/call history is kept/);
    expect(stored.storage.getItem('parley.user')).toBeNull();
    expect(stored.tabStorage.getItem('parley.device')).toBeNull();

    // The next visit: nothing moves again, nothing is said again.
    const next = setup({ storage: stored.storage, tabStorage: createMemoryStorage() });
    const again = await noticesOf(next.bridge);
    expect((await next.bridge.getLegacy())?.oldUserId).toBe('user-ada-000001');
    await Promise.resolve();
    expect(again).toEqual([]);
  });

  it('sets nothing aside and says nothing on a fresh browser', async () => {
    const { bridge } = setup();
    const notices = await noticesOf(bridge);
    expect(await bridge.getLegacy()).toBeNull();
    await Promise.resolve();
    expect(notices).toEqual([]);
  });
});

describe('web host incoming-call notifications', () => {
  const notice = { callId: 'call-00000001', callerName: 'Bob', media: 'video' as const };

  it('speaks the UI language: notification, title and refusals in Russian (issue 16.1)', async () => {
    await i18n.changeLanguage('ru');
    try {
      const { bridge, shown, page } = setup();
      await bridge.showIncomingCall(notice);
      expect(shown[0]?.title).toBe('Вам звонит Bob');
      expect(shown[0]?.options.body).toBe('Видеозвонок — нажмите, чтобы ответить в Parley');
      bridge.reportCallState({ ...callStateReport(), phase: 'ringing', caller: 'Bob' });
      expect(page.title).toBe('Входящий звонок — Parley');
      await expect(bridge.startServerDiscovery()).rejects.toThrow(/^Браузер не может искать серверы Parley в вашей сети/);
      await expect(bridge.openExternal('http://example.org')).rejects.toThrow('Parley открывает только ссылки https; «http://example.org» — не такая ссылка.');
    } finally {
      await i18n.changeLanguage('en');
    }
  });

  it('shows a notification while the page is in the background; a click shows the call', async () => {
    const { bridge, shown, page } = setup();
    const actions: CallAction[] = [];
    bridge.onCallAction((a) => actions.push(a));
    await bridge.showIncomingCall(notice);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.title).toBe('Bob is calling');
    expect(shown[0]?.options.body).toMatch(/^Video call/);
    shown[0]?.click();
    expect(page.focused).toBe(1);
    expect(actions).toEqual([{ type: 'show-call' }]);
    expect(shown[0]?.closed).toBe(true);
  });

  it('closes the notification when the ringing stops', async () => {
    const { bridge, shown } = setup();
    await bridge.showIncomingCall(notice);
    bridge.dismissIncomingCall(notice.callId);
    expect(shown[0]?.closed).toBe(true);
  });

  it('shows nothing without permission, or while the person is looking at the page', async () => {
    const denied = setup({ permission: 'denied' });
    await denied.bridge.showIncomingCall(notice);
    expect(denied.shown).toEqual([]);
    const attended = setup({ attended: true });
    await attended.bridge.showIncomingCall(notice);
    expect(attended.shown).toEqual([]);
  });
});

describe('web host shell', () => {
  it('puts the call state in the document title, as there is no tray', () => {
    const { bridge, page } = setup();
    const report = callStateReport();
    bridge.reportCallState({ ...report, phase: 'ringing', caller: 'Bob' });
    expect(page.title).toBe('Ringing — Parley');
    bridge.reportCallState({ ...report, phase: 'idle' });
    expect(page.title).toBe('Parley');
  });

  it('opens https links only', async () => {
    const { bridge, page } = setup();
    await bridge.openExternal('https://parley.example.org/help');
    await expect(bridge.openExternal('javascript:alert(1)')).rejects.toThrow(/https links only/);
    await expect(bridge.openExternal('http://example.org')).rejects.toThrow(/https links only/);
    expect(page.opened).toEqual(['https://parley.example.org/help']);
  });

  it('says it is the web host, with its version and platform, in a shape the contract accepts', async () => {
    const info = await setup().bridge.getAppInfo();
    expect(appInfoSchema.parse(info)).toEqual({ host: 'web', version: '1.2.3', platform: 'test' });
  });

  it('every subscription returns a working disposer', async () => {
    const { bridge, shown } = setup();
    const actions: CallAction[] = [];
    const off = bridge.onCallAction((a) => actions.push(a));
    off();
    await bridge.showIncomingCall({ callId: 'call-00000001', callerName: 'Bob', media: 'audio' });
    shown[0]?.click();
    expect(actions).toEqual([]);
  });

  it('writes log entries to the console at their level with the scope in front, and refuses invalid ones', () => {
    const written: Array<[string, unknown[]]> = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        void written.push([level, args]);
    const { bridge } = setup({ console: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } });
    bridge.log({ level: 'warn', scope: 'peer', message: 'ICE restart' });
    bridge.log({ level: 'error', scope: 'call.features', message: 'mute failed', detail: 'Error: track ended' });
    expect(written).toEqual([
      ['warn', ['[peer] ICE restart']],
      ['error', ['[call.features] mute failed', 'Error: track ended']],
    ]);
    expect(() => bridge.log({ level: 'info', scope: 'Peer', message: 'x' })).toThrow(/Invalid argument for log/);
    expect(() => bridge.log({ level: 'info', scope: 'peer', message: 'x'.repeat(1001) })).toThrow(/Invalid argument for log/);
    expect(written).toHaveLength(2);
  });
});
