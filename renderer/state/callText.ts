/**
 * The words the call screens and the screen-reader announcements use, derived from
 * the engine's CallView. Pure, so every reason has a tested sentence.
 */
import type { CallView, EndReason, PersonRef } from '../call/types';
import { formatDuration, peopleTitle } from './history';

type EndedView = Extract<CallView, { phase: 'ended' }>;

export interface EndedText {
  headline: string;
  /** What happened in more words, or what to do; null when the headline says it all. */
  detail: string | null;
  /** Whether calling again is the obvious next step. */
  offerRetry: boolean;
}

/** A call ended because a peer's DTLS fingerprints failed their check (sessionPool.ts). */
export const UNVERIFIED_HEADLINE = 'This call could not be verified';
export const UNVERIFIED_DETAIL = 'Someone may be intercepting it. It was ended to protect you.';

function who(peers: readonly PersonRef[]): string {
  return peers.length > 0 ? peopleTitle(peers.map((p) => p.displayName)) : 'The other side';
}

function endedSentence(reason: EndReason, peers: readonly PersonRef[], durationMs: number): EndedText {
  const name = who(peers);
  const ended = durationMs > 0 ? `Call ended · ${formatDuration(durationMs)}` : 'Call ended';
  switch (reason) {
    case 'declined':
      return { headline: `${name} declined`, detail: null, offerRetry: true };
    case 'local_decline':
      // Said from the decliner's side: they refused, not the caller (history: "Declined", incoming).
      return { headline: peers.length > 0 ? `You declined the call from ${name}` : 'You declined the call', detail: null, offerRetry: true };
    case 'busy':
      return { headline: `${name} is busy`, detail: 'They are in another call. Try again later.', offerRetry: true };
    case 'do_not_disturb':
      return {
        headline: `${name} doesn't want to be disturbed`,
        detail: 'Their status is Do not disturb, so the call did not ring.',
        offerRetry: false,
      };
    case 'no_answer':
      return { headline: 'No answer', detail: `${name} did not pick up.`, offerRetry: true };
    case 'user_offline':
      return { headline: `${name} is offline`, detail: 'The call cannot ring until they are back online.', offerRetry: false };
    case 'refused':
      return { headline: `${name} is not taking your calls`, detail: 'The server refused the call.', offerRetry: false };
    case 'rate_limited':
      return {
        headline: 'Too many calls for now',
        detail: 'The server is holding back your calls for a while. Wait a little, then try again.',
        offerRetry: false,
      };
    case 'offline':
      return { headline: `${name} went offline`, detail: 'Their connection dropped while the call was ringing.', offerRetry: true };
    case 'failed':
      // A call that had connected and then failed was dropped; one that never connected failed.
      return durationMs > 0
        ? {
            headline: 'Call dropped',
            detail: 'The connection was lost and could not be restored. Check your network, then call again.',
            offerRetry: true,
          }
        : {
            headline: 'Call failed',
            detail: 'The connection could not be set up or was lost. Check your network and try again.',
            offerRetry: true,
          };
    case 'unverified':
      // Calling again through the same path would meet the same interception: no retry button.
      return { headline: UNVERIFIED_HEADLINE, detail: UNVERIFIED_DETAIL, offerRetry: false };
    case 'missed':
      return { headline: `Missed call from ${name}`, detail: null, offerRetry: true };
    case 'cancelled':
      return { headline: 'Call cancelled', detail: null, offerRetry: false };
    case 'answered_elsewhere':
      return { headline: 'Answered on another device', detail: null, offerRetry: false };
    case 'declined_elsewhere':
      return { headline: 'Declined on another device', detail: null, offerRetry: false };
    case 'disconnected':
      return {
        headline: 'Call dropped',
        detail: `The connection to ${name} was lost and did not come back. Call again when you are both online.`,
        offerRetry: true,
      };
    case 'server_shutdown':
      return { headline: ended, detail: 'The server shut down. Parley reconnects by itself.', offerRetry: false };
    case 'hangup':
    case 'local_hangup':
      return { headline: ended, detail: peers.length > 0 ? `With ${name}` : null, offerRetry: false };
  }
}

type ActiveView = Extract<CallView, { phase: 'active' }>;

/**
 * What the call header says while part of the call is being put back together:
 * the media path to someone (ICE restart), or the server connection (the media
 * keeps flowing meanwhile); and, before either, whose connection was refused
 * because it could not be verified. Null when all is well.
 */
export function reconnectionNotice(view: ActiveView): string | null {
  // Said first, and for as long as the call lasts: it is about the people, not the network.
  const refused = [...new Set(view.participants.filter((p) => p.unverified).map((p) => p.displayName))];
  if (refused.length > 0) {
    return `The call with ${peopleTitle(refused)} could not be verified: someone may be intercepting it. ${
      refused.length === 1 ? 'That connection was' : 'Those connections were'
    } ended to protect you; the call goes on with the others.`;
  }
  const names = view.participants.filter((p) => p.connection === 'reconnecting').map((p) => p.displayName);
  if (names.length > 0) return `Reconnecting… (${peopleTitle([...new Set(names)])})`;
  if (view.reconnectingToServer) return 'Reconnecting to the server… The call goes on meanwhile.';
  return null;
}

export function describeEnded(view: EndedView): EndedText {
  const text = endedSentence(view.reason, view.peers, view.durationMs);
  // The engine knows more about some failures (which device, which step) than the reason says.
  return view.detail ? { ...text, detail: view.detail } : text;
}

/** One sentence for the aria-live region each time the call phase changes. */
export function announceCall(view: CallView): string {
  switch (view.phase) {
    case 'idle':
      return '';
    case 'outgoing':
      return `Calling ${view.peer.displayName}`;
    case 'incoming':
      return `Incoming ${view.media === 'video' ? 'video ' : ''}call from ${view.from.displayName}`;
    case 'active': {
      const names = view.participants.map((p) => p.displayName);
      if (view.connectedAt === null) return 'Connecting the call';
      return names.length > 0 ? `In a call with ${peopleTitle(names)}` : 'In a call';
    }
    case 'ended':
      return describeEnded(view).headline;
  }
}

/**
 * A key that changes when something worth announcing changes (phase, connection,
 * who is in the call), but not on every media or speaker update.
 */
export function announcementKey(view: CallView): string {
  switch (view.phase) {
    case 'active':
      return `active:${view.callId}:${view.connectedAt === null ? 'connecting' : 'connected'}:${view.participants
        .map((p) => p.userId)
        .sort()
        .join(',')}`;
    case 'ended':
      return `ended:${view.callId ?? ''}:${view.reason}`;
    case 'incoming':
      return `incoming:${view.callId}`;
    case 'outgoing':
      return `outgoing:${view.peer.userId}`;
    case 'idle':
      return 'idle';
  }
}
