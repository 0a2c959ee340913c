/**
 * Which peer sessions a call state wants, and which of them may carry my media.
 * Pure: the engine diffs this plan against the sessions it has.
 *
 * - A member prepares a session to every other member and to every ringing device
 *   of every invitee, so that answering needs no negotiation (pre-connect).
 * - A ringing device prepares a session to every member.
 * - Media goes only to members, and only once I am one: after my accept, or, as
 *   the caller, once the callee shows up in the members. Everything else gets a
 *   null track, which sends nothing.
 * - Pre-connecting reveals addresses (ICE candidates), so it happens only between
 *   contacts: an invitee who is not my contact is connected once they answer (they
 *   are a member then), and a call from someone who is not my contact connects here
 *   once I accept. (The server also hides invitee devices from a caller who is not
 *   their contact.)
 */
import type { CallMedia } from '../../signaling-server/protocol';
import { remoteMembers, type CallState, type SelfRef } from './callState';
import type { MediaKind } from './peerConnection';

export interface PlannedSession {
  deviceId: string;
  userId: string;
  /** True when I yield on glare towards this device (from the server). */
  polite: boolean;
  /** My tracks go on this session's senders. */
  send: boolean;
}

export function callKinds(media: CallMedia): MediaKind[] {
  return media === 'video' ? ['audio', 'video'] : ['audio'];
}

export function planSessions(state: CallState, self: SelfRef, isContact: (userId: string) => boolean): PlannedSession[] {
  const plan = new Map<string, PlannedSession>();
  const add = (p: PlannedSession): void => {
    if (p.deviceId !== self.deviceId && !plan.has(p.deviceId)) plan.set(p.deviceId, p);
  };
  if (state.phase === 'incoming') {
    for (const m of remoteMembers(state.call, self)) {
      if (!state.accepting && m.userId !== self.userId && !isContact(m.userId)) continue;
      add({ deviceId: m.deviceId, userId: m.userId, polite: m.polite, send: state.accepting });
    }
  } else if ((state.phase === 'outgoing' && state.call) || state.phase === 'active') {
    const call = state.call;
    if (!call) return [];
    const member = state.phase === 'active';
    for (const m of remoteMembers(call, self)) {
      add({ deviceId: m.deviceId, userId: m.userId, polite: m.polite, send: member });
    }
    for (const invitee of call.invitees) {
      if (invitee.userId === self.userId || !isContact(invitee.userId)) continue;
      for (const d of invitee.devices) add({ deviceId: d.deviceId, userId: invitee.userId, polite: d.polite, send: false });
    }
  }
  return [...plan.values()];
}
