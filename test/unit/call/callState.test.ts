import { describe, expect, it } from 'vitest';
import {
  ENDED_CALLS_KEPT,
  IDLE,
  NO_LOCAL_MEDIA,
  reduceCall,
  type ActiveState,
  type CallEvent,
  type CallState,
  type EndedState,
  type IncomingState,
  type OutgoingState,
} from '../../../renderer/call/callState';
import { ALICE, BOB, CALL_ID, CAROL, SELF, incomingCall, invitee, member, snapshot } from './fixtures';

const reduce = (state: CallState, ...events: CallEvent[]): CallState =>
  events.reduce((s, e) => reduceCall(s, e, SELF), state);

const me = member(SELF, SELF.deviceId);
const aliceDevice = 'device-alice-1';

function dialing(): OutgoingState {
  return reduce(IDLE, { type: 'dial', attempt: 'attempt-1', peer: BOB, media: 'video', at: 1_000 }) as OutgoingState;
}
function ringingOut(): OutgoingState {
  return reduce(dialing(), {
    type: 'dialAcked',
    attempt: 'attempt-1',
    call: snapshot({ media: 'video', members: [me], invitees: [invitee(BOB, ['device-bob-01', 'device-bob-02'])] }),
    at: 1_100,
  }) as OutgoingState;
}
function ringingIn(): IncomingState {
  return reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 2_000 }) as IncomingState;
}
function active(): ActiveState {
  return reduce(
    ringingIn(),
    { type: 'accept' },
    { type: 'acceptAcked', call: snapshot({ members: [member(ALICE, aliceDevice), me] }), at: 2_500 },
  ) as ActiveState;
}
function ended(): EndedState {
  return reduce(active(), { type: 'hangUp', at: 9_000 }) as EndedState;
}

/** Events that each phase must ignore (the state object stays the same). */
const everyEvent: CallEvent[] = [
  { type: 'dial', attempt: 'attempt-2', peer: CAROL, media: 'audio', at: 5 },
  { type: 'dialAcked', attempt: 'attempt-1', call: snapshot(), at: 5 },
  { type: 'dialFailed', attempt: 'attempt-1', reason: 'busy', at: 5 },
  { type: 'incoming', incoming: incomingCall({ callId: 'call-0000002' }), at: 5 },
  { type: 'accept' },
  { type: 'acceptAcked', call: snapshot(), at: 5 },
  { type: 'acceptFailed', callId: CALL_ID, reason: 'failed', at: 5 },
  { type: 'decline', at: 5 },
  { type: 'cancel', at: 5 },
  { type: 'hangUp', at: 5 },
  { type: 'ringEnded', callId: CALL_ID, reason: 'cancelled', at: 5 },
  { type: 'callUpdated', call: snapshot(), at: 5 },
  { type: 'inviteEnded', callId: CALL_ID, userId: BOB.userId, reason: 'declined', at: 5 },
  { type: 'memberLeft', callId: CALL_ID, deviceId: aliceDevice, at: 5 },
  { type: 'callEnded', callId: CALL_ID, reason: 'hangup', at: 5 },
  { type: 'failed', detail: 'x', at: 5 },
  { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 5 },
  { type: 'linkStream', deviceId: aliceDevice, stream: null },
  { type: 'linkClosed', deviceId: aliceDevice },
  { type: 'audioLevels', levels: { [aliceDevice]: 0.5 } },
  { type: 'localMedia', local: { muted: true } },
  { type: 'dismiss' },
  { type: 'flagsFailed', callId: CALL_ID, flags: { audio: true, video: false } },
];

function ignored(state: CallState, allowed: CallEvent['type'][]): CallEvent['type'][] {
  return everyEvent.filter((e) => !allowed.includes(e.type) && reduceCall(state, e, SELF) !== state).map((e) => e.type);
}

describe('call state: idle', () => {
  it('dial starts an outgoing call without a callId, at the given time', () => {
    const s = dialing();
    expect(s).toMatchObject({ phase: 'outgoing', callId: null, peer: BOB, media: 'video', startedAt: 1_000, call: null });
    expect(s.local).toEqual(NO_LOCAL_MEDIA);
  });

  it('an incoming call starts ringing', () => {
    const s = ringingIn();
    expect(s).toMatchObject({ phase: 'incoming', callId: CALL_ID, from: ALICE, accepting: false, startedAt: 2_000 });
  });

  it('ignores every other event', () => {
    expect(ignored(IDLE, ['dial', 'incoming'])).toEqual([]);
  });
});

describe('call state: outgoing', () => {
  it('the invite ack gives the callId and the snapshot', () => {
    const s = ringingOut();
    expect(s).toMatchObject({ phase: 'outgoing', callId: CALL_ID });
    expect(s.call?.invitees[0]?.userId).toBe(BOB.userId);
  });

  it('an ack of an abandoned attempt changes nothing', () => {
    const s = dialing();
    expect(reduce(s, { type: 'dialAcked', attempt: 'other', call: snapshot(), at: 1 })).toBe(s);
    expect(reduce(s, { type: 'dialFailed', attempt: 'other', reason: 'busy', at: 1 })).toBe(s);
  });

  it('glare: an ack whose call already has the peer as member goes straight to active', () => {
    const merged = snapshot({ members: [member(BOB, 'device-bob-01'), me] });
    const s = reduce(dialing(), { type: 'dialAcked', attempt: 'attempt-1', call: merged, at: 1_200 });
    expect(s).toMatchObject({ phase: 'active', callId: CALL_ID, connectedAt: null, direction: 'outgoing' });
    expect((s as ActiveState).met).toEqual([BOB]);
  });

  it.each([
    ['busy', 'busy'],
    ['do_not_disturb', 'do_not_disturb'],
    ['user_offline', 'user_offline'],
    ['failed', 'failed'],
  ] as const)('a refused invite (%s) ends the call with that reason', (reason, expected) => {
    const s = reduce(dialing(), { type: 'dialFailed', attempt: 'attempt-1', reason, detail: 'why', at: 1_050 });
    expect(s).toMatchObject({ phase: 'ended', reason: expected, detail: 'why', callId: null, answered: false, peers: [BOB] });
  });

  it('cancel ends it as cancelled', () => {
    expect(reduce(ringingOut(), { type: 'cancel', at: 3_000 })).toMatchObject({ phase: 'ended', reason: 'cancelled', endedAt: 3_000 });
  });

  it('the callee appearing among the members makes it active; a connection prepared while ringing counts at once', () => {
    const s = reduce(
      ringingOut(),
      { type: 'linkPhase', deviceId: 'device-bob-01', connection: 'connected', at: 1_300 },
      { type: 'callUpdated', call: snapshot({ media: 'video', members: [me, member(BOB, 'device-bob-01')] }), at: 4_000 },
    );
    expect(s).toMatchObject({ phase: 'active', connectedAt: 4_000 });
  });

  it('an update that still has nobody else keeps it ringing with the new snapshot', () => {
    const call = snapshot({ media: 'video', members: [me], invitees: [invitee(BOB, ['device-bob-01'])] });
    const s = reduce(ringingOut(), { type: 'callUpdated', call, at: 1_400 });
    expect(s).toMatchObject({ phase: 'outgoing', call });
  });

  it('an update that overtakes the invite ack is followed: it is this dial’s call', () => {
    const ringingCall = snapshot({ media: 'video', members: [me], invitees: [invitee(BOB, ['device-bob-01'])] });
    expect(reduce(dialing(), { type: 'callUpdated', call: ringingCall, at: 2 })).toMatchObject({ phase: 'outgoing', callId: CALL_ID, call: ringingCall });
    // Glare: the update that makes the peer a member arrives before the ack.
    const merged = snapshot({ members: [member(BOB, 'device-bob-01'), me] });
    expect(reduce(dialing(), { type: 'callUpdated', call: merged, at: 2 })).toMatchObject({ phase: 'active', callId: CALL_ID });
    // The late ack of the same dial then changes nothing.
    const followed = reduce(dialing(), { type: 'callUpdated', call: ringingCall, at: 2 });
    expect(reduce(followed, { type: 'dialAcked', attempt: 'attempt-1', call: snapshot(), at: 3 })).toBe(followed);
  });

  it('an update before the ack that does not have me as member, or of another call, is ignored', () => {
    const s = dialing();
    expect(reduce(s, { type: 'callUpdated', call: snapshot({ members: [member(BOB, 'device-bob-01')] }), at: 1 })).toBe(s);
    const r = ringingOut();
    expect(reduce(r, { type: 'callUpdated', call: snapshot({ callId: 'call-0000002', members: [me] }), at: 1 })).toBe(r);
  });

  it.each([
    ['declined', 'declined'],
    ['no_answer', 'no_answer'],
    ['cancelled', 'cancelled'],
    ['offline', 'user_offline'],
  ] as const)('the callee’s invite ending (%s) ends the call as %s', (reason, expected) => {
    const s = reduce(ringingOut(), { type: 'inviteEnded', callId: CALL_ID, userId: BOB.userId, reason, at: 5_000 });
    expect(s).toMatchObject({ phase: 'ended', reason: expected, peers: [BOB] });
  });

  it('an invite ending as answered, or someone else’s, changes nothing', () => {
    const s = ringingOut();
    expect(reduce(s, { type: 'inviteEnded', callId: CALL_ID, userId: BOB.userId, reason: 'answered', at: 1 })).toBe(s);
    expect(reduce(s, { type: 'inviteEnded', callId: CALL_ID, userId: CAROL.userId, reason: 'declined', at: 1 })).toBe(s);
  });

  it('the call ending ends it with the server’s reason', () => {
    expect(reduce(ringingOut(), { type: 'callEnded', callId: CALL_ID, reason: 'no_answer', at: 1 })).toMatchObject({
      phase: 'ended',
      reason: 'no_answer',
    });
  });

  it('records link phases and streams of the sessions prepared while ringing', () => {
    const s = reduce(
      ringingOut(),
      { type: 'linkPhase', deviceId: 'device-bob-01', connection: 'connecting', at: 1 },
      { type: 'linkStream', deviceId: 'device-bob-01', stream: null },
    ) as OutgoingState;
    expect(s.links['device-bob-01']).toMatchObject({ connection: 'connecting', stream: null, speaking: false });
    const closed = reduce(s, { type: 'linkClosed', deviceId: 'device-bob-01' }) as OutgoingState;
    expect(closed.links).toEqual({});
  });

  it('merges local media changes', () => {
    const s = reduce(ringingOut(), { type: 'localMedia', local: { microphone: true, error: 'No camera was found' } });
    expect((s as OutgoingState).local).toMatchObject({ microphone: true, error: 'No camera was found', muted: false });
  });

  it('ignores what does not apply to a ringing outgoing call', () => {
    const s = ringingOut();
    expect(
      ignored(s, ['cancel', 'callUpdated', 'inviteEnded', 'callEnded', 'failed', 'linkPhase', 'linkStream', 'linkClosed', 'localMedia']),
    ).toEqual([]);
  });
});

describe('call state: incoming', () => {
  it('accept marks it accepting, once', () => {
    const s = reduce(ringingIn(), { type: 'accept' });
    expect(s).toMatchObject({ phase: 'incoming', accepting: true });
    expect(reduce(s, { type: 'accept' })).toBe(s);
  });

  it('the accept ack makes it active; the connection prepared while ringing counts at once', () => {
    const s = reduce(
      ringingIn(),
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 2_100 },
      { type: 'accept' },
      { type: 'acceptAcked', call: snapshot({ members: [member(ALICE, aliceDevice), me] }), at: 2_500 },
    );
    expect(s).toMatchObject({ phase: 'active', connectedAt: 2_500, direction: 'incoming', met: [ALICE] });
  });

  it('while accepting, an update that has me as member makes it active before the ack', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me] });
    const s = reduce(ringingIn(), { type: 'accept' }, { type: 'callUpdated', call, at: 2_400 });
    expect(s).toMatchObject({ phase: 'active', call });
    expect(reduce(s, { type: 'acceptAcked', call, at: 2_500 })).toBe(s);
  });

  it('an accept ack without accepting, or of another call, changes nothing', () => {
    const s = ringingIn();
    expect(reduce(s, { type: 'acceptAcked', call: snapshot(), at: 1 })).toBe(s);
    const accepting = reduce(s, { type: 'accept' });
    expect(reduce(accepting, { type: 'acceptAcked', call: snapshot({ callId: 'call-0000002' }), at: 1 })).toBe(accepting);
  });

  it('a refused accept ends it with the given reason', () => {
    const s = reduce(ringingIn(), { type: 'accept' }, { type: 'acceptFailed', callId: CALL_ID, reason: 'missed', at: 3 });
    expect(s).toMatchObject({ phase: 'ended', reason: 'missed', answered: false, direction: 'incoming' });
  });

  it('declining here ends it as declined by me (local_decline), not as the caller declining', () => {
    expect(reduce(ringingIn(), { type: 'decline', at: 3 })).toMatchObject({
      phase: 'ended',
      reason: 'local_decline',
      direction: 'incoming',
      answered: false,
      peers: [ALICE],
    });
  });

  it.each([
    ['answered_elsewhere', 'answered_elsewhere'],
    ['declined_elsewhere', 'declined_elsewhere'],
    ['cancelled', 'missed'],
    ['no_answer', 'missed'],
    ['call_ended', 'missed'],
  ] as const)('ringing ending (%s) ends it as %s', (reason, expected) => {
    expect(reduce(ringingIn(), { type: 'ringEnded', callId: CALL_ID, reason, at: 3 })).toMatchObject({
      phase: 'ended',
      reason: expected,
    });
  });

  it('the ring of another call ending changes nothing', () => {
    const s = ringingIn();
    expect(reduce(s, { type: 'ringEnded', callId: 'call-0000002', reason: 'cancelled', at: 3 })).toBe(s);
  });

  it('the call ending while it rings is a missed call', () => {
    expect(reduce(ringingIn(), { type: 'callEnded', callId: CALL_ID, reason: 'cancelled', at: 3 })).toMatchObject({
      phase: 'ended',
      reason: 'missed',
    });
  });

  it('an update keeps it ringing with the new members, and they are named at the end', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), member(CAROL, 'device-carol-1')] });
    const s = reduce(ringingIn(), { type: 'callUpdated', call, at: 3 });
    expect(s).toMatchObject({ phase: 'incoming', call });
    expect(reduce(s, { type: 'decline', at: 4 })).toMatchObject({ peers: [ALICE, CAROL] });
  });

  it('ignores what does not apply to a ringing incoming call', () => {
    expect(
      ignored(ringingIn(), [
        'accept',
        'acceptFailed',
        'decline',
        'ringEnded',
        'callEnded',
        'callUpdated',
        'failed',
        'linkPhase',
        'linkStream',
        'linkClosed',
        'localMedia',
      ]),
    ).toEqual([]);
  });
});

describe('call state: active', () => {
  it('hanging up ends it as local_hangup, answered, keeping when it connected', () => {
    const s = reduce(active(), { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 3_000 }, { type: 'hangUp', at: 9_000 });
    expect(s).toMatchObject({ phase: 'ended', reason: 'local_hangup', answered: true, connectedAt: 3_000, endedAt: 9_000, peers: [ALICE] });
  });

  it('the first member connection sets connectedAt, later ones do not move it', () => {
    const s = reduce(
      active(),
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 3_000 },
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'reconnecting', at: 4_000 },
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 5_000 },
    ) as ActiveState;
    expect(s.connectedAt).toBe(3_000);
    expect(s.links[aliceDevice]?.connection).toBe('connected');
  });

  it('a connection to a device that only rings does not set connectedAt', () => {
    const s = reduce(active(), { type: 'linkPhase', deviceId: 'device-carol-1', connection: 'connected', at: 3_000 }) as ActiveState;
    expect(s.connectedAt).toBeNull();
  });

  it('the server ending it ends it with its reason', () => {
    expect(reduce(active(), { type: 'callEnded', callId: CALL_ID, reason: 'hangup', at: 7 })).toMatchObject({
      phase: 'ended',
      reason: 'hangup',
      answered: true,
    });
  });

  it('a failure ends it as failed with the detail', () => {
    expect(reduce(active(), { type: 'failed', detail: 'No peer connection', at: 7 })).toMatchObject({
      phase: 'ended',
      reason: 'failed',
      detail: 'No peer connection',
    });
  });

  it('updates add new members to the people met', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me, member(CAROL, 'device-carol-1')] });
    const s = reduce(active(), { type: 'callUpdated', call, at: 7 }) as ActiveState;
    expect(s.met).toEqual([ALICE, CAROL]);
    expect(reduce(s, { type: 'hangUp', at: 8 })).toMatchObject({ peers: [ALICE, CAROL] });
  });

  it('a member leaving is removed; an unknown one changes nothing', () => {
    const s = active();
    const left = reduce(s, { type: 'memberLeft', callId: CALL_ID, deviceId: aliceDevice, at: 7 }) as ActiveState;
    expect(left.call.members.map((m) => m.deviceId)).toEqual([SELF.deviceId]);
    expect(reduce(s, { type: 'memberLeft', callId: CALL_ID, deviceId: 'device-nobody', at: 7 })).toBe(s);
  });

  it('an invite ending removes the invitee', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me], invitees: [invitee(CAROL, ['device-carol-1'])] });
    const s = reduce(active(), { type: 'callUpdated', call, at: 7 });
    const after = reduce(s, { type: 'inviteEnded', callId: CALL_ID, userId: CAROL.userId, reason: 'declined', at: 8 }) as ActiveState;
    expect(after.phase).toBe('active');
    expect(after.call.invitees).toEqual([]);
  });

  it('an invite ending as answered keeps the invitee until the update lists them as member', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me], invitees: [invitee(CAROL, ['device-carol-1'])] });
    const s = reduce(active(), { type: 'callUpdated', call, at: 7 });
    expect(reduce(s, { type: 'inviteEnded', callId: CALL_ID, userId: CAROL.userId, reason: 'answered', at: 8 })).toBe(s);
  });

  it('audio levels mark speakers with hysteresis and pick the active speaker', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me, member(CAROL, 'device-carol-1')] });
    let s = reduce(
      active(),
      { type: 'callUpdated', call, at: 7 },
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 7 },
      { type: 'linkPhase', deviceId: 'device-carol-1', connection: 'connected', at: 7 },
      { type: 'audioLevels', levels: { [aliceDevice]: 0.2, 'device-carol-1': 0.001 } },
    ) as ActiveState;
    expect(s.links[aliceDevice]?.speaking).toBe(true);
    expect(s.activeSpeaker).toBe(aliceDevice);
    // Between words Alice stays the speaker; after three quiet polls she is not.
    s = reduce(s, { type: 'audioLevels', levels: { [aliceDevice]: 0.005 } }) as ActiveState;
    expect(s.activeSpeaker).toBe(aliceDevice);
    s = reduce(s, { type: 'audioLevels', levels: {} }, { type: 'audioLevels', levels: {} }) as ActiveState;
    expect(s.links[aliceDevice]?.speaking).toBe(false);
    expect(s.activeSpeaker).toBeNull();
  });

  it('a muted member is never the speaker, whatever the level', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice, { audio: false }), me] });
    const s = reduce(
      active(),
      { type: 'callUpdated', call, at: 7 },
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 7 },
      { type: 'audioLevels', levels: { [aliceDevice]: 0.9 } },
    ) as ActiveState;
    expect(s.activeSpeaker).toBeNull();
  });

  it('closing the active speaker’s link clears the mark', () => {
    const s = reduce(
      active(),
      { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 7 },
      { type: 'audioLevels', levels: { [aliceDevice]: 0.3 } },
      { type: 'linkClosed', deviceId: aliceDevice },
    ) as ActiveState;
    expect(s.activeSpeaker).toBeNull();
    expect(s.links).toEqual({});
  });

  it('ignores what does not apply to an active call', () => {
    expect(
      ignored(active(), [
        'hangUp',
        'callEnded',
        'failed',
        'callUpdated',
        'memberLeft',
        'linkPhase',
        'linkStream',
        'linkClosed',
        'audioLevels',
        'localMedia',
      ]),
    ).toEqual([]);
  });
});

describe('call state: ended', () => {
  it('dismiss returns to idle, still remembering the call that ended', () => {
    expect(reduce(ended(), { type: 'dismiss' })).toEqual({ phase: 'idle', endedCalls: [CALL_ID] });
  });

  it('an incoming call replaces the ended view', () => {
    const s = reduce(ended(), { type: 'incoming', incoming: incomingCall({ callId: 'call-0000002' }), at: 10_000 });
    expect(s).toMatchObject({ phase: 'incoming', callId: 'call-0000002', startedAt: 10_000 });
  });

  it('a new dial replaces the ended view', () => {
    expect(reduce(ended(), { type: 'dial', attempt: 'a2', peer: CAROL, media: 'audio', at: 10_000 })).toMatchObject({
      phase: 'outgoing',
      peer: CAROL,
    });
  });

  it('ignores the late events of the call that ended', () => {
    expect(ignored(ended(), ['dismiss', 'incoming', 'dial'])).toEqual([]);
  });
});

describe('call state: calls that ended here', () => {
  it('an ended call is remembered, and a dial the server never answered adds nothing', () => {
    expect(ended().endedCalls).toEqual([CALL_ID]);
    expect(reduce(dialing(), { type: 'cancel', at: 2 }).endedCalls).toEqual([]);
  });

  it('the memory goes from one call to the next', () => {
    const again = reduce(ended(), { type: 'dismiss' }, { type: 'dial', attempt: 'a2', peer: CAROL, media: 'audio', at: 10 });
    expect(again).toMatchObject({ phase: 'outgoing', endedCalls: [CALL_ID] });
    expect(reduce(ended(), { type: 'incoming', incoming: incomingCall({ callId: 'call-0000002' }), at: 10 }).endedCalls).toEqual([CALL_ID]);
  });

  it('a late update of a call that ended here is not taken for a new dial’s, even with me as member', () => {
    const dialingAgain = reduce(ended(), { type: 'dial', attempt: 'a2', peer: CAROL, media: 'audio', at: 10 });
    const late = snapshot({ members: [me, member(ALICE, aliceDevice)] });
    expect(reduce(dialingAgain, { type: 'callUpdated', call: late, at: 11 })).toBe(dialingAgain);
  });

  it('a dial abandoned before its ack remembers the call the server made, once', () => {
    const s = reduce(dialing(), { type: 'cancel', at: 2 });
    const abandoned = reduce(s, { type: 'callAbandoned', callId: 'call-0000009' });
    expect(abandoned).toMatchObject({ phase: 'ended', reason: 'cancelled', endedCalls: ['call-0000009'] });
    expect(reduce(abandoned, { type: 'callAbandoned', callId: 'call-0000009' })).toBe(abandoned);
    expect(reduce(IDLE, { type: 'callAbandoned', callId: 'call-0000009' })).toEqual({ phase: 'idle', endedCalls: ['call-0000009'] });
  });

  it('keeps the newest ENDED_CALLS_KEPT calls, forgetting the oldest', () => {
    let s: CallState = IDLE;
    for (let i = 0; i < ENDED_CALLS_KEPT + 2; i++) s = reduce(s, { type: 'callAbandoned', callId: `call-${String(i).padStart(7, '0')}` });
    expect(s.endedCalls).toHaveLength(ENDED_CALLS_KEPT);
    expect(s.endedCalls[0]).toBe('call-0000002');
    expect(s.endedCalls.at(-1)).toBe(`call-${String(ENDED_CALLS_KEPT + 1).padStart(7, '0')}`);
  });
});

describe('call state: a call dropped while the path was down', () => {
  const down = (): ActiveState =>
    reduce(active(), { type: 'linkPhase', deviceId: aliceDevice, connection: 'reconnecting', at: 5 }) as ActiveState;

  it('the server’s hang-up after the last member left over a broken path ends it as disconnected', () => {
    const left = reduce(down(), { type: 'memberLeft', callId: CALL_ID, deviceId: aliceDevice, at: 6 }) as ActiveState;
    expect(left.droppedWhileDown).toBe(true);
    expect(reduce(left, { type: 'callEnded', callId: CALL_ID, reason: 'hangup', at: 7 })).toMatchObject({ phase: 'ended', reason: 'disconnected' });
    // Any other reason is the server's own.
    expect(reduce(left, { type: 'callEnded', callId: CALL_ID, reason: 'server_shutdown', at: 7 })).toMatchObject({ reason: 'server_shutdown' });
  });

  it('a member who leaves over a working path leaves a plain hang-up', () => {
    const left = reduce(active(), { type: 'memberLeft', callId: CALL_ID, deviceId: aliceDevice, at: 6 }) as ActiveState;
    expect(left.droppedWhileDown).toBe(false);
    expect(reduce(left, { type: 'callEnded', callId: CALL_ID, reason: 'hangup', at: 7 })).toMatchObject({ reason: 'hangup' });
  });

  it('in a group, one member leaving over a broken path is no drop: the others remain', () => {
    const call = snapshot({ members: [member(ALICE, aliceDevice), me, member(CAROL, 'device-carol-1')] });
    const group = reduce(active(), { type: 'callUpdated', call, at: 4 }, { type: 'linkPhase', deviceId: aliceDevice, connection: 'failed', at: 5 });
    expect((reduce(group, { type: 'memberLeft', callId: CALL_ID, deviceId: aliceDevice, at: 6 }) as ActiveState).droppedWhileDown).toBe(false);
  });
});

describe('call state: my mute and camera flags on the server', () => {
  const withMic = (s: CallState): ActiveState =>
    reduce(s, { type: 'localMedia', local: { microphone: true, acquiring: false } }) as ActiveState;

  it('nothing is asked while my entry already shows my media', () => {
    expect(withMic(active()).flagsSent).toBeNull();
  });

  it('muting asks for audio off once; the snapshot that shows it clears the ask', () => {
    const muted = reduce(withMic(active()), { type: 'localMedia', local: { muted: true } }) as ActiveState;
    expect(muted.flagsSent).toEqual({ audio: false, video: false });
    // Another change before the server answered asks nothing new (same object).
    const later = reduce(muted, { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 6 }) as ActiveState;
    expect(later.flagsSent).toBe(muted.flagsSent);
    const shown = snapshot({ members: [member(ALICE, aliceDevice), member(SELF, SELF.deviceId, { audio: false })] });
    expect((reduce(later, { type: 'callUpdated', call: shown, at: 7 }) as ActiveState).flagsSent).toBeNull();
  });

  it('nothing is decided while media is still being acquired', () => {
    const acquiring = reduce(withMic(active()), { type: 'localMedia', local: { acquiring: true, muted: true } }) as ActiveState;
    expect(acquiring.flagsSent).toBeNull();
  });

  it('a failed request clears its ask without asking again at once; the next change asks again', () => {
    const muted = reduce(withMic(active()), { type: 'localMedia', local: { muted: true } }) as ActiveState;
    const asked = muted.flagsSent;
    if (asked === null) throw new Error('nothing asked');
    const failed = reduce(muted, { type: 'flagsFailed', callId: CALL_ID, flags: asked }) as ActiveState;
    expect(failed.flagsSent).toBeNull();
    const next = reduce(failed, { type: 'linkPhase', deviceId: aliceDevice, connection: 'connected', at: 8 }) as ActiveState;
    expect(next.flagsSent).toEqual({ audio: false, video: false });
    expect(next.flagsSent).not.toBe(asked);
  });

  it('the failure of an older request, or of another call, changes nothing', () => {
    const muted = reduce(withMic(active()), { type: 'localMedia', local: { muted: true } }) as ActiveState;
    expect(reduce(muted, { type: 'flagsFailed', callId: CALL_ID, flags: { audio: false, video: false } })).toBe(muted);
    const asked = muted.flagsSent ?? { audio: false, video: false };
    expect(reduce(muted, { type: 'flagsFailed', callId: 'call-0000002', flags: asked })).toBe(muted);
  });
});
