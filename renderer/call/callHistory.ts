/**
 * One history entry per finished call, from the ended state. Pure.
 */
import type { HistoryEntry } from '../../preload/contract';
import type { EndedState } from './callState';
import type { EndReason } from './types';

type Outcome = HistoryEntry['outcome'];

const outgoingOutcome: Record<EndReason, Outcome> = {
  declined: 'declined',
  declined_elsewhere: 'declined',
  no_answer: 'no_answer',
  offline: 'no_answer',
  user_offline: 'no_answer',
  busy: 'busy',
  do_not_disturb: 'busy',
  refused: 'failed',
  rate_limited: 'failed',
  cancelled: 'cancelled',
  local_hangup: 'cancelled',
  // Only an incoming call can be declined here; listed because the table is total.
  local_decline: 'cancelled',
  hangup: 'cancelled',
  missed: 'no_answer',
  answered_elsewhere: 'answered',
  disconnected: 'failed',
  server_shutdown: 'failed',
  failed: 'failed',
  unverified: 'failed',
};

const incomingOutcome: Record<EndReason, Outcome> = {
  declined: 'declined',
  declined_elsewhere: 'declined',
  local_decline: 'declined',
  local_hangup: 'declined',
  // Picked up on another of my devices: answered, though not here (duration 0).
  answered_elsewhere: 'answered',
  missed: 'missed',
  no_answer: 'missed',
  cancelled: 'missed',
  hangup: 'missed',
  offline: 'missed',
  user_offline: 'missed',
  busy: 'missed',
  do_not_disturb: 'missed',
  refused: 'missed',
  rate_limited: 'missed',
  disconnected: 'failed',
  server_shutdown: 'failed',
  failed: 'failed',
  unverified: 'failed',
};

export function historyOutcome(ended: EndedState): Outcome {
  if (ended.answered) {
    const neverConnected = ended.connectedAt === null;
    if (ended.reason === 'unverified') return 'failed';
    return neverConnected && (ended.reason === 'failed' || ended.reason === 'disconnected') ? 'failed' : 'answered';
  }
  return (ended.direction === 'outgoing' ? outgoingOutcome : incomingOutcome)[ended.reason];
}

/**
 * `id` names the entry; `fallbackCallId` stands in when the server never created
 * a call (an invite refused as busy has no callId). Null when nobody was on the
 * other side, which the history cannot show.
 */
export function historyEntry(ended: EndedState, ids: { id: string; fallbackCallId: string }): HistoryEntry | null {
  if (ended.peers.length === 0) return null;
  return {
    id: ids.id,
    callId: ended.callId ?? ids.fallbackCallId,
    direction: ended.direction,
    outcome: historyOutcome(ended),
    media: ended.media,
    peers: ended.peers.slice(0, 16).map((p) => ({ userId: p.userId, displayName: p.displayName.slice(0, 80) })),
    startedAt: Math.round(ended.startedAt),
    durationMs: ended.connectedAt === null ? 0 : Math.max(0, Math.round(ended.endedAt - ended.connectedAt)),
  };
}
