import { describe, expect, it } from 'vitest';
import type { SignalData } from '../../../signaling-server/protocol';
import type { CallEvent } from '../../../renderer/call/callState';
import { PeerSession } from '../../../renderer/call/peerSession';
import type { PlannedSession } from '../../../renderer/call/sessionPlan';
import { SessionPool } from '../../../renderer/call/sessionPool';
import { setLogSink } from '../../../renderer/log';
import type { LogEntry } from '../../../preload/contract';
import { FakeMediaStreamTrack, createFakeStream } from '../fakes/fakeMedia';
import { FakePeerConnection, fakePeerConnections } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';

const CALL = 'call-0000001';
const REMOTE = 'device-remote-1';

function setup(options: { rtcConfiguration?: () => Promise<RTCConfiguration> } = {}) {
  const pcs = fakePeerConnections();
  const events: CallEvent[] = [];
  const sent: { callId: string; to: string; data: SignalData }[] = [];
  const pool = new SessionPool({
    createPeerConnection: pcs.create,
    rtcConfiguration: options.rtcConfiguration ?? (async () => ({ iceServers: [] })),
    sendSignal: (callId, to, data) => sent.push({ callId, to, data }),
    createStream: createFakeStream,
    dispatch: (event) => events.push(event),
    now: () => 42,
  });
  return { pool, pcs, events, sent };
}

const plan = (patch: Partial<PlannedSession> = {}): PlannedSession => ({
  deviceId: REMOTE,
  userId: 'user-remote-1',
  polite: true,
  send: false,
  ...patch,
});
const none = { audio: null, video: null };

/** A remote device that offers first (it is the impolite side). */
function remoteOfferer() {
  const pc = new FakePeerConnection({}, { label: 'remote' });
  const out: SignalData[] = [];
  const session = new PeerSession({ pc, polite: false, send: (data) => out.push(data) });
  return { pc, session, out };
}

describe('session pool', () => {
  it('holds signals that arrive before the plan names their device, even across the dial’s ack', async () => {
    const { pool, pcs, sent } = setup();
    const remote = remoteOfferer();
    remote.session.ensureTransceivers(['audio']);
    await waitFor(() => remote.out.some((d) => d.kind === 'description'), 'the remote device offered');

    pool.sync(null, [], ['audio'], none); // dialing: no callId yet
    for (const data of remote.out) pool.deliver(CALL, REMOTE, data);
    pool.sync(CALL, [plan()], ['audio'], none);

    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the pool answered');
    expect(pcs.created[0]?.log).toEqual(['remote offer', 'local answer']);
    expect(sent.every((s) => s.callId === CALL && s.to === REMOTE)).toBe(true);
  });

  it('drops signals of another call', async () => {
    const { pool, pcs } = setup();
    pool.sync(CALL, [plan()], ['audio'], none);
    await waitFor(() => pool.sessions().length === 1, 'the session exists');
    const remote = remoteOfferer();
    remote.session.ensureTransceivers(['audio']);
    await waitFor(() => remote.out.some((d) => d.kind === 'description'), 'the remote device offered');

    for (const data of remote.out) pool.deliver('call-0000002', REMOTE, data);
    pool.sync(CALL, [plan()], ['audio'], none);

    expect(pcs.created[0]?.log).toEqual([]);
  });

  it('the impolite side makes the transceivers; the polite side waits for them', async () => {
    const { pool, pcs } = setup();
    pool.sync(CALL, [plan({ polite: false }), plan({ deviceId: 'device-remote-2', polite: true })], ['audio', 'video'], none);
    await waitFor(() => pool.sessions().length === 2, 'both sessions exist');

    expect(pcs.created.map((pc) => pc.getTransceivers().map((t) => t.kind))).toEqual([['audio', 'video'], []]);
  });

  it('puts tracks only on sessions that may send, and takes them off again', async () => {
    const { pool, pcs } = setup();
    const mic = new FakeMediaStreamTrack('audio');
    pool.sync(CALL, [plan({ polite: false, send: false })], ['audio'], { audio: mic, video: null });
    await waitFor(() => pool.sessions().length === 1, 'the session exists');
    expect(pcs.created[0]?.getTransceivers()[0]?.sender.track).toBeNull();

    pool.sync(CALL, [plan({ polite: false, send: true })], ['audio'], { audio: mic, video: null });
    await waitFor(() => pcs.created[0]?.getTransceivers()[0]?.sender.track === mic, 'the microphone is sent');

    pool.sync(CALL, [plan({ polite: false, send: true })], ['audio'], none);
    await waitFor(() => pcs.created[0]?.getTransceivers()[0]?.sender.track === null, 'nothing is sent');
  });

  it('closes a session the plan drops, and tells the store', async () => {
    const { pool, pcs, events } = setup();
    pool.sync(CALL, [plan()], ['audio'], none);
    await waitFor(() => pool.sessions().length === 1, 'the session exists');

    pool.sync(CALL, [], ['audio'], none);

    expect(pcs.created[0]?.closed).toBe(true);
    expect(pool.sessions()).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['linkPhase', 'linkClosed']);
  });

  it('a session whose configuration cannot be had shows as failed, and the log says why', async () => {
    const logged: LogEntry[] = [];
    const restore = setLogSink((entry) => logged.push(entry));
    try {
      const { pool, events } = setup({ rtcConfiguration: () => Promise.reject(new Error('TURN refused')) });
      pool.sync(CALL, [plan()], ['audio'], none);

      await waitFor(() => events.some((e) => e.type === 'linkPhase' && e.connection === 'failed'), 'the link failed');
      expect(logged).toEqual([
        {
          level: 'error',
          scope: 'call.peer',
          message: `could not set up the connection to device ${REMOTE} in call ${CALL}`,
          detail: expect.stringContaining('Error: TURN refused'),
        },
      ]);
    } finally {
      restore();
    }
  });

  it('a negotiation error reaches the log with the step, the device and the call', async () => {
    const logged: LogEntry[] = [];
    const restore = setLogSink((entry) => logged.push(entry));
    try {
      const { pool } = setup();
      pool.sync(CALL, [plan()], ['audio'], none);
      await waitFor(() => pool.sessions().length === 1, 'the session exists');

      // An answer nobody asked for: setRemoteDescription rejects in 'stable'.
      pool.deliver(CALL, REMOTE, { kind: 'description', description: { type: 'answer', sdp: 'v=0' } });

      await waitFor(() => logged.length > 0, 'the error is logged');
      expect(logged[0]).toEqual({
        level: 'warn',
        scope: 'call.peer',
        message: `negotiation failed (remote description) with device ${REMOTE} in call ${CALL}`,
        detail: expect.stringContaining('InvalidStateError'),
      });
    } finally {
      restore();
    }
  });

  it('a session removed while its configuration was on its way is never created', async () => {
    let release = (): void => {};
    const { pool, pcs } = setup({ rtcConfiguration: () => new Promise((resolve) => (release = () => resolve({})) ) });
    pool.sync(CALL, [plan()], ['audio'], none);
    pool.closeAll();
    release();
    // The pool's continuation is a promise callback: it has run before any timer.
    await new Promise((resolve) => setTimeout(resolve, 0));

    expect(pcs.created).toEqual([]);
  });
});
