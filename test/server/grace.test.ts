import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MembershipSigner } from '../../signaling-server/membershipToken';
import { LIMITS } from '../../signaling-server/protocol';
import {
  candidate,
  cleanup,
  connectClient,
  establishCall,
  offer,
  rejoinTokenOf,
  startServer,
  type TestClient,
} from './harness';

const dataDirs: string[] = [];
afterEach(async () => {
  await cleanup();
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Where a server keeps its membership key across restarts. */
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-data-'));
  dataDirs.push(dir);
  return dir;
}

const reconnect = (server: { url: string }, client: TestClient): Promise<TestClient> =>
  connectClient(server.url, { name: `${client.name}-again`, identity: client.identity, displayName: client.displayName, contacts: client.contacts });

describe('a member whose connection drops', () => {
  it('is held as disconnected, then rebound with its queued signals delivered once, in order', async () => {
    const server = await startServer({ rejoinGraceMs: 20_000 });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const callId = await establishCall(alice, bob);

    bob.close();
    const held = await alice.next('call:updated', (p) => p.call.members.some((m) => m.deviceId === bob.deviceId && !m.connected));
    expect(held.call.members).toHaveLength(2);
    for (let n = 0; n < 5; n++) {
      expect(await alice.request('signal', { callId, to: bob.deviceId, data: candidate(n) })).toEqual({ ok: true });
    }

    const back = await reconnect(server, bob);
    expect(back.welcome?.call?.callId).toBe(callId);
    expect(back.welcome?.call?.members.find((m) => m.deviceId === bob.deviceId)?.connected).toBe(true);
    await alice.next('call:updated', (p) => p.call.members.every((m) => m.connected));

    // A marker sent after the reconnection: once it arrives, everything before it has.
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    await back.next('signal', (p) => p.data.kind === 'description');
    const signals = back.all('signal');
    expect(signals.map((s) => s.data)).toEqual([0, 1, 2, 3, 4].map(candidate).concat(offer()));
    expect(signals.every((s) => s.from === alice.deviceId && s.callId === callId)).toBe(true);
    expect(alice.all('call:member-left')).toEqual([]);
  });

  it(`is held at most ${LIMITS.maxQueuedSignalBytesPerDevice / 1024} KiB of signals, the newest, however much is sent meanwhile`, async () => {
    const server = await startServer({ rejoinGraceMs: 20_000, rateLimit: { capacity: 1_000, refillPerSecond: 1_000, maxViolations: 100, windowMs: 10_000 } });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const callId = await establishCall(alice, bob);
    bob.close();
    await alice.next('call:updated', (p) => p.call.members.some((m) => m.deviceId === bob.deviceId && !m.connected));
    // 60 offers of 40 KiB: 2.4 MiB, which the old count-only queue (256 signals) would all have kept.
    for (let n = 0; n < 60; n++) {
      expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer(`v=0 ${n} `.padEnd(40 * 1024, 'x')) })).toEqual({ ok: true });
    }
    const back = await reconnect(server, bob);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: candidate(99) })).toEqual({ ok: true });
    await back.next('signal', (p) => p.data.kind === 'candidate');
    const offers = back.all('signal').flatMap((p) => (p.data.kind === 'description' ? [p.data.description.sdp] : []));
    expect(offers.reduce((n, sdp) => n + sdp.length, 0)).toBeLessThanOrEqual(LIMITS.maxQueuedSignalBytesPerDevice);
    expect(offers.map((sdp) => Number(sdp.split(' ')[1]))).toEqual([54, 55, 56, 57, 58, 59]);
  });

  it('is removed after the grace period, which ends a two-person call as "disconnected"', async () => {
    const server = await startServer({ rejoinGraceMs: 300 });
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const callId = await establishCall(alice, bob);
    bob.close();
    expect(await alice.next('call:member-left')).toEqual({ callId, userId: bob.userId, deviceId: bob.deviceId, reason: 'disconnected' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'disconnected' });

    const late = await reconnect(server, bob);
    expect(late.welcome?.call).toBeNull();
    const rejoinToken = rejoinTokenOf(bob, callId);
    expect(await late.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken })).toMatchObject({
      ok: false,
      error: { code: 'call_not_found' },
    });
  });

  it('loses its place to a newer socket of the same device, which takes the call over', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const callId = await establishCall(alice, bob);
    const bobAgain = await reconnect(server, bob);
    expect(await bob.next('session:kicked')).toMatchObject({ code: 'invalid_identity', message: expect.stringContaining('took over') });
    expect(await bob.disconnected()).toBe('io server disconnect');
    expect(bobAgain.welcome?.call?.callId).toBe(callId);
    expect(await alice.request('signal', { callId, to: bob.deviceId, data: offer() })).toEqual({ ok: true });
    await bobAgain.next('signal');
    expect(server.stats().devicesOnline).toBe(2);
    expect(alice.all('presence:left')).toEqual([]);
  });

  it('rejoins with its token, while someone who only knows the call id is refused as if the call did not exist', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    const bob = await connectClient(server, { name: 'bob' });
    const carol = await connectClient(server, { name: 'carol' });
    const callId = await establishCall(alice, bob);
    const stranger = { callId, media: 'audio', audio: true, video: false } as const;
    const refusal = { ok: false, error: { code: 'call_not_found' } };
    expect(await carol.request('call:rejoin', { ...stranger, rejoinToken: 'x'.repeat(43) })).toMatchObject(refusal);
    expect(await carol.request('call:rejoin', { ...stranger, rejoinToken: rejoinTokenOf(bob, callId) })).toMatchObject(refusal);
    expect(await carol.request('call:rejoin', { ...stranger, callId: 'never-existed-0000' , rejoinToken: 'x'.repeat(43) })).toMatchObject(refusal);
    const rejoinToken = rejoinTokenOf(bob, callId);
    expect(await bob.request('call:rejoin', { callId, media: 'audio', audio: false, video: false, rejoinToken })).toMatchObject({ ok: true });
    const seen = await alice.next('call:updated', (p) => p.call.members.some((m) => m.deviceId === bob.deviceId && !m.audio));
    expect(seen.call.members).toHaveLength(2);
  });
});

describe('a server restart', () => {
  it('lets both members rejoin the call by its id on the new server, with the key kept in the data dir', async () => {
    const dataDir = freshDataDir();
    const first = await startServer({ dataDir });
    const alice = await connectClient(first, { name: 'alice' });
    const bob = await connectClient(first, { name: 'bob' });
    const callId = await establishCall(alice, bob, 'video');
    const { port } = first.address;

    await first.close();
    expect(await alice.next('server:shutdown')).toEqual({ message: expect.stringContaining('shutting down') });
    await bob.next('server:shutdown');
    expect(alice.all('call:ended')).toEqual([]);

    const second = await startServer({ port, dataDir });
    const alice2 = await reconnect(second, alice);
    const bob2 = await reconnect(second, bob);
    expect(alice2.welcome?.call).toBeNull();
    const rebuilt = await alice2.request('call:rejoin', { callId, media: 'video', audio: true, video: true, rejoinToken: rejoinTokenOf(alice, callId) });
    if (!rebuilt.ok) throw new Error(rebuilt.error.message);
    expect(rebuilt.call).toMatchObject({ callId, media: 'video' });
    expect(rebuilt.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId]);
    const joined = await bob2.request('call:rejoin', { callId, media: 'video', audio: true, video: false, rejoinToken: rejoinTokenOf(bob, callId) });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.call.members.map((m) => m.deviceId)).toEqual([alice.deviceId, bob.deviceId]);
    await alice2.next('call:updated', (p) => p.call.members.length === 2);

    expect(await bob2.request('signal', { callId, to: alice.deviceId, data: offer() })).toEqual({ ok: true });
    expect(await alice2.next('signal')).toMatchObject({ callId, from: bob.deviceId });
    expect(await alice2.request('call:leave', { callId })).toEqual({ ok: true });
    expect(await bob2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
  });

  it('admits to the rebuilt call none but its members: not an invitee who declined, not a device with a made-up token', async () => {
    const dataDir = freshDataDir();
    const first = await startServer({ dataDir });
    const alice = await connectClient(first, { name: 'alice' });
    const bob = await connectClient(first, { name: 'bob' });
    const carol = await connectClient(first, { name: 'carol' });
    const callId = await establishCall(alice, bob);
    expect(await alice.request('call:invite', { to: carol.userId, media: 'audio', callId })).toMatchObject({ ok: true });
    await carol.next('call:incoming');
    expect(await carol.request('call:decline', { callId })).toEqual({ ok: true });
    const { port } = first.address;
    await first.close();

    const second = await startServer({ port, dataDir });
    const alice2 = await reconnect(second, alice);
    const carol2 = await reconnect(second, carol);
    const rejoin = { callId, media: 'audio', audio: true, video: false } as const;
    expect(await alice2.request('call:rejoin', { ...rejoin, rejoinToken: rejoinTokenOf(alice, callId) })).toMatchObject({ ok: true });
    // Carol saw the call id while it rang her, and every snapshot she got said rejoinToken: null.
    expect(carol.all('call:incoming').map((p) => p.call.rejoinToken)).toEqual([null]);
    for (const rejoinToken of ['x'.repeat(43), rejoinTokenOf(alice, callId)]) {
      expect(await carol2.request('call:rejoin', { ...rejoin, rejoinToken })).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    }
    const bob2 = await reconnect(second, bob);
    const joined = await bob2.request('call:rejoin', { ...rejoin, rejoinToken: rejoinTokenOf(bob, callId) });
    if (!joined.ok) throw new Error(joined.error.message);
    expect(joined.call.members.map((m) => m.userId)).toEqual([alice.userId, bob.userId]);
  });

  it('does not rebuild a call on a restarted server with another key', async () => {
    const first = await startServer({ dataDir: freshDataDir() });
    const alice = await connectClient(first, { name: 'alice' });
    const bob = await connectClient(first, { name: 'bob' });
    const callId = await establishCall(alice, bob);
    const { port } = first.address;
    await first.close();
    const second = await startServer({ port, dataDir: freshDataDir() });
    const alice2 = await reconnect(second, alice);
    const rejoinToken = rejoinTokenOf(alice, callId);
    expect(await alice2.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken })).toMatchObject({
      ok: false,
      error: { code: 'call_not_found' },
    });
    expect(second.stats().activeCalls).toBe(0);
  });

  it('ends a rebuilt call that nobody else rejoins within the grace period', async () => {
    const membershipSecret = 'a-cluster-wide-secret-of-32-chars!';
    const server = await startServer({ rejoinGraceMs: 300, membershipSecret });
    const alice = await connectClient(server, { name: 'alice' });
    const callId = 'restored-call-0123456789';
    // Signed by the previous server, which had the same secret.
    const rejoinToken = new MembershipSigner(Buffer.from(membershipSecret)).sign(callId, alice.userId, alice.deviceId);
    expect(await alice.request('call:rejoin', { callId, media: 'audio', audio: true, video: false, rejoinToken })).toMatchObject({ ok: true });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'disconnected' });
    expect(server.stats().activeCalls).toBe(0);
  });
});
