/** What a lost peer session means for the call: the pure decisions of connectionLoss.ts. */
import { describe, expect, it } from 'vitest';
import { IDLE, reduceCall, type CallEvent, type CallState } from '../../../renderer/call/callState';
import { leftWhileDown, lossOutcome, unverifiedOutcome } from '../../../renderer/call/connectionLoss';
import { CONNECTION_LOST } from '../../../renderer/call/sessionPool';
import { ALICE, BOB, CAROL, incomingCall, invitee, member, SELF, snapshot } from './fixtures';

const me = member(SELF, SELF.deviceId);
const SETUP = 'The connection could not be set up: no relay';

function reduce(...events: CallEvent[]): CallState {
  return events.reduce<CallState>((s, e) => reduceCall(s, e, SELF), IDLE);
}

function active(members = [member(ALICE, 'device-alice-1'), me], invitees: ReturnType<typeof invitee>[] = []) {
  const call = snapshot({ members, invitees });
  const state = reduce({ type: 'incoming', incoming: incomingCall(), at: 1 }, { type: 'accept' }, { type: 'acceptAcked', call, at: 2 });
  if (state.phase !== 'active') throw new Error('not active');
  return state;
}

describe('a lost session', () => {
  it('ends a 1:1 call as failed, and the server is told (leave)', () => {
    expect(lossOutcome(active(), SELF, 'device-alice-1', CONNECTION_LOST)).toEqual({ end: true, detail: CONNECTION_LOST, tell: 'leave' });
  });

  it('leaves a group call going: the others still carry it', () => {
    const group = active([member(ALICE, 'device-alice-1'), member(BOB, 'device-bob-1'), me]);
    expect(lossOutcome(group, SELF, 'device-alice-1', CONNECTION_LOST)).toEqual({ end: false });
  });

  it('ends nothing when only the session prepared for a ringing invitee is lost', () => {
    const ringing = active([member(ALICE, 'device-alice-1'), me], [invitee(CAROL, ['device-carol-1'])]);
    expect(lossOutcome(ringing, SELF, 'device-carol-1', CONNECTION_LOST)).toEqual({ end: false });
  });

  it('ends a dial whose session cannot even be set up, and withdraws the invite', () => {
    const dialing = reduce({ type: 'dial', attempt: 'a1', peer: ALICE, media: 'audio', at: 1 });
    if (dialing.phase !== 'outgoing') throw new Error('not outgoing');
    expect(lossOutcome(dialing, SELF, 'device-alice-1', SETUP)).toEqual({ end: true, detail: SETUP, tell: 'withdraw' });
    expect(lossOutcome(dialing, SELF, 'device-alice-1', CONNECTION_LOST)).toEqual({ end: false });
  });

  it('stops a call ringing here when it cannot be set up, without declining it for my other devices', () => {
    const ringing = reduce({ type: 'incoming', incoming: incomingCall(), at: 1 });
    if (ringing.phase !== 'incoming') throw new Error('not incoming');
    expect(lossOutcome(ringing, SELF, 'device-alice-1', SETUP)).toEqual({ end: true, detail: SETUP, tell: 'nothing' });
  });
});

describe('the last other member leaving', () => {
  const withLink = (connection: 'connected' | 'reconnecting' | 'failed') =>
    reduceCall(active(), { type: 'linkPhase', deviceId: 'device-alice-1', connection, at: 3 }, SELF);

  it('while the path to them was down means the call was dropped', () => {
    const reconnecting = withLink('reconnecting');
    const failed = withLink('failed');
    if (reconnecting.phase !== 'active' || failed.phase !== 'active') throw new Error('not active');
    expect(leftWhileDown(reconnecting, SELF, 'device-alice-1')).toBe(true);
    expect(leftWhileDown(failed, SELF, 'device-alice-1')).toBe(true);
  });

  it('while the path was up means they hung up', () => {
    const up = withLink('connected');
    if (up.phase !== 'active') throw new Error('not active');
    expect(leftWhileDown(up, SELF, 'device-alice-1')).toBe(false);
  });

  it('in a group call, leaves the call to the others', () => {
    const group = reduceCall(
      active([member(ALICE, 'device-alice-1'), member(BOB, 'device-bob-1'), me]),
      { type: 'linkPhase', deviceId: 'device-alice-1', connection: 'failed', at: 3 },
      SELF,
    );
    if (group.phase !== 'active') throw new Error('not active');
    expect(leftWhileDown(group, SELF, 'device-alice-1')).toBe(false);
  });
});

describe('a session whose description failed its DTLS check', () => {
  it('ends a 1:1 call as unverified, and the server is told (leave)', () => {
    expect(unverifiedOutcome(active(), SELF, 'device-alice-1')).toEqual({ end: true, tell: 'leave' });
  });

  it('in a group call drops only that member: the others go on', () => {
    const group = active([member(ALICE, 'device-alice-1'), member(BOB, 'device-bob-1'), me]);
    expect(unverifiedOutcome(group, SELF, 'device-alice-1')).toEqual({ end: false });
  });

  it('ends a dial whatever device it was (the call asked for cannot be trusted), and withdraws the invite', () => {
    const dialing = reduce({ type: 'dial', attempt: 'a1', peer: ALICE, media: 'audio', at: 1 });
    if (dialing.phase !== 'outgoing') throw new Error('not outgoing');
    expect(unverifiedOutcome(dialing, SELF, 'device-alice-1')).toEqual({ end: true, tell: 'withdraw' });
  });

  it('stops a call ringing here on this device only: the person’s other devices check for themselves', () => {
    const ringing = reduce({ type: 'incoming', incoming: incomingCall(), at: 1 });
    if (ringing.phase !== 'incoming') throw new Error('not incoming');
    expect(unverifiedOutcome(ringing, SELF, 'device-alice-1')).toEqual({ end: true, tell: 'nothing' });
  });

  it('the store ends the call as unverified, or marks only the refused link', () => {
    const group = active([member(ALICE, 'device-alice-1'), member(BOB, 'device-bob-1'), me]);
    const marked = reduceCall(group, { type: 'linkUnverified', deviceId: 'device-bob-1' }, SELF);
    expect(marked).toMatchObject({ phase: 'active', links: { 'device-bob-1': { connection: 'failed', stream: null, unverified: true } } });
    expect(reduceCall(group, { type: 'unverified', at: 9 }, SELF)).toMatchObject({ phase: 'ended', reason: 'unverified', endedAt: 9 });
    expect(reduceCall(IDLE, { type: 'unverified', at: 9 }, SELF)).toBe(IDLE);
  });
});
