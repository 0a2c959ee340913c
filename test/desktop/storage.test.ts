import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, MAX_HISTORY, settingsSchema, type HistoryEntry, type HostNotice } from '../../preload/contract';
import { JsonStore } from '../../main/storage/jsonStore';
import { HostStorage } from '../../main/storage/hostStorage';
import { silentLogger } from './fakes';

let dir = '';
let notices: HostNotice[] = [];
const notify = (level: HostNotice['level'], message: string): void => {
  notices.push({ level, message });
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
    await store.set({ ...DEFAULT_SETTINGS, server: { mode: 'host', port: 7300, lan: true, password: 'hunter2' } });
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
    let n = 0;
    const storage = new HostStorage({ dir, notify, logger: silentLogger, now: () => FIXED_NOW, newId: () => `id-${String(++n).padStart(8, '0')}` });
    await storage.load();
    return storage;
  };

  it('creates a stable identity on first run and keeps it', async () => {
    const first = await open();
    const identity = first.getIdentity();
    expect(identity).toEqual({ userId: 'id-00000001', deviceId: 'id-00000002' });
    const second = await open();
    expect(second.getIdentity()).toEqual(identity);
  });

  it('a corrupt identity is replaced (and saved) and the person is told', async () => {
    writeFileSync(join(dir, 'identity.json'), '{"userId": 1}');
    const storage = await open();
    expect(storage.getIdentity().userId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(notices[0]?.message).toContain('identity');
    expect(readdirSync(dir).sort()).toEqual(['identity.corrupt-2030-01-02T03-04-05-678Z.json', 'identity.json']);
  });

  it('an older settings file missing newer fields is upgraded, not called corrupt', async () => {
    const { maxFileBytes: _dropped, ...older } = { ...DEFAULT_SETTINGS, displayName: 'Ada' };
    writeFileSync(join(dir, 'settings.json'), JSON.stringify(older));
    const storage = await open();
    expect(storage.getSettings()).toEqual({ ...DEFAULT_SETTINGS, displayName: 'Ada' });
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

  it('a bare-key mute shortcut from an older Parley becomes the default, and the other settings stay', async () => {
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, displayName: 'Ada', muteShortcut: 'M' }));
    const storage = await open();
    expect(storage.getSettings()).toEqual({ ...DEFAULT_SETTINGS, displayName: 'Ada' });
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

  it('back-to-back settings updates are each announced against the one before', async () => {
    const storage = await open();
    const changes: Array<[string, string]> = [];
    storage.onSettingsChanged((next, previous) => changes.push([previous.displayName, next.displayName]));
    await Promise.all([storage.updateSettings({ displayName: 'A' }), storage.updateSettings({ displayName: 'B' })]);
    expect(changes).toEqual([
      ['', 'A'],
      ['A', 'B'],
    ]);
  });

  it('history: newest first, an entry with a known id replaces the old one, capped', async () => {
    const storage = await open();
    const entry = (i: number): HistoryEntry => ({
      id: `entry-${String(i).padStart(6, '0')}`,
      callId: `call-${String(i).padStart(6, '0')}`,
      direction: 'outgoing',
      outcome: 'answered',
      media: 'audio',
      peers: [{ userId: 'user-alice-0001', displayName: 'Alice' }],
      startedAt: 1_000 + i,
      durationMs: 5_000,
    });
    for (let i = 0; i < MAX_HISTORY + 5; i++) await storage.addHistoryEntry(entry(i));
    await storage.addHistoryEntry({ ...entry(MAX_HISTORY + 4), outcome: 'failed' });
    const history = storage.getHistory();
    expect(history).toHaveLength(MAX_HISTORY);
    expect(history[0]).toMatchObject({ id: entry(MAX_HISTORY + 4).id, outcome: 'failed' });
    expect(history.at(-1)?.id).toBe(entry(5).id);
    await storage.clearHistory();
    expect((await open()).getHistory()).toEqual([]);
  }, 60_000);

  it('favourites are de-duplicated by user id', async () => {
    const storage = await open();
    await storage.setFavourites([
      { userId: 'user-alice-0001', displayName: 'Alice' },
      { userId: 'user-alice-0001', displayName: 'Alice again' },
      { userId: 'user-bob-00001', displayName: 'Bob' },
    ]);
    expect(storage.getFavourites().map((f) => f.displayName)).toEqual(['Alice', 'Bob']);
  });
});
