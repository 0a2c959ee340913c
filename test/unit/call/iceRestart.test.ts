/**
 * ICE recovery inside the call engine: two engines over the fake call server, each
 * on fake peer connections whose network a test can take down, and each with its
 * own hand-moved timers for the recovery policy. Negotiation itself (offers,
 * answers, candidates) runs for real between the two perfect-negotiation sessions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCallEngine, type CallSignaling } from '../../../renderer/call/callEngine';
import { ICE_RECOVERY_POLICY } from '../../../renderer/call/iceRecovery';
import { CONNECTION_LOST } from '../../../renderer/call/sessionPool';
import type { CallView } from '../../../renderer/call/types';
import { isPolite } from '../../../signaling-server/protocol';
import { FakeCallServer, type FakeSignaling } from '../fakes/fakeCallServer';
import { createFakeStream, FakeMediaDevices } from '../fakes/fakeMedia';
import { fakePeerConnections, type FakePeerConnection } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { identityOf, newSelf } from './enginePerson';
import { ManualTimers } from './manualTimers';

const { attemptTimeoutMs, maxRestarts } = ICE_RECOVERY_POLICY;
const TURN = { urls: ['turn:turn.example:3478?transport=udp'], username: 'u', credential: 'c' };

interface PersonOptions {
  relayOnly?: boolean;
  /** What 'ice:servers' answers (default: the fake server's empty list). */
  iceServers?: (n: number) => { iceServers: RTCIceServer[]; ttlSeconds: number };
  now?: () => number;
}

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

const SELVES = { alice: await newSelf('alice'), bob: await newSelf('bob') };
/**
 * Only the impolite side restarts ICE (recoveryLadder.ts); the polite side asks it
 * to. Which of the two is impolite follows from their deviceIds (isPolite), so the
 * tests below name the people by role: the caller is whichever that makes it.
 */
const IMPOLITE: keyof typeof SELVES = isPolite(SELVES.alice.deviceId, SELVES.bob.deviceId) ? 'bob' : 'alice';
const POLITE: keyof typeof SELVES = IMPOLITE === 'alice' ? 'bob' : 'alice';

function person(server: FakeCallServer, name: keyof typeof SELVES, options: PersonOptions = {}) {
  const self = SELVES[name];
  const fake: FakeSignaling = server.connect(self);
  let iceAsked = 0;
  const request: CallSignaling['request'] = (event, payload) => {
    if (event === 'ice:servers' && options.iceServers) {
      iceAsked += 1;
      return Promise.resolve({ ok: true, ...options.iceServers(iceAsked) }) as never;
    }
    return fake.request(event, payload);
  };
  const timers = new ManualTimers();
  const pcs = fakePeerConnections();
  const engine = createCallEngine({
    signaling: { request, events: fake.events },
    self,
    identity: identityOf(self),
    media: new FakeMediaDevices(),
    createPeerConnection: pcs.create,
    createMediaStream: createFakeStream,
    speakerPollMs: 20,
    timers,
    ...(options.now ? { now: options.now } : {}),
    relayOnly: () => options.relayOnly ?? false,
  });
  const views: CallView[] = [];
  engine.subscribe((view) => views.push(view));
  disposers.push(() => engine.dispose());
  const pc = (): FakePeerConnection => {
    const [only] = pcs.open();
    if (!only) throw new Error(`${name} has no peer connection`);
    return only;
  };
  const link = () => {
    const view = engine.getView();
    return view.phase === 'active' ? view.participants[0]?.connection : undefined;
  };
  return { self, fake, engine, timers, pcs, views, pc, link, iceAsked: () => iceAsked };
}
type Person = ReturnType<typeof person>;

async function talking(alice: Person, bob: Person): Promise<void> {
  await alice.engine.call({ userId: bob.self.userId, displayName: bob.self.displayName }, 'audio');
  await waitFor(() => bob.engine.getView().phase === 'incoming', 'Bob rings');
  await bob.engine.accept({ video: false });
  await waitFor(() => alice.link() === 'connected' && bob.link() === 'connected', 'both connected');
}

/** Two people talking, then the path between them down both ways and the impolite one's ("alice") connection failed. */
async function callWithPathDown(): Promise<{ server: FakeCallServer; alice: Person; bob: Person }> {
  const server = new FakeCallServer();
  const alice = person(server, IMPOLITE);
  const bob = person(server, POLITE);
  await talking(alice, bob);
  alice.pc().network = 'down';
  bob.pc().network = 'down';
  alice.pc().setConnectionState('failed');
  return { server, alice, bob };
}

const stable = (...people: Person[]): boolean => people.every((p) => p.pc().signalingState === 'stable');

describe('ICE recovery in a call', () => {
  it('a broken media path is restarted by the impolite side alone and comes back on the same peer connections', async () => {
    const server = new FakeCallServer();
    const alice = person(server, 'alice');
    const bob = person(server, 'bob');
    await talking(alice, bob);
    const [alicePc, bobPc] = [alice.pc(), bob.pc()];
    const ufrags = [alicePc.ufrag, bobPc.ufrag];
    const [impolitePc, politePc] = IMPOLITE === 'alice' ? [alicePc, bobPc] : [bobPc, alicePc];

    for (const pc of [alicePc, bobPc]) {
      pc.network = 'down';
      pc.setConnectionState('failed');
    }
    // Only the impolite side restarts (after a look at the TURN credentials); the
    // polite side's recovery asks it to, and it is already at work: no race.
    await waitFor(() => impolitePc.iceRestarts === 1, 'the impolite side restarts ICE');
    expect(politePc.iceRestarts).toBe(0);
    await waitFor(() => stable(alice, bob), 'the restart negotiation settled while the path is down');
    expect(alice.link()).toBe('reconnecting');
    expect(bob.link()).toBe('reconnecting');
    expect(alice.engine.getView().phase).toBe('active');

    // The path is repaired; the next attempt (after the attempt window) finds it.
    alicePc.network = 'up';
    bobPc.network = 'up';
    alice.timers.advance(attemptTimeoutMs);
    bob.timers.advance(attemptTimeoutMs);
    await waitFor(() => alice.link() === 'connected' && bob.link() === 'connected', 'both connected again');

    expect(alice.pc()).toBe(alicePc);
    expect(bob.pc()).toBe(bobPc);
    expect(alice.pcs.created).toHaveLength(1);
    expect(politePc.iceRestarts).toBe(0);
    // New ICE credentials on both sides: it was a restart, not the old path waking up.
    expect(alicePc.ufrag).not.toBe(ufrags[0]);
    expect(bobPc.ufrag).not.toBe(ufrags[1]);
    expect(alice.views.some((v) => v.phase === 'active' && v.participants[0]?.connection === 'reconnecting')).toBe(true);
  });

  it(`after ${maxRestarts} restarts that do not bring it back, a 1:1 call ends as failed ("${CONNECTION_LOST}") and the other side hears it ended`, async () => {
    const { server, alice, bob } = await callWithPathDown();

    for (let n = 1; n <= maxRestarts; n += 1) {
      await waitFor(() => alice.pc().iceRestarts === n && stable(alice, bob), `restart ${n} negotiated`);
      alice.timers.advance(attemptTimeoutMs);
    }

    expect(alice.engine.getView()).toMatchObject({ phase: 'ended', reason: 'failed', detail: CONNECTION_LOST });
    expect(alice.pcs.open()).toEqual([]);
    expect(alice.fake.sent('call:leave')).toHaveLength(1);
    await waitFor(() => bob.engine.getView().phase === 'ended', 'Bob learns the call ended');
    expect(bob.engine.getView()).toMatchObject({ phase: 'ended', reason: 'hangup' });
    expect(server.activeCalls).toBe(0);
  });

  it('the other side, whose path was down too, sees the call dropped rather than hung up', async () => {
    const { alice, bob } = await callWithPathDown();
    bob.pc().setConnectionState('disconnected');
    await waitFor(() => bob.link() === 'reconnecting', 'Bob sees the path down');

    for (let n = 1; n <= maxRestarts; n += 1) {
      await waitFor(() => alice.pc().iceRestarts === n && stable(alice, bob), `restart ${n} negotiated`);
      alice.timers.advance(attemptTimeoutMs);
    }

    await waitFor(() => bob.engine.getView().phase === 'ended', 'Bob’s call ends');
    expect(alice.engine.getView()).toMatchObject({ phase: 'ended', reason: 'failed', detail: CONNECTION_LOST });
    expect(bob.engine.getView()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
  });

  it('a network check restarts a connection that is down at once, without waiting for the grace period', async () => {
    const server = new FakeCallServer();
    const alice = person(server, IMPOLITE);
    const bob = person(server, POLITE);
    await talking(alice, bob);

    alice.engine.checkConnections();
    expect(alice.pc().iceRestarts).toBe(0);

    alice.pc().setConnectionState('disconnected');
    expect(alice.pc().iceRestarts).toBe(0);
    alice.engine.checkConnections();
    await waitFor(() => alice.pc().iceRestarts === 1, 'ICE restarts');
    expect(alice.timers.now).toBe(0);
    await waitFor(() => stable(alice, bob) && alice.link() === 'connected', 'the restart brings it back');
  });

  it('the polite side does not restart ICE itself: it asks the impolite side, whose restart brings the link back', async () => {
    const server = new FakeCallServer();
    const alice = person(server, 'alice');
    const bob = person(server, 'bob');
    await talking(alice, bob);
    const [impolite, polite] = IMPOLITE === 'alice' ? [alice, bob] : [bob, alice];
    const [impolitePc, politePc] = [impolite.pc(), polite.pc()];
    const ufrag = politePc.ufrag;

    politePc.setConnectionState('failed');
    await waitFor(() => impolitePc.iceRestarts === 1, 'the impolite side restarts when asked');
    await waitFor(() => stable(alice, bob) && polite.link() === 'connected', 'the restart brings it back');
    expect(politePc.iceRestarts).toBe(0);
    expect(politePc.ufrag).not.toBe(ufrag);
    expect(polite.pc()).toBe(politePc);
    expect(impolite.pc()).toBe(impolitePc);
  });

  it('an ICE restart late in a call first takes fresh TURN credentials', async () => {
    let clock = 1_000_000;
    const iceServers = (n: number) => ({ iceServers: [{ ...TURN, credential: `credential-${n}` }], ttlSeconds: 600 });
    // A server with TURN (its welcome brings no ICE servers), answering ice:servers through `iceServers`.
    const server = new FakeCallServer({ turn: { urls: TURN.urls, secret: 'late-restart-secret', ttlSeconds: 600 } });
    const alice = person(server, IMPOLITE, { iceServers, now: () => clock });
    const bob = person(server, POLITE, { iceServers, now: () => clock });
    await talking(alice, bob);
    expect(alice.pc().configuration.iceServers).toEqual([{ ...TURN, credential: 'credential-1' }]);

    // A restart while the credentials are fresh keeps them.
    alice.pc().setConnectionState('failed');
    await waitFor(() => stable(alice, bob) && alice.link() === 'connected', 'first restart done');
    expect(alice.pc().configurationUpdates).toEqual([]);

    // 600 s credentials are refreshed after 480 s.
    clock += 480_000;
    alice.pc().setConnectionState('failed');
    await waitFor(() => alice.pc().configurationUpdates.length === 1, 'fresh credentials applied');
    expect(alice.pc().configurationUpdates[0]).toEqual({ iceServers: [{ ...TURN, credential: 'credential-2' }] });
    expect(alice.iceAsked()).toBe(2);
    await waitFor(() => stable(alice, bob) && alice.link() === 'connected', 'second restart done');
  });
});

describe('relay-only calls', () => {
  it('ask for relayed candidates only; the callee uses the servers its ring brought', async () => {
    const server = new FakeCallServer({ turn: { urls: TURN.urls, secret: 'relay-only-secret', ttlSeconds: 600 } });
    const alice = person(server, 'alice', { relayOnly: true });
    const bob = person(server, 'bob');
    await talking(alice, bob);
    const relayOf = (userId: string) => [{ urls: TURN.urls, username: expect.stringMatching(new RegExp(`^\\d+:${userId}$`)), credential: expect.any(String) }];
    expect(alice.pc().configuration).toEqual({ iceServers: relayOf(SELVES.alice.userId), iceTransportPolicy: 'relay' });
    expect(bob.pc().configuration).toEqual({ iceServers: relayOf(SELVES.bob.userId) });
  });

  it('fail at once, saying what to do, when the server offers no relay; the callee stops ringing', async () => {
    const server = new FakeCallServer();
    const alice = person(server, 'alice', { relayOnly: true });
    const bob = person(server, 'bob');
    await alice.engine.call({ userId: bob.self.userId, displayName: 'bob' }, 'audio');
    await waitFor(() => alice.engine.getView().phase === 'ended', 'the dial ends');
    const ended = alice.engine.getView();
    expect(ended).toMatchObject({ phase: 'ended', reason: 'failed' });
    expect(ended.phase === 'ended' && ended.detail).toMatch(/no TURN relay.*Relay calls through the server/s);
    await waitFor(() => bob.engine.getView().phase !== 'incoming', 'Bob stops ringing');
    expect(server.activeCalls).toBe(0);
  });
});
