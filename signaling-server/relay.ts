/**
 * Who may send a `signal` to whom, and the queue for members whose socket is gone.
 * Pure decisions over call state; the registry delivers.
 *
 * Rules: the sender must be a member or a ringing device of the call, and so must
 * the recipient; two ringing devices never talk to each other (neither is in the
 * call yet), and nobody signals itself. An unknown call and a call the sender is
 * not in get the same answer, so a stranger cannot probe which call ids exist.
 */
import { ringingInvite, isRingingDevice, type Call, type Member, type Party, type QueuedSignal, type SignalQueue } from './callRecord';
import type { DeviceId, ErrorCode, SignalData } from './protocol';

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

export interface QueueLimits {
  maxSignals: number;
  maxBytes: number;
}

/**
 * What a signal weighs in a queue: the text it carries (SDP or candidate), which
 * is nearly all of it. A byte bound and not only a count, because one offer can
 * be 64 KiB (LIMITS.maxPacketBytes) and a count alone let a queue hold ~12 MiB.
 */
export function signalBytes(data: SignalData): number {
  const text = (s: string | null | undefined): number => (s ? Buffer.byteLength(s, 'utf8') : 0);
  if (data.kind === 'description') return 64 + text(data.description.sdp);
  if (data.kind === 'recovery') return 64;
  if (data.kind === 'e2ee') return 64 + Buffer.byteLength(JSON.stringify(data.e2ee), 'utf8');
  if (data.kind === 'relay') return 64 + text(data.payload);
  const c = data.candidate;
  return 64 + (c === null ? 0 : text(c.candidate) + text(c.sdpMid) + text(c.usernameFragment));
}

/**
 * Appends `signal`, dropping the oldest while the queue holds more than
 * `maxSignals` or `maxBytes` (a stale candidate is the cheapest loss, and a
 * newer description supersedes an older one anyway).
 */
export function enqueueSignal(queue: SignalQueue, signal: QueuedSignal, limits: QueueLimits): void {
  const bytes = signalBytes(signal.data);
  queue.items.push({ signal, bytes });
  queue.bytes += bytes;
  let drop = 0;
  let kept = queue.bytes;
  while (drop < queue.items.length && (queue.items.length - drop > limits.maxSignals || kept > limits.maxBytes)) {
    kept -= (queue.items[drop] as { bytes: number }).bytes;
    drop += 1;
  }
  if (drop > 0) {
    queue.items.splice(0, drop);
    queue.bytes = kept;
  }
}

/** Empties the queue, returning its signals in order. */
export function drainSignals(queue: SignalQueue): QueuedSignal[] {
  const signals = queue.items.map((item) => item.signal);
  queue.items = [];
  queue.bytes = 0;
  return signals;
}
