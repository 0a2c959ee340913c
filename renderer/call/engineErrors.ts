/**
 * Server refusals (RequestError codes) turned into end reasons and sentences.
 */
import { t } from '../i18n';
import { log, type Logger } from '../log';
import { RequestError } from '../signaling/client';
import { serverErrorText } from '../state/serverErrorText';
import type { EndReason, PersonRef } from './types';

const engineLog = log.child('call.engine');

function codeOf(error: unknown): string | null {
  return error instanceof RequestError ? error.code : null;
}

/** The server's refusal in the UI's language (its English words only for a code this client does not know). */
function messageOf(error: unknown): string {
  return serverErrorText(error);
}

/** Why a dial ended when the server refused the invite. */
export function inviteFailure(error: unknown): { reason: EndReason; detail?: string } {
  switch (codeOf(error)) {
    case 'busy':
      return { reason: 'busy' };
    case 'do_not_disturb':
      return { reason: 'do_not_disturb' };
    case 'user_offline':
      return { reason: 'user_offline' };
    case 'self_call':
      return { reason: 'failed', detail: t('engineErrors.selfCall') };
    // Said per code in the UI's language (the server's own words, with a cooldown's wait, go to the log).
    case 'call_refused':
      return { reason: 'refused', detail: messageOf(error) };
    case 'rate_limited':
      return { reason: 'rate_limited', detail: messageOf(error) };
    case 'sfu_unavailable':
      return { reason: 'failed', detail: t('engineErrors.noMeeting') };
    default:
      return { reason: 'failed', detail: t('engineErrors.notPlaced', { reason: messageOf(error) }) };
  }
}

/** Why a ringing call ended when the server refused my accept. */
export function acceptFailure(error: unknown): { reason: EndReason; detail?: string } {
  switch (codeOf(error)) {
    // It stopped ringing before the answer arrived: cancelled or answered elsewhere.
    case 'call_not_found':
    case 'not_invited':
      return { reason: 'missed', detail: t('engineErrors.endedBeforeAnswer') };
    default:
      return { reason: 'failed', detail: t('engineErrors.notAnswered', { reason: messageOf(error) }) };
  }
}

/** A person-readable error for a failed invite() into a running call. */
export function inviteError(error: unknown, peer: PersonRef, maxParticipants: number | null): Error {
  const name = peer.displayName;
  switch (codeOf(error)) {
    case 'busy':
      return new Error(t('engineErrors.busy', { name }));
    case 'do_not_disturb':
      return new Error(t('engineErrors.dnd', { name }));
    case 'user_offline':
      return new Error(t('engineErrors.offline', { name }));
    case 'call_full':
      return new Error(
        maxParticipants === null ? t('engineErrors.full', { name }) : t('engineErrors.fullMax', { name, count: maxParticipants }),
      );
    case 'already_in_call':
      return new Error(t('engineErrors.already', { name }));
    case 'self_call':
      return new Error(t('engineErrors.selfAlready'));
    case 'call_refused':
      return new Error(t('engineErrors.refused', { name, reason: messageOf(error) }));
    case 'rate_limited':
      return new Error(t('engineErrors.rateLimited', { reason: messageOf(error) }));
    case 'sfu_unavailable':
      return new Error(t('engineErrors.noMeetingAdd', { name }));
    default:
      return new Error(t('engineErrors.addFailed', { name, reason: messageOf(error) }));
  }
}

/**
 * Awaits a request whose failure changes nothing (the state already moved on);
 * `what` names it for the log ("leaving call c-1").
 */
export async function quietly(request: Promise<unknown>, what = 'a best-effort request', logger: Logger = engineLog): Promise<void> {
  try {
    await request;
  } catch (error) {
    // Expected and harmless: the server already forgot the call, or we are offline
    // and it will notice our absence by itself. Kept at debug for diagnosis.
    logger.debug(`${what} failed; nothing to do, the call has moved on`, error);
  }
}
