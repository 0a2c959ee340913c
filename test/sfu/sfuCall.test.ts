/**
 * The engine's SFU side (renderer/call/sfu/sfuCall.ts) with fake peer connections
 * and a scripted server: an active call whose topology turns to 'sfu' publishes and
 * subscribes; a remote device is handed over from the mesh only once the
 * subscriber is connected and that device's media arrived (its track unmuted); no
 * mesh connection is allowed in an SFU call; the call's end unpublishes.
 */
import { describe, expect, it, vi } from 'vitest';
import type { CallEvent, CallState } from '../../renderer/call/callState';
import type { CallSignaling } from '../../renderer/call/serverEvents';
import { createSfuCall, sfuRelayTargets } from '../../renderer/call/sfu/sfuCall';
import { FakePeerConnection, parseSdp } from '../unit/fakes/fakePeerConnection';
import { FakeMediaStreamTrack } from '../unit/fakes/fakeMedia';

const self = { userId: 'user-a', deviceId: 'dev-a', displayName: 'Ann' };

function member(deviceId: string, userId: string) {
  return { userId, deviceId, displayName: userId, polite: false, connected: true, audio: true, video: true };
}

function activeState(topology: 'mesh' | 'sfu'): CallState {
  return {
    phase: 'active',
    callId: 'call-1',
    media: 'video',
    activeSpeaker: null,
    links: {},
    call: {
      callId: 'call-1',
      media: 'video',
      connectedAt: 1,
      members: [member('dev-a', 'user-a'), member('dev-b', 'user-b')],
      invitees: [],
      maxParticipants: 16,
      topology,
      rejoinToken: null,
    },
  } as unknown as CallState;
}

function scripted() {
  const listeners = new Map<string, (payload: unknown) => void>();
  const requests: { event: string; payload: Record<string, unknown> }[] = [];
  const signaling = {
    request: vi.fn(async (event: string, payload: Record<string, unknown>) => {
      requests.push({ event, payload });
      if (event === 'sfu:publish') {
        const janus = new FakePeerConnection({}, { autoIce: false });
        await janus.setRemoteDescription(payload.description as RTCSessionDescriptionInit);
        await janus.setLocalDescription();
        return { description: janus.localDescription };
      }
      return {};
    }),
    events: {
      on: (event: string, listener: (payload: unknown) => void) => listeners.set(event, listener),
      off: (event: string) => listeners.delete(event),
    },
  } as unknown as CallSignaling;
  const emit = (event: string, payload: unknown): void => listeners.get(event)?.(payload);
  return { signaling, requests, emit, listeners };
}

/** An SFU call followed by the engine's SFU side, with a scripted server and no media. */
function followingSfuCall() {
  const { signaling, requests, emit } = scripted();
  const state = activeState('sfu');
  const sfu = createSfuCall<FakePeerConnection>({
    signaling,
    self,
    state: () => state,
    dispatch: () => undefined,
    now: () => 1000,
    createPeerConnection: () => new FakePeerConnection({}, { autoIce: false }),
    rtcConfiguration: async () => ({}),
    createStream: (tracks) => ({ getTracks: () => tracks }) as unknown as MediaStream,
    localTracks: () => ({ audio: null, video: null }),
    onCarriedChange: () => undefined,
  });
  sfu.follow(state);
  return { sfu, requests, emit, state };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('the SFU side of the engine', () => {
  it('stays out of a mesh call; in an SFU call publishes, subscribes, and takes a device over from the mesh only once its media arrives', async () => {
    const { signaling, requests, emit } = scripted();
    let state = activeState('mesh');
    const events: CallEvent[] = [];
    const pcs: FakePeerConnection[] = [];
    const onCarriedChange = vi.fn();
    const sfu = createSfuCall<FakePeerConnection>({
      signaling,
      self,
      state: () => state,
      dispatch: (event) => events.push(event),
      now: () => 1000,
      createPeerConnection: () => {
        const pc = new FakePeerConnection({}, { autoIce: false });
        pcs.push(pc);
        return pc;
      },
      rtcConfiguration: async () => ({}),
      createStream: (tracks) => ({ getTracks: () => tracks }) as unknown as MediaStream,
      localTracks: () => ({ audio: new FakeMediaStreamTrack('audio'), video: new FakeMediaStreamTrack('video') }),
      onCarriedChange,
    });

    sfu.follow(state);
    expect(sfu.session()).toBeNull();
    expect(sfu.allowsMesh(state)).toBe(true);
    expect(sfuRelayTargets(state, self)).toEqual([]);

    state = activeState('sfu');
    sfu.follow(state);
    expect(sfu.allowsMesh(state)).toBe(false);
    expect(sfuRelayTargets(state, self)).toEqual([{ deviceId: 'dev-b', userId: 'user-b' }]);
    await until('published and subscribed', () => requests.some((r) => r.event === 'sfu:publish') && requests.some((r) => r.event === 'sfu:subscribe'));
    expect(requests.find((r) => r.event === 'sfu:publish')?.payload).toMatchObject({ callId: 'call-1', feed: 'camera' });

    // The server offers B's camera (audio + video) to this device's subscriber.
    const janus = new FakePeerConnection({}, { autoIce: false });
    janus.addTransceiver('audio', { direction: 'sendonly' });
    janus.addTransceiver('video', { direction: 'sendonly' });
    await janus.setLocalDescription();
    const sdp = janus.localDescription?.sdp ?? '';
    const streams = parseSdp(sdp).mlines.map((m) => ({ mid: m.mid, deviceId: 'dev-b', feed: 'camera', kind: m.kind }));
    emit('sfu:offer', { callId: 'call-1', description: { type: 'offer', sdp }, streams });
    await until('answered', () => requests.some((r) => r.event === 'sfu:answer'));
    const subscriber = pcs[1] as FakePeerConnection;

    // Connected, but no media from B yet: the mesh keeps carrying B.
    subscriber.setConnectionState('connected');
    expect(sfu.carries('dev-b')).toBe(false);
    expect(onCarriedChange).not.toHaveBeenCalled();

    // B's media arrives: B is handed over, and B's link shows the SFU stream.
    const track = subscriber.getTransceivers()[1]?.receiver.track as unknown as FakeMediaStreamTrack;
    track.muted = false;
    track.dispatchEvent(new Event('unmute'));
    expect(sfu.carries('dev-b')).toBe(true);
    expect(onCarriedChange).toHaveBeenCalledTimes(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'linkPhase', deviceId: 'dev-b', connection: 'connected' }));
    const shown = events.filter((e): e is Extract<CallEvent, { type: 'linkStream' }> => e.type === 'linkStream' && e.deviceId === 'dev-b');
    expect(shown.at(-1)?.stream?.getTracks()).toHaveLength(2);
    expect(sfu.pollTargets().map(([deviceId]) => deviceId)).toEqual(['dev-b']);

    // The call ends: the session closes and both feeds are unpublished.
    state = { phase: 'idle' } as unknown as CallState;
    sfu.follow(state);
    expect(sfu.session()).toBeNull();
    await until('unpublished', () => requests.filter((r) => r.event === 'sfu:unpublish').length === 2);
    expect(subscriber.connectionState).toBe('closed');
    sfu.dispose();
  });

  it('ignores offers of another call and restarts on sfu:restart', async () => {
    const { sfu, requests, emit } = followingSfuCall();
    await until('published', () => requests.some((r) => r.event === 'sfu:publish'));
    emit('sfu:offer', { callId: 'another-call', description: { type: 'offer', sdp: 'v=0' }, streams: [] });
    emit('sfu:restart', { callId: 'call-1', reason: 'janus died' });
    await until('published and subscribed again', () =>
      requests.filter((r) => r.event === 'sfu:publish').length === 2 && requests.filter((r) => r.event === 'sfu:subscribe').length === 2);
    expect(requests.some((r) => r.event === 'sfu:answer')).toBe(false);
    sfu.dispose();
  });

  it('publishes and subscribes again after the signaling socket reconnects into the SFU call, not for another call', async () => {
    const { sfu, requests, emit, state } = followingSfuCall();
    const count = (event: string): number => requests.filter((r) => r.event === event).length;
    await until('published and subscribed', () => count('sfu:publish') === 1 && count('sfu:subscribe') === 1);
    const call = state.phase === 'active' ? state.call : null;
    // Welcomes that are not this SFU call change nothing.
    emit('session:welcome', { call: null });
    emit('session:welcome', { call: { ...call, callId: 'another-call' } });
    emit('session:welcome', { call: { ...call, topology: 'mesh' } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([count('sfu:publish'), count('sfu:subscribe')]).toEqual([1, 1]);
    // The socket came back and the server re-attached this device to the call.
    emit('session:welcome', { call });
    await until('published and subscribed again', () => count('sfu:publish') === 2 && count('sfu:subscribe') === 2);
    sfu.dispose();
  });
});
