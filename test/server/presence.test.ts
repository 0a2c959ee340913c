/**
 * Presence with real clients: it flows only between mutual contacts (two users who
 * list each other), never to a stranger, never on a one-sided list.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../signaling-server/index';
import { makeIdentity } from '../support/testIdentity';
import { befriend, cleanup, connectClient, establishCall, eventually, sees, startServer, type TestClient } from './harness';

afterEach(cleanup);

/** Gives the server a moment to deliver anything it (wrongly) would: a round trip through each client. */
async function settle(...clients: TestClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.request('presence:status', { status: c.welcome?.self.status === 'dnd' ? 'dnd' : 'available' })));
}

describe('presence', () => {
  it('welcomes a device with itself, its mutual contacts online, the limits and the server version', async () => {
    const server = await startServer({ maxParticipants: 6, ringTimeoutMs: 12_000, rejoinGraceMs: 9_000 });
    const [aliceId, bobId] = await Promise.all([makeIdentity(), makeIdentity()]);
    const alice = await connectClient(server, { name: 'alice', identity: aliceId, contacts: [bobId.userId] });
    const bob = await connectClient(server, { name: 'bob', identity: bobId, displayName: '  Bob   Builder ', contacts: [aliceId.userId] });
    expect(bob.welcome).toEqual({
      self: { userId: bob.userId, deviceId: bob.deviceId, displayName: 'Bob Builder', status: 'available' },
      users: [{ userId: alice.userId, displayName: 'alice', status: 'available' }],
      limits: { maxParticipants: 6, ringTimeoutMs: 12_000, rejoinGraceMs: 9_000 },
      call: null,
      ringing: [],
      // No TURN on this server: its ICE servers hold no secret (turnCredentials.test.ts).
      ice: { iceServers: [], ttlSeconds: 0 },
      serverVersion: SERVER_VERSION,
    });
    expect(await alice.next('presence:joined')).toEqual({ userId: bob.userId, displayName: 'Bob Builder', status: 'available' });
  });

  it('announces a user once when their first device joins, and gone when their last device leaves', async () => {
    const server = await startServer();
    const bobId = await makeIdentity();
    const alice = await connectClient(server, { name: 'alice', contacts: [bobId.userId] });
    const desk = await connectClient(server, { name: 'bob-desk', identity: bobId, contacts: [alice.userId] });
    const tab = await connectClient(server, { name: 'bob-tab', sameUserAs: desk, contacts: [alice.userId] });
    await alice.next('presence:joined', (p) => p.userId === bobId.userId);
    expect(server.stats()).toMatchObject({ usersOnline: 2, devicesOnline: 3 });

    desk.close();
    await eventually(() => server.stats().devicesOnline === 2, 'the desk is gone');
    tab.close();
    expect(await alice.next('presence:left')).toEqual({ userId: bobId.userId });
    expect(alice.all('presence:joined', (p) => p.userId === bobId.userId)).toHaveLength(1);
    expect(alice.all('presence:left')).toHaveLength(1);
    expect(server.stats()).toMatchObject({ usersOnline: 1, devicesOnline: 1 });
  });

  it('tells contacts a chosen status, and shows in_call while a device of the user is in a call', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });
    await befriend(alice, bob, carol);

    expect(await carol.request('presence:status', { status: 'away' })).toEqual({ ok: true });
    expect(await alice.next('presence:updated', (p) => p.userId === carol.userId)).toMatchObject({ status: 'away' });

    const callId = await establishCall(alice, bob);
    expect(await carol.next('presence:updated', (p) => p.userId === alice.userId)).toMatchObject({ status: 'in_call' });
    expect(await carol.next('presence:updated', (p) => p.userId === bob.userId)).toMatchObject({ status: 'in_call' });
    // The chosen status is remembered, but others keep seeing in_call during the call.
    expect(await bob.request('presence:status', { status: 'dnd' })).toEqual({ ok: true });
    await alice.request('call:leave', { callId });
    expect(await carol.next('presence:updated', (p) => p.userId === alice.userId)).toMatchObject({ status: 'available' });
    expect(await carol.next('presence:updated', (p) => p.userId === bob.userId)).toMatchObject({ status: 'dnd' });
    expect(carol.all('presence:updated', (p) => p.userId === bob.userId).map((p) => p.status)).toEqual(['in_call', 'dnd']);
  });

  it('lets the latest handshake rename a user', async () => {
    const server = await startServer();
    const bobId = await makeIdentity();
    const alice = await connectClient(server, { name: 'alice', contacts: [bobId.userId] });
    await connectClient(server, { name: 'bob-desk', identity: bobId, displayName: 'Bob', contacts: [alice.userId] });
    // Alice knows him as Bob first (in a batch: her welcome opened her presence window).
    expect(await alice.next('presence:joined')).toEqual({ userId: bobId.userId, displayName: 'Bob', status: 'available' });
    await connectClient(server, { name: 'bob-tab', sameUserAs: bobId, displayName: 'Robert', contacts: [alice.userId] });
    expect(await alice.next('presence:updated')).toEqual({ userId: bobId.userId, displayName: 'Robert', status: 'available' });
  });

  it('refuses an unknown status', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    expect(await alice.raw('presence:status', { status: 'in_call' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});

describe('presence reaches mutual contacts only', () => {
  it('gives nothing to a one-sided list, in either direction, and nothing to a stranger', async () => {
    const server = await startServer();
    const bobId = await makeIdentity();
    // Alice lists Bob; Bob does not list Alice. Carol lists nobody.
    const alice = await connectClient(server, { name: 'alice', contacts: [bobId.userId] });
    const carol = await connectClient(server, { name: 'carol' });
    const bob = await connectClient(server, { name: 'bob', identity: bobId });
    expect(bob.welcome?.users).toEqual([]);
    expect(carol.welcome?.users).toEqual([]);
    await bob.request('presence:status', { status: 'away' });
    await alice.request('presence:status', { status: 'dnd' });
    bob.close();
    await eventually(() => server.stats().usersOnline === 2, 'bob is gone');
    await settle(alice, carol);
    for (const c of [alice, carol]) {
      expect(c.all('presence:joined')).toEqual([]);
      expect(c.all('presence:updated', (p) => p.userId !== c.userId)).toEqual([]);
      expect(c.all('presence:left')).toEqual([]);
    }
  });

  it('contacts:set tells both sides when they become contacts, and when they stop being contacts', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });
    await alice.setContacts([bob.userId]);
    await settle(bob);
    expect(bob.all('presence:joined')).toEqual([]);
    await bob.setContacts([alice.userId], 'ask');
    expect(await alice.next('presence:joined')).toEqual({ userId: bob.userId, displayName: 'bob', status: 'available' });
    expect(await bob.next('presence:joined')).toEqual({ userId: alice.userId, displayName: 'alice', status: 'available' });

    // Removing a contact: both see the other leave, though both are still online.
    await alice.setContacts([]);
    expect(await alice.next('presence:left')).toEqual({ userId: bob.userId });
    expect(await bob.next('presence:left')).toEqual({ userId: alice.userId });
    await bob.request('presence:status', { status: 'away' });
    await settle(alice, carol);
    expect(alice.all('presence:updated', (p) => p.userId === bob.userId)).toEqual([]);
    expect(carol.received.filter((r) => r.event.startsWith('presence:'))).toEqual([]);
  });

  it("a device's list adds to its user's other devices' lists: a newly linked device with an empty book wipes nothing", async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const desk = await connectClient(server, { name: 'bob-desk', contacts: [alice.userId] });
    await alice.setContacts([desk.userId]);
    await desk.next('presence:joined');
    // A second device of Bob whose book is still empty (just linked): Bob and Alice stay contacts.
    const tab = await connectClient(server, { name: 'bob-tab', sameUserAs: desk, contacts: [] });
    expect(tab.welcome?.users.map((u) => u.userId)).toEqual([alice.userId]);
    await settle(alice, desk);
    expect(desk.all('presence:left')).toEqual([]);
    expect(alice.all('presence:left')).toEqual([]);
    // The tab's own list changing does not touch the desk's either...
    await tab.setContacts([]);
    await settle(alice, desk);
    expect(alice.all('presence:left')).toEqual([]);
    // ...but once no device of Bob lists Alice, they are no longer contacts.
    await desk.setContacts([]);
    expect(await alice.next('presence:left')).toEqual({ userId: desk.userId });
    expect(await desk.next('presence:left')).toEqual({ userId: alice.userId });
    // The tab had presence news within the last second (Bob's own, when it connected): this comes in a batch.
    await eventually(() => !sees(tab, alice.userId), 'the tab sees Alice leave');
  });

  it('refuses a contact list longer than the limit, changing nothing', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const many = Array.from({ length: 1_001 }, (_, i) => `user${String(i).padStart(18, '0')}`);
    expect(await alice.raw('contacts:set', { userIds: many, strangerCalls: 'ask' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
    expect(await alice.raw('contacts:set', { userIds: [], strangerCalls: 'maybe' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_payload' },
    });
  });
});
