/**
 * Signaling loss is not call loss: the call engine against the REAL signaling
 * server over real socket.io (the renderer's own SignalingClient), with fake media
 * and fake peer connections. The server's connection drops, the server restarts,
 * crashes, forgets the call, refuses the device, or is replaced by another one;
 * each time the call either carries on with the same peer connections, or ends
 * with a reason a person can read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCallEngine, type CallSignaling } from '../../../renderer/call/callEngine';
import type { CallView } from '../../../renderer/call/types';
import { SignalingClient } from '../../../renderer/signaling/client';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../../signaling-server/index';
import type { CallSnapshot } from '../../../signaling-server/protocol';
import { killServerProcesses, startServerProcess } from '../../resilience/serverProcess';
import { createFakeStream, FakeMediaDevices } from '../fakes/fakeMedia';
import { fakePeerConnections, type FakePeerConnection } from '../fakes/fakePeerConnection';
import { waitFor } from '../fakes/waitFor';
import { identityOf, newDevice, newPerson } from './enginePerson';

const WAIT_MS = 20_000;
const servers: SignalingServer[] = [];
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await killServerProcesses();
});

/** Every server here signs membership with the same secret, as a restarted server keeps its key. */
const MEMBERSHIP_SECRET = 'call-rejoin-tests-membership-secret';

async function serve(options: Partial<SignalingServerOptions> = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent', membershipSecret: MEMBERSHIP_SECRET, ...options });
  servers.push(server);
  return server;
}

/** Alice and Bob, each the other's contact (presence and pre-connect flow between contacts only). */
const PEOPLE = { alice: await newPerson('alice'), bob: await newPerson('bob') };
const everyone = (): string[] => Object.values(PEOPLE).map((p) => p.userId);

/** A new device of `name`, online. */
async function online(urls: string[], name: keyof typeof PEOPLE, password = '') {
  const self = await newDevice(PEOPLE[name]);
  const client = new SignalingClient({ urls, identity: identityOf(self), displayName: name, password, contacts: everyone });
  const requests: string[] = [];
  const request: CallSignaling['request'] = (event, payload) => {
    requests.push(event);
    return client.request(event, payload);
  };
  const pcs = fakePeerConnections();
  const engine = createCallEngine({
    signaling: { request, events: client.events, onState: (listener) => client.onState(listener) },
    self,
    identity: identityOf(self),
    media: new FakeMediaDevices(),
    createPeerConnection: pcs.create,
    createMediaStream: createFakeStream,
    speakerPollMs: 20,
  });
  const views: CallView[] = [];
  engine.subscribe((view) => views.push(view));
  cleanups.push(() => {
    engine.dispose();
    client.close();
  });
  client.start();
  await waitFor(() => client.getState().phase === 'online', `${name} is online`, WAIT_MS);
  const view = (): CallView => engine.getView();
  return {
    name,
    self,
    client,
    engine,
    pcs,
    views,
    requests,
    view,
    pcList: (): FakePeerConnection[] => pcs.open(),
    /** In the call, its one session connected, and attached to the server. */
    attached: (): boolean => {
      const v = view();
      return v.phase === 'active' && !v.reconnectingToServer && v.participants[0]?.connection === 'connected';
    },
    reconnecting: (): boolean => {
      const v = view();
      return v.phase === 'active' && v.reconnectingToServer;
    },
  };
}
type Person = Awaited<ReturnType<typeof online>>;

async function talking(alice: Person, bob: Person): Promise<{ callId: string; pcs: FakePeerConnection[] }> {
  await alice.engine.call({ userId: bob.self.userId, displayName: bob.name }, 'audio');
  await waitFor(() => bob.view().phase === 'incoming', 'Bob rings', WAIT_MS);
  await bob.engine.accept({ video: false });
  await waitFor(() => alice.attached() && bob.attached(), 'both in the call, connected', WAIT_MS);
  const view = alice.view();
  if (view.phase !== 'active') throw new Error('not active');
  return { callId: view.callId, pcs: [...alice.pcList(), ...bob.pcList()] };
}

/** The peer connections are the very same objects, still up: the call was never torn down. */
function expectSameConnections(alice: Person, bob: Person, before: FakePeerConnection[]): void {
  expect([...alice.pcList(), ...bob.pcList()]).toEqual(before);
  for (let i = 0; i < before.length; i += 1) expect(before[i]).toBe([...alice.pcList(), ...bob.pcList()][i]);
  expect(before.every((pc) => pc.connectionState === 'connected' && !pc.closed)).toBe(true);
  expect(alice.pcs.created).toHaveLength(1);
  expect(bob.pcs.created).toHaveLength(1);
}

/** Resolves with the first call:updated (on this socket) that `match`es. */
function nextUpdate(person: Person, match: (call: CallSnapshot) => boolean): Promise<CallSnapshot> {
  return new Promise((resolve) => {
    const listener = (payload: { call: CallSnapshot }): void => {
      if (!match(payload.call)) return;
      person.client.events.off('call:updated', listener);
      resolve(payload.call);
    };
    person.client.events.on('call:updated', listener);
  });
}

async function hangUpEndsBoth(alice: Person, bob: Person): Promise<void> {
  await alice.engine.hangUp();
  await waitFor(() => bob.view().phase === 'ended', 'Bob learns the call ended', WAIT_MS);
  expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'local_hangup' });
  expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'hangup' });
  expect([...alice.pcList(), ...bob.pcList()]).toEqual([]);
}

describe('a call whose signaling connection drops', () => {
  it('keeps its peer connections; the server re-attaches the device and a renegotiation sent meanwhile arrives once', async () => {
    const server = await serve({ rejoinGraceMs: 20_000 });
    const alice = await online([server.url], 'alice');
    const bob = await online([server.url], 'bob');
    const { pcs } = await talking(alice, bob);
    const [alicePc, bobPc] = pcs as [FakePeerConnection, FakePeerConnection];
    const offersBefore = bobPc.log.filter((l) => l === 'remote offer').length;

    // Bob's network drops; socket.io waits a second before it tries again.
    bob.client.socket.io.reconnectionDelay(1_000).reconnectionDelayMax(1_000).randomizationFactor(0);
    const away = nextUpdate(alice, (call) => call.members.some((m) => m.deviceId === bob.self.deviceId && !m.connected));
    const dropped = Date.now();
    bob.client.socket.io.engine.close();
    await away;
    expect(bob.reconnecting()).toBe(true);

    // Alice turns her camera on meanwhile: a new m-line, an offer the server holds for Bob.
    await alice.engine.setCameraOn(true);
    await waitFor(() => alicePc.signalingState === 'have-local-offer', 'Alice offers video', WAIT_MS);

    await waitFor(() => bob.attached() && alicePc.signalingState === 'stable', 'Bob is back and answered', WAIT_MS);
    const reattachMs = Date.now() - dropped;
    console.info(`[resilience] signaling reconnect: re-attached ${reattachMs} ms after the drop (socket.io's retry delay: 1000 ms)`);

    expectSameConnections(alice, bob, pcs);
    expect(bobPc.log.filter((l) => l === 'remote offer').length).toBe(offersBefore + 1);
    expect(bobPc.getTransceivers().map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(bob.requests).not.toContain('call:rejoin');
    expect(bob.views.some((v) => v.phase === 'active' && v.reconnectingToServer)).toBe(true);
    await hangUpEndsBoth(alice, bob);
  });

  it('ends as dropped ("disconnected") on both sides when the device stays away past the grace period', async () => {
    const server = await serve({ rejoinGraceMs: 1_000 });
    const alice = await online([server.url], 'alice');
    const bob = await online([server.url], 'bob');
    await talking(alice, bob);

    bob.client.socket.io.reconnectionDelay(3_000).reconnectionDelayMax(3_000).randomizationFactor(0);
    bob.client.socket.io.engine.close();

    await waitFor(() => alice.view().phase === 'ended', 'the server ends Alice’s call', WAIT_MS);
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
    // Bob's media outlives his signaling, but the call he comes back to is over.
    await waitFor(() => bob.view().phase === 'ended', 'Bob learns the call is over', WAIT_MS);
    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
    expect(bob.requests).toContain('call:rejoin');
    expect(bob.pcList()).toEqual([]);
  });

  it('ends here, with the server’s reason, when the server refuses the device back', async () => {
    const first = await serve({ password: 'open-sesame' });
    const alice = await online([first.url], 'alice', 'open-sesame');
    const bob = await online([first.url], 'bob', 'open-sesame');
    await talking(alice, bob);

    await first.close();
    await waitFor(() => alice.reconnecting() && bob.reconnecting(), 'both reconnecting', WAIT_MS);
    // The server comes back with another password: the reconnection is refused.
    await serve({ port: first.address.port, password: 'changed' });

    await waitFor(() => bob.view().phase === 'ended', 'Bob’s call ends', WAIT_MS);
    const ended = bob.view();
    expect(ended).toMatchObject({ phase: 'ended', reason: 'failed' });
    expect(ended.phase === 'ended' && ended.detail).toMatch(/refused to take this device back.*password/i);
    expect(bob.client.getState()).toMatchObject({ phase: 'refused', code: 'auth_failed' });
    expect(bob.pcList()).toEqual([]);
  });
});

describe('a ringing call whose signaling connection drops', () => {
  it('keeps ringing for a caller who comes back within the grace period, and connects when answered', async () => {
    const server = await serve({ rejoinGraceMs: 20_000 });
    const alice = await online([server.url], 'alice');
    const bob = await online([server.url], 'bob');
    await alice.engine.call({ userId: bob.self.userId, displayName: bob.name }, 'audio');
    await waitFor(() => bob.view().phase === 'incoming' && alice.view().phase === 'outgoing', 'Bob rings', WAIT_MS);
    const preConnected = (p: Person): boolean => p.pcList()[0]?.connectionState === 'connected';
    await waitFor(() => preConnected(alice) && preConnected(bob), 'pre-connected while it rings', WAIT_MS);

    alice.client.socket.io.reconnectionDelay(500).reconnectionDelayMax(500).randomizationFactor(0);
    alice.client.socket.io.engine.close();
    await waitFor(() => alice.client.getState().phase === 'reconnecting', 'Alice is away', WAIT_MS);
    await waitFor(() => alice.client.getState().phase === 'online', 'Alice is back', WAIT_MS);

    expect(bob.view().phase).toBe('incoming');
    await bob.engine.accept({ video: false });
    await waitFor(() => alice.attached() && bob.attached(), 'the call connects', WAIT_MS);
    expect(alice.requests).not.toContain('call:rejoin');
  });

  it('shows a call that stopped ringing while the callee was away as missed', async () => {
    const server = await serve();
    const alice = await online([server.url], 'alice');
    const bob = await online([server.url], 'bob');
    await alice.engine.call({ userId: bob.self.userId, displayName: bob.name }, 'audio');
    await waitFor(() => bob.view().phase === 'incoming', 'Bob rings', WAIT_MS);

    // Bob's only ringing device drops: the server tells Alice he went offline.
    bob.client.socket.io.reconnectionDelay(1_500).reconnectionDelayMax(1_500).randomizationFactor(0);
    bob.client.socket.io.engine.close();
    await waitFor(() => alice.view().phase === 'ended', 'Alice learns he went offline', WAIT_MS);
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'user_offline' });

    await waitFor(() => bob.view().phase === 'ended', 'Bob’s ringing ends when he is back', WAIT_MS);
    expect(bob.view()).toMatchObject({ phase: 'ended', reason: 'missed' });
    expect(bob.pcList()).toEqual([]);
  });
});

describe('a call whose server restarts', () => {
  it('is rejoined by both on the new server, with the same peer connections, and a later hang-up ends both', async () => {
    const first = await serve();
    const alice = await online([first.url], 'alice');
    const bob = await online([first.url], 'bob');
    const { callId, pcs } = await talking(alice, bob);

    await first.close();
    await waitFor(() => alice.reconnecting() && bob.reconnecting(), 'both see the server gone', WAIT_MS);
    expectSameConnections(alice, bob, pcs);

    const second = await serve({ port: first.address.port });
    const restarted = Date.now();
    await waitFor(() => alice.attached() && bob.attached(), 'both re-attached', WAIT_MS);
    console.info(`[resilience] server restart: both re-attached ${Date.now() - restarted} ms after the new server listened`);

    expect(second.stats().activeCalls).toBe(1);
    expect(alice.requests.filter((r) => r === 'call:rejoin')).toHaveLength(1);
    expect(bob.requests.filter((r) => r === 'call:rejoin')).toHaveLength(1);
    expect(alice.view()).toMatchObject({ phase: 'active', callId });
    expect(bob.view()).toMatchObject({ phase: 'active', callId });
    expectSameConnections(alice, bob, pcs);
    await hangUpEndsBoth(alice, bob);
  });

  it('survives a crash too: the server killed with no goodbye is rejoined the same way', async () => {
    const first = await startServerProcess();
    const alice = await online([first.url], 'alice');
    const bob = await online([first.url], 'bob');
    const { callId, pcs } = await talking(alice, bob);

    await first.kill();
    await waitFor(() => alice.reconnecting() && bob.reconnecting(), 'both see the server gone', WAIT_MS);
    const second = await startServerProcess({ port: first.port });
    const restarted = Date.now();
    await waitFor(() => alice.attached() && bob.attached(), 'both re-attached', WAIT_MS);
    console.info(`[resilience] server crash (SIGKILL): both re-attached ${Date.now() - restarted} ms after the new process listened`);

    expect(second.url).toBe(first.url);
    expect(alice.view()).toMatchObject({ phase: 'active', callId });
    expectSameConnections(alice, bob, pcs);
    await hangUpEndsBoth(alice, bob);
  });

  it('ends as dropped when nobody else comes back to the rebuilt call', async () => {
    const first = await serve();
    const alice = await online([first.url], 'alice');
    const bob = await online([first.url], 'bob');
    await talking(alice, bob);

    // Bob's app is gone for good (closed while the server was down).
    await first.close();
    await waitFor(() => alice.reconnecting(), 'Alice sees the server gone', WAIT_MS);
    bob.engine.dispose();
    bob.client.close();
    await serve({ port: first.address.port, rejoinGraceMs: 1_000 });

    await waitFor(() => alice.view().phase === 'ended', 'the rebuilt call ends', WAIT_MS);
    expect(alice.view()).toMatchObject({ phase: 'ended', reason: 'disconnected' });
    expect(alice.requests).toContain('call:rejoin');
  });
});

describe('a call whose server goes away for good (failover)', () => {
  it('moves with its clients to the next server, keeps its peer connections, and still hangs up', async () => {
    const a = await serve();
    const b = await serve();
    const alice = await online([a.url, b.url], 'alice');
    const bob = await online([a.url, b.url], 'bob');
    const { callId, pcs } = await talking(alice, bob);

    await a.close();
    const lost = Date.now();
    await waitFor(() => alice.attached() && bob.attached(), 'both re-attached on the second server', 30_000);
    console.info(`[resilience] failover: both re-attached on the second server ${Date.now() - lost} ms after the first closed`);

    expect(alice.client.getState()).toMatchObject({ phase: 'online', url: b.url });
    expect(bob.client.getState()).toMatchObject({ phase: 'online', url: b.url });
    expect(b.stats().activeCalls).toBe(1);
    expect(alice.view()).toMatchObject({ phase: 'active', callId });
    expectSameConnections(alice, bob, pcs);
    await hangUpEndsBoth(alice, bob);
  });
});
