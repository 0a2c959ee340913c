/**
 * Issue 13's server settings on the desktop: the upgrade of older settings (fixtures as
 * older Parleys wrote them), field validation with clear messages (the plaintext
 * refusal above all), join links, and mDNS discovery with a fake browser.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  EVENT_CHANNELS,
  browserJoinLink,
  joinLink,
  parseJoinLink,
  serverChoiceSchema,
  settingsSchema,
  type DiscoveredServer,
  type Settings,
} from '../../preload/contract';
import { HostData, upgradeServerChoice, upgradeSettings, type HostDataKey, type HostDataPort, type StoredProblem } from '../../preload/hostData';
import { DeepLinkRouter } from '../../main/deepLinks/deepLinks';
import { ServerDiscovery } from '../../main/server/serverDiscovery';
import type { BrowseOptions, ServerBrowser } from '../../signaling-server/mdns';
import { RecordingEvents, RecordingWindow, eventually, silentLogger } from './fakes';

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');
const HOST_DEFAULTS = DEFAULT_SETTINGS.server.host;

/** A port over a plain object, recording what was set aside. */
function memoryPort(initial: Partial<Record<HostDataKey, unknown>>) {
  const values = new Map<HostDataKey, unknown>(Object.entries(initial) as Array<[HostDataKey, unknown]>);
  const asides: Array<{ key: HostDataKey; problem: StoredProblem }> = [];
  const port: HostDataPort = {
    get: async (key) => values.get(key),
    set: async (key, value) => void values.set(key, value),
    setAside: async (key, problem) => void asides.push({ key, problem }),
  };
  return { port, values, asides };
}

async function loaded(settings: unknown) {
  const store = memoryPort({ settings });
  const data = new HostData(store.port, DEFAULT_SETTINGS);
  await data.load();
  return { data, asides: store.asides };
}

describe('settings from an older Parley are upgraded field by field, nothing lost', () => {
  const older = (server: unknown) => ({ ...DEFAULT_SETTINGS, displayName: 'Ada', server });

  it('hosting on this computer → local, port and password kept', async () => {
    const { data, asides } = await loaded(older({ mode: 'host', port: 7444, lan: false, password: 'pw' }));
    expect(asides).toEqual([]);
    expect(data.getSettings().server).toEqual({ mode: 'local', join: [], host: { ...HOST_DEFAULTS, port: 7444, password: 'pw' } });
    expect(data.getSettings().displayName).toBe('Ada');
  });

  it('hosting for the LAN → lan, the password kept (an empty one is filled by main, not refused here)', async () => {
    const kept = await loaded(older({ mode: 'host', port: 7300, lan: true, password: 'team-pw' }));
    expect(kept.data.getSettings().server).toEqual({ mode: 'lan', join: [], host: { ...HOST_DEFAULTS, password: 'team-pw' } });
    const empty = await loaded(older({ mode: 'host', port: 7300, lan: true, password: '' }));
    expect(empty.asides).toEqual([]);
    expect(empty.data.getSettings().server.mode).toBe('lan');
  });

  it('remote → off, each URL a server to join in the same order with the password; an old plain-http LAN server keeps working, marked', async () => {
    const { data, asides } = await loaded(
      older({ mode: 'remote', urls: ['https://parley.example.org/', 'http://192.168.1.20:7300', 'http://127.0.0.1:7300'], password: 'team' }),
    );
    expect(asides).toEqual([]);
    expect(data.getSettings().server).toEqual({
      mode: 'off',
      join: [
        { url: 'https://parley.example.org', fingerprint: null, password: 'team', allowPlaintext: false },
        { url: 'http://192.168.1.20:7300', fingerprint: null, password: 'team', allowPlaintext: true },
        { url: 'http://127.0.0.1:7300', fingerprint: null, password: 'team', allowPlaintext: false },
      ],
      host: HOST_DEFAULTS,
    });
  });

  it('today’s shape missing newer host fields gets them from the defaults; a broken value is still set aside, not guessed', async () => {
    const partial = await loaded(older({ mode: 'local', join: [], host: { port: 7301, password: '' } }));
    expect(partial.data.getSettings().server.host).toEqual({ ...HOST_DEFAULTS, port: 7301 });
    const broken = await loaded(older({ mode: 'remote', urls: 'not a list', password: 'x' }));
    expect(broken.asides).toHaveLength(1);
    expect(broken.asides[0]?.problem.path).toMatch(/^server/);
    expect(broken.data.getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('upgradeServerChoice leaves anything else for the schema to judge', () => {
    expect(upgradeServerChoice('x', DEFAULT_SETTINGS.server)).toBe('x');
    expect(upgradeServerChoice({ mode: 'weird' }, DEFAULT_SETTINGS.server)).toEqual({ mode: 'weird' });
    expect(upgradeSettings({ displayName: 'B' }, DEFAULT_SETTINGS)).toEqual({ ...DEFAULT_SETTINGS, displayName: 'B' });
  });
});

describe('server settings are validated with clear messages', () => {
  const join = (url: string, over: Partial<{ fingerprint: string | null; allowPlaintext: boolean; password: string }> = {}) => ({
    url,
    fingerprint: null,
    password: '',
    allowPlaintext: false,
    ...over,
  });
  const off = (...servers: ReturnType<typeof join>[]) => ({ mode: 'off' as const, join: servers, host: HOST_DEFAULTS });
  const problem = (value: unknown): string => serverChoiceSchema.safeParse(value).error?.issues.map((i) => i.message).join(' | ') ?? '';

  it('refuses a non-loopback http:// server unless plaintext is allowed for it, and says why', () => {
    const refused = problem(off(join('http://192.168.1.20:7300')));
    expect(refused).toContain('192.168.1.20:7300');
    expect(refused).toContain('could read your password');
    expect(refused).toContain('no camera');
    expect(refused).toContain('allow plaintext');
    expect(problem(off(join('http://192.168.1.20:7300', { allowPlaintext: true })))).toBe('');
    expect(problem(off(join('http://localhost:7300')))).toBe('');
    expect(problem(off(join('http://[::1]:7300')))).toBe('');
    expect(problem(off(join('https://192.168.1.20:7300', { fingerprint: FP })))).toBe('');
  });

  it('refuses what cannot be a server: other schemes, paths, credentials, a bad fingerprint, a fingerprint on http, an empty list', () => {
    expect(problem(off(join('ftp://x.example')))).toContain('http:// or https://');
    expect(problem(off(join('https://x.example/parley')))).toContain('no path');
    expect(problem(off(join('https://ann:pw@x.example')))).toContain('password in its own field');
    expect(problem(off(join('https://x.example', { fingerprint: 'AB:CD' })))).toContain('32 pairs of hex');
    expect(problem(off(join('http://127.0.0.1:7300', { fingerprint: FP })))).toContain('plain http');
    expect(problem(off())).toContain('add its address');
  });

  it('checks the embedded server’s port, STUN and TURN fields', () => {
    const host = (over: object) => ({ mode: 'lan', join: [], host: { ...HOST_DEFAULTS, ...over } });
    expect(problem(host({ port: 80 }))).toContain('1024 or above');
    expect(problem(host({ stunUrls: ['http://stun.example'] }))).toContain('stun: or stuns:');
    expect(problem(host({ turnUrls: ['turn:turn.example:3478'] }))).toContain('shared secret');
    expect(problem(host({ turnSecret: 'x' }))).toContain('at least one TURN URL');
    expect(problem(host({ stunUrls: ['stun:stun.example:3478'], turnUrls: ['turns:turn.example:5349'], turnSecret: 's' }))).toBe('');
  });

  it('an update that would store a refused server is refused as a whole, naming the field; the settings stay as they were', async () => {
    const { data } = await loaded(DEFAULT_SETTINGS);
    await expect(data.updateSettings({ server: off(join('http://10.0.0.5:7300')) as Settings['server'] })).rejects.toThrow(/server\.join\.0\.url.*plain http/);
    expect(data.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(settingsSchema.safeParse(DEFAULT_SETTINGS).success).toBe(true);
  });
});

describe('join links', () => {
  const ref = { server: 'https://192.168.1.20:7300', fingerprint: FP, password: 'pa ss&=' };

  it('round-trip through parley://join and the browser link, with or without the password', () => {
    expect(parseJoinLink(joinLink(ref, true))).toEqual(ref);
    expect(parseJoinLink(joinLink(ref, false))).toEqual({ ...ref, password: '' });
    expect(browserJoinLink(ref, true)).toMatch(/^https:\/\/192\.168\.1\.20:7300\/#join\?fp=[0-9A-F]{64}&password=/);
    expect(parseJoinLink(browserJoinLink(ref, true))).toEqual(ref);
  });

  it.each([
    'parley://join?server=http://192.168.1.20:7300&fp=' + FP,
    'parley://join?server=https://x.example/path&fp=' + FP,
    'parley://join?server=https://x.example&fp=nothex',
    'parley://join?server=https://x.example&server=https://y.example',
    'parley://join?server=https://x.example&evil=1',
    'parley://join/extra?server=https://x.example',
    'parley://user@join?server=https://x.example',
    'https://x.example/#join?server=https://y.example',
    'https://x.example/page#join?fp=' + FP,
    'parley://add?server=https://x.example',
    `parley://join?server=https://x.example&password=${'p'.repeat(300)}`,
  ])('refuses %s', (link) => {
    expect(parseJoinLink(link)).toBeNull();
  });

  it('main forwards a parley://join link to the renderer as joinOpened (which asks first), and ignores a browser #join address from the OS', () => {
    const events = new RecordingEvents();
    const window = new RecordingWindow();
    const router = new DeepLinkRouter({ events, window, logger: silentLogger });
    expect(router.open(joinLink(ref, true))).toBe(true);
    expect(events.sent).toEqual([{ channel: EVENT_CHANNELS.joinOpened, payload: ref }]);
    expect(router.open(browserJoinLink(ref, true))).toBe(false);
    expect(router.open('parley://join?server=http://192.168.1.20:7300')).toBe(false);
    expect(events.sent).toHaveLength(1);
  });
});

describe('Parley servers on your network (mDNS discovery in main)', () => {
  const found = (instance: string, over: Partial<DiscoveredServer> = {}): DiscoveredServer => ({
    instance,
    name: instance,
    protocolVersion: 3,
    compatible: true,
    tls: true,
    fingerprint: FP,
    passwordRequired: true,
    port: 7300,
    addresses: ['192.168.1.20'],
    url: 'https://192.168.1.20:7300',
    ...over,
  });

  function fakeBrowse() {
    const state = { started: 0, stopped: 0, refreshed: 0, options: null as BrowseOptions | null, servers: [] as DiscoveredServer[] };
    const browse = (options: BrowseOptions): ServerBrowser => {
      state.started++;
      state.options = options;
      return {
        servers: () => state.servers,
        refresh: () => void state.refreshed++,
        stop: async () => void state.stopped++,
      };
    };
    return { state, browse };
  }

  it('starts on request, sends the whole checked list on each change, leaves out what fails the contract, and stops', async () => {
    const { state, browse } = fakeBrowse();
    const lists: DiscoveredServer[][] = [];
    const discovery = new ServerDiscovery({ browse, onChange: (servers) => lists.push(servers), logger: silentLogger, refreshMs: 10 });
    expect(discovery.start()).toEqual([]);
    expect(discovery.start()).toEqual([]);
    expect(state.started).toBe(1);
    state.servers = [found('Zed'), found('Ann'), found('Bad', { fingerprint: 'not a fingerprint' })];
    state.options?.onUp?.(found('Zed'));
    expect(lists.at(-1)?.map((s) => s.instance)).toEqual(['Ann', 'Zed']);
    await eventually(() => expect(state.refreshed).toBeGreaterThan(0));
    await discovery.stop();
    expect(state.stopped).toBe(1);
    expect(discovery.running).toBe(false);
  });

  it('stops by itself when nobody asked for a while', async () => {
    const { state, browse } = fakeBrowse();
    const discovery = new ServerDiscovery({ browse, onChange: () => undefined, logger: silentLogger, idleMs: 30 });
    discovery.start();
    await eventually(() => expect(state.stopped).toBe(1));
    expect(discovery.running).toBe(false);
  });
});
