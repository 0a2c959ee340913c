import { describe, expect, it } from 'vitest';
import { IDLE, reduceCall, type CallEvent, type CallState } from '../../../renderer/call/callState';
import { callKinds, planSessions } from '../../../renderer/call/sessionPlan';
import { ALICE, BOB, CAROL, SELF, incomingCall, invitee, member, snapshot } from './fixtures';

const reduce = (state: CallState, ...events: CallEvent[]): CallState => events.reduce((s, e) => reduceCall(s, e, SELF), state);
const me = member(SELF, SELF.deviceId);
const everyone = (): boolean => true;

describe('session plan', () => {
  it('nothing before the invite is acked, nothing when idle', () => {
    expect(planSessions(IDLE, SELF, everyone)).toEqual([]);
    expect(planSessions(reduce(IDLE, { type: 'dial', attempt: 'a1', peer: BOB, media: 'audio', at: 1 }), SELF, everyone)).toEqual([]);
  });

  it('a caller prepares a silent session to every ringing device of the callee', () => {
    const call = snapshot({ members: [me], invitees: [{ ...invitee(BOB, []), devices: [{ deviceId: 'device-bob-01', polite: true }, { deviceId: 'device-bob-02', polite: false }] }] });
    const state = reduce(IDLE, { type: 'dial', attempt: 'a1', peer: BOB, media: 'audio', at: 1 }, { type: 'dialAcked', attempt: 'a1', call, at: 2 });
    expect(planSessions(state, SELF, everyone)).toEqual([
      { deviceId: 'device-bob-01', userId: BOB.userId, polite: true, send: false },
      { deviceId: 'device-bob-02', userId: BOB.userId, polite: false, send: false },
    ]);
  });

  it('a ringing device prepares a silent session to every member, and sends once it accepts (ringing alone)', () => {
    const ringing = reduce(IDLE, {
      type: 'incoming',
      incoming: incomingCall({
        members: [member(ALICE, 'device-alice-1', { polite: true }), member(CAROL, 'device-carol-1')],
        invitees: [invitee(SELF, [SELF.deviceId])],
      }),
      at: 1,
    });
    expect(planSessions(ringing, SELF, everyone).map((p) => [p.deviceId, p.polite, p.send])).toEqual([
      ['device-alice-1', true, false],
      ['device-carol-1', false, false],
    ]);
    const accepting = reduce(ringing, { type: 'accept' });
    expect(planSessions(accepting, SELF, everyone).every((p) => p.send)).toBe(true);
  });

  it('a member sends to members only, and keeps silent sessions to devices that still ring', () => {
    const call = snapshot({ members: [member(ALICE, 'device-alice-1'), me], invitees: [invitee(CAROL, ['device-carol-1'])] });
    const state = reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
    expect(planSessions(state, SELF, everyone).map((p) => [p.deviceId, p.send])).toEqual([
      ['device-alice-1', true],
      ['device-carol-1', false],
    ]);
  });

  it('never plans a session to this device', () => {
    const call = snapshot({ members: [me, member(ALICE, 'device-alice-1')], invitees: [invitee(SELF, [SELF.deviceId])] });
    const state = reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
    expect(planSessions(state, SELF, everyone).map((p) => p.deviceId)).toEqual(['device-alice-1']);
  });

  it('pre-connects only with contacts: an invitee who is not one is connected once they answer', () => {
    const onlyCarol = (userId: string): boolean => userId === CAROL.userId;
    const ringingBob = snapshot({ members: [me], invitees: [invitee(BOB, ['device-bob-01']), invitee(CAROL, ['device-carol-1'])] });
    const dialling = reduce(IDLE, { type: 'dial', attempt: 'a1', peer: BOB, media: 'audio', at: 1 }, { type: 'dialAcked', attempt: 'a1', call: ringingBob, at: 2 });
    expect(planSessions(dialling, SELF, onlyCarol).map((p) => p.deviceId)).toEqual(['device-carol-1']);

    const answered = snapshot({ members: [me, member(BOB, 'device-bob-01')], invitees: [invitee(CAROL, ['device-carol-1'])] });
    const active = reduce(dialling, { type: 'callUpdated', call: answered, at: 3 });
    expect(planSessions(active, SELF, onlyCarol).map((p) => [p.deviceId, p.send])).toEqual([
      ['device-bob-01', true],
      ['device-carol-1', false],
    ]);
  });

  it('a call from someone who is not a contact connects here only once I accept', () => {
    const ringing = reduce(IDLE, {
      type: 'incoming',
      incoming: incomingCall({ members: [member(ALICE, 'device-alice-1'), member(CAROL, 'device-carol-1')], invitees: [invitee(SELF, [SELF.deviceId])] }),
      at: 1,
    });
    const onlyCarol = (userId: string): boolean => userId === CAROL.userId;
    expect(planSessions(ringing, SELF, onlyCarol).map((p) => p.deviceId)).toEqual(['device-carol-1']);
    expect(planSessions(ringing, SELF, () => false)).toEqual([]);

    const accepting = reduce(ringing, { type: 'accept' });
    expect(planSessions(accepting, SELF, () => false).map((p) => [p.deviceId, p.send])).toEqual([
      ['device-alice-1', true],
      ['device-carol-1', true],
    ]);
  });

  it('with another device of mine ringing too, an accept sends only once the server says this device won', () => {
    const both = invitee(SELF, [SELF.deviceId, 'device-self-other']);
    const ringing = reduce(IDLE, { type: 'incoming', incoming: incomingCall({ members: [member(ALICE, 'device-alice-1')], invitees: [both] }), at: 1 });
    const accepting = reduce(ringing, { type: 'accept' });
    expect(planSessions(accepting, SELF, everyone).map((p) => [p.deviceId, p.send])).toEqual([['device-alice-1', false]]);
    const won = snapshot({ members: [member(ALICE, 'device-alice-1'), me] });
    const active = reduce(accepting, { type: 'acceptAcked', call: won, at: 2 });
    expect(planSessions(active, SELF, everyone).map((p) => [p.deviceId, p.send])).toEqual([['device-alice-1', true]]);
  });

  it('a caller sends to the device that said over the peer path it accepted, if it rings alone for the callee', () => {
    const alone = snapshot({ members: [me], invitees: [invitee(BOB, ['device-bob-01'])] });
    const dialling = reduce(IDLE, { type: 'dial', attempt: 'a1', peer: BOB, media: 'video', at: 1 }, { type: 'dialAcked', attempt: 'a1', call: alone, at: 2 });
    const said = { type: 'peerAccepted', callId: alone.callId, deviceId: 'device-bob-01', userId: BOB.userId, audio: true, video: true, at: 3 } as const;
    const answered = reduce(dialling, said);
    expect(answered.phase === 'outgoing' && answered.answeredBy?.deviceId).toBe('device-bob-01');
    expect(planSessions(answered, SELF, everyone).map((p) => [p.deviceId, p.send])).toEqual([['device-bob-01', true]]);

    // Two devices of the callee ring: neither is taken at its word, the server picks.
    const two = snapshot({ members: [me], invitees: [invitee(BOB, ['device-bob-01', 'device-bob-02'])] });
    const racing = reduce(IDLE, { type: 'dial', attempt: 'a1', peer: BOB, media: 'video', at: 1 }, { type: 'dialAcked', attempt: 'a1', call: two, at: 2 });
    expect(reduce(racing, said)).toBe(racing);
    // Someone else's device, another call, or a device that does not ring: ignored.
    expect(reduce(dialling, { ...said, userId: CAROL.userId })).toBe(dialling);
    expect(reduce(dialling, { ...said, callId: 'call-other' })).toBe(dialling);
    expect(reduce(dialling, { ...said, deviceId: 'device-bob-99' })).toBe(dialling);

    // A second device joins the ring before the server confirms: the word no longer counts.
    const joined = reduce(answered, { type: 'callUpdated', call: two, at: 4 });
    expect(joined.phase === 'outgoing' && joined.answeredBy).toBeUndefined();
    expect(planSessions(joined, SELF, everyone).every((p) => !p.send)).toBe(true);

    // The server refuses (the ring ran out): the dial ends, nothing is sent.
    const refused = reduce(answered, { type: 'inviteEnded', callId: alone.callId, userId: BOB.userId, reason: 'no_answer', at: 5 });
    expect(refused.phase).toBe('ended');
    expect(planSessions(refused, SELF, everyone)).toEqual([]);
  });

  it('a video call has audio and video transceivers, an audio call audio only', () => {
    expect(callKinds('video')).toEqual(['audio', 'video']);
    expect(callKinds('audio')).toEqual(['audio']);
  });
});
