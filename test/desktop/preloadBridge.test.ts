import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BRIDGE,
  DEFAULT_SETTINGS,
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  SEND_CHANNELS,
  type CallAction,
  type Favourite,
  type HostNotice,
  type ParleyBridge,
  type Settings,
  type SettingsPatch,
  type Unsubscribe,
} from '../../preload/contract';
import { BRIDGE_KEY, createPreloadBridge, exposeBridge, type IpcRendererLike } from '../../preload/bridge';

/** Every method of ParleyBridge; TypeScript fails this file if the contract gains or loses one. */
const BRIDGE_METHODS: Record<keyof ParleyBridge, true> = {
  getAppInfo: true,
  getLegacy: true,
  getSettings: true,
  updateSettings: true,
  getServerEndpoint: true,
  getHostedServer: true,
  probeServer: true,
  startServerDiscovery: true,
  stopServerDiscovery: true,
  getFavourites: true,
  setFavourites: true,
  getHistory: true,
  addHistoryEntry: true,
  clearHistory: true,
  reportCallState: true,
  showIncomingCall: true,
  dismissIncomingCall: true,
  openExternal: true,
  chooseScreenSource: true,
  log: true,
  beginDownload: true,
  writeDownload: true,
  finishDownload: true,
  abortDownload: true,
  revealDownload: true,
  getDownloadFolder: true,
  chooseDownloadFolder: true,
  onCallRequested: true,
  onCallAction: true,
  onScreenSourcesRequested: true,
  onNotice: true,
  onInviteOpened: true,
  onJoinOpened: true,
  onHostedServerChanged: true,
  onDiscoveredServers: true,
};

type Listener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<[string, unknown[]]> = [];
  readonly sent: Array<[string, unknown[]]> = [];
  readonly listeners = new Map<string, Set<Listener>>();
  answers = new Map<string, unknown>();
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push([channel, args]);
    return this.answers.get(channel);
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, args]);
  }
  on(channel: string, listener: Listener): this {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    return this;
  }
  removeListener(channel: string, listener: Listener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  count(channel: string): number {
    return this.listeners.get(channel)?.size ?? 0;
  }
  /** What main's webContents.send looks like on this side: (event, payload). */
  emit(channel: string, payload: unknown): void {
    const fakeEvent = { sender: 'the ipcRenderer itself — must never reach the page' };
    for (const listener of this.listeners.get(channel) ?? []) listener(fakeEvent, payload);
  }
}

describe('preload bridge', () => {
  it('exposes exactly one object, `parley`, with exactly the ParleyBridge methods', () => {
    const exposed = new Map<string, unknown>();
    exposeBridge({ exposeInMainWorld: (key, api) => exposed.set(key, api) }, new FakeIpcRenderer());
    expect([...exposed.keys()]).toEqual([BRIDGE_KEY]);
    expect(BRIDGE_KEY).toBe('parley');
    const api = exposed.get('parley') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(Object.keys(BRIDGE_METHODS).sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    // No ipcRenderer, no generic invoke/send.
    expect(Object.values(api).some((v) => v instanceof FakeIpcRenderer)).toBe(false);
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('send');
  });

  it('requests go to their contract channel and answers are checked', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc);
    ipc.answers.set(INVOKE_CHANNELS.getSettings, DEFAULT_SETTINGS);
    expect(await bridge.getSettings()).toEqual(DEFAULT_SETTINGS);
    ipc.answers.set(INVOKE_CHANNELS.updateSettings, { ...DEFAULT_SETTINGS, relayOnly: true });
    expect(await bridge.updateSettings({ relayOnly: true })).toMatchObject({ relayOnly: true });
    expect(ipc.invoked).toEqual([
      [INVOKE_CHANNELS.getSettings, []],
      [INVOKE_CHANNELS.updateSettings, [{ relayOnly: true }]],
    ]);
    ipc.answers.set(INVOKE_CHANNELS.getLegacy, { oldUserId: 'x' });
    await expect(bridge.getLegacy()).rejects.toThrow(/Unexpected answer on parley:legacy/);
    ipc.answers.set(INVOKE_CHANNELS.getLegacy, null);
    expect(await bridge.getLegacy()).toBeNull();
  });

  it('a bad argument fails in the renderer with the field named, and is never sent', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc);
    await expect(bridge.openExternal('file:///etc/passwd')).rejects.toThrow(/Invalid argument for parley:open-external/);
    expect(() => bridge.chooseScreenSource({ requestId: '', sourceId: null })).toThrow(/requestId/);
    expect(ipc.invoked).toEqual([]);
    expect(ipc.sent).toEqual([]);
  });

  it('one-way messages use send', () => {
    const ipc = new FakeIpcRenderer();
    createPreloadBridge(ipc).dismissIncomingCall('call-abcdefgh');
    expect(ipc.sent).toEqual([[SEND_CHANNELS.dismissIncomingCall, ['call-abcdefgh']]]);
  });

  it('a method that takes nothing sends nothing, whatever it is called with (a click handler passes an event)', async () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc);
    const clearHistory = bridge.clearHistory as (...args: unknown[]) => Promise<void>;
    await clearHistory({ type: 'click' });
    expect(ipc.invoked).toEqual([[INVOKE_CHANNELS.clearHistory, []]]);
  });

  it('the methods derived from the table have the signatures the renderer codes against', () => {
    expectTypeOf<ParleyBridge['getSettings']>().toEqualTypeOf<() => Promise<Settings>>();
    expectTypeOf<ParleyBridge['updateSettings']>().toEqualTypeOf<(patch: SettingsPatch) => Promise<Settings>>();
    expectTypeOf<ParleyBridge['setFavourites']>().toEqualTypeOf<(favourites: Favourite[]) => Promise<void>>();
    expectTypeOf<ParleyBridge['chooseDownloadFolder']>().toEqualTypeOf<() => Promise<string | null>>();
    expectTypeOf<ParleyBridge['dismissIncomingCall']>().toEqualTypeOf<(callId: string) => void>();
    expectTypeOf<ParleyBridge['onNotice']>().toEqualTypeOf<(listener: (notice: HostNotice) => void) => Unsubscribe>();
    expect(Object.keys(BRIDGE)).toHaveLength(Object.keys(BRIDGE_METHODS).length);
  });

  it('every method has its own channel, and each channel map holds exactly the rows of its kind', () => {
    const rows = Object.values(BRIDGE);
    expect(new Set(rows.map((row) => row.channel)).size).toBe(rows.length);
    const ofKind = (kind: string) => rows.filter((row) => row.kind === kind).map((row) => row.channel).sort();
    expect(Object.values(INVOKE_CHANNELS).sort()).toEqual(ofKind('invoke'));
    expect(Object.values(SEND_CHANNELS).sort()).toEqual(ofKind('send'));
    expect(Object.values(EVENT_CHANNELS).sort()).toEqual(ofKind('event'));
    expect(EVENT_CHANNELS).toMatchObject({ callRequested: BRIDGE.onCallRequested.channel, notice: BRIDGE.onNotice.channel });
  });

  it('log entries go to main with send; an entry over its limits throws and is never sent', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc);
    const entry = { level: 'info', scope: 'files:receive', message: 'saved', detail: 'a.txt' } as const;
    bridge.log(entry);
    expect(ipc.sent).toEqual([[SEND_CHANNELS.log, [entry]]]);
    expect(() => bridge.log({ level: 'info', scope: 'x'.repeat(65), message: 'too long a scope' })).toThrow(/Invalid argument for parley:log: scope/);
    expect(() => bridge.log({ level: 'info', scope: 'peer', message: 'm', detail: 'd'.repeat(4001) })).toThrow(/detail/);
    expect(ipc.sent).toHaveLength(1);
  });

  it('listeners get only the payload, and unsubscribe really removes the ipc listener', () => {
    const ipc = new FakeIpcRenderer();
    const bridge = createPreloadBridge(ipc);
    const received: unknown[][] = [];
    const subscriptions = [
      [EVENT_CHANNELS.callRequested, bridge.onCallRequested((...args) => received.push(args))],
      [EVENT_CHANNELS.callAction, bridge.onCallAction((...args) => received.push(args))],
      [EVENT_CHANNELS.screenSourcesRequested, bridge.onScreenSourcesRequested((...args) => received.push(args))],
      [EVENT_CHANNELS.notice, bridge.onNotice((...args) => received.push(args))],
    ] as const;
    for (const [channel] of subscriptions) expect(ipc.count(channel)).toBe(1);

    const action: CallAction = { type: 'toggle-mute' };
    ipc.emit(EVENT_CHANNELS.callAction, action);
    expect(received).toEqual([[action]]);

    for (const [channel, unsubscribe] of subscriptions) {
      unsubscribe();
      unsubscribe(); // idempotent
      expect(ipc.count(channel)).toBe(0);
    }
    ipc.emit(EVENT_CHANNELS.callAction, action);
    expect(received).toHaveLength(1);
  });

  it('drops event payloads from main that do not match the contract', () => {
    const ipc = new FakeIpcRenderer();
    const dropped: string[] = [];
    const bridge = createPreloadBridge(ipc, { onDroppedEvent: (channel) => dropped.push(channel) });
    const requests: unknown[] = [];
    bridge.onCallRequested((request) => requests.push(request));
    ipc.emit(EVENT_CHANNELS.callRequested, { userId: 'x', media: 'audio' });
    ipc.emit(EVENT_CHANNELS.callRequested, { userId: 'user_ABC-123', media: 'screen' });
    ipc.emit(EVENT_CHANNELS.callRequested, { userId: 'user_ABC-123', media: 'video', extra: 1 });
    ipc.emit(EVENT_CHANNELS.callRequested, 'user_ABC-123');
    ipc.emit(EVENT_CHANNELS.callRequested, { userId: 'user_ABC-123', media: 'video' });
    expect(requests).toEqual([{ userId: 'user_ABC-123', media: 'video' }]);
    expect(dropped).toEqual(Array(4).fill(EVENT_CHANNELS.callRequested));
  });
});
