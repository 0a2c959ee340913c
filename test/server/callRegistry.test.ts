import { describe, expect, it } from 'vitest';
import { alice, bob, call, carol, connected, party, setup, target } from './registryHarness';

describe('CallRegistry', () => {
  it('ends an unanswered invite after the ring timeout, and clears every timer', () => {
    const t = setup();
    const callId = call(t);
    t.clock.advance(29_999);
    expect(t.events(bob.deviceId)).toEqual(['call:incoming']);
    t.clock.advance(1);
    expect(t.to(bob.deviceId).at(-1)).toMatchObject({ event: 'call:ring-ended', payload: { callId, reason: 'no_answer' } });
    expect(t.events(alice.deviceId)).toEqual(['call:updated', 'call:invite-ended', 'call:ended']);
    expect(t.registry.activeCalls).toBe(0);
    expect(t.clock.pending).toBe(0);
  });

  it('holds a dropped member for the grace period, then removes it and applies the end rule', () => {
    const t = setup();
    const callId = connected(t);
    t.registry.detach(bob);
    expect(t.registry.snapshot(callId, alice.deviceId)?.members[1]).toMatchObject({ deviceId: bob.deviceId, connected: false });
    expect(t.registry.isUserInCall(bob.userId)).toBe(true);
    t.clock.advance(20_000);
    expect(t.to(alice.deviceId).slice(-2).map((s) => s.payload)).toEqual([
      { callId, userId: bob.userId, deviceId: bob.deviceId, reason: 'disconnected' },
      { callId, reason: 'disconnected' },
    ]);
    expect(t.registry.isUserInCall(bob.userId)).toBe(false);
    expect(t.membershipChanges).toContain(bob.userId);
    expect(t.clock.pending).toBe(0);
  });

  it('delivers queued signals once, in order, when the member is attached again', () => {
    const t = setup();
    const callId = connected(t);
    t.registry.detach(bob);
    for (let i = 0; i < 3; i++) {
      t.registry.relay(alice, { callId, to: bob.deviceId, data: { kind: 'candidate', candidate: { candidate: `c${i}` } } });
    }
    expect(t.events(bob.deviceId)).not.toContain('signal');
    const attached = t.registry.attach(bob);
    expect(attached.call?.callId).toBe(callId);
    attached.flush();
    attached.flush();
    const signals = t.to(bob.deviceId).filter((s) => s.event === 'signal');
    expect(signals.map((s) => (s.payload as { data: { candidate: { candidate: string } } }).data.candidate.candidate)).toEqual([
      'c0',
      'c1',
      'c2',
    ]);
    expect(t.clock.pending).toBe(0);
  });

  it('keeps a call with one member while someone is still being rung', () => {
    const t = setup();
    const callId = connected(t);
    expect(t.registry.invite(alice, target(carol), { to: carol.userId, media: 'audio', callId })).toMatchObject({ ok: true });
    expect(t.registry.leave(bob, callId)).toEqual({ ok: true });
    expect(t.registry.activeCalls).toBe(1);
    expect(t.registry.decline(carol, callId)).toEqual({ ok: true });
    expect(t.to(alice.deviceId).at(-1)).toMatchObject({ event: 'call:ended', payload: { callId, reason: 'declined' } });
  });

  it('treats crossing invites as an accept of the first one (glare)', () => {
    const t = setup();
    const callId = call(t, alice, bob);
    const back = t.registry.invite(bob, target(alice), { to: alice.userId, media: 'video' });
    expect(back).toMatchObject({ ok: true, call: { callId, connectedAt: expect.any(Number) } });
    if (!back.ok) return;
    expect(back.call.members.map((m) => [m.deviceId, m.video])).toEqual([
      [alice.deviceId, false],
      [bob.deviceId, true],
    ]);
    expect(t.registry.activeCalls).toBe(1);
  });

  it('does not treat a group invite as glare', () => {
    const t = setup();
    const callId = connected(t);
    t.registry.invite(alice, target(carol), { to: carol.userId, media: 'audio', callId });
    expect(t.registry.invite(carol, target(alice), { to: alice.userId, media: 'audio' })).toMatchObject({
      ok: false,
      error: { code: 'busy' },
    });
  });

  it('counts invitees against the maximum', () => {
    const t = setup({ maxParticipants: 3 });
    const callId = connected(t);
    const dave = party('dave');
    expect(t.registry.invite(alice, target(carol), { to: carol.userId, media: 'audio', callId })).toMatchObject({ ok: true });
    expect(t.registry.invite(bob, target(dave), { to: dave.userId, media: 'audio', callId })).toMatchObject({
      ok: false,
      error: { code: 'call_full' },
    });
  });

  it('survives a sink that throws inside a timer, and reports it', () => {
    let explode = false;
    const t = setup({
      sink: {
        membershipChanged: () => {
          if (explode) throw new Error('boom');
        },
      },
    });
    connected(t);
    t.registry.detach(bob);
    explode = true;
    expect(() => t.clock.advance(20_000)).not.toThrow();
    expect(t.errors).toHaveLength(1);
  });

  it('forgets everything and stops every timer on dispose', () => {
    const t = setup();
    connected(t);
    call(t, carol, party('dave'));
    t.registry.detach(bob);
    expect(t.clock.pending).toBeGreaterThan(0);
    t.registry.dispose();
    expect(t.clock.pending).toBe(0);
    expect(t.registry.activeCalls).toBe(0);
    // Nothing that arrives while the server closes can start a timer again.
    call(t);
    expect(t.clock.pending).toBe(0);
  });
});
