import { describe, expect, it } from 'vitest';
import { IDLE, reduceCall, type CallEvent, type CallState } from '../../../renderer/call/callState';
import { sameView, toCallView } from '../../../renderer/call/callView';
import type { CallView } from '../../../renderer/call/types';
import { FakeMediaStream } from '../fakes/fakeMedia';
import { ALICE, CALL_ID, CAROL, SELF, incomingCall, invitee, member, snapshot } from './fixtures';

const reduce = (state: CallState, ...events: CallEvent[]): CallState => events.reduce((s, e) => reduceCall(s, e, SELF), state);
const me = member(SELF, SELF.deviceId);

describe('call view', () => {
  it('idle is just idle', () => {
    expect(toCallView(IDLE, SELF)).toEqual({ phase: 'idle' });
  });

  it('an incoming group call names the others already in it, not the caller or me', () => {
    const incoming = incomingCall({ members: [member(ALICE, 'device-alice-1'), member(CAROL, 'device-carol-1'), member(CAROL, 'device-carol-2')] });
    const view = toCallView(reduce(IDLE, { type: 'incoming', incoming, at: 1 }), SELF);
    expect(view).toMatchObject({ phase: 'incoming', callId: CALL_ID, from: ALICE, others: [CAROL] });
  });

  it('an active call shows each remote device with its flags, connection, stream and speaking mark', () => {
    const stream = new FakeMediaStream();
    const call = snapshot({
      media: 'video',
      members: [member(ALICE, 'device-alice-1', { video: true }), me],
      invitees: [invitee(CAROL, ['device-carol-1'])],
    });
    const state = reduce(
      IDLE,
      { type: 'incoming', incoming: incomingCall({ media: 'video' }), at: 1 },
      { type: 'accept' },
      { type: 'acceptAcked', call, at: 2 },
      { type: 'linkPhase', deviceId: 'device-alice-1', connection: 'connected', at: 3 },
      { type: 'linkStream', deviceId: 'device-alice-1', stream },
      { type: 'localMedia', local: { muted: true, cameraOn: true, error: null, stream: null } },
      { type: 'audioLevels', levels: { 'device-alice-1': 0.3 } },
    );
    expect(toCallView(state, SELF)).toEqual({
      phase: 'active',
      callId: CALL_ID,
      media: 'video',
      connectedAt: 3,
      participants: [
        { ...ALICE, deviceId: 'device-alice-1', audio: true, video: true, connection: 'connected', stream, screen: null, speaking: true },
      ],
      invitees: [CAROL],
      local: { stream: null, muted: true, cameraOn: true, error: null },
      maxParticipants: 8,
      activeSpeaker: 'device-alice-1',
      reconnectingToServer: false,
    });
  });

  it('an active call says when the server connection is away, and when it is back', () => {
    const call = snapshot({ members: [member(ALICE, 'device-alice-1'), me] });
    const answered = reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
    const away = reduce(answered, { type: 'serverLink', online: false });
    expect(toCallView(away, SELF)).toMatchObject({ phase: 'active', reconnectingToServer: true });
    expect(toCallView(reduce(away, { type: 'serverLink', online: true }), SELF)).toMatchObject({ reconnectingToServer: false });
  });

  it('a participant without a session yet shows as new, without a stream', () => {
    const call = snapshot({ members: [member(ALICE, 'device-alice-1'), me] });
    const state = reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
    const view = toCallView(state, SELF);
    expect(view.phase === 'active' && view.participants[0]).toMatchObject({ connection: 'new', stream: null, speaking: false });
  });

  it('a ringing call carries the screen it shows once accepted, with the pre-connected stream (issue 15)', () => {
    const stream = new FakeMediaStream();
    const incoming = incomingCall({ media: 'video', members: [member(ALICE, 'device-alice-1', { video: true })], invitees: [invitee(SELF, [SELF.deviceId])] });
    const ringing = reduce(
      IDLE,
      { type: 'incoming', incoming, at: 1 },
      { type: 'linkPhase', deviceId: 'device-alice-1', connection: 'connected', at: 2 },
      { type: 'linkStream', deviceId: 'device-alice-1', stream },
    );
    const view = toCallView(ringing, SELF);
    expect(view.phase).toBe('incoming');
    const prepared = view.phase === 'incoming' ? view.prepared : undefined;
    expect(prepared?.participants).toEqual([expect.objectContaining({ deviceId: 'device-alice-1', stream, connection: 'connected' })]);
    // Accepting shows exactly the prepared screen: the UI keeps what it built.
    expect(toCallView(reduce(ringing, { type: 'accept' }), SELF)).toEqual(prepared);
  });

  it('a dial prepares the screen of the one device ringing for the person; two ringing devices leave it unprepared', () => {
    const stream = new FakeMediaStream();
    const dialled = (devices: string[]): CallState =>
      reduce(
        IDLE,
        { type: 'dial', attempt: 'a1', peer: ALICE, media: 'video', at: 1 },
        { type: 'dialAcked', attempt: 'a1', call: snapshot({ media: 'video', members: [me], invitees: [invitee(ALICE, devices)] }), at: 2 },
        { type: 'linkPhase', deviceId: 'device-alice-1', connection: 'connected', at: 3 },
        { type: 'linkStream', deviceId: 'device-alice-1', stream },
      );
    const one = toCallView(dialled(['device-alice-1']), SELF);
    const prepared = one.phase === 'outgoing' ? one.prepared : undefined;
    expect(prepared).toMatchObject({ phase: 'active', callId: CALL_ID, connectedAt: null });
    expect(prepared?.participants).toEqual([{ ...ALICE, deviceId: 'device-alice-1', audio: true, video: true, connection: 'connected', stream, screen: null, speaking: false }]);
    // Her device answers over the peer path: the view is the prepared one, now with its time.
    const answered = reduce(dialled(['device-alice-1']), { type: 'peerAccepted', callId: CALL_ID, deviceId: 'device-alice-1', userId: ALICE.userId, audio: true, video: true, at: 4 });
    expect(toCallView(answered, SELF)).toEqual({ ...prepared, connectedAt: 4 });

    const two = toCallView(dialled(['device-alice-1', 'device-alice-2']), SELF);
    expect(two.phase === 'outgoing' && two.prepared).toBeUndefined();
  });

  it('an ended call lasts from the first connection to the end, or 0 when it never connected', () => {
    const call = snapshot({ members: [member(ALICE, 'device-alice-1'), me] });
    const answered = reduce(IDLE, { type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
    const connected = reduce(answered, { type: 'linkPhase', deviceId: 'device-alice-1', connection: 'connected', at: 1_000 }, { type: 'hangUp', at: 61_000 });
    expect(toCallView(connected, SELF)).toEqual({ phase: 'ended', callId: CALL_ID, media: 'audio', reason: 'local_hangup', peers: [ALICE], durationMs: 60_000 });
    expect(toCallView(reduce(answered, { type: 'hangUp', at: 5_000 }), SELF)).toMatchObject({ durationMs: 0 });
  });

  it('a dial answered over the peer path ends as a call when I hang up before the server says so (not as a cancelled ring)', () => {
    const ringing = reduce(
      IDLE,
      { type: 'dial', attempt: 'a1', peer: ALICE, media: 'video', at: 1 },
      { type: 'dialAcked', attempt: 'a1', call: snapshot({ media: 'video', members: [me], invitees: [invitee(ALICE, ['device-alice-1'])] }), at: 2 },
    );
    const answered = reduce(ringing, { type: 'peerAccepted', callId: CALL_ID, deviceId: 'device-alice-1', userId: ALICE.userId, audio: true, video: true, at: 1_000 });
    const hungUp = reduce(answered, { type: 'hangUp', at: 31_000 });
    expect(toCallView(hungUp, SELF)).toEqual({ phase: 'ended', callId: CALL_ID, media: 'video', reason: 'local_hangup', peers: [ALICE], durationMs: 30_000 });
    expect(hungUp).toMatchObject({ answered: true, connectedAt: 1_000 });
    // Still ringing (nobody answered): Hang up is no hang-up, the dial is cancelled instead.
    expect(reduce(ringing, { type: 'hangUp', at: 3 })).toBe(ringing);
    expect(reduce(ringing, { type: 'cancel', at: 3 })).toMatchObject({ phase: 'ended', reason: 'cancelled', answered: false });
  });

  it('an ended call carries its detail when there is one', () => {
    const state = reduce(IDLE, { type: 'dial', attempt: 'a1', peer: ALICE, media: 'audio', at: 1 }, { type: 'dialFailed', attempt: 'a1', reason: 'failed', detail: 'You cannot call yourself.', at: 2 });
    expect(toCallView(state, SELF)).toMatchObject({ phase: 'ended', reason: 'failed', detail: 'You cannot call yourself.', callId: null });
  });
});

describe('view sameness', () => {
  it('equal data is the same view; a different stream object or value is not', () => {
    const a = new FakeMediaStream();
    const b = new FakeMediaStream();
    const view = (stream: MediaStream | null, muted = false): CallView => ({
      phase: 'outgoing',
      callId: null,
      media: 'audio',
      peer: ALICE,
      local: { stream, muted, cameraOn: false, error: null },
    });
    expect(sameView(view(a), view(a))).toBe(true);
    expect(sameView(view(a), view(b))).toBe(false);
    expect(sameView(view(a), view(a, true))).toBe(false);
    expect(sameView({ phase: 'idle' }, view(null))).toBe(false);
  });
});
