import { describe, expect, it } from 'vitest';
import type { CallView, EndReason, LocalMediaView, RemoteParticipant } from '../../../renderer/call/types';
import { announceCall, announcementKey, describeEnded, reconnectionNotice } from '../../../renderer/state/callText';

const bob = { userId: 'bob-00000001', displayName: 'Bob' };
const ended = (reason: EndReason, durationMs = 0): Extract<CallView, { phase: 'ended' }> => ({
  phase: 'ended',
  callId: 'call-00000001',
  media: 'audio',
  reason,
  peers: [bob],
  durationMs,
});

describe('ended call wording', () => {
  it.each<[EndReason, string]>([
    ['declined', 'Bob declined'],
    ['local_decline', 'You declined the call from Bob'],
    ['busy', 'Bob is busy'],
    ['do_not_disturb', "Bob doesn't want to be disturbed"],
    ['no_answer', 'No answer'],
    ['failed', 'Call failed'],
    ['missed', 'Missed call from Bob'],
    ['user_offline', 'Bob is offline'],
    ['cancelled', 'Call cancelled'],
    ['answered_elsewhere', 'Answered on another device'],
  ])('%s → "%s"', (reason, headline) => {
    expect(describeEnded(ended(reason)).headline).toBe(headline);
  });

  it('words a call declined here from the decliner\'s side, and offers to return it', () => {
    const text = describeEnded(ended('local_decline'));
    expect(text.headline).not.toMatch(/Bob declined/);
    expect(text.offerRetry).toBe(true);
    expect(describeEnded({ ...ended('local_decline'), peers: [] }).headline).toBe('You declined the call');
  });

  it('gives the duration of a call that ended normally', () => {
    expect(describeEnded(ended('hangup', 192_000)).headline).toBe('Call ended · 3:12');
    expect(describeEnded(ended('local_hangup', 192_000)).headline).toBe('Call ended · 3:12');
    expect(describeEnded(ended('local_hangup', 0)).headline).toBe('Call ended');
  });

  it('tells a failed call what to do next, and offers to call again', () => {
    const text = describeEnded(ended('failed'));
    expect(text.detail).toMatch(/try again/i);
    expect(text.offerRetry).toBe(true);
  });

  it('calls a call whose connection was lost for good "Call dropped", and offers to call again', () => {
    for (const view of [ended('disconnected', 60_000), ended('disconnected'), ended('failed', 60_000)]) {
      const text = describeEnded(view);
      expect(text.headline).toBe('Call dropped');
      expect(text.offerRetry).toBe(true);
    }
    expect(describeEnded({ ...ended('failed', 60_000), detail: 'Connection lost' })).toEqual({
      headline: 'Call dropped',
      detail: 'Connection lost',
      offerRetry: true,
    });
  });

  it('does not offer to call someone who does not want to be disturbed', () => {
    expect(describeEnded(ended('do_not_disturb')).offerRetry).toBe(false);
  });

  it('says plainly that the callee refused, or that calls are held back, with the server’s own message and no "Call again"', () => {
    const refused = describeEnded({ ...ended('refused'), detail: 'Bob does not take calls from you.' });
    expect(refused).toEqual({ headline: 'Bob is not taking your calls', detail: 'Bob does not take calls from you.', offerRetry: false });
    const limited = describeEnded({ ...ended('rate_limited'), detail: 'You called Bob too often; try again in 30 s.' });
    expect(limited).toEqual({
      headline: 'Too many calls for now',
      detail: 'You called Bob too often; try again in 30 s.',
      offerRetry: false,
    });
  });
});

describe('call announcements', () => {
  const local: LocalMediaView = { stream: null, muted: false, cameraOn: false, error: null };
  const participant = (patch: Partial<RemoteParticipant> = {}): RemoteParticipant => ({
    ...bob,
    deviceId: 'bob-device-1',
    audio: true,
    video: false,
    connection: 'connected',
    stream: null,
    screen: null,
    speaking: false,
    ...patch,
  });
  const active = (patch: Partial<Extract<CallView, { phase: 'active' }>> = {}): CallView => ({
    phase: 'active',
    callId: 'call-00000001',
    media: 'audio',
    connectedAt: 1,
    participants: [participant()],
    invitees: [],
    local,
    maxParticipants: 4,
    activeSpeaker: null,
    reconnectingToServer: false,
    ...patch,
  });

  it('says who calls, and whether with video', () => {
    const incoming: CallView = { phase: 'incoming', callId: 'call-00000001', media: 'video', from: bob, others: [] };
    expect(announceCall(incoming)).toBe('Incoming video call from Bob');
    expect(announceCall({ phase: 'outgoing', callId: null, media: 'audio', peer: bob })).toBe('Calling Bob');
    expect(announceCall(active())).toBe('In a call with Bob');
    expect(announceCall(active({ connectedAt: null }))).toBe('Connecting the call');
  });

  it('does not re-announce on mute, camera or speaker changes, but does when someone joins', () => {
    const key = announcementKey(active());
    expect(announcementKey(active({ activeSpeaker: 'bob-device-1', participants: [participant({ audio: false })] }))).toBe(key);
    const carol = participant({ userId: 'carol-000001', displayName: 'Carol', deviceId: 'carol-device' });
    expect(announcementKey(active({ participants: [participant(), carol] }))).not.toBe(key);
  });
});

describe('reconnection notice', () => {
  const local: LocalMediaView = { stream: null, muted: false, cameraOn: false, error: null };
  const person = (name: string, connection: RemoteParticipant['connection']): RemoteParticipant => ({
    userId: `user-${name}-0001`,
    displayName: name,
    deviceId: `device-${name}-01`,
    audio: true,
    video: false,
    connection,
    stream: null,
    screen: null,
    speaking: false,
  });
  const active = (participants: RemoteParticipant[], reconnectingToServer = false): Extract<CallView, { phase: 'active' }> => ({
    phase: 'active',
    callId: 'call-00000001',
    media: 'audio',
    connectedAt: 1,
    participants,
    invitees: [],
    local,
    maxParticipants: 4,
    activeSpeaker: null,
    reconnectingToServer,
  });

  it('says nothing while every connection is up', () => {
    expect(reconnectionNotice(active([person('Bob', 'connected')]))).toBeNull();
  });

  it('names who is being reconnected', () => {
    expect(reconnectionNotice(active([person('Bob', 'reconnecting'), person('Carol', 'connected')]))).toBe('Reconnecting… (Bob)');
  });

  it('says the call goes on while the server connection is restored', () => {
    expect(reconnectionNotice(active([person('Bob', 'connected')], true))).toMatch(/^Reconnecting to the server… The call goes on/);
  });

  it('names whose connection could not be verified, before anything else, for the rest of the call', () => {
    const carol = { ...person('Carol', 'failed'), unverified: true as const };
    expect(reconnectionNotice(active([person('Bob', 'reconnecting'), carol], true))).toBe(
      'The call with Carol could not be verified: someone may be intercepting it. That connection was ended to protect you; the call goes on with the others.',
    );
    const dave = { ...person('Dave', 'failed'), unverified: true as const };
    expect(reconnectionNotice(active([carol, dave]))).toMatch(/^The call with Carol and Dave could not be verified: .* Those connections were ended/);
  });
});

describe('a call that could not be verified', () => {
  it('says so plainly, says why it ended, and offers no "Call again" (the same path would be intercepted again)', () => {
    for (const view of [ended('unverified'), ended('unverified', 60_000)]) {
      expect(describeEnded(view)).toEqual({
        headline: 'This call could not be verified',
        detail: 'Someone may be intercepting it. It was ended to protect you.',
        offerRetry: false,
      });
    }
    expect(announceCall(ended('unverified'))).toBe('This call could not be verified');
  });
});
