/**
 * Nodes die: real parley-server processes sharing a real redis-server, one of
 * them SIGKILLed (no goodbye, no lease release). Its clients fail over to the
 * other node, and their call goes on. The times measured are printed, not
 * asserted (speed belongs in benchmarks). Every client signs in with its own keys;
 * the people here are each other's contacts, so they see each other's presence.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SignalingClient } from '../../renderer/signaling/client';
import { answer, candidate, cleanup, connectClient, eventually, offer, rejoinTokenOf, sees, TestClient } from '../server/harness';
import { deviceIdentityOf } from '../support/rendererIdentity';
import { makeIdentity, type TestIdentity } from '../support/testIdentity';
import { isCoordinator, killNodeProcesses, startNodeProcess } from './nodes';
import { startRedis, type RedisServer } from './redisServer';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
const signalingClients = new Set<SignalingClient>();
afterEach(async () => {
  for (const client of signalingClients) client.close();
  signalingClients.clear();
  await cleanup();
  await killNodeProcesses();
});

/** Two node processes; the first one is the coordinator. */
async function twoNodes() {
  const a = await startNodeProcess(redis.url);
  await eventually(() => isCoordinator(a.url), 'node A is the coordinator', 15_000);
  const b = await startNodeProcess(redis.url);
  return { a, b };
}

/** The renderer's own client, given both URLs and its keys, recorded like a harness client. */
function rendererClient(name: string, urls: string[], identity: TestIdentity, contacts: readonly string[]): { client: SignalingClient; recorded: TestClient } {
  const client = new SignalingClient({
    urls,
    identity: deviceIdentityOf(identity),
    displayName: name,
    password: '',
    contacts: () => contacts,
    strangerCalls: () => 'ask',
  });
  signalingClients.add(client);
  const recorded = new TestClient(name, identity, name, client.socket, { contacts, strangerCalls: 'ask' });
  client.start();
  return { client, recorded };
}

const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(2)} s`;

describe('a node killed without a word', () => {
  it('when it was the coordinator: another node takes over, clients fail over, rejoin their call by id, and signal again', async () => {
    const { a, b } = await twoNodes();
    const [aliceId, bobId] = await Promise.all([makeIdentity(), makeIdentity()]);
    // Alice runs the renderer's SignalingClient with both URLs, as the app would.
    const { client: aliceClient, recorded: alice } = rendererClient('alice', [a.url, b.url], aliceId, [bobId.userId]);
    await alice.next('session:welcome');
    // Bob adds Alice after signing in (contacts:set, through node B to the coordinator A):
    // the coordinator that takes over must know it too.
    const bob = await connectClient(b.url, { name: 'bob', identity: bobId });
    await bob.setContacts([aliceId.userId]);
    await eventually(() => sees(alice, bob.userId) && sees(bob, alice.userId), 'alice and bob see each other');
    expect(await bob.request('presence:status', { status: 'away' })).toEqual({ ok: true });
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    await bob.next('call:incoming');
    expect(await bob.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    await bob.next('signal', (p) => p.from === alice.deviceId);

    const killedAt = performance.now();
    await a.kill();
    await eventually(() => isCoordinator(b.url), 'node B becomes the coordinator', 15_000);
    const takeover = elapsed(killedAt);

    // Bob's node survived; the new coordinator lost the call and welcomes him again without it.
    const bobWelcome = await bob.next('session:welcome', (w) => w.call === null, 15_000);
    expect(bobWelcome.self).toMatchObject({ userId: bob.userId, status: 'away' });
    // Alice's client failed over to B by itself.
    const aliceWelcome = await alice.next('session:welcome', () => true, 20_000);
    expect(aliceClient.getState()).toMatchObject({ phase: 'online', url: b.url });
    expect(aliceWelcome.call).toBeNull();
    expect(aliceWelcome.users).toEqual([{ userId: bob.userId, displayName: 'bob', status: 'away' }]);

    const rejoined = await alice.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(alice, callId) });
    if (!rejoined.ok) throw new Error(rejoined.error.message);
    const bobBack = await bob.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken: rejoinTokenOf(bob, callId) });
    if (!bobBack.ok) throw new Error(bobBack.error.message);
    expect(bobBack.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    await alice.next('call:updated', (p) => p.call.members.length === 2);

    expect(await alice.request('signal', { callId, to: bob.deviceId, data: candidate(7) })).toEqual({ ok: true });
    expect(await bob.next('signal', (p) => p.data.kind === 'candidate')).toEqual({
      callId,
      from: alice.deviceId,
      fromUserId: alice.userId,
      data: candidate(7),
    });
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal', (p) => p.from === bob.deviceId)).toMatchObject({ callId, data: answer() });
    console.info(`[scale-out] coordinator killed: node B coordinator after ${takeover}; call re-attached and signalling after ${elapsed(killedAt)}`);

    expect(await bob.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
  });

  it('when it was not the coordinator: its clients fail over and find their call held for them; users who stay away go offline', async () => {
    const { a, b } = await twoNodes();
    const [aliceId, bobId, carolId] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
    const alice = await connectClient(a.url, { name: 'alice', identity: aliceId, contacts: [bobId.userId, carolId.userId] });
    const bob = await connectClient(b.url, { name: 'bob', identity: bobId, contacts: [aliceId.userId] });
    const carol = await connectClient(b.url, { name: 'carol', identity: carolId, contacts: [aliceId.userId] });
    await alice.next('presence:joined', (u) => u.userId === carol.userId);
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'video' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    await bob.next('call:incoming');
    expect(await bob.request('call:accept', { callId, audio: true, video: true })).toMatchObject({ ok: true });
    await alice.next('call:updated', (p) => p.call.members.length === 2);

    const killedAt = performance.now();
    await b.kill();
    await bob.disconnected();
    // Emulates the renderer's failover: the same device connects to the other URL.
    const bobAgain = await connectClient(a.url, { name: 'bob-again', identity: bob.identity, displayName: 'bob', contacts: bob.contacts });
    expect(bobAgain.welcome?.call).toMatchObject({ callId });
    expect(bobAgain.welcome?.call?.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bobAgain.next('signal')).toMatchObject({ callId, from: alice.deviceId, data: offer() });
    console.info(`[scale-out] non-coordinator killed: its client re-attached and signalling after ${elapsed(killedAt)}`);

    // Carol does not come back: the coordinator notices her node is gone.
    expect(await alice.next('presence:left', (p) => p.userId === carol.userId, 15_000)).toEqual({ userId: carol.userId });
    expect(alice.all('presence:left', (p) => p.userId === bob.userId)).toEqual([]);
    expect(alice.all('call:member-left')).toEqual([]);
    expect(await isCoordinator(a.url)).toBe(true);
  });
});
