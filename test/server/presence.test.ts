import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../signaling-server/index';
import { cleanup, connectClient, establishCall, eventually, freshId, startServer } from './harness';

afterEach(cleanup);

describe('presence', () => {
  it('welcomes a device with itself, the roster of others, the limits and the server version', async () => {
    const server = await startServer({ maxParticipants: 6, ringTimeoutMs: 12_000, rejoinGraceMs: 9_000 });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob', displayName: '  Bob   Builder ' });
    expect(bob.welcome).toEqual({
      self: { userId: bob.userId, deviceId: bob.deviceId, displayName: 'Bob Builder', status: 'available' },
      users: [{ userId: alice.userId, displayName: 'alice', status: 'available' }],
      limits: { maxParticipants: 6, ringTimeoutMs: 12_000, rejoinGraceMs: 9_000 },
      call: null,
      ringing: [],
      serverVersion: SERVER_VERSION,
    });
    expect(await alice.next('presence:joined')).toEqual({ userId: bob.userId, displayName: 'Bob Builder', status: 'available' });
  });

  it('announces a user once when their first device joins, and gone when their last device leaves', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bobUser = freshId('bob');
    const desk = await connectClient(server, { name: 'bob-desk', userId: bobUser });
    const tab = await connectClient(server, { name: 'bob-tab', userId: bobUser });
    await alice.next('presence:joined', (p) => p.userId === bobUser);
    expect(server.stats()).toMatchObject({ usersOnline: 2, devicesOnline: 3 });

    desk.close();
    await eventually(() => server.stats().devicesOnline === 2, 'the desk is gone');
    tab.close();
    expect(await alice.next('presence:left')).toEqual({ userId: bobUser });
    expect(alice.all('presence:joined', (p) => p.userId === bobUser)).toHaveLength(1);
    expect(alice.all('presence:left')).toHaveLength(1);
    expect(server.stats()).toMatchObject({ usersOnline: 1, devicesOnline: 1 });
  });

  it('broadcasts a chosen status, and shows in_call while a device of the user is in a call', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });

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
    const alice = await connectClient(server, { name: 'alice' });
    const bobUser = freshId('bob');
    await connectClient(server, { name: 'bob-desk', userId: bobUser, displayName: 'Bob' });
    await connectClient(server, { name: 'bob-tab', userId: bobUser, displayName: 'Robert' });
    expect(await alice.next('presence:updated')).toEqual({ userId: bobUser, displayName: 'Robert', status: 'available' });
  });

  it('refuses an unknown status', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    expect(await alice.raw('presence:status', { status: 'in_call' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
  });
});

