/**
 * Two (or three) server nodes sharing a real redis-server: presence, calls and
 * relay work across nodes exactly as on one node. Every client signs in with its
 * own keys (test/support/testIdentity.ts); presence flows between mutual contacts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { deviceCertMessage, sign } from '../../signaling-server/identity';
import { isPolite } from '../../signaling-server/protocol';
import {
  answer,
  befriend,
  candidate,
  cleanup,
  connectClient,
  connectRefused,
  eventually,
  eventsHolding,
  firstOfferFrom,
  offer,
  sees,
  TestClient,
  type ClientSocket,
} from '../server/harness';
import { anotherDevice, authenticate, makeIdentity, makeUserKey, type TestIdentity } from '../support/testIdentity';
import { health, startNodes } from './nodes';
import { startRedis, type RedisServer } from './redisServer';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(cleanup);

/** A client that does not wait for its welcome (the harness's connectClient does). */
function openClient(url: string, name: string, identity: TestIdentity): TestClient {
  const socket: ClientSocket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false });
  authenticate(socket, url, identity, { displayName: name });
  socket.connect();
  return new TestClient(name, identity, name, socket);
}

/**
 * `victim`'s device key certified by another user's key: what only the holder of
 * that device key can present with a valid proof, and the one way left to claim a
 * device id under another user.
 */
async function sameDeviceUnderAnotherUser(victim: TestIdentity): Promise<TestIdentity> {
  const user = await makeUserKey();
  const deviceCert = await sign(user.pair.privateKey, user.alg, deviceCertMessage(user.userId, victim.credential.deviceKey));
  return { ...victim, userId: user.userId, user, credential: { userKey: user.userKey, deviceKey: victim.credential.deviceKey, deviceCert } };
}

describe('presence across nodes', () => {
  it('shows contacts on other nodes in the roster, with their status, arrivals and departures, and nobody else', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const [aliceId, bobId, carolId] = await Promise.all([makeIdentity(), makeIdentity(), makeIdentity()]);
    const alice = await connectClient(a, { name: 'alice', identity: aliceId, contacts: [bobId.userId] });
    const stranger = await connectClient(a, { name: 'stranger', contacts: [aliceId.userId, bobId.userId] });
    const bob = await connectClient(b, { name: 'bob', identity: bobId, contacts: [aliceId.userId] });
    expect(bob.welcome?.users).toEqual([{ userId: alice.userId, displayName: 'alice', status: 'available' }]);
    expect(await alice.next('presence:joined')).toEqual({ userId: bob.userId, displayName: 'bob', status: 'available' });

    expect(await bob.request('presence:status', { status: 'dnd' })).toEqual({ ok: true });
    expect(await alice.next('presence:updated')).toEqual({ userId: bob.userId, displayName: 'bob', status: 'dnd' });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'do_not_disturb' },
    });

    bob.close();
    expect(await alice.next('presence:left')).toEqual({ userId: bob.userId });
    // Carol lists Alice, who does not list her: neither sees the other until both do.
    const carol = await connectClient(b, { name: 'carol', identity: carolId, contacts: [alice.userId] });
    expect(carol.welcome?.users).toEqual([]);
    await alice.setContacts([bob.userId, carol.userId]);
    await eventually(() => sees(carol, alice.userId) && sees(alice, carol.userId), 'alice and carol see each other across nodes');
    // Listing people who do not list you back shows you nothing, on either node.
    expect(stranger.welcome?.users).toEqual([]);
    expect(stranger.all('presence:joined')).toEqual([]);
    expect([alice, bob, carol].flatMap((c) => [...(c.welcome?.users ?? []), ...c.all('presence:joined')]).map((u) => u.userId)).not.toContain(
      stranger.userId,
    );
  });

  it('refuses a device id claimed without its key on another node, and kicks one that another user holds', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const bobId = await makeIdentity();
    const alice = await connectClient(a, { name: 'alice', contacts: [bobId.userId] });
    // Alice's public device key under Mallory's certificate, but Mallory's own
    // device key signs the proof: the node refuses it before anyone hears of it.
    const mallory = await makeIdentity();
    const claimed = await sameDeviceUnderAnotherUser(alice.identity);
    expect(await connectRefused(b, { name: 'mallory', identity: { ...claimed, device: mallory.device } })).toMatchObject({ code: 'invalid_identity' });
    // The same device key certified by two users (only its holder can do that): the
    // device id is checked by the coordinator, so the socket is admitted by its
    // node, then kicked with the code a single node refuses it with.
    const twoUsers = openClient(b.url, 'two-users', claimed);
    try {
      expect(await twoUsers.next('session:kicked')).toMatchObject({ code: 'invalid_identity', message: expect.stringContaining(alice.deviceId) });
      expect(await twoUsers.disconnected()).toBe('io server disconnect');
      expect(twoUsers.welcome).toBeNull();
    } finally {
      twoUsers.close();
    }
    const bob = await connectClient(b, { name: 'bob', identity: bobId, contacts: [alice.userId] });
    expect(bob.welcome?.users.map((u) => u.userId)).toEqual([alice.userId]);
    expect(alice.disconnectReason).toBeNull();
  });
});

describe('a call across nodes', () => {
  it('rings, is accepted, relays signals both ways exactly once with the sender stamped, and ends on hang-up', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    // The caller is on the node that is not the coordinator: every request crosses Redis.
    const alice = await connectClient(b, { name: 'alice' });
    const bob = await connectClient(a, { name: 'bob' });
    // Contacts: only they see each other's ringing devices.
    await befriend(alice, bob);

    const invited = await alice.request('call:invite', { to: bob.userId, media: 'video' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.call.invitees[0]?.devices).toEqual([{ deviceId: bob.deviceId, polite: isPolite(alice.deviceId, bob.deviceId) }]);
    const incoming = await bob.next('call:incoming');
    expect(incoming).toMatchObject({ callId, from: { userId: alice.userId, displayName: 'alice' }, media: 'video' });

    const accepted = await bob.request('call:accept', { callId, audio: true, video: false });
    if (!accepted.ok) throw new Error(accepted.error.message);
    expect(accepted.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    expect(await alice.next('call:invite-ended')).toEqual({ callId, userId: bob.userId, reason: 'answered' });
    await alice.next('call:updated', (p) => p.call.members.length === 2);
    await eventually(async () => (await health(a.url))?.activeCalls === 1, 'the coordinator counts the call');

    const toBob = [offer(), candidate(1), candidate(2), candidate(3)];
    for (const data of toBob) expect(await alice.request('signal', { callId, to: bob.deviceId, data })).toEqual({ ok: true });
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal')).toEqual({ callId, from: bob.deviceId, fromUserId: bob.userId, data: answer() });
    // Markers: once they arrive, everything sent before them has.
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: candidate(99) })).toEqual({ ok: true });
    await bob.next('signal', (p) => p.data.kind === 'candidate' && p.data.candidate?.candidate.startsWith('candidate:99 ') === true);
    expect(bob.all('signal')).toEqual(
      [...toBob, candidate(99)].map((data) => ({ callId, from: alice.deviceId, fromUserId: alice.userId, data })),
    );
    expect(alice.all('signal')).toHaveLength(1);

    expect(await bob.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await alice.next('call:member-left')).toEqual({ callId, userId: bob.userId, deviceId: bob.deviceId, reason: 'left' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(await alice.next('presence:updated', (u) => u.userId === bob.userId && u.status === 'available')).toBeTruthy();
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'not_in_call' },
    });
  });

  it('rings every device of a user spread over nodes; answered on one, the others stop and the caller talks to that one', async () => {
    const [a, b, c] = await startNodes(redis.url, 3);
    if (!a || !b || !c) throw new Error('three nodes expected');
    const carol = await connectClient(c, { name: 'carol' });
    const bobDesk = await connectClient(a, { name: 'bob-desk', displayName: 'bob' });
    const bobLaptop = await connectClient(b, { name: 'bob-laptop', sameUserAs: bobDesk, displayName: 'bob' });
    const bobId = bobDesk.userId;
    // Contacts, so Carol may pre-connect to the ringing devices.
    await befriend(carol, bobDesk, bobLaptop);

    const invited = await carol.request('call:invite', { to: bobId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.call.invitees[0]?.devices.map((d) => d.deviceId).sort()).toEqual([bobDesk.deviceId, bobLaptop.deviceId].sort());
    await bobDesk.next('call:incoming', (p) => p.callId === callId);
    await bobLaptop.next('call:incoming', (p) => p.callId === callId);
    // While it rings, the caller may already signal each ringing device (pre-connect).
    expect(await carol.request('signal', { callId, to: bobLaptop.deviceId, data: offer() })).toEqual({ ok: true });
    await bobLaptop.next('signal', (p) => p.from === carol.deviceId);

    expect(await bobDesk.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    expect(await bobLaptop.next('call:ring-ended')).toEqual({ callId, reason: 'answered_elsewhere' });
    expect(await bobLaptop.request('call:accept', { callId, audio: true, video: false })).toMatchObject({
      ok: false,
      error: { code: 'not_invited' },
    });
    expect(await carol.next('call:invite-ended')).toEqual({ callId, userId: bobId, reason: 'answered' });

    expect(await carol.request('signal', { callId, to: bobDesk.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bobDesk.next('signal')).toMatchObject({ callId, from: carol.deviceId, data: offer() });
    expect(await carol.request('signal', { callId, to: bobLaptop.deviceId, data: candidate(1) })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(await bobDesk.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await carol.next('call:ended')).toEqual({ callId, reason: 'hangup' });
  });
});

describe('the first offer across nodes', () => {
  it('travels with the invite to the coordinator, rings the most recent device on a third node with it, and names it in the ack', async () => {
    const [a, b, c] = await startNodes(redis.url, 3);
    if (!a || !b || !c) throw new Error('three nodes expected');
    // The caller is on a gateway, the callee's older device on the coordinator, the newer one on a third node.
    const alice = await connectClient(b, { name: 'alice' });
    const bobDesk = await connectClient(a, { name: 'bob-desk', displayName: 'bob' });
    const bobLaptop = await connectClient(c, { name: 'bob-laptop', sameUserAs: bobDesk, displayName: 'bob' });
    await befriend(alice, bobDesk, bobLaptop);
    const offer = await firstOfferFrom(alice, bobDesk.userId, 'offer-across-nodes');

    const invited = await alice.request('call:invite', { to: bobDesk.userId, media: 'video', offer });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.offeredTo).toBe(bobLaptop.deviceId);
    expect((await bobLaptop.next('call:incoming', (p) => p.callId === callId)).offer).toEqual({ from: alice.deviceId, ...offer });
    expect(await bobDesk.next('call:incoming', (p) => p.callId === callId)).not.toHaveProperty('offer');

    // The laptop answers the offer across nodes while it rings, then accepts.
    expect(await bobLaptop.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal', (p) => p.callId === callId)).toEqual({ callId, from: bobLaptop.deviceId, fromUserId: bobLaptop.userId, data: answer() });
    expect(await bobLaptop.request('call:accept', { callId, audio: true, video: true })).toMatchObject({ ok: true });
    expect(await bobDesk.next('call:ring-ended')).toEqual({ callId, reason: 'answered_elsewhere' });
    expect([alice, bobDesk, bobLaptop].flatMap((client) => eventsHolding(client, 'offer-across-nodes'))).toEqual(['call:incoming']);
  });

  it('refuses a malformed offer from a client of a gateway, and drops a stranger\'s', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const bob = await connectClient(a, { name: 'bob', strangerCalls: 'ring' });
    const mallory = await connectClient(b, { name: 'mallory', contacts: [bob.userId] });
    const offer = await firstOfferFrom(mallory, bob.userId, 'stranger-offer');
    expect(await mallory.raw('call:invite', { to: bob.userId, media: 'audio', offer: { ...offer, sdp: '' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await health(a.url)).toMatchObject({ activeCalls: 0 });
    const invited = await mallory.request('call:invite', { to: bob.userId, media: 'audio', offer });
    if (!invited.ok) throw new Error(invited.error.message);
    expect(invited).not.toHaveProperty('offeredTo');
    expect(await bob.next('call:incoming')).not.toHaveProperty('offer');
    expect(bob.all('call:incoming')).toHaveLength(1);
    expect(eventsHolding(bob, 'stranger-offer')).toEqual([]);
  });
});

describe('a call from a stranger across nodes', () => {
  it('rings without showing the callee\'s devices, refuses pre-connect signals, and connects once answered', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    // Mallory lists Bob; Bob does not list Mallory: they are not contacts.
    const bob = await connectClient(a, { name: 'bob', strangerCalls: 'ask' });
    const mallory = await connectClient(b, { name: 'mallory', contacts: [bob.userId] });

    const invited = await mallory.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(invited.call.invitees.map((i) => i.devices)).toEqual([[]]);
    await bob.next('call:incoming', (p) => p.callId === callId);
    expect(await mallory.request('signal', { callId, to: bob.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(await bob.request('signal', { callId, to: mallory.deviceId, data: offer() })).toMatchObject({
      ok: false,
      error: { code: 'unknown_recipient' },
    });
    expect(bob.all('signal')).toEqual([]);

    expect(await bob.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    await mallory.next('call:updated', (p) => p.call.members.length === 2);
    expect(await mallory.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toMatchObject({ callId, from: mallory.deviceId, data: offer() });
  });

  it('answers call_refused across nodes when the callee refuses strangers, and lets contacts through', async () => {
    const [a, b] = await startNodes(redis.url, 2);
    if (!a || !b) throw new Error('two nodes expected');
    const friendId = await makeIdentity();
    const bob = await connectClient(a, { name: 'bob', strangerCalls: 'refuse', contacts: [friendId.userId] });
    const stranger = await connectClient(b, { name: 'stranger', contacts: [bob.userId] });
    const friend = await connectClient(b, { name: 'friend', identity: friendId, contacts: [bob.userId] });
    expect(await stranger.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: false, error: { code: 'call_refused' } });
    expect(await friend.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: true });
    const ringing = await bob.next('call:incoming');
    expect(ringing.from.userId).toBe(friend.userId);
    expect(bob.all('call:incoming')).toHaveLength(1);
  });
});

describe('the call rules on the coordinator, for clients of other nodes', () => {
  it('refuses a blocked caller, a forged rejoin, TURN outside a call and a device beyond the cap, as a single node does', async () => {
    const [a, b] = await startNodes(redis.url, 2, {
      maxDevicesPerUser: 2,
      turn: { urls: ['turn:turn.example:3478'], secret: 'cluster-turn-secret', ttlSeconds: 600 },
    });
    if (!a || !b) throw new Error('two nodes expected');
    const alice = await connectClient(a, { name: 'alice' });
    const bob = await connectClient(b, { name: 'bob' });
    // Contacts: what refuses Alice's call below is the block, nothing else.
    await befriend(alice, bob);

    // block:set is forwarded to the coordinator like any event.
    expect(await bob.request('block:set', { userIds: [alice.userId] })).toEqual({ ok: true });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'call_refused', message: 'bob is not taking calls from you right now.' },
    });
    expect(bob.all('call:incoming')).toEqual([]);
    expect(await alice.request('ice:servers', {})).toMatchObject({ ok: false, error: { code: 'not_in_call' } });
    expect(
      await alice.request('call:rejoin', { callId: 'unknown-call-000000', media: 'audio', audio: true, video: false, rejoinToken: 'x'.repeat(43) }),
    ).toMatchObject({ ok: false, error: { code: 'call_not_found' } });

    // Two devices of bob's are allowed; the third, on another node, is kicked by the coordinator.
    await connectClient(a, { name: 'bob-laptop', sameUserAs: bob, displayName: 'bob' });
    const third = openClient(a.url, 'bob', await anotherDevice(bob.identity));
    expect(await third.next('session:kicked')).toMatchObject({ code: 'too_many_devices', message: expect.stringContaining('2 devices') });
    await third.disconnected();
  });
});
