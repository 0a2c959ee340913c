import { afterEach, describe, expect, it } from 'vitest';
import { isPolite } from '../../signaling-server/protocol';
import {
  befriend,
  answer,
  cleanup,
  connectClient,
  establishCall,
  freshId,
  offer,
  ringTwoDevices,
  startServer,
  type TestClient,
} from './harness';

afterEach(cleanup);

async function pair(server: Awaited<ReturnType<typeof startServer>>): Promise<[TestClient, TestClient]> {
  const alice = await connectClient(server, { name: 'alice' });
  const bob = await connectClient(server, { name: 'bob' });
  // Contacts: the callee's devices are listed to the caller, and they pre-connect.
  await befriend(alice, bob);
  return [alice, bob];
}

describe('a 1:1 call', () => {
  it('rings, is accepted, relays signals both ways and ends on hang-up', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);

    const invited = await alice.request('call:invite', { to: bob.userId, media: 'video' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(invited.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId]);
    expect(invited.call.members[0]).toMatchObject({ audio: true, video: true, connected: true, polite: false });
    expect(invited.call.invitees).toEqual([
      {
        userId: bob.userId,
        displayName: 'bob',
        devices: [{ deviceId: bob.deviceId, polite: isPolite(alice.deviceId, bob.deviceId) }],
        invitedBy: alice.userId,
      },
    ]);
    expect(invited.call.connectedAt).toBeNull();

    const incoming = await bob.next('call:incoming');
    expect(incoming).toMatchObject({ callId, from: { userId: alice.userId, displayName: 'alice' }, media: 'video' });
    expect(incoming.call.members[0]).toMatchObject({ deviceId: alice.deviceId, polite: isPolite(bob.deviceId, alice.deviceId) });

    const accepted = await bob.request('call:accept', { callId, audio: true, video: false });
    if (!accepted.ok) throw new Error(accepted.error.message);
    expect(accepted.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    expect(accepted.call.invitees).toEqual([]);
    expect(accepted.call.connectedAt).toEqual(expect.any(Number));
    expect(await alice.next('call:invite-ended')).toEqual({ callId, userId: bob.userId, reason: 'answered' });
    const updated = await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(updated.call.members[1]).toMatchObject({ deviceId: bob.deviceId, audio: true, video: false });

    // Perfect negotiation: of the two, exactly one is polite, and both agree which.
    const aliceSeesBob = updated.call.members.find((m) => m.deviceId === bob.deviceId);
    const bobSeesAlice = accepted.call.members.find((m) => m.deviceId === alice.deviceId);
    expect(aliceSeesBob?.polite).not.toBe(bobSeesAlice?.polite);

    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await bob.next('signal')).toEqual({ callId, from: alice.deviceId, fromUserId: alice.userId, data: offer() });
    expect(await bob.request('signal', { callId, to: alice.deviceId, data: answer() })).toEqual({ ok: true });
    expect(await alice.next('signal')).toEqual({ callId, from: bob.deviceId, fromUserId: bob.userId, data: answer() });

    expect(await bob.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await alice.next('call:member-left')).toEqual({ callId, userId: bob.userId, deviceId: bob.deviceId, reason: 'left' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(bob.all('call:ended')).toEqual([]);
    expect(server.stats().activeCalls).toBe(0);
  });

  it('ends with "declined" when the callee declines', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    await bob.next('call:incoming');
    expect(await bob.request('call:decline', { callId })).toEqual({ ok: true });
    expect(await alice.next('call:invite-ended')).toEqual({ callId, userId: bob.userId, reason: 'declined' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'declined' });
    expect(await bob.request('call:accept', { callId, audio: true, video: false })).toMatchObject({
      ok: false,
      error: { code: 'not_invited' },
    });
  });

  it('stops ringing on every device of the callee when the caller cancels', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const { bobUser, desk: bobDesk, tab: bobTab, callId } = await ringTwoDevices(server, alice);
    expect(await alice.request('call:cancel', { callId, to: bobUser })).toEqual({ ok: true });
    expect(await bobDesk.next('call:ring-ended')).toEqual({ callId, reason: 'cancelled' });
    expect(await bobTab.next('call:ring-ended')).toEqual({ callId, reason: 'cancelled' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'cancelled' });
  });

  it('ends with "no_answer" after the ring timeout', async () => {
    const server = await startServer({ ringTimeoutMs: 300 });
    const [alice, bob] = await pair(server);
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    const { callId } = invited.call;
    expect(await bob.next('call:ring-ended')).toEqual({ callId, reason: 'no_answer' });
    expect(await alice.next('call:invite-ended')).toEqual({ callId, userId: bob.userId, reason: 'no_answer' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'no_answer' });
    expect(server.stats().activeCalls).toBe(0);
  });

  it('ends with "offline" when the only ringing device goes away', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    if (!invited.ok) throw new Error(invited.error.message);
    await bob.next('call:incoming');
    bob.close();
    expect(await alice.next('call:invite-ended')).toMatchObject({ userId: bob.userId, reason: 'offline' });
    expect(await alice.next('call:ended')).toEqual({ callId: invited.call.callId, reason: 'offline' });
  });
});

describe('refused invites', () => {
  it('refuses a callee who is in another call as busy, at once', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    await establishCall(alice, bob);
    expect(await carol.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
  });

  it('refuses a callee whose phone already rings for another call as busy', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: true });
    expect(await carol.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
  });

  it('refuses a callee in do-not-disturb, and lets the call through once they are available', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    expect(await bob.request('presence:status', { status: 'dnd' })).toEqual({ ok: true });
    const refused = await alice.request('call:invite', { to: bob.userId, media: 'audio' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'do_not_disturb' } });
    if (!refused.ok) expect(refused.error.message).toContain('bob');
    expect(bob.all('call:incoming')).toEqual([]);
    expect(await bob.request('presence:status', { status: 'available' })).toEqual({ ok: true });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio' })).toMatchObject({ ok: true });
  });

  it('refuses calling yourself, an offline user, and a second call from a device in a call', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    expect(await alice.request('call:invite', { to: alice.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'self_call' },
    });
    expect(await alice.request('call:invite', { to: freshId('nobody'), media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'user_offline' },
    });
    await establishCall(alice, bob);
    expect(await alice.request('call:invite', { to: carol.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'already_in_call' },
    });
  });

  it('refuses to add someone to a call the sender is not in, or to a full call', async () => {
    const server = await startServer({ maxParticipants: 2 });
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    const dave = await connectClient(server, { name: 'dave' });
    const callId = await establishCall(alice, bob);
    expect(await carol.request('call:invite', { to: dave.userId, media: 'audio', callId })).toMatchObject({
      ok: false,
      error: { code: 'not_in_call' },
    });
    expect(await alice.request('call:invite', { to: carol.userId, media: 'audio', callId })).toMatchObject({
      ok: false,
      error: { code: 'call_full' },
    });
    expect(await alice.request('call:invite', { to: bob.userId, media: 'audio', callId })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
  });
});

describe('several devices of one user', () => {
  it('rings every device; one accepts, the other hears answered_elsewhere', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const { desk, tab, call, callId } = await ringTwoDevices(server, alice);
    expect(call.invitees[0]?.devices.map((d) => d.deviceId).sort()).toEqual([desk.deviceId, tab.deviceId].sort());
    expect(await tab.request('call:accept', { callId, audio: true, video: false })).toMatchObject({ ok: true });
    expect(await desk.next('call:ring-ended')).toEqual({ callId, reason: 'answered_elsewhere' });
    expect(await desk.request('call:accept', { callId, audio: true, video: false })).toMatchObject({
      ok: false,
      error: { code: 'not_invited' },
    });
    const updated = await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(updated.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, tab.deviceId]);
  });

  it('rings a device that comes online while the call rings, through its welcome', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const invited = await alice.request('call:invite', { to: bob.userId, media: 'video' });
    if (!invited.ok) throw new Error(invited.error.message);
    const laptop = await connectClient(server, { name: 'bob-laptop', sameUserAs: bob, contacts: bob.contacts });
    expect(laptop.welcome?.ringing).toHaveLength(1);
    expect(laptop.welcome?.ringing[0]).toMatchObject({ callId: invited.call.callId, media: 'video', from: { userId: alice.userId } });
    const updated = await alice.next('call:updated', (p) => (p.call.invitees[0]?.devices.length ?? 0) === 2);
    expect(updated.call.invitees[0]?.devices.map((d) => d.deviceId)).toContain(laptop.deviceId);
    expect(await laptop.request('call:accept', { callId: invited.call.callId, audio: true, video: true })).toMatchObject({ ok: true });
    expect(await bob.next('call:ring-ended')).toMatchObject({ reason: 'answered_elsewhere' });
  });
});

describe('group calls', () => {
  it('adds a third person; every member sees everyone, and each pair has exactly one polite side', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    const callId = await establishCall(alice, bob);

    const added = await bob.request('call:invite', { to: carol.userId, media: 'audio', callId });
    expect(added).toMatchObject({ ok: true });
    const incoming = await carol.next('call:incoming');
    expect(incoming.callId).toBe(callId);
    expect(incoming.from.userId).toBe(bob.userId);
    expect(incoming.call.members.map((m) => m.userId)).toEqual([alice.userId, bob.userId]);
    await alice.next('call:updated', (p) => p.call.invitees.length === 1);

    const accepted = await carol.request('call:accept', { callId, audio: true, video: false });
    if (!accepted.ok) throw new Error(accepted.error.message);
    const views = new Map([
      [carol.deviceId, accepted.call],
      [alice.deviceId, (await alice.next('call:updated', (p) => p.call.members.length === 3)).call],
      [bob.deviceId, (await bob.next('call:updated', (p) => p.call.members.length === 3)).call],
    ]);
    const everyone = [alice.deviceId, bob.deviceId, carol.deviceId];
    for (const [viewer, call] of views) {
      expect(call.members.map((m) => m.deviceId)).toEqual(everyone);
      for (const other of call.members) {
        if (other.deviceId === viewer) continue;
        const back = views.get(other.deviceId)?.members.find((m) => m.deviceId === viewer);
        expect(other.polite).not.toBe(back?.polite);
        expect(other.polite).toBe(isPolite(viewer, other.deviceId));
      }
    }
  });

  it('goes on with two when one of three leaves', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const carol = await connectClient(server, { name: 'carol' });
    const callId = await establishCall(alice, bob);
    await alice.request('call:invite', { to: carol.userId, media: 'audio', callId });
    await carol.next('call:incoming');
    await carol.request('call:accept', { callId, audio: true, video: false });
    await alice.next('call:updated', (p) => p.call.members.length === 3);

    expect(await carol.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await alice.next('call:member-left')).toMatchObject({ userId: carol.userId, reason: 'left' });
    expect(await bob.next('call:member-left')).toMatchObject({ userId: carol.userId, reason: 'left' });
    const after = await alice.next('call:updated', (p) => p.call.members.length === 2);
    expect(after.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    expect(alice.all('call:ended')).toEqual([]);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    await bob.next('signal');
  });

  it('shares mute and camera state with the other members', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const callId = await establishCall(alice, bob, 'video');
    expect(await alice.request('call:media', { callId, audio: false, video: true })).toEqual({ ok: true });
    const seen = await bob.next('call:updated', (p) => p.call.members.some((m) => m.deviceId === alice.deviceId && !m.audio));
    expect(seen.call.members.find((m) => m.deviceId === alice.deviceId)).toMatchObject({ audio: false, video: true });
  });
});

describe('glare', () => {
  it('turns two people calling each other at once into one connected call', async () => {
    const server = await startServer();
    const [alice, bob] = await pair(server);
    const [fromAlice, fromBob] = await Promise.all([
      alice.request('call:invite', { to: bob.userId, media: 'audio' }),
      bob.request('call:invite', { to: alice.userId, media: 'video' }),
    ]);
    if (!fromAlice.ok || !fromBob.ok) throw new Error('one of the crossing invites was refused');
    expect(fromAlice.call.callId).toBe(fromBob.call.callId);
    const callId = fromAlice.call.callId;
    // Whoever the server saw second joined the first one's call.
    const second = fromAlice.call.members.length === 2 ? fromAlice : fromBob;
    expect(second.call.members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    expect(second.call.connectedAt).toEqual(expect.any(Number));
    expect(server.stats().activeCalls).toBe(1);
    const first = second === fromAlice ? bob : alice;
    await first.next('call:updated', (p) => p.call.callId === callId && p.call.members.length === 2);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    await bob.next('signal');
  });
});
