/** Small builders for call snapshots and states, shared by the call unit tests. */
import type { CallInvitee, CallMember, CallSnapshot, IncomingCall } from '../../../signaling-server/protocol';
import type { SelfRef } from '../../../renderer/call/callState';

export const SELF: SelfRef = { userId: 'user-self-01', deviceId: 'device-self-01', displayName: 'Me' };
export const ALICE = { userId: 'user-alice-01', displayName: 'Alice' };
export const BOB = { userId: 'user-bob-0001', displayName: 'Bob' };
export const CAROL = { userId: 'user-carol-01', displayName: 'Carol' };

export const CALL_ID = 'call-0000001';

export function member(
  person: { userId: string; displayName: string },
  deviceId: string,
  patch: Partial<CallMember> = {},
): CallMember {
  return { ...person, deviceId, polite: false, connected: true, audio: true, video: false, ...patch };
}

export function invitee(
  person: { userId: string; displayName: string },
  devices: string[],
  invitedBy = SELF.userId,
): CallInvitee {
  return { ...person, devices: devices.map((deviceId) => ({ deviceId, polite: false })), invitedBy };
}

export function snapshot(patch: Partial<CallSnapshot> = {}): CallSnapshot {
  return { callId: CALL_ID, media: 'audio', connectedAt: null, members: [], invitees: [], maxParticipants: 8, topology: 'mesh', rejoinToken: null, ...patch };
}

export function incomingCall(patch: Partial<CallSnapshot> = {}, from = ALICE): IncomingCall {
  const call = snapshot({ members: [member(from, 'device-alice-1')], ...patch });
  return { callId: call.callId, from, media: call.media, call };
}
