/**
 * The words the call screens and the screen-reader announcements use, derived from
 * the engine's CallView. Pure, so every reason has a tested sentence.
 */
import type { CallView, EndReason, PersonRef } from '../call/types';
import { t } from '../i18n';
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
export const unverifiedHeadline = (): string => t('ended.unverified');
export const unverifiedDetail = (): string => t('ended.unverifiedDetail');

function who(peers: readonly PersonRef[]): string {
  return peers.length > 0 ? peopleTitle(peers.map((p) => p.displayName)) : t('people.others');
}

function endedSentence(reason: EndReason, peers: readonly PersonRef[], durationMs: number): EndedText {
  const name = who(peers);
  const ended = durationMs > 0 ? t('ended.callEndedAfter', { duration: formatDuration(durationMs) }) : t('ended.callEnded');
  switch (reason) {
    case 'declined':
      return { headline: t('ended.declined', { name }), detail: null, offerRetry: true };
    case 'local_decline':
      // Said from the decliner's side: they refused, not the caller (history: "Declined", incoming).
      return { headline: peers.length > 0 ? t('ended.youDeclinedFrom', { name }) : t('ended.youDeclined'), detail: null, offerRetry: true };
    case 'busy':
      return { headline: t('ended.busy', { name }), detail: t('ended.busyDetail'), offerRetry: true };
    case 'do_not_disturb':
      return {
        headline: t('ended.dnd', { name }),
        detail: t('ended.dndDetail'),
        offerRetry: false,
      };
    case 'no_answer':
      return { headline: t('ended.noAnswer'), detail: t('ended.noAnswerDetail', { name }), offerRetry: true };
    case 'user_offline':
      return { headline: t('ended.userOffline', { name }), detail: t('ended.userOfflineDetail'), offerRetry: false };
    case 'refused':
      return { headline: t('ended.refused', { name }), detail: t('ended.refusedDetail'), offerRetry: false };
    case 'rate_limited':
      return {
        headline: t('ended.rateLimited'),
        detail: t('ended.rateLimitedDetail'),
        offerRetry: false,
      };
    case 'offline':
      return { headline: t('ended.wentOffline', { name }), detail: t('ended.wentOfflineDetail'), offerRetry: true };
    case 'failed':
      // A call that had connected and then failed was dropped; one that never connected failed.
      return durationMs > 0
        ? {
            headline: t('ended.dropped'),
            detail: t('ended.droppedDetail'),
            offerRetry: true,
          }
        : {
            headline: t('ended.failed'),
            detail: t('ended.failedDetail'),
            offerRetry: true,
          };
    case 'unverified':
      // Calling again through the same path would meet the same interception: no retry button.
      return { headline: unverifiedHeadline(), detail: unverifiedDetail(), offerRetry: false };
    case 'missed':
      return { headline: t('ended.missed', { name }), detail: null, offerRetry: true };
    case 'cancelled':
      return { headline: t('ended.cancelled'), detail: null, offerRetry: false };
    case 'answered_elsewhere':
      return { headline: t('ended.answeredElsewhere'), detail: null, offerRetry: false };
    case 'declined_elsewhere':
      return { headline: t('ended.declinedElsewhere'), detail: null, offerRetry: false };
    case 'disconnected':
      return {
        headline: t('ended.dropped'),
        detail: t('ended.disconnectedDetail', { name }),
        offerRetry: true,
      };
    case 'server_shutdown':
      return { headline: ended, detail: t('ended.serverShutdownDetail'), offerRetry: false };
    case 'hangup':
    case 'local_hangup':
      return { headline: ended, detail: peers.length > 0 ? t('ended.with', { name }) : null, offerRetry: false };
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
    return t('reconnect.unverified', { names: peopleTitle(refused), count: refused.length });
  }
  const names = view.participants.filter((p) => p.connection === 'reconnecting').map((p) => p.displayName);
  if (names.length > 0) return t('reconnect.peers', { names: peopleTitle([...new Set(names)]) });
  if (view.reconnectingToServer) return t('reconnect.server');
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
      return t('announce.calling', { name: view.peer.displayName });
    case 'incoming':
      return view.media === 'video'
        ? t('announce.incomingVideo', { name: view.from.displayName })
        : t('announce.incomingAudio', { name: view.from.displayName });
    case 'active': {
      const names = view.participants.map((p) => p.displayName);
      if (view.connectedAt === null) return t('announce.connecting');
      return names.length > 0 ? t('announce.inCallWith', { names: peopleTitle(names) }) : t('announce.inCall');
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
