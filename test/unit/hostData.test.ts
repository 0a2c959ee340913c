/**
 * The host data rules (preload/hostData.ts), run once against each adapter the hosts
 * use: JSON files in a folder (desktop) and browser storage (web). Stored values are
 * seeded in today's formats, byte for byte as each host writes them.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, MAX_HISTORY, type HistoryEntry, type HostNotice, type Settings } from '../../preload/contract';
import { HostData, type HostDataKey, type HostDataPort } from '../../preload/hostData';
import { JsonFileData } from '../../main/storage/jsonFileData';
import { createBrowserData } from '../../renderer/host/browserData';
import { STORAGE_KEYS } from '../../renderer/host/web';
import { createMemoryStorage } from '../../renderer/host/webStorage';
import { silentLogger } from '../desktop/fakes';

interface Place {
  /** A fresh HostData over what is stored now (as after a restart or a reload). */
  open(): Promise<HostData>;
  /** Stores `value` as this host writes it today. */
  seed(key: HostDataKey, value: unknown): void;
  seedText(key: HostDataKey, text: string): void;
  /** Whether an unusable value of `key` was kept aside. */
  keptAside(key: HostDataKey): boolean;
  notices: HostNotice[];
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function opened(port: HostDataPort): Promise<HostData> {
  const data = new HostData(port, DEFAULT_SETTINGS);
  await data.load();
  return data;
}

function jsonFiles(): Place {
  const dir = mkdtempSync(join(tmpdir(), 'parley-hostdata-'));
  dirs.push(dir);
  const notices: HostNotice[] = [];
  const notify = (level: HostNotice['level'], message: string) => void notices.push({ level, message });
  const seedText = (key: HostDataKey, text: string) => writeFileSync(join(dir, `${key}.json`), text);
  return {
    notices,
    open: () => opened(new JsonFileData({ dir, notify, logger: silentLogger })),
    // As JsonStore writes: two-space indent and a final newline.
    seed: (key, value) => seedText(key, `${JSON.stringify(value, null, 2)}\n`),
    seedText,
    keptAside: (key) => readdirSync(dir).some((name) => name.startsWith(`${key}.corrupt-`)),
  };
}

function browserStorage(): Place {
  const storage = createMemoryStorage();
  const notices: HostNotice[] = [];
  const notify = (notice: HostNotice | null) => void (notice && notices.push(notice));
  return {
    notices,
    open: () => opened(createBrowserData({ storage, keys: STORAGE_KEYS, notify })),
    seed: (key, value) => storage.setItem(STORAGE_KEYS[key], JSON.stringify(value)),
    seedText: (key, text) => storage.setItem(STORAGE_KEYS[key], text),
    keptAside: (key) => storage.getItem(`${STORAGE_KEYS[key]}.corrupt`) !== null,
  };
}

/** Settings as Parley writes them today: every field, a block list, a remote server. */
const TODAY: Settings = {
  displayName: 'Ada',
  status: 'dnd',
  server: {
    mode: 'off',
    join: [{ url: 'https://parley.example.org', fingerprint: null, password: 'team', allowPlaintext: false }],
    host: { port: 7300, password: '', stunUrls: [], turnUrls: [], turnSecret: '' },
  },
  relayOnly: true,
  muteShortcut: 'Alt+M',
  closeToTray: false,
  startMinimised: true,
  startAtLogin: true,
  theme: 'dark',
  devices: { microphone: 'mic-1', camera: null, speaker: 'speaker-2' },
  maxFileBytes: 50 * 1024 * 1024,
  blockedUserIds: ['user-mallory-01'],
  strangerCalls: 'refuse',
  ringPreview: false,
  language: 'ru',
};

const entry = (i: number, startedAt = 1_000 + i): HistoryEntry => ({
  id: `entry-${String(i).padStart(6, '0')}`,
  callId: `call-${String(i).padStart(6, '0')}`,
  direction: 'outgoing',
  outcome: 'answered',
  media: 'audio',
  peers: [{ userId: 'user-alice-0001', displayName: 'Alice' }],
  startedAt,
  durationMs: 5_000,
});

describe.each([
  ['JSON files (desktop)', jsonFiles],
  ['browser storage (web)', browserStorage],
])('host data in %s', (_name, place) => {
  it('starts from the defaults when nothing is stored, and says nothing', async () => {
    const here = place();
    const data = await here.open();
    expect(data.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(data.getFavourites()).toEqual([]);
    expect(data.getHistory()).toEqual([]);
    expect(here.notices).toEqual([]);
  });

  it("loads today's settings, favourites and history as they are", async () => {
    const here = place();
    const favourites = [{ userId: 'user-bob-00001', displayName: 'Bob' }];
    here.seed('settings', TODAY);
    here.seed('favourites', favourites);
    here.seed('history', [entry(2), entry(1)]);
    const data = await here.open();
    expect(data.getSettings()).toEqual(TODAY);
    expect(data.getFavourites()).toEqual(favourites);
    expect(data.getHistory()).toEqual([entry(2), entry(1)]);
    expect(here.notices).toEqual([]);
  });

  it('fills what older settings lack (the file size cap, the block list, the stranger-call setting, a device) without calling them corrupt', async () => {
    const here = place();
    const { maxFileBytes: _size, blockedUserIds: _blocked, strangerCalls: _strangers, ringPreview: _preview, ...older } = TODAY;
    here.seed('settings', { ...older, devices: { microphone: 'mic-1', camera: null } });
    const data = await here.open();
    expect(data.getSettings()).toEqual({
      ...TODAY,
      maxFileBytes: DEFAULT_SETTINGS.maxFileBytes,
      blockedUserIds: [],
      // Settings from before issue 12 ask first when a stranger calls.
      strangerCalls: 'ask',
      // Settings from before issue 15 show the camera while a call rings.
      ringPreview: true,
      devices: { microphone: 'mic-1', camera: null, speaker: null },
    });
    expect(here.notices).toEqual([]);
    expect(here.keptAside('settings')).toBe(false);
  });

  it('turns a bare-key mute shortcut from an older Parley into the default and keeps the rest', async () => {
    const here = place();
    here.seed('settings', { ...TODAY, muteShortcut: 'M' });
    expect((await here.open()).getSettings()).toEqual({ ...TODAY, muteShortcut: DEFAULT_SETTINGS.muteShortcut });
    expect(here.notices).toEqual([]);
  });

  it.each([
    ['settings with a field Parley does not know', 'settings', { ...TODAY, nodeIntegration: true }],
    ['favourites with a bad id', 'favourites', [{ userId: 'no', displayName: 'Bob' }]],
    ['history that is not a list', 'history', { not: 'a list' }],
  ] as const)('%s: kept aside, defaults used, the person told which field', async (_what, key, value) => {
    const here = place();
    here.seed(key, value);
    const data = await here.open();
    expect(data.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(data.getFavourites()).toEqual([]);
    expect(data.getHistory()).toEqual([]);
    expect(here.keptAside(key)).toBe(true);
    expect(here.notices).toHaveLength(1);
    expect(here.notices[0]?.level).toBe('warning');
    if (key === 'favourites') expect(here.notices[0]?.message).toMatch(/0\.userId/);
  });

  it('a value that is not JSON is kept aside and the defaults used', async () => {
    const here = place();
    here.seedText('favourites', '[{"userId": "user-bob-00001",');
    expect((await here.open()).getFavourites()).toEqual([]);
    expect(here.keptAside('favourites')).toBe(true);
    expect(here.notices[0]?.message).toMatch(/favourites/);
  });

  it('keeps favourites once per user, the first one staying, across a restart', async () => {
    const here = place();
    const data = await here.open();
    await data.setFavourites([
      { userId: 'user-alice-0001', displayName: 'Alice' },
      { userId: 'user-alice-0001', displayName: 'Alice again' },
      { userId: 'user-bob-00001', displayName: 'Bob' },
    ]);
    expect(data.getFavourites().map((f) => f.displayName)).toEqual(['Alice', 'Bob']);
    expect((await here.open()).getFavourites().map((f) => f.displayName)).toEqual(['Alice', 'Bob']);
  });

  it('keeps history newest first by start time, one entry per id, and clears it', async () => {
    const here = place();
    const data = await here.open();
    await data.addHistoryEntry(entry(1, 3_000));
    await data.addHistoryEntry(entry(2, 2_000));
    // Written last but started first (a call that ended late): it goes below the others.
    await data.addHistoryEntry(entry(3, 1_000));
    await data.addHistoryEntry({ ...entry(1, 3_000), outcome: 'failed' });
    const again = await here.open();
    expect(again.getHistory().map((e) => [e.id, e.outcome])).toEqual([
      [entry(1).id, 'failed'],
      [entry(2).id, 'answered'],
      [entry(3).id, 'answered'],
    ]);
    await again.clearHistory();
    expect((await here.open()).getHistory()).toEqual([]);
  });

  it(`keeps at most ${MAX_HISTORY} history entries, dropping the oldest`, async () => {
    const here = place();
    here.seed('history', Array.from({ length: MAX_HISTORY }, (_, i) => entry(MAX_HISTORY - i)));
    const data = await here.open();
    await data.addHistoryEntry(entry(MAX_HISTORY + 1));
    const history = (await here.open()).getHistory();
    expect(history).toHaveLength(MAX_HISTORY);
    expect(history[0]?.id).toBe(entry(MAX_HISTORY + 1).id);
    expect(history.at(-1)?.id).toBe(entry(2).id);
  });

  it('refuses an invalid change with the field named and keeps the old value, stored and in memory', async () => {
    const here = place();
    const data = await here.open();
    await data.updateSettings({ displayName: 'Ada' });
    await expect(data.updateSettings({ blockedUserIds: ['<script>'] })).rejects.toThrow(/settings cannot be saved: blockedUserIds\.0/);
    await expect(data.addHistoryEntry({ ...entry(1), durationMs: -1 })).rejects.toThrow(/history cannot be saved: 0\.durationMs/);
    expect(data.getSettings()).toEqual({ ...DEFAULT_SETTINGS, displayName: 'Ada' });
    expect((await here.open()).getSettings()).toEqual({ ...DEFAULT_SETTINGS, displayName: 'Ada' });
    expect(data.getHistory()).toEqual([]);
  });

  it('announces each settings change against the one just before, even when two are made at once', async () => {
    const data = await place().open();
    const changes: Array<[string, string]> = [];
    const stop = data.onSettingsChanged((next, previous) => changes.push([previous.displayName, next.displayName]));
    await Promise.all([data.updateSettings({ displayName: 'A' }), data.updateSettings({ displayName: 'B' })]);
    await data.updateSettings({ displayName: 'B' }); // no change, no announcement
    stop();
    await data.updateSettings({ displayName: 'C' });
    expect(changes).toEqual([
      ['', 'A'],
      ['A', 'B'],
    ]);
  });

  it('on the first start with keys, sets favourites and blocked people aside with their names and keeps history (values as written before issue 12)', async () => {
    const here = place();
    const { strangerCalls: _new, ...beforeKeys } = TODAY;
    const favourites = [{ userId: 'user-bob-00001', displayName: 'Bob' }];
    const mallory = { ...entry(3), peers: [{ userId: 'user-mallory-01', displayName: 'Mallory' }] };
    here.seed('settings', { ...beforeKeys, blockedUserIds: ['user-mallory-01', 'user-nobody-01'] });
    here.seed('favourites', favourites);
    here.seed('history', [mallory, entry(1)]);
    const data = await here.open();
    const notice = await data.setAsideClaimedIds('user-ada-000001', 9_000);
    expect(notice).toEqual({
      level: 'info',
      message:
        'Parley now proves who everyone is with keys, so people you saved before must be added again as contacts (with an invite). Your 1 favourite and 2 blocked people are kept under Settings → Your devices → Earlier contacts. Your call history is kept; calling someone back from it asks you to add them first.',
      // What the renderer needs to say it in the UI's language (renderer/state/hostNoticeText.ts).
      about: { kind: 'legacyContacts', favourites: 1, blocked: 2, history: true },
    });

    const reopened = await here.open();
    expect(reopened.getLegacy()).toEqual({
      migratedAt: 9_000,
      oldUserId: 'user-ada-000001',
      favourites,
      blocked: [
        { userId: 'user-mallory-01', displayName: 'Mallory' },
        { userId: 'user-nobody-01', displayName: null },
      ],
    });
    expect(reopened.getFavourites()).toEqual([]);
    expect(reopened.getSettings()).toEqual({ ...TODAY, strangerCalls: 'ask', blockedUserIds: [] });
    expect(reopened.getHistory()).toEqual([mallory, entry(1)]);
    // Once only: a second start moves nothing and says nothing.
    await reopened.setFavourites([{ userId: 'user-carol-0001', displayName: 'Carol' }]);
    expect(await reopened.setAsideClaimedIds('user-ada-000001', 10_000)).toBeNull();
    expect(reopened.getFavourites()).toEqual([{ userId: 'user-carol-0001', displayName: 'Carol' }]);
    expect(here.notices).toEqual([]);
  });

  it('sets nothing aside and says nothing when there was nothing saved', async () => {
    const here = place();
    const data = await here.open();
    expect(await data.setAsideClaimedIds('user-ada-000001', 9_000)).toBeNull();
    expect((await here.open()).getLegacy()).toMatchObject({ oldUserId: 'user-ada-000001', favourites: [], blocked: [] });
  });
});

describe('JSON files adapter', () => {
  it('writes one file per value, in the format earlier versions read', async () => {
    const here = jsonFiles();
    const data = await here.open();
    await data.updateSettings({ displayName: 'Ada' });
    await data.setFavourites([{ userId: 'user-bob-00001', displayName: 'Bob' }]);
    const dir = dirs.at(-1) ?? '';
    expect(readdirSync(dir).sort()).toEqual(['favourites.json', 'settings.json']);
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(`${JSON.stringify({ ...DEFAULT_SETTINGS, displayName: 'Ada' }, null, 2)}\n`);
  });
});

describe('browser storage adapter', () => {
  it('writes each value under its parley.* key as plain JSON', async () => {
    const storage = createMemoryStorage();
    const data = await opened(createBrowserData({ storage, keys: STORAGE_KEYS, notify: () => undefined }));
    await data.setFavourites([{ userId: 'user-bob-00001', displayName: 'Bob' }]);
    expect(storage.getItem('parley.favourites')).toBe('[{"userId":"user-bob-00001","displayName":"Bob"}]');
  });
});
