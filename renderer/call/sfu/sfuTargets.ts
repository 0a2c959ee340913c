/**
 * Which calls are SFU calls, and whom chat and files reach through the server in one.
 * Apart from sfuCall.ts (which re-exports them) so the engine can ask without loading
 * the SFU client, which is loaded only when a call goes through the media server
 * (lazySfu.ts, issue 16.8).
 */
import { isInCall, remoteMembers, type CallState, type SelfRef } from '../callState';

export function isSfuCall(state: CallState): boolean {
  return isInCall(state) && state.call?.topology === 'sfu';
}

/** The members chat reaches through the server: every other member of an SFU call (mesh calls have data channels). */
export function sfuRelayTargets(state: CallState, self: SelfRef): { deviceId: string; userId: string }[] {
  if (state.phase !== 'active' || state.call.topology !== 'sfu') return [];
  return remoteMembers(state.call, self).map((m) => ({ deviceId: m.deviceId, userId: m.userId }));
}
