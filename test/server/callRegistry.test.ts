import { describe, expect, it } from 'vitest';
import type { RegistrySfu } from '../../signaling-server/callRegistry';
import type { DtlsProof } from '../../signaling-server/identity';
import type { IncomingCall } from '../../signaling-server/protocol';
import { alice, bob, call, carol, connected, party, setup, target, type Setup } from './registryHarness';

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

/**
 * The caller's first offer (issue 15): given to one ringing device of a mutual
 * contact, in a new mesh call only, and carried by that device's rings alone.
 */
describe('CallRegistry, the first offer', () => {
  const proof: DtlsProof = {
    userKey: { alg: 'Ed25519', spki: 'U'.repeat(59) },
    deviceKey: { alg: 'Ed25519', spki: 'D'.repeat(59) },
    deviceCert: 'C'.repeat(86),
    signature: 'S'.repeat(86),
  };
  const firstOffer = { sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n', proof };
  const bobDesk = party('bob', 'desk');
  const bobTab = party('bob', 'tab');
  const offersIn = (t: Setup) => t.sent.filter((s) => JSON.stringify(s.payload).includes('"sdp"'));
  const fakeSfu = (): RegistrySfu => ({
    maxParticipants: 16,
    available: () => true,
    events: { callMovedToSfu: () => {}, memberLeft: () => {}, callEnded: () => {} },
  });

  it('goes to the last listed device of a mutual contact only, named in the ack', () => {
    const t = setup();
    const ack = t.registry.invite(alice, target(bob, [bobDesk.deviceId, bobTab.deviceId]), { to: bob.userId, media: 'audio', offer: firstOffer });
    expect(ack).toMatchObject({ ok: true, offeredTo: bobTab.deviceId });
    const ringTab = t.to(bobTab.deviceId).find((s) => s.event === 'call:incoming')?.payload as IncomingCall;
    expect(ringTab.offer).toEqual({ from: alice.deviceId, sdp: firstOffer.sdp, proof });
    const ringDesk = t.to(bobDesk.deviceId).find((s) => s.event === 'call:incoming')?.payload as IncomingCall;
    expect(ringDesk).toBeDefined();
    expect(ringDesk).not.toHaveProperty('offer');
    expect(offersIn(t).map((s) => [s.deviceId, s.event])).toEqual([[bobTab.deviceId, 'call:incoming']]);
  });

  it('is dropped for a callee who is not a mutual contact, for an invite into a call, for a meeting and in glare', () => {
    const stranger = setup();
    const notMutual = stranger.registry.invite(alice, target(bob, undefined, 'available', false), { to: bob.userId, media: 'audio', offer: firstOffer });
    expect(notMutual).toMatchObject({ ok: true });
    expect(notMutual).not.toHaveProperty('offeredTo');
    expect(stranger.events(bob.deviceId)).toEqual(['call:incoming']);
    expect(offersIn(stranger)).toEqual([]);

    const group = setup();
    const callId = connected(group);
    const added = group.registry.invite(alice, target(carol), { to: carol.userId, media: 'audio', callId, offer: firstOffer });
    expect(added).toMatchObject({ ok: true });
    expect(added).not.toHaveProperty('offeredTo');
    expect(group.events(carol.deviceId)).toEqual(['call:incoming']);
    expect(offersIn(group)).toEqual([]);

    const meeting = setup({ sfu: fakeSfu() });
    const met = meeting.registry.invite(alice, target(bob), { to: bob.userId, media: 'video', meeting: true, offer: firstOffer });
    expect(met).toMatchObject({ ok: true, call: { topology: 'sfu' } });
    expect(met).not.toHaveProperty('offeredTo');
    expect(offersIn(meeting)).toEqual([]);

    const glare = setup();
    const first = glare.registry.invite(alice, target(bob), { to: bob.userId, media: 'audio', offer: firstOffer });
    expect(first).toMatchObject({ ok: true, offeredTo: bob.deviceId });
    const back = glare.registry.invite(bob, target(alice), { to: alice.userId, media: 'audio', offer: { ...firstOffer, sdp: 'v=0\r\no=- 9 9 IN IP4 127.0.0.1\r\n' } });
    expect(back).toMatchObject({ ok: true, call: { members: [{ deviceId: alice.deviceId }, { deviceId: bob.deviceId }] } });
    expect(back).not.toHaveProperty('offeredTo');
    expect(glare.to(alice.deviceId).map((s) => s.event)).not.toContain('call:incoming');
    expect(JSON.stringify(glare.sent)).not.toContain('o=- 9 9');
  });

  it('comes again with the ring of a device that is attached again while it rings, and dies when the device stops ringing', () => {
    const t = setup();
    const ack = t.registry.invite(alice, target(bob, [bobDesk.deviceId, bobTab.deviceId]), { to: bob.userId, media: 'audio', offer: firstOffer });
    if (!ack.ok) throw new Error(ack.error.message);
    const { callId } = ack.call;
    // A new socket of the tab, the old one not yet gone: it still rings, with the offer.
    expect(t.registry.attach(bobTab).ringing).toEqual([expect.objectContaining({ callId, offer: { from: alice.deviceId, sdp: firstOffer.sdp, proof } })]);
    expect(t.registry.attach(bobDesk).ringing).toEqual([expect.not.objectContaining({ offer: expect.anything() })]);
    // The tab goes away while the desk rings on: the offer is gone with it, for good.
    t.registry.detach(bobTab);
    const back = t.registry.attach(bobTab).ringing;
    expect(back).toHaveLength(1);
    expect(back[0]).toMatchObject({ callId });
    expect(back[0]).not.toHaveProperty('offer');
    expect(t.registry.accept(bobDesk, { callId, audio: true, video: false })).toMatchObject({ ok: true });
    expect(t.registry.attach(bobTab).ringing).toEqual([]);
  });
});
