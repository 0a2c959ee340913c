import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, settingsSchema, type HistoryEntry, type HostNotice } from '../../preload/contract';
import { JsonStore } from '../../main/storage/jsonStore';
import { HostStorage } from '../../main/storage/hostStorage';
import { DownloadService } from '../../main/files/downloadService';
import { silentLogger } from './fakes';

let dir = '';
let notices: HostNotice[] = [];
const notify = (level: HostNotice['level'], message: string, about?: HostNotice['about']): void => {
  notices.push(about ? { level, message, about } : { level, message });
};
const FIXED_NOW = new Date('2030-01-02T03:04:05.678Z');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-store-'));
  notices = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const settingsStore = () =>
  new JsonStore({
    dir,
    name: 'settings',
    label: 'settings',
    schema: settingsSchema,
    defaults: () => structuredClone(DEFAULT_SETTINGS),
    notify,
    logger: silentLogger,
    now: () => FIXED_NOW,
  });

const ASIDE = 'settings.corrupt-2030-01-02T03-04-05-678Z.json';

describe('JsonStore', () => {
  it('a missing file means defaults, no notice, and no file until something is saved', async () => {
    const store = settingsStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(notices).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ['bad JSON', '{"displayName": "Ada",'],
    ['a partial write', JSON.stringify(DEFAULT_SETTINGS).slice(0, 40)],
    ['an empty file', ''],
    ['the wrong schema', JSON.stringify({ ...DEFAULT_SETTINGS, maxFileBytes: -1 })],
    ['the wrong type', JSON.stringify(['not', 'settings'])],
  ])('%s: moved aside, defaults used, the person told where the old file is', async (_name, content) => {
    writeFileSync(join(dir, 'settings.json'), content);
    const store = settingsStore();
    expect(await store.load()).toEqual(DEFAULT_SETTINGS);
    expect(readdirSync(dir).sort()).toEqual([ASIDE]);
    expect(readFileSync(join(dir, ASIDE), 'utf8')).toBe(content);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.level).toBe('warning');
    expect(notices[0]?.message).toContain(ASIDE);
    expect(notices[0]?.message).toContain('default settings');
  });

  it('writes atomically: the file is always complete JSON and no temp files remain', async () => {
    const store = settingsStore();
    await store.load();
    const writes = Array.from({ length: 20 }, (_, i) =>
      store.update((current) => ({ ...current, displayName: `name ${i}` })),
    );
    await Promise.all(writes);
    expect(readdirSync(dir)).toEqual(['settings.json']);
    const onDisk = settingsSchema.parse(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')));
    // Serialised: the last update wins, as in memory.
    expect(onDisk.displayName).toBe('name 19');
    expect(store.get().displayName).toBe('name 19');
  });

  it('keeps the file private to the user (it holds the server password)', async () => {
    const store = settingsStore();
    await store.load();
    await store.set({ ...DEFAULT_SETTINGS, server: { mode: 'lan', join: [], host: { ...DEFAULT_SETTINGS.server.host, password: 'hunter2' } } });
    if (process.platform !== 'win32') expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses an invalid value and keeps the old one on disk and in memory', async () => {
    const store = settingsStore();
    await store.load();
    await store.set({ ...DEFAULT_SETTINGS, displayName: 'Ada' });
    await expect(store.set({ ...DEFAULT_SETTINGS, maxFileBytes: 1 })).rejects.toThrow(/Invalid settings at maxFileBytes/);
    expect(store.get().displayName).toBe('Ada');
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ displayName: 'Ada' });
  });

  it('round-trips through the file', async () => {
    const first = settingsStore();
    await first.load();
    await first.set({ ...DEFAULT_SETTINGS, relayOnly: true });
    const second = settingsStore();
    expect(await second.load()).toMatchObject({ relayOnly: true });
  });
});

describe('HostStorage', () => {
  const open = async () => {
    const storage = new HostStorage({ dir, notify, logger: silentLogger, now: () => FIXED_NOW });
    await storage.load();
    return storage;
  };

  it('makes no identity file: the ids come from the renderer’s keys', async () => {
    const storage = await open();
    expect(storage.getLegacy()).toBeNull();
    expect(readdirSync(dir)).not.toContain('identity.json');
  });

  it('an unusable old identity file sets nothing aside and stays for diagnosis', async () => {
    writeFileSync(join(dir, 'identity.json'), '{"userId": 1}');
    writeFileSync(join(dir, 'favourites.json'), JSON.stringify([{ userId: 'user-bob-00001', displayName: 'Bob' }]));
    const storage = await open();
    expect(storage.getLegacy()).toBeNull();
    expect(storage.getFavourites()).toHaveLength(1);
    expect(readdirSync(dir)).toContain('identity.json');
  });

  it("on the first start with keys, takes the user-data folder as today's Parley leaves it: favourites and blocked people set aside, history and the rest kept, told once", async () => {
    // Byte for byte as JsonStore writes them (two-space indent, final newline).
    const write = (name: string, value: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
    const settings = { ...DEFAULT_SETTINGS, displayName: 'Ada', blockedUserIds: ['user-mallory-01'], devices: { microphone: 'mic-1', camera: null, speaker: null } };
    const favourites = [{ userId: 'user-bob-00001', displayName: 'Bob' }];
    const history: HistoryEntry[] = [
      {
        id: 'entry-000001',
        callId: 'call-000001',
        direction: 'incoming',
        outcome: 'missed',
        media: 'video',
        peers: favourites,
        startedAt: 1_700_000_000_000,
        durationMs: 0,
      },
    ];
    write('settings.json', settings);
    write('favourites.json', favourites);
    write('history.json', history);
    write('identity.json', { userId: 'user-ada-000001', deviceId: 'device-ada-0001' });
    write('downloads.json', { folder: join(dir, 'Chosen') });
    const storage = await open();
    const downloads = new DownloadService({
      dir,
      defaultFolder: join(dir, 'Downloads'),
      maxBytes: () => storage.getSettings().maxFileBytes,
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showItemInFolder: () => undefined,
      notify,
      logger: silentLogger,
    });
    await downloads.load();
    expect(storage.getSettings()).toEqual({ ...settings, blockedUserIds: [], strangerCalls: 'ask' });
    expect(storage.getFavourites()).toEqual([]);
    expect(storage.getHistory()).toEqual(history);
    expect(storage.getLegacy()).toEqual({
      migratedAt: FIXED_NOW.getTime(),
      oldUserId: 'user-ada-000001',
      favourites,
      blocked: [{ userId: 'user-mallory-01', displayName: null }],
    });
    expect(downloads.folder()).toBe(join(dir, 'Chosen'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      level: 'info',
      message: expect.stringContaining('Settings → Your devices → Earlier contacts'),
      // So the renderer says it in the UI's language (renderer/state/hostNoticeText.ts).
      about: { kind: 'legacyContacts', favourites: favourites.length, blocked: 1, history: true },
    });
    expect(readdirSync(dir).filter((name) => name.includes('corrupt'))).toEqual([]);
    // The old ids are kept in legacy.json; the file is gone, and the next start moves nothing.
    expect(readdirSync(dir)).not.toContain('identity.json');
    expect(JSON.parse(readFileSync(join(dir, 'legacy.json'), 'utf8'))).toMatchObject({ oldUserId: 'user-ada-000001' });
    notices = [];
    const again = await open();
    expect(again.getLegacy()?.favourites).toEqual(favourites);
    expect(notices).toEqual([]);
  });

  it('a settings file from before the block list gets an empty one, and a saved list survives a restart', async () => {
    const { blockedUserIds: _dropped, ...older } = { ...DEFAULT_SETTINGS, displayName: 'Ada' };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(older));
    const storage = await open();
    expect(storage.getSettings().blockedUserIds).toEqual([]);
    await storage.updateSettings({ blockedUserIds: ['user-mallory-01'] });
    expect((await open()).getSettings()).toEqual({ ...DEFAULT_SETTINGS, displayName: 'Ada', blockedUserIds: ['user-mallory-01'] });
    await expect(storage.updateSettings({ blockedUserIds: ['not an id'] })).rejects.toThrow();
    expect(notices).toEqual([]);
  });

  it('settings changes are announced with before and after', async () => {
    const storage = await open();
    const changes: Array<[string, string]> = [];
    const stop = storage.onSettingsChanged((next, previous) => changes.push([previous.muteShortcut, next.muteShortcut]));
    await storage.updateSettings({ muteShortcut: 'Alt+M' });
    await storage.updateSettings({ muteShortcut: 'Alt+M' }); // no change, no announcement
    stop();
    await storage.updateSettings({ muteShortcut: 'Alt+N' });
    expect(changes).toEqual([['CommandOrControl+Shift+M', 'Alt+M']]);
  });

  // Upgrades, history order and cap, favourites de-duplication and serialised
  // updates are the shared rules: test/unit/hostData.test.ts runs them on these files.
});
