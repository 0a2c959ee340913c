/**
 * Server refusals (RequestError codes) turned into end reasons and sentences.
 */
import { log, type Logger } from '../log';
import { RequestError } from '../signaling/client';
import type { EndReason, PersonRef } from './types';

const engineLog = log.child('call.engine');

function codeOf(error: unknown): string | null {
  return error instanceof RequestError ? error.code : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
      return { reason: 'failed', detail: 'You cannot call yourself. Choose someone else in your contacts.' };
    // The server says why and, for a cooldown, when to try again: its words are shown as they are.
    case 'call_refused':
      return { reason: 'refused', detail: messageOf(error) };
    case 'rate_limited':
      return { reason: 'rate_limited', detail: messageOf(error) };
    default:
      return { reason: 'failed', detail: `The call could not be placed: ${messageOf(error)}` };
  }
}

/** Why a ringing call ended when the server refused my accept. */
export function acceptFailure(error: unknown): { reason: EndReason; detail?: string } {
  switch (codeOf(error)) {
    // It stopped ringing before the answer arrived: cancelled or answered elsewhere.
    case 'call_not_found':
    case 'not_invited':
      return { reason: 'missed', detail: 'The call ended before your answer reached it.' };
    default:
      return { reason: 'failed', detail: `The call could not be answered: ${messageOf(error)}` };
  }
}

/** A person-readable error for a failed invite() into a running call. */
export function inviteError(error: unknown, peer: PersonRef, maxParticipants: number | null): Error {
  const name = peer.displayName;
  switch (codeOf(error)) {
    case 'busy':
      return new Error(`${name} is in another call. Try again later.`);
    case 'do_not_disturb':
      return new Error(`${name} does not want to be disturbed right now.`);
    case 'user_offline':
      return new Error(`${name} is offline. They can join once they are back online.`);
    case 'call_full':
      return new Error(
        `The call is full${maxParticipants === null ? '' : ` (at most ${maxParticipants} people)`}: ${name} cannot join.`,
      );
    case 'already_in_call':
      return new Error(`${name} is already in this call.`);
    case 'self_call':
      return new Error('You are already in this call.');
    case 'call_refused':
      return new Error(`${name} is not taking your calls: ${messageOf(error)}`);
    case 'rate_limited':
      return new Error(`Too many calls for now: ${messageOf(error)}`);
    default:
      return new Error(`Could not add ${name} to the call: ${messageOf(error)}`);
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
