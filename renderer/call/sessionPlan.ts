/**
 * Which peer sessions a call state wants, and which of them may carry my media.
 * Pure: the engine diffs this plan against the sessions it has.
 *
 * - A member prepares a session to every other member and to every ringing device
 *   of every invitee, so that answering needs no negotiation (pre-connect).
 * - A ringing device prepares a session to every member.
 * - Media goes only to members, and only once I am one: after my accept, or, as
 *   the caller, once the callee shows up in the members. Everything else gets a
 *   null track, which sends nothing. Sooner only where no answer race can be lost
 *   (issue 15): a callee device that rings alone for its user sends from its
 *   Accept on, without waiting for the server's ack; a caller sends to such a
 *   device from the moment it says over the peer path that it accepted
 *   (acceptChannel.ts, `answeredBy`). With several devices ringing, the server
 *   picks the winner first, so a device that loses never sends.
 * - Pre-connecting reveals addresses (ICE candidates), so it happens only between
 *   contacts: an invitee who is not my contact is connected once they answer (they
 *   are a member then), and a call from someone who is not my contact connects here
 *   once I accept. (The server also hides invitee devices from a caller who is not
 *   their contact.)
 */
import type { CallMedia } from '../../signaling-server/protocol';
import { remoteMembers, ringsAlone, type CallState, type SelfRef } from './callState';
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
    const send = state.accepting && acceptsAlone(state, self);
    for (const m of remoteMembers(state.call, self)) {
      if (!state.accepting && m.userId !== self.userId && !isContact(m.userId)) continue;
      add({ deviceId: m.deviceId, userId: m.userId, polite: m.polite, send });
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
      for (const d of invitee.devices) {
        const answered = state.phase === 'outgoing' && state.answeredBy?.deviceId === d.deviceId;
        add({ deviceId: d.deviceId, userId: invitee.userId, polite: d.polite, send: answered });
      }
    }
  }
  return [...plan.values()];
}

/**
 * This ringing device is the only one of my user's devices that rings for the call:
 * its accept cannot lose the answer race, so it sends (and says so over the peer
 * path) without waiting for the server's ack.
 */
export function acceptsAlone(state: Extract<CallState, { phase: 'incoming' }>, self: SelfRef): boolean {
  return ringsAlone(state.call, self.userId, self.deviceId);
}
