/**
 * Who may send a `signal` to whom, and the queue for members whose socket is gone.
 * Pure decisions over call state; the registry delivers.
 *
 * Rules: the sender must be a member or a ringing device of the call, and so must
 * the recipient; two ringing devices never talk to each other (neither is in the
 * call yet), and nobody signals itself. An unknown call and a call the sender is
 * not in get the same answer, so a stranger cannot probe which call ids exist.
 */
import { ringingInvite, isRingingDevice, type Call, type Member, type Party, type QueuedSignal } from './callState';
import type { DeviceId, ErrorCode } from './protocol';

export type Route =
  | { kind: 'deliver' }
  /** The recipient is a member in its grace period: hold the signal for it. */
  | { kind: 'queue'; member: Member }
  | { kind: 'refuse'; code: Extract<ErrorCode, 'not_in_call' | 'unknown_recipient'>; message: string };

export function routeSignal(call: Call | undefined, sender: Party, to: DeviceId): Route {
  const notInCall: Route = {
    kind: 'refuse',
    code: 'not_in_call',
    message: 'You are not in that call, so you cannot signal in it. Join or rejoin the call first.',
  };
  if (call === undefined) return notInCall;
  const senderMember = call.members.get(sender.deviceId);
  const senderIsMember = senderMember !== undefined && senderMember.userId === sender.userId;
  const senderRings = !senderIsMember && ringingInvite(call, sender.userId, sender.deviceId) !== undefined;
  if (!senderIsMember && !senderRings) return notInCall;

  const unknownRecipient: Route = {
    kind: 'refuse',
    code: 'unknown_recipient',
    message: `Device ${to} is not someone you can signal in this call; use a device id from the call's member or invitee list.`,
  };
  if (to === sender.deviceId) return unknownRecipient;
  const recipient = call.members.get(to);
  if (recipient !== undefined) return recipient.connected ? { kind: 'deliver' } : { kind: 'queue', member: recipient };
  if (!isRingingDevice(call, to) || senderRings) return unknownRecipient;
  return { kind: 'deliver' };
}

/** Appends `signal`, dropping the oldest beyond `max` (a stale candidate is the cheapest loss). */
export function enqueueSignal(queue: QueuedSignal[], signal: QueuedSignal, max: number): void {
  queue.push(signal);
  if (queue.length > max) queue.splice(0, queue.length - max);
}
