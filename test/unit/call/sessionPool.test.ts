import { describe, expect, it } from 'vitest';
import { checkDtlsProof, type DtlsProof } from '../../../signaling-server/identity';
import type { SignalData } from '../../../signaling-server/protocol';
import type { CallEvent } from '../../../renderer/call/callState';
import { PeerSession } from '../../../renderer/call/peerSession';
import type { PlannedSession } from '../../../renderer/call/sessionPlan';
import { SessionPool, type DtlsFailure } from '../../../renderer/call/sessionPool';
import { setLogSink } from '../../../renderer/log';
import type { LogEntry } from '../../../preload/contract';
import { FakeMediaStreamTrack, createFakeStream } from '../fakes/fakeMedia';
import { FakeIceCandidateEvent, FakePeerConnection, fakePeerConnections } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { dtlsProofFor, makeIdentity, type TestIdentity } from '../../support/testIdentity';
import { appIdentity } from './enginePerson';

const CALL = 'call-0000001';
/** This device, the remote device the pool connects to, and someone else. */
const MINE = await makeIdentity();
const THEIRS = await makeIdentity();
const MALLORY = await makeIdentity();
const REMOTE = THEIRS.deviceId;

function setup(options: { rtcConfiguration?: () => Promise<RTCConfiguration>; autoIce?: boolean } = {}) {
  const pcs = fakePeerConnections(options.autoIce === false ? { autoIce: false } : {});
  const events: CallEvent[] = [];
  const sent: { callId: string; to: string; data: SignalData }[] = [];
  const unverified: { callId: string; deviceId: string; reason: DtlsFailure }[] = [];
  const pool = new SessionPool({
    createPeerConnection: pcs.create,
    rtcConfiguration: options.rtcConfiguration ?? (async () => ({ iceServers: [] })),
    sendSignal: (callId, to, data) => sent.push({ callId, to, data }),
    createStream: createFakeStream,
    dispatch: (event) => events.push(event),
    now: () => 42,
    signer: appIdentity(MINE),
    onUnverified: (callId, peer, reason) => unverified.push({ callId, deviceId: peer.deviceId, reason }),
  });
  return { pool, pcs, events, sent, unverified };
}

const plan = (patch: Partial<PlannedSession> = {}): PlannedSession => ({
  deviceId: REMOTE,
  userId: THEIRS.userId,
  polite: true,
  send: false,
  ...patch,
});
const none = { audio: null, video: null };

/** `data` as `from` would send it to this device in CALL: a description carries its DTLS proof. */
async function signedBy(from: TestIdentity, data: SignalData, callId = CALL): Promise<SignalData> {
  if (data.kind !== 'description') return data;
  return { ...data, proof: await dtlsProofFor(from, data.description.sdp, { callId, toDeviceId: MINE.deviceId }) };
}

/** The SDP with every fingerprint replaced, as a server sitting in the middle would. */
const tampered = (sdp: string): string => sdp.replace(/^a=fingerprint:.*$/gm, `a=fingerprint:sha-256 ${Array(32).fill('AB').join(':')}`);

/** A remote device that offers first (it is the impolite side); `out` holds what it sent, signed as THEIRS. */
function remoteOfferer() {
  const pc = new FakePeerConnection({}, { label: 'remote' });
  const out: SignalData[] = [];
  // Signed one after the other, so `out` keeps the order they were sent in.
  let signing = Promise.resolve();
  const send = (data: SignalData): void => {
    signing = signing.then(async () => void out.push(await signedBy(THEIRS, data)));
  };
  const session = new PeerSession({ pc, polite: false, send });
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

      // An answer nobody asked for (signed, so it is applied): setRemoteDescription rejects in 'stable'.
      const sdp = 'v=0\na=fingerprint:sha-256 01:02:03';
      pool.deliver(CALL, REMOTE, await signedBy(THEIRS, { kind: 'description', description: { type: 'answer', sdp } }));

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

describe('session pool: DTLS proofs', () => {
  /** The pool is the polite side; the remote device offers, and the offer reaches the pool as `change` makes it. */
  async function offered(change: (data: SignalData) => SignalData | Promise<SignalData>) {
    const ctx = setup();
    ctx.pool.sync(CALL, [plan()], ['audio'], none);
    await waitFor(() => ctx.pool.sessions().length === 1, 'the session exists');
    const remote = remoteOfferer();
    remote.session.ensureTransceivers(['audio']);
    await waitFor(() => remote.out.some((d) => d.kind === 'description') && remote.out.some((d) => d.kind === 'candidate'), 'the remote device offered');
    for (const data of remote.out) ctx.pool.deliver(CALL, REMOTE, await change(data));
    return { ...ctx, remote };
  }

  it('signs every description it sends, for the device and the call it goes to', async () => {
    const { sent, pcs } = await offered((data) => data);
    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the pool answered');

    const answer = sent.find((s) => s.data.kind === 'description')?.data;
    if (answer?.kind !== 'description') throw new Error('no answer');
    expect(answer.description.sdp).toContain(`a=fingerprint:${pcs.created[0]?.fingerprint}`);
    const expect_ = { userId: MINE.userId, fromDeviceId: MINE.deviceId, toDeviceId: REMOTE, callId: CALL };
    expect(await checkDtlsProof(answer.proof, answer.description.sdp, expect_)).toEqual({ ok: true });
    // The same proof is worth nothing for another call or another device.
    expect(await checkDtlsProof(answer.proof, answer.description.sdp, { ...expect_, callId: 'call-0000002' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await checkDtlsProof(answer.proof, answer.description.sdp, { ...expect_, toDeviceId: MALLORY.deviceId })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('applies a signed offer and the candidates behind it, in order', async () => {
    const { pcs, unverified } = await offered((data) => data);
    await waitFor(() => pcs.created[0]?.connectionState === 'connected', 'connected');

    expect(pcs.created[0]?.log).toEqual(['remote offer', 'local answer']);
    expect(pcs.created[0]?.rejectedCandidates).toBe(0);
    expect(unverified).toEqual([]);
  });

  it.each<[string, (data: SignalData) => SignalData | Promise<SignalData>, DtlsFailure]>([
    [
      'its fingerprint was rewritten',
      (data) => (data.kind === 'description' ? { ...data, description: { ...data.description, sdp: tampered(data.description.sdp) } } : data),
      'bad_signature',
    ],
    ['it carries no proof', (data) => (data.kind === 'description' ? { kind: 'description', description: data.description } : data), 'no_proof'],
    [
      'another user signed it (re-signed by whoever rewrote it)',
      async (data) => {
        if (data.kind !== 'description') return data;
        const sdp = tampered(data.description.sdp);
        return signedBy(MALLORY, { kind: 'description', description: { ...data.description, sdp } });
      },
      'wrong_user',
    ],
    [
      'it was signed for another call',
      async (data) => (data.kind === 'description' ? signedBy(THEIRS, { kind: 'description', description: data.description }, 'call-0000009') : data),
      'bad_signature',
    ],
  ])('refuses an offer when %s: not applied, the session closed for the rest of the call, its own description shown', async (_, change, reason) => {
    const logged: LogEntry[] = [];
    const restore = setLogSink((entry) => logged.push(entry));
    try {
      const { pool, pcs, sent, events, unverified } = await offered(change);
      await waitFor(() => unverified.length === 1, 'the pool says the device is unverified');

      expect(unverified).toEqual([{ callId: CALL, deviceId: REMOTE, reason }]);
      const pc = pcs.created[0];
      expect(pc?.log).toEqual(['local offer']); // its own offer, for the peer to check; nothing of theirs
      expect(pc?.remoteCandidates).toEqual([]);
      expect(pc?.closed).toBe(true);
      expect(pool.sessions()).toEqual([]);
      expect(events.map((e) => e.type)).toEqual(['linkPhase', 'linkClosed']);
      // What it sent: its own offer, signed for them — no candidate (no address).
      expect(sent.map((s) => s.data.kind)).toEqual(['description']);
      const own = sent[0]?.data;
      if (own?.kind !== 'description') throw new Error('no description');
      expect(await checkDtlsProof(own.proof, own.description.sdp, { userId: MINE.userId, fromDeviceId: MINE.deviceId, toDeviceId: REMOTE, callId: CALL })).toEqual({ ok: true });
      expect(logged).toContainEqual(
        expect.objectContaining({ level: 'warn', scope: 'call.peer', message: expect.stringContaining(`failed its DTLS check (${reason})`) }),
      );

      // Never again in this call: neither the plan nor their signals bring it back.
      pool.sync(CALL, [plan()], ['audio'], none);
      pool.deliver(CALL, REMOTE, await signedBy(THEIRS, { kind: 'description', description: { type: 'offer', sdp: pc?.localDescription?.sdp ?? '' } }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(pcs.created).toHaveLength(1);
      // A new call starts afresh.
      pool.sync('call-0000002', [plan()], ['audio'], none);
      await waitFor(() => pool.sessions().length === 1, 'a session in the next call');
    } finally {
      restore();
    }
  });

  it('refuses an answer that fails its check (the offering side) just the same', async () => {
    const { pool, pcs, sent, unverified } = setup();
    pool.sync(CALL, [plan({ polite: false })], ['audio'], none);
    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the pool offered');
    const offer = sent.find((s) => s.data.kind === 'description')?.data;
    if (offer?.kind !== 'description') throw new Error('no offer');
    const remote = new FakePeerConnection({}, { label: 'remote' });
    await new PeerSession({ pc: remote, polite: true, send: () => undefined }).handleSignal(offer);
    await waitFor(() => remote.localDescription?.type === 'answer', 'the remote answered');

    // Signed by them, then its fingerprint swapped on the way.
    const signed = await signedBy(THEIRS, { kind: 'description', description: { type: 'answer', sdp: remote.localDescription?.sdp ?? '' } });
    if (signed.kind !== 'description') throw new Error('not a description');
    pool.deliver(CALL, REMOTE, { ...signed, description: { type: 'answer', sdp: tampered(signed.description.sdp) } });

    await waitFor(() => unverified.length === 1, 'the answer was refused');
    expect(unverified[0]?.reason).toBe('bad_signature');
    expect(pcs.created[0]?.log).toEqual(['local offer']);
    expect(pcs.created[0]?.closed).toBe(true);
    // Its offer, shown again for them to check: the one it had sent.
    expect(sent.filter((s) => s.data.kind === 'description').map((s) => s.data.kind === 'description' && s.data.description.sdp)).toEqual([
      offer.description.sdp,
      offer.description.sdp,
    ]);
  });

  it('what comes after a description waits for its check: a refusal is reported before the next server event', async () => {
    const order: string[] = [];
    const { pool, unverified } = setup();
    pool.afterChecks(() => order.push('nothing pending: at once'));
    expect(order).toEqual(['nothing pending: at once']);
    pool.sync(CALL, [plan()], ['audio'], none);
    await waitFor(() => pool.sessions().length === 1, 'the session exists');
    const remote = remoteOfferer();
    remote.session.ensureTransceivers(['audio']);
    await waitFor(() => remote.out.some((d) => d.kind === 'description'), 'the remote device offered');
    const offer = remote.out.find((d) => d.kind === 'description');
    if (offer?.kind !== 'description') throw new Error('no offer');

    pool.deliver(CALL, REMOTE, { ...offer, description: { ...offer.description, sdp: tampered(offer.description.sdp) } });
    pool.afterChecks(() => order.push(`the ring ended (unverified: ${unverified.length})`));
    pool.afterChecks(() => order.push('and then the next'));
    expect(order).toHaveLength(1);

    await waitFor(() => order.length === 3, 'the waiting events ran');
    expect(order.slice(1)).toEqual(['the ring ended (unverified: 1)', 'and then the next']);
  });

  it('a rollback carries no fingerprint: it needs no proof', async () => {
    const { pool, pcs, sent, unverified } = setup();
    pool.sync(CALL, [plan({ polite: false })], ['audio'], none);
    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the pool offered');

    pool.deliver(CALL, REMOTE, { kind: 'description', description: { type: 'rollback', sdp: '' } });

    await waitFor(() => pcs.created[0]?.log.includes('rollback') === true, 'the rollback was applied');
    expect(unverified).toEqual([]);
  });
});

describe("session pool: the caller's first offer (issue 15)", () => {
  /** A first offer made by this pool to THEIRS. */
  async function firstOffer() {
    const ctx = setup();
    const offer = await ctx.pool.makeFirstOffer(THEIRS.userId, ['audio', 'video'], { iceServers: [] });
    if (!offer) throw new Error('no first offer');
    return { ...ctx, offer };
  }

  /** The ringing device's side: a polite session that answers `sdp`; its answer signed as THEIRS for CALL. */
  async function ringingDevice(sdp: string) {
    const pc = new FakePeerConnection({}, { label: 'ringing' });
    const out: SignalData[] = [];
    let signing = Promise.resolve();
    const session = new PeerSession({
      pc,
      polite: true,
      send: (data) => {
        signing = signing.then(async () => void out.push(await signedBy(THEIRS, data)));
      },
    });
    await session.handleSignal({ kind: 'description', description: { type: 'offer', sdp } });
    await waitFor(() => out.some((d) => d.kind === 'description'), 'the ringing device answered');
    return { pc, session, out };
  }

  it('is an offer with the call’s media, signed for the callee’s user and for nothing else', async () => {
    const { offer, pcs, sent } = await firstOffer();

    expect(pcs.created).toHaveLength(1);
    expect(pcs.created[0]?.log).toEqual(['local offer']);
    expect(offer.sdp).toContain('m=audio');
    expect(offer.sdp).toContain('m=video');
    expect(sent).toEqual([]); // nothing relayed: the call does not exist yet
    const from = { userId: MINE.userId, fromDeviceId: MINE.deviceId };
    expect(await checkDtlsProof(offer.proof, offer.sdp, { ...from, firstOfferTo: THEIRS.userId })).toEqual({ ok: true });
    expect(await checkDtlsProof(offer.proof, offer.sdp, { ...from, firstOfferTo: MALLORY.userId })).toEqual({ ok: false, reason: 'bad_signature' });
    // A first offer's proof is not a proof in a call, and a proof in a call is not a first offer's.
    expect(await checkDtlsProof(offer.proof, offer.sdp, { ...from, toDeviceId: REMOTE, callId: CALL })).toEqual({ ok: false, reason: 'bad_signature' });
    const inCall = await dtlsProofFor(MINE, offer.sdp, { callId: CALL, toDeviceId: REMOTE });
    expect(await checkDtlsProof(inCall, offer.sdp, { ...from, firstOfferTo: THEIRS.userId })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('becomes the session of the device the ack names: no second offer, the candidates it gathered trickled, the answer applied', async () => {
    const { pool, offer, pcs, sent, unverified } = await firstOffer();
    const ringing = await ringingDevice(offer.sdp);

    pool.firstOfferTaken(CALL, REMOTE);
    // The id rule may say I am polite towards this device: the first offer was mine all the same.
    pool.sync(CALL, [plan({ polite: true })], ['audio', 'video'], none);
    await waitFor(() => pool.sessions().length === 1, 'the session exists');
    for (const data of ringing.out) pool.deliver(CALL, REMOTE, data);
    await waitFor(() => pcs.created[0]?.connectionState === 'connected', 'connected');

    expect(pcs.created).toHaveLength(1);
    expect(pool.sessions()[0]?.[1].pc).toBe(pcs.created[0]);
    expect(pool.sessions()[0]?.[1].polite).toBe(false);
    expect(pcs.created[0]?.log).toEqual(['local offer', 'remote answer']);
    // The fake's SDP carries no candidates: what it gathered goes the usual way, once, to that device.
    expect(sent.map((s) => [s.to, s.data.kind])).toEqual([
      [REMOTE, 'candidate'],
      [REMOTE, 'candidate'],
    ]);
    expect(unverified).toEqual([]);
  });

  it('a candidate the offer’s SDP carries is not sent again', async () => {
    const { pool, pcs, sent } = setup({ autoIce: false });
    const made = pool.makeFirstOffer(THEIRS.userId, ['audio'], { iceServers: [] });
    await waitFor(() => pcs.created[0]?.log.includes('local offer') === true, 'the offer is made');
    const pc = pcs.created[0] as FakePeerConnection;
    // As a browser does: a gathered candidate is in the local description by the time its event fires.
    const own = Object.getOwnPropertyDescriptor(FakePeerConnection.prototype, 'localDescription')?.get;
    Object.defineProperty(pc, 'localDescription', {
      get: () => {
        const description = own?.call(pc) as { type: RTCSdpType; sdp: string } | null;
        return description && { type: description.type, sdp: `${description.sdp}\na=candidate:9 1 udp 1 192.0.2.9 9 typ host` };
      },
    });
    pc.dispatchEvent(new FakeIceCandidateEvent({ candidate: 'candidate:9 1 udp 1 192.0.2.9 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: pc.ufrag }));
    pc.dispatchEvent(new FakeIceCandidateEvent(null));
    const offer = await made;

    expect(offer?.sdp).toContain('candidate:9 1 udp 1 192.0.2.9 9 typ host');
    pool.firstOfferTaken(CALL, REMOTE);
    pool.sync(CALL, [plan()], ['audio'], none);
    await waitFor(() => pool.sessions().length === 1, 'the session exists');
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Only the end of the candidates follows.
    expect(sent.map((s) => s.data)).toEqual([{ kind: 'candidate', candidate: null }]);
  });

  it('is closed when no device took it, when the call is another, when the call ends, or when a new one replaces it', async () => {
    const untaken = await firstOffer();
    untaken.pool.firstOfferTaken(null, null);
    expect(untaken.pcs.created[0]?.closed).toBe(true);

    const otherCall = await firstOffer();
    otherCall.pool.firstOfferTaken(CALL, REMOTE);
    otherCall.pool.sync('call-0000002', [plan({ polite: false })], ['audio'], none);
    await waitFor(() => otherCall.pool.sessions().length === 1, 'the other call’s session');
    expect(otherCall.pcs.created[0]?.closed).toBe(true);
    expect(otherCall.pool.sessions()[0]?.[1].pc).toBe(otherCall.pcs.created[1]);

    const ended = await firstOffer();
    ended.pool.closeAll();
    expect(ended.pcs.created[0]?.closed).toBe(true);

    const replaced = await firstOffer();
    await replaced.pool.makeFirstOffer(THEIRS.userId, ['audio'], { iceServers: [] });
    expect(replaced.pcs.created.map((pc) => pc.closed)).toEqual([true, false]);
  });

  it('a device the ack did not name gets a connection of its own, the usual way', async () => {
    const { pool, pcs, sent } = await firstOffer();
    pool.firstOfferTaken(CALL, REMOTE);
    pool.sync(CALL, [plan({ deviceId: 'device-remote-2', polite: false })], ['audio', 'video'], none);
    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the usual offer');

    expect(sent.filter((s) => s.data.kind === 'description').map((s) => s.to)).toEqual(['device-remote-2']);
    expect(pcs.created).toHaveLength(2);
    expect(pcs.created[0]?.closed).toBe(false); // still waiting for its device
  });
});

describe("session pool: a caller's first offer on the ringing device (issue 15)", () => {
  /** THEIRS made a first offer to `toUserId`, signed as THEIRS. */
  async function theirFirstOffer(toUserId = MINE.userId) {
    const pc = new FakePeerConnection({}, { label: 'caller' });
    pc.addTransceiver('audio', { direction: 'sendrecv' });
    await pc.setLocalDescription();
    const sdp = pc.localDescription?.sdp ?? '';
    return { pc, offer: { sdp, proof: await appIdentity(THEIRS).signFirstOffer({ sdp, toUserId }) } };
  }

  it('answers it at once as the polite side, whatever the id rule says, with no offer of its own', async () => {
    const { pool, pcs, sent, unverified } = setup();
    const caller = await theirFirstOffer();

    pool.receiveFirstOffer(CALL, REMOTE, caller.offer);
    // The id rule would make me the impolite side, the one that offers.
    pool.sync(CALL, [plan({ polite: false })], ['audio'], none);
    await waitFor(() => sent.some((s) => s.data.kind === 'description'), 'the pool answered');

    expect(pcs.created[0]?.log).toEqual(['remote offer', 'local answer']);
    expect(pool.sessions()[0]?.[1].polite).toBe(true);
    const answer = sent.find((s) => s.data.kind === 'description')?.data;
    if (answer?.kind !== 'description') throw new Error('no answer');
    expect(answer.description.type).toBe('answer');
    // The answer is signed the usual way: the call and the caller's device exist now.
    const expected = { userId: MINE.userId, fromDeviceId: MINE.deviceId, toDeviceId: REMOTE, callId: CALL };
    expect(await checkDtlsProof(answer.proof, answer.description.sdp, expected)).toEqual({ ok: true });
    expect(unverified).toEqual([]);

    // The role holds for the call: a later plan (a call update) does not flip it.
    pool.sync(CALL, [plan({ polite: false, send: true })], ['audio'], none);
    expect(pool.sessions()[0]?.[1].polite).toBe(true);
  });

  it.each<[string, () => Promise<{ sdp: string; proof: DtlsProof }>, DtlsFailure]>([
    ['it was signed for another user', async () => (await theirFirstOffer(MALLORY.userId)).offer, 'bad_signature'],
    [
      'it carries a proof made for a call, not a first offer',
      async () => {
        const { offer } = await theirFirstOffer();
        return { sdp: offer.sdp, proof: await dtlsProofFor(THEIRS, offer.sdp, { callId: CALL, toDeviceId: MINE.deviceId }) };
      },
      'bad_signature',
    ],
    [
      'its fingerprint was rewritten',
      async () => {
        const { offer } = await theirFirstOffer();
        return { ...offer, sdp: tampered(offer.sdp) };
      },
      'bad_signature',
    ],
  ])('refuses it when %s: not applied, the device unverified', async (_, made, reason) => {
    const { pool, pcs, unverified } = setup();
    pool.receiveFirstOffer(CALL, REMOTE, await made());
    pool.sync(CALL, [plan({ polite: false })], ['audio'], none);
    await waitFor(() => unverified.length === 1, 'the device is unverified');

    expect(unverified).toEqual([{ callId: CALL, deviceId: REMOTE, reason }]);
    expect(pcs.created[0]?.log).not.toContain('remote offer');
    expect(pcs.created[0]?.closed).toBe(true);
  });
});
