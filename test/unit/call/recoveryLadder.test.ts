/**
 * The recovery ladder (issue 14) inside the call engine: two engines over the fake
 * call server, on fake peer connections taught the two failures seen between
 * Chromium and Firefox — a remote description rejected with Chromium's "Failed to
 * set SSL role for the transport", and inbound RTP that stops while the connection
 * says `connected` — each with its own hand-moved timers (recovery policy, media
 * watchdog). Negotiation, DTLS proofs included, runs for real.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../../preload/contract';
import { createCallEngine } from '../../../renderer/call/callEngine';
import { MEDIA_WATCHDOG_POLICY } from '../../../renderer/call/mediaWatchdog';
import { RecoveryLadder, RECOVERY_LADDER_POLICY } from '../../../renderer/call/recoveryLadder';
import type { CallView } from '../../../renderer/call/types';
import { CONNECTION_LOST, REBUILT_TIMEOUT_MS, SessionPool } from '../../../renderer/call/sessionPool';
import { setLogSink } from '../../../renderer/log';
import { isPolite, type SignalData } from '../../../signaling-server/protocol';
import { FakeCallServer } from '../fakes/fakeCallServer';
import { createFakeStream, FakeMediaDevices } from '../fakes/fakeMedia';
import { fakePeerConnections, type FakePeerConnection } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { makeIdentity } from '../../support/testIdentity';
import { appIdentity, identityOf, newSelf } from './enginePerson';
import { ManualTimers } from './manualTimers';

/** Chromium's words when Firefox answers its ICE restart with a=setup:active (issue 14). */
const SSL_ROLE =
  'Failed to set remote answer sdp: Failed to apply the description for m= section with mid=\'0\': Failed to set SSL role for the transport.';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

const SELVES = { alice: await newSelf('alice'), bob: await newSelf('bob') };
/** Which of the two acts on the ladder follows from their deviceIds; the tests name them by role. */
const IMPOLITE: keyof typeof SELVES = isPolite(SELVES.alice.deviceId, SELVES.bob.deviceId) ? 'bob' : 'alice';
const POLITE: keyof typeof SELVES = IMPOLITE === 'alice' ? 'bob' : 'alice';

function person(server: FakeCallServer, name: keyof typeof SELVES) {
  const self = SELVES[name];
  const fake = server.connect(self);
  const timers = new ManualTimers();
  const pcs = fakePeerConnections();
  const engine = createCallEngine({
    signaling: { request: fake.request, events: fake.events },
    self,
    identity: identityOf(self),
    media: new FakeMediaDevices(),
    createPeerConnection: pcs.create,
    createMediaStream: createFakeStream,
    speakerPollMs: 20,
    timers,
  });
  const views: CallView[] = [];
  engine.subscribe((view) => views.push(view));
  disposers.push(() => engine.dispose());
  const pc = (): FakePeerConnection => {
    const open = pcs.open();
    if (open.length !== 1) throw new Error(`${name} has ${open.length} open peer connections`);
    return open[0] as FakePeerConnection;
  };
  const link = () => {
    const view = engine.getView();
    return view.phase === 'active' ? view.participants[0]?.connection : undefined;
  };
  return { name, self, fake, engine, timers, pcs, views, pc, link };
}
type Person = ReturnType<typeof person>;

/** The impolite person calls the polite one (`media`), who accepts with the same. */
async function talking(media: 'audio' | 'video') {
  const server = new FakeCallServer();
  const impolite = person(server, IMPOLITE);
  const polite = person(server, POLITE);
  await impolite.engine.call({ userId: polite.self.userId, displayName: polite.self.displayName }, media);
  await waitFor(() => polite.engine.getView().phase === 'incoming', 'the callee rings');
  await polite.engine.accept({ video: media === 'video' });
  await waitFor(() => impolite.link() === 'connected' && polite.link() === 'connected', 'both connected');
  await waitFor(() => settled(impolite, polite), 'the first negotiation settled');
  return { server, impolite, polite };
}

const settled = (...people: Person[]): boolean =>
  people.every((p) => {
    const open = p.pcs.open();
    return open.length === 1 && open[0]?.signalingState === 'stable' && !open[0].needsNegotiation();
  });

/** Lets every pending macrotask run (the fakes' operations chain, getStats). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** Moves both people's clocks together, a second at a time, letting each watchdog look. */
async function tick(people: Person[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1_000) {
    for (const p of people) p.timers.advance(Math.min(1_000, ms - t));
    await flush();
  }
}

/** The inbound RTP packets of each kind the connection counts now (one getStats look). */
async function inbound(pc: FakePeerConnection): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const stat of (await pc.getStats()).values()) {
    const s = stat as { type?: string; kind?: string; packetsReceived?: number };
    if (s.type === 'inbound-rtp' && s.kind) out[s.kind] = (out[s.kind] ?? 0) + (s.packetsReceived ?? 0);
  }
  return out;
}

/** Media flows both ways on the connections open now: every kind's counters grow between two looks. */
async function expectMediaFlowing(people: Person[], kinds: string[]): Promise<void> {
  for (const p of people) {
    const pc = p.pc();
    const before = await inbound(pc);
    const after = await inbound(pc);
    for (const kind of kinds) expect(after[kind] ?? 0, `${p.name} receives ${kind}`).toBeGreaterThan(before[kind] ?? 0);
  }
}

function capturedLog() {
  const logged: LogEntry[] = [];
  const restore = setLogSink((entry) => logged.push(entry));
  disposers.push(restore);
  return logged;
}

/** The recovery signals `p` sent, by action, in order. */
function recoveryActions(p: Person): string[] {
  return p.fake.sent('signal').flatMap((payload) => {
    const data = (payload as { data: SignalData }).data;
    return data.kind === 'recovery' ? [data.action] : [];
  });
}

describe('the recovery ladder in a call', () => {
  it('an ICE restart whose answer Chromium rejects ("Failed to set SSL role") is rolled back, logged, and the link rebuilt on fresh connections', async () => {
    const logged = capturedLog();
    const { impolite, polite } = await talking('video');
    const [oldImpolite, oldPolite] = [impolite.pc(), polite.pc()];
    const callId = impolite.engine.getView().phase === 'active' ? (impolite.engine.getView() as { callId: string }).callId : '';
    oldImpolite.refuseRemote = { types: ['answer'], message: SSL_ROLE };

    oldImpolite.setConnectionState('failed');
    await waitFor(() => oldImpolite.log.includes('refused remote answer'), 'the restart answer is refused');
    await waitFor(() => impolite.pcs.created.length === 2 && polite.pcs.created.length === 2, 'both rebuild');
    await waitFor(
      () => impolite.link() === 'connected' && polite.link() === 'connected' && settled(impolite, polite),
      'the rebuilt link is up',
    );

    // The refused answer was rolled back before the old connection was let go.
    expect(oldImpolite.log.slice(-2)).toEqual(['refused remote answer', 'rollback']);
    expect(oldImpolite.closed && oldPolite.closed).toBe(true);
    // The call went on: "reconnecting" meanwhile, never ended.
    for (const p of [impolite, polite]) {
      expect(p.engine.getView().phase).toBe('active');
      expect(p.views.some((v) => v.phase === 'active' && v.participants[0]?.connection === 'reconnecting')).toBe(true);
      expect(p.views.some((v) => v.phase === 'ended')).toBe(false);
      // The tracks went back on the fresh senders (replaceTrack), audio and video.
      expect(p.pc().transceivers.filter((t) => t.sender.track).map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    }
    await expectMediaFlowing([impolite, polite], ['audio', 'video']);
    // The log says what failed, with whom, in which call and at which step.
    const line = logged.find((e) => e.message.includes('negotiation failed (remote description)'));
    expect(line?.message).toContain(polite.self.deviceId);
    expect(line?.message).toContain(callId);
    expect(JSON.stringify(line)).toContain('Failed to set SSL role for the transport');
    expect(recoveryActions(impolite)).toEqual(['rebuild']);
    expect(recoveryActions(polite)).toEqual(['rebuilt']);

    // Firefox's later offers are not refused on the fresh connection: a new negotiation goes through.
    await polite.engine.setCameraOn(false);
    await polite.engine.setCameraOn(true);
    await waitFor(() => settled(impolite, polite), 'later negotiations settle');
  });

  it('a description the polite side cannot apply is rolled back there, and the impolite side rebuilds when asked', async () => {
    const { impolite, polite } = await talking('audio');
    const oldPolite = polite.pc();
    oldPolite.refuseRemote = { types: ['offer'], message: 'Failed to set remote offer sdp: Failed to set SSL role for the transport.' };

    impolite.pc().setConnectionState('failed');
    await waitFor(() => oldPolite.log.includes('refused remote offer'), 'the restart offer is refused');
    await waitFor(() => impolite.pcs.created.length === 2 && polite.pcs.created.length === 2, 'both rebuild');
    await waitFor(
      () => impolite.link() === 'connected' && polite.link() === 'connected' && settled(impolite, polite),
      'the rebuilt link is up',
    );
    expect(recoveryActions(polite)).toEqual(['askRebuild', 'rebuilt']);
    expect(recoveryActions(impolite)).toEqual(['rebuild']);
    await expectMediaFlowing([impolite, polite], ['audio']);
  });

  it('media that stops on a "connected" link is noticed: the polite side asks, an ICE restart is tried, then the link is rebuilt', async () => {
    const { impolite, polite } = await talking('video');
    const [oldImpolite, oldPolite] = [impolite.pc(), polite.pc()];
    // Chromium→Firefox media stops for good; both connections still say connected.
    oldPolite.rtpFlowing = false;

    await tick([impolite, polite], MEDIA_WATCHDOG_POLICY.stallMs + 2_000);
    await waitFor(() => oldImpolite.iceRestarts === 1, 'asked, the impolite side restarts ICE');
    await waitFor(() => settled(impolite, polite) && polite.link() === 'connected', 'the restart settled');
    expect(oldPolite.iceRestarts).toBe(0);
    expect(impolite.pcs.created).toHaveLength(1);

    // The restart did not bring the media back: the next stall rebuilds.
    await tick([impolite, polite], MEDIA_WATCHDOG_POLICY.stallMs + 2_000);
    await waitFor(() => impolite.pcs.created.length === 2 && polite.pcs.created.length === 2, 'both rebuild');
    await waitFor(
      () => impolite.link() === 'connected' && polite.link() === 'connected' && settled(impolite, polite),
      'the rebuilt link is up',
    );
    expect(recoveryActions(polite)).toEqual(['ask', 'ask', 'rebuilt']);
    expect(recoveryActions(impolite)).toEqual(['rebuild']);
    await expectMediaFlowing([impolite, polite], ['audio', 'video']);
    for (const p of [impolite, polite]) expect(p.views.some((v) => v.phase === 'ended')).toBe(false);
  });

  it('the impolite side notices a stall itself: it restarts ICE without being asked, then rebuilds', async () => {
    const { impolite, polite } = await talking('audio');
    impolite.pc().rtpFlowing = false;

    await tick([impolite, polite], MEDIA_WATCHDOG_POLICY.stallMs + 2_000);
    await waitFor(() => impolite.pc().iceRestarts === 1 && settled(impolite, polite), 'the impolite side restarts ICE');
    await tick([impolite, polite], MEDIA_WATCHDOG_POLICY.stallMs + 2_000);
    await waitFor(() => impolite.pcs.created.length === 2 && polite.pcs.created.length === 2, 'both rebuild');
    await waitFor(() => impolite.link() === 'connected' && settled(impolite, polite), 'the rebuilt link is up');
    expect(recoveryActions(impolite)).toEqual(['rebuild']);
    expect(recoveryActions(polite)).toEqual(['rebuilt']);
    await expectMediaFlowing([impolite, polite], ['audio']);
  });

  it('no stall is seen where the remote sends nothing: a muted microphone and a camera turned off are respected', async () => {
    const { impolite, polite } = await talking('video');
    impolite.engine.setMuted(true);
    await impolite.engine.setCameraOn(false);
    await waitFor(() => {
      const view = polite.engine.getView();
      return view.phase === 'active' && view.participants[0]?.audio === false && view.participants[0]?.video === false;
    }, 'the polite side sees the other muted, camera off');
    await waitFor(() => settled(impolite, polite), 'settled');
    // Nothing arrives at the polite side now, as it should not.
    polite.pc().rtpFlowing = false;

    await tick([impolite, polite], 3 * MEDIA_WATCHDOG_POLICY.stallMs);
    expect([...recoveryActions(impolite), ...recoveryActions(polite)]).toEqual([]);
    expect(impolite.pc().iceRestarts).toBe(0);
    expect(polite.pcs.created).toHaveLength(1);
  });
});

describe('RecoveryLadder', () => {
  const { graceMs, escalateMs, askCooldownMs, maxRebuilds } = RECOVERY_LADDER_POLICY;

  it('the impolite side restarts first, leaves a restart its grace, rebuilds after, and gives up after too many rebuilds', () => {
    const ladder = new RecoveryLadder(false);
    let now = 0;
    expect(ladder.next('media', now)).toEqual({ do: 'restartIce' });
    expect(ladder.next('ask', (now += graceMs - 1))).toEqual({ do: 'nothing' });
    expect(ladder.next('ask', (now += 1))).toEqual({ do: 'rebuild' });
    for (let n = 2; n <= maxRebuilds; n += 1) {
      expect(ladder.next('negotiation', (now += graceMs - 1))).toEqual({ do: 'nothing' });
      expect(ladder.next('negotiation', (now += 1))).toEqual({ do: 'rebuild' });
    }
    expect(ladder.next('negotiation', now + graceMs)).toEqual({ do: 'giveUp' });
  });

  it('a restart long ago does not count: the next trouble restarts again', () => {
    const ladder = new RecoveryLadder(false);
    expect(ladder.next('media', 0)).toEqual({ do: 'restartIce' });
    expect(ladder.next('media', escalateMs)).toEqual({ do: 'restartIce' });
  });

  it('the polite side only asks: once per cooldown for a broken path, once per connection for a rejected description', () => {
    const ladder = new RecoveryLadder(true);
    expect(ladder.next('media', 0)).toEqual({ do: 'ask', rebuild: false });
    expect(ladder.next('ice', askCooldownMs - 1)).toEqual({ do: 'nothing' });
    expect(ladder.next('ice', askCooldownMs)).toEqual({ do: 'ask', rebuild: false });
    expect(ladder.next('negotiation', askCooldownMs)).toEqual({ do: 'ask', rebuild: true });
    expect(ladder.next('negotiation', askCooldownMs + 1)).toEqual({ do: 'nothing' });
    ladder.rebuilt(askCooldownMs + 2);
    expect(ladder.next('negotiation', askCooldownMs + 3)).toEqual({ do: 'ask', rebuild: true });
    expect(ladder.next('ask', 0)).toEqual({ do: 'nothing' });
  });
});

const POOL_CALL = 'call-0000001';
const [mine, theirs] = [await makeIdentity(), await makeIdentity()];

describe('a rebuild the peer never confirms', () => {
  const CALL = POOL_CALL;

  function impolitePool() {
    const timers = new ManualTimers();
    const pcs = fakePeerConnections();
    const sent: SignalData[] = [];
    const lost: string[] = [];
    const pool = new SessionPool({
      createPeerConnection: pcs.create,
      rtcConfiguration: async () => ({ iceServers: [] }),
      sendSignal: (_callId, _to, data) => sent.push(data),
      createStream: createFakeStream,
      dispatch: () => undefined,
      now: () => timers.now,
      timers,
      signer: appIdentity(mine),
      onSessionLost: (_deviceId, detail) => lost.push(detail),
    });
    pool.sync(CALL, [{ deviceId: theirs.deviceId, userId: theirs.userId, polite: false, send: true }], ['audio'], { audio: null, video: null });
    const rebuilds = (): number[] => sent.flatMap((d) => (d.kind === 'recovery' && d.action === 'rebuild' ? [d.epoch] : []));
    return { pool, pcs, timers, sent, lost, rebuilds };
  }

  it('is counted as failed after a while: the link is rebuilt again, and given up once the rebuilds are spent', async () => {
    const { pool, pcs, timers, lost, rebuilds } = impolitePool();
    await waitFor(() => pcs.open().length === 1, 'the session exists');
    pool.deliver(CALL, theirs.deviceId, { kind: 'recovery', action: 'askRebuild', epoch: 0 });
    await waitFor(() => rebuilds().length === 1 && pcs.created.length === 2, 'rebuild 1');

    for (let n = 2; n <= RECOVERY_LADDER_POLICY.maxRebuilds; n += 1) {
      timers.advance(REBUILT_TIMEOUT_MS);
      await waitFor(() => rebuilds().length === n && pcs.open().length === 1, `rebuild ${n}`);
    }
    expect(rebuilds()).toEqual([1, 2, 3]);
    expect(lost).toEqual([]);
    timers.advance(REBUILT_TIMEOUT_MS);
    expect(lost).toEqual([CONNECTION_LOST]);
    pool.closeAll();
  });

  it('a confirmed rebuild stands: no second one', async () => {
    const { pool, pcs, timers, rebuilds } = impolitePool();
    await waitFor(() => pcs.open().length === 1, 'the session exists');
    pool.deliver(CALL, theirs.deviceId, { kind: 'recovery', action: 'askRebuild', epoch: 0 });
    await waitFor(() => rebuilds().length === 1 && pcs.created.length === 2, 'rebuild 1');
    pool.deliver(CALL, theirs.deviceId, { kind: 'recovery', action: 'rebuilt', epoch: 1 });
    await flush();
    timers.advance(3 * REBUILT_TIMEOUT_MS);
    await flush();
    expect(rebuilds()).toEqual([1]);
    expect(pcs.created).toHaveLength(2);
    pool.closeAll();
  });
});
