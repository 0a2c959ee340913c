/**
 * Who may rejoin a call (CallRegistry.rejoin with membership tokens), unit-tested
 * with a manual clock: members only, by the token in their own snapshot; rebuilt
 * calls after a restart; ended calls never again, however many calls end after them.
 */
import { describe, expect, it } from 'vitest';
import { MembershipSigner } from '../../signaling-server/membershipToken';
import type { Party } from '../../signaling-server/callRecord';
import { alice, bob, call, carol, connected, party, setup, TEST_KEY } from './registryHarness';

const signer = new MembershipSigner(TEST_KEY);
const tokenOf = (p: Party, callId: string): string => signer.sign(callId, p.userId, p.deviceId);
const rejoin = (p: Party, callId: string, rejoinToken = tokenOf(p, callId)) => ({
  callId,
  media: 'video' as const,
  audio: true,
  video: p === alice,
  rejoinToken,
});

describe('membership tokens', () => {
  it('gives each member its own token in its own snapshot, and ringing devices none', () => {
    const t = setup();
    const callId = call(t);
    const incoming = t.to(bob.deviceId).find((s) => s.event === 'call:incoming')?.payload as { call: { rejoinToken: unknown } };
    expect(incoming.call.rejoinToken).toBeNull();
    t.registry.accept(bob, { callId, audio: true, video: false });
    expect(t.registry.snapshot(callId, alice.deviceId)?.rejoinToken).toBe(tokenOf(alice, callId));
    expect(t.registry.snapshot(callId, bob.deviceId)?.rejoinToken).toBe(tokenOf(bob, callId));
    expect(tokenOf(alice, callId)).not.toBe(tokenOf(bob, callId));
    expect(t.registry.snapshot(callId, carol.deviceId)?.rejoinToken).toBeNull();
    const updates = t.to(bob.deviceId).filter((s) => s.event === 'call:updated');
    expect(updates.at(-1)?.payload).toMatchObject({ call: { rejoinToken: tokenOf(bob, callId) } });
  });

  it('signs over call, user and device with the server key: another key, call, user or device does not verify', () => {
    const token = signer.sign('call-id-0001', 'user-alice', 'dev-alice-a');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signer.verify(token, 'call-id-0001', 'user-alice', 'dev-alice-a')).toBe(true);
    expect(new MembershipSigner(Buffer.alloc(32, 8)).verify(token, 'call-id-0001', 'user-alice', 'dev-alice-a')).toBe(false);
    expect(signer.verify(token, 'call-id-0002', 'user-alice', 'dev-alice-a')).toBe(false);
    expect(signer.verify(token, 'call-id-0001', 'user-bobby', 'dev-alice-a')).toBe(false);
    expect(signer.verify(token, 'call-id-0001', 'user-alice', 'dev-alice-b')).toBe(false);
    expect(signer.verify(`${token}A`, 'call-id-0001', 'user-alice', 'dev-alice-a')).toBe(false);
    expect(signer.verify('', 'call-id-0001', 'user-alice', 'dev-alice-a')).toBe(false);
  });
});

describe('rejoin', () => {
  it('re-attaches a member that brings its token, and refuses one with a bad token as if the call did not exist', () => {
    const t = setup();
    const callId = connected(t);
    t.registry.detach(bob);
    expect(t.registry.rejoin(bob, rejoin(bob, callId, tokenOf(alice, callId)))).toMatchObject({
      ok: false,
      error: { code: 'call_not_found' },
    });
    expect(t.registry.rejoin(bob, rejoin(bob, callId))).toMatchObject({ ok: true, call: { callId, rejoinToken: tokenOf(bob, callId) } });
  });

  it('gives an unknown id with a junk token the same answer as an ended call, and builds nothing', () => {
    const t = setup();
    const ended = connected(t);
    t.registry.leave(bob, ended);
    const unknown = t.registry.rejoin(carol, rejoin(carol, 'unknown-call-000000', 'junk-token'));
    const gone = t.registry.rejoin(alice, rejoin(alice, ended));
    expect(unknown).toEqual(gone);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    expect(t.registry.activeCalls).toBe(0);
  });

  it('rebuilds a lost call for its members only: an invitee who declined, or anyone else, is refused', () => {
    const t = setup();
    const callId = 'lost-call-0001';
    expect(t.registry.rejoin(alice, rejoin(alice, callId))).toMatchObject({ ok: true, call: { callId, media: 'video' } });
    // Carol was rung and declined before the restart: she saw the id, never a token.
    expect(t.registry.rejoin(carol, rejoin(carol, callId, 'a'.repeat(43)))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    expect(t.registry.rejoin(carol, rejoin(carol, callId, tokenOf(alice, callId)))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    expect(t.registry.rejoin(bob, rejoin(bob, callId))).toMatchObject({ ok: true });
    expect(t.registry.snapshot(callId, alice.deviceId)?.members.map((m) => m.userId)).toEqual([alice.userId, bob.userId]);
  });

  it('admits other members of a rebuilt call only during its grace window, and never revives it once ended', () => {
    const t = setup();
    const callId = 'lost-call-0002';
    t.registry.rejoin(alice, rejoin(alice, callId));
    t.registry.rejoin(bob, rejoin(bob, callId));
    t.clock.advance(20_001);
    expect(t.registry.rejoin(carol, rejoin(carol, callId))).toMatchObject({ ok: false, error: { code: 'not_in_call' } });
    t.registry.leave(bob, callId);
    expect(t.registry.activeCalls).toBe(0);
    expect(t.registry.rejoin(alice, rejoin(alice, callId))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
  });

  it('ends a rebuilt call that no other member rejoins', () => {
    const t = setup();
    t.registry.rejoin(alice, rejoin(alice, 'lost-call-0003'));
    t.clock.advance(20_000);
    expect(t.registry.activeCalls).toBe(0);
    expect(t.to(alice.deviceId).at(-1)).toMatchObject({ event: 'call:ended', payload: { reason: 'disconnected' } });
  });

  it('rebuilds unknown calls only in the restore period after it started', () => {
    const t = setup({ restorePeriodMs: 60_000 });
    expect(t.registry.rejoin(alice, rejoin(alice, 'lost-call-0004'))).toMatchObject({ ok: true });
    t.clock.advance(60_000);
    expect(t.registry.rejoin(bob, rejoin(bob, 'lost-call-0005'))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
  });

  it('keeps an ended call ended when a flood of calls overflows the ended-call memory', () => {
    const t = setup({ maxTombstones: 100 });
    const ended = connected(t);
    t.registry.leave(bob, ended);
    // 150 more calls end: the first tombstones are evicted long before they expire.
    for (let i = 0; i < 150; i++) {
      const caller = party(`flood${i}`);
      const callee = party(`sink${i}`);
      const id = call(t, caller, callee);
      t.registry.cancel(caller, { callId: id, to: callee.userId });
    }
    expect(t.registry.activeCalls).toBe(0);
    expect(t.registry.rejoin(alice, rejoin(alice, ended))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    expect(t.registry.rejoin(bob, rejoin(bob, ended))).toMatchObject({ ok: false, error: { code: 'call_not_found' } });
    expect(t.registry.activeCalls).toBe(0);
  });
});

describe('signal queue of a disconnected member', () => {
  const sdp = (kb: number, n: number) => ({
    kind: 'description' as const,
    description: { type: 'offer' as const, sdp: `v=0 ${n} `.padEnd(kb * 1024, 'x') },
  });
  const delivered = (t: ReturnType<typeof setup>, deviceId: string) =>
    t.to(deviceId).filter((s) => s.event === 'signal').map((s) => (s.payload as { data: { description: { sdp: string } } }).data.description.sdp);

  it('holds at most LIMITS.maxQueuedSignalBytesPerDevice, dropping the oldest first', () => {
    const t = setup();
    const callId = connected(t);
    t.registry.detach(bob);
    // 100 offers of 32 KiB = 3.2 MiB sent; 256 KiB fit.
    for (let i = 0; i < 100; i++) expect(t.registry.relay(alice, { callId, to: bob.deviceId, data: sdp(32, i) })).toEqual({ ok: true });
    t.registry.attach(bob).flush();
    const got = delivered(t, bob.deviceId);
    expect(got.length).toBeGreaterThanOrEqual(6);
    expect(got.length).toBeLessThan(8);
    expect(got.reduce((n, s) => n + s.length, 0)).toBeLessThanOrEqual(256 * 1024);
    // The newest, in order.
    expect(got.map((s) => Number(s.split(' ')[1]))).toEqual(Array.from({ length: got.length }, (_, i) => 100 - got.length + i));
  });
});
