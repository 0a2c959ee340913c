/**
 * The SFU side of calls loads when first needed (renderer/call/lazySfu.ts, issue 16.8):
 * nothing loads for a mesh call; the first SFU call loads it once, and it then follows
 * the state of that moment and gets, in order, the messages that came meanwhile; until
 * then no mesh connection opens in an SFU call; a load that fails is logged, ends the
 * call through `onLoadFailed` and is tried again by the next SFU call.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CallState } from '../../../renderer/call/callState';
import { createLazySfu, MAX_WAITING_INPUTS, type SfuStackModule } from '../../../renderer/call/lazySfu';
import type { PeerConnectionLike } from '../../../renderer/call/peerConnection';
import type { SfuCall } from '../../../renderer/call/sfu/sfuCall';
import type { SfuStack, SfuStackOptions } from '../../../renderer/call/sfuStack';
import { setLogSink } from '../../../renderer/log';
import type { LogEntry } from '../../../preload/contract';
import type { E2eeSignal } from '../../../signaling-server/protocol';

const self = { userId: 'user-a', deviceId: 'dev-a', displayName: 'Ann' };

function callState(topology: 'mesh' | 'sfu', callId = 'call-1'): CallState {
  return {
    phase: 'active',
    callId,
    media: 'audio',
    activeSpeaker: null,
    links: {},
    call: {
      callId,
      media: 'audio',
      connectedAt: 1,
      members: [
        { userId: 'user-a', deviceId: 'dev-a', displayName: 'Ann', polite: false, connected: true, audio: true, video: false },
        { userId: 'user-b', deviceId: 'dev-b', displayName: 'Bob', polite: false, connected: true, audio: true, video: false },
      ],
      invitees: [],
      maxParticipants: 16,
      topology,
      rejoinToken: null,
    },
  } as unknown as CallState;
}

/** What the loaded module saw, in order. */
type Seen = string[];

function fakeModule(seen: Seen): SfuStackModule {
  return {
    createSfuStack<PC extends PeerConnectionLike>(): SfuStack<PC> {
      seen.push('created');
      const sfu: SfuCall<PC> = {
        follow: (s) => void seen.push(`follow ${s.phase === 'active' ? s.call.topology : s.phase}`),
        carries: (deviceId) => deviceId === 'dev-b',
        allowsMesh: () => false,
        session: () => null,
        pollTargets: () => [],
        setScreen: (track) => void seen.push(`screen ${track ? track.id : 'none'}`),
        screens: () => new Map(),
        dispose: () => void seen.push('disposed'),
      };
      return {
        sfu,
        handleE2ee: (callId, from) => void seen.push(`e2ee ${callId} ${from}`),
        receiveFiles: (callId, from, payload) => void seen.push(`files ${callId} ${from} ${payload}`),
      };
    },
  };
}

function setup(load: () => Promise<SfuStackModule>, state: { now: CallState }) {
  const failed: { callId: string; error: unknown }[] = [];
  const lazy = createLazySfu<PeerConnectionLike>({
    ...({} as SfuStackOptions<PeerConnectionLike>),
    self,
    state: () => state.now,
    onLoadFailed: (callId, error) => void failed.push({ callId, error }),
    load,
  });
  return { lazy, failed };
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const keyMessage = {} as E2eeSignal;

let restoreLog: (() => void) | null = null;
afterEach(() => {
  restoreLog?.();
  restoreLog = null;
});

describe('the SFU side, loaded when a call first needs it', () => {
  it('loads nothing for a mesh call, and until loaded opens no mesh connection in an SFU call', async () => {
    const load = vi.fn(async () => fakeModule([]));
    const state = { now: callState('mesh') };
    const { lazy } = setup(load, state);
    lazy.sfu.follow(state.now);
    await flush();
    expect(load).not.toHaveBeenCalled();
    expect(lazy.sfu.allowsMesh(state.now)).toBe(true);
    expect(lazy.sfu.allowsMesh(callState('sfu'))).toBe(false);
    expect(lazy.sfu.carries('dev-b')).toBe(false);
    expect(lazy.sfu.pollTargets()).toEqual([]);
    expect(lazy.sfu.screens().size).toBe(0);
    expect(lazy.sfu.session()).toBeNull();
  });

  it('loads once for an SFU call, follows the state of that moment, then gets what came meanwhile in order', async () => {
    const seen: Seen = [];
    let release: (module: SfuStackModule) => void = () => undefined;
    const load = vi.fn(() => new Promise<SfuStackModule>((resolve) => (release = resolve)));
    const state = { now: callState('sfu') };
    const { lazy } = setup(load, state);

    lazy.sfu.follow(state.now);
    lazy.handleE2ee('call-1', 'dev-b', keyMessage);
    lazy.sfu.follow(state.now);
    lazy.receiveFiles('call-1', 'dev-b', 'sealed-1');
    lazy.sfu.setScreen({ id: 'screen-track' } as MediaStreamTrack);
    expect(load).toHaveBeenCalledTimes(1);
    expect(seen).toEqual([]);

    release(fakeModule(seen));
    await flush();
    expect(seen).toEqual(['created', 'screen screen-track', 'follow sfu', 'e2ee call-1 dev-b', 'files call-1 dev-b sealed-1']);
    expect(lazy.sfu.carries('dev-b')).toBe(true);

    // From now on, straight through.
    lazy.handleE2ee('call-1', 'dev-c', keyMessage);
    lazy.sfu.follow(callState('mesh'));
    lazy.sfu.dispose();
    expect(seen.slice(5)).toEqual(['e2ee call-1 dev-c', 'follow mesh', 'disposed']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a key message alone loads it (it only comes in SFU calls)', async () => {
    const seen: Seen = [];
    const state = { now: callState('mesh') };
    const { lazy } = setup(async () => fakeModule(seen), state);
    lazy.handleE2ee('call-1', 'dev-b', keyMessage);
    await flush();
    expect(seen).toEqual(['created', 'follow mesh', 'e2ee call-1 dev-b']);
  });

  it('keeps at most MAX_WAITING_INPUTS messages while it loads, and says it dropped the rest', async () => {
    const lines: LogEntry[] = [];
    restoreLog = setLogSink((entry) => lines.push(entry));
    const seen: Seen = [];
    let release: (module: SfuStackModule) => void = () => undefined;
    const state = { now: callState('sfu') };
    const { lazy } = setup(() => new Promise<SfuStackModule>((resolve) => (release = resolve)), state);
    for (let i = 0; i < MAX_WAITING_INPUTS + 3; i += 1) lazy.receiveFiles('call-1', 'dev-b', `p${i}`);
    release(fakeModule(seen));
    await flush();
    expect(seen.filter((s) => s.startsWith('files'))).toHaveLength(MAX_WAITING_INPUTS);
    expect(lines.filter((l) => l.level === 'warn' && l.message.includes('dropped'))).toHaveLength(3);
  });

  it('a load that fails is logged, handed to the engine with the call, and tried again by the next SFU call', async () => {
    const lines: LogEntry[] = [];
    restoreLog = setLogSink((entry) => lines.push(entry));
    const seen: Seen = [];
    const chunkError = new Error('Failed to fetch dynamically imported module: app://parley/assets/sfuStack-1234.js');
    const load = vi.fn<() => Promise<SfuStackModule>>().mockRejectedValueOnce(chunkError).mockResolvedValue(fakeModule(seen));
    const state = { now: callState('sfu') };
    const { lazy, failed } = setup(load, state);

    lazy.sfu.follow(state.now);
    lazy.handleE2ee('call-1', 'dev-b', keyMessage);
    await flush();
    expect(failed).toEqual([{ callId: 'call-1', error: chunkError }]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', scope: expect.stringContaining('call.sfu'), message: expect.stringContaining('did not load for call call-1') }),
    );
    expect(lazy.sfu.session()).toBeNull();

    state.now = callState('sfu', 'call-2');
    lazy.sfu.follow(state.now);
    await flush();
    expect(load).toHaveBeenCalledTimes(2);
    // What waited for the failed load went with it: the call it belonged to has ended.
    expect(seen).toEqual(['created', 'follow sfu']);
    expect(failed).toHaveLength(1);
  });

  it('disposed while it loads: builds nothing and reports nothing', async () => {
    const seen: Seen = [];
    let release: (module: SfuStackModule) => void = () => undefined;
    const state = { now: callState('sfu') };
    const { lazy, failed } = setup(() => new Promise<SfuStackModule>((resolve) => (release = resolve)), state);
    lazy.sfu.follow(state.now);
    lazy.sfu.dispose();
    release(fakeModule(seen));
    await flush();
    expect(seen).toEqual([]);
    expect(failed).toEqual([]);
  });
});
