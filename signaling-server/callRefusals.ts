/**
 * The refusals the call registry answers with, worded once: what failed and what
 * the person can do about it.
 */
import type { InviteDecision } from './inviteLimits';
import type { Ack, CallSnapshot, ErrorCode } from './protocol';

export type CallAck = Ack<{ call: CallSnapshot }>;
export type Refusal = { ok: false; error: { code: ErrorCode; message: string } };

export const fail = (code: ErrorCode, message: string): Refusal => ({ ok: false, error: { code, message } });
export const notInvited = (): Refusal =>
  fail('not_invited', 'This call is not ringing on this device any more: it was answered, declined, cancelled or ended.');
export const notInCall = (): Refusal => fail('not_in_call', 'This device is not in that call.');
export const alreadyInCall = (): Refusal => fail('already_in_call', 'You are already in a call. Hang up there first.');
/** One answer for an ended call, an unknown one and a bad token: call ids cannot be probed. */
export const callNotFound = (): Refusal =>
  fail('call_not_found', 'That call has ended, or this device was not in it. Start a new call instead.');

export function tooOften(name: string, decision: Extract<InviteDecision, { ok: false }>): Refusal {
  const seconds = Math.max(1, Math.ceil(decision.retryInMs / 1000));
  const wait = `Try again in ${seconds} s.`;
  return decision.scope === 'pair'
    ? fail('rate_limited', `You have called ${name} too often in a row. ${wait}`)
    : fail('rate_limited', `You have started too many calls in a short time. ${wait}`);
}
