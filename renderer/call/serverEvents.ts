/**
 * The server → client call events and acks the engine consumes: their schemas, and
 * one subscription that parses each event before a handler sees it. The socket
 * hands us `unknown`; nothing reaches the call store before it passed a schema. An
 * event that fails is dropped. Objects are parsed loosely (unknown keys dropped) so
 * that a newer server that adds a field does not break an older client.
 */
import { z } from 'zod';
import {
  callIdSchema,
  callMediaSchema,
  deviceIdSchema,
  signalDataSchema,
  userIdSchema,
  type CallEndReason,
  type CallInvitee,
  type CallMember,
  type CallSnapshot,
  type IncomingCall,
  type InviteEndReason,
  type RingEndReason,
  type SignalData,
} from '../../signaling-server/protocol';
import type { SignalingClient } from '../signaling/client';

const nameSchema = z.string().min(1).max(80);

const memberSchema: z.ZodType<CallMember> = z.object({
  userId: userIdSchema,
  deviceId: deviceIdSchema,
  displayName: nameSchema,
  polite: z.boolean(),
  connected: z.boolean(),
  audio: z.boolean(),
  video: z.boolean(),
});

const inviteeSchema: z.ZodType<CallInvitee> = z.object({
  userId: userIdSchema,
  displayName: nameSchema,
  devices: z.array(z.object({ deviceId: deviceIdSchema, polite: z.boolean() })).max(32),
  invitedBy: userIdSchema,
});

export const callSnapshotSchema: z.ZodType<CallSnapshot> = z.object({
  callId: callIdSchema,
  media: callMediaSchema,
  connectedAt: z.number().nullable(),
  members: z.array(memberSchema).max(64),
  invitees: z.array(inviteeSchema).max(64),
  maxParticipants: z.number().int().positive(),
});

const incomingCallSchema: z.ZodType<IncomingCall> = z.object({
  callId: callIdSchema,
  from: z.object({ userId: userIdSchema, displayName: nameSchema }),
  media: callMediaSchema,
  call: callSnapshotSchema,
});

const ringEndReasons = ['answered_elsewhere', 'declined_elsewhere', 'cancelled', 'no_answer', 'call_ended'] as const;
const inviteEndReasons = ['answered', 'declined', 'no_answer', 'cancelled', 'offline'] as const;
const callEndReasons = [
  'hangup',
  'declined',
  'no_answer',
  'cancelled',
  'offline',
  'disconnected',
  'server_shutdown',
] as const;

const ringEndedSchema: z.ZodType<{ callId: string; reason: RingEndReason }> = z.object({
  callId: callIdSchema,
  reason: z.enum(ringEndReasons),
});
const callUpdatedSchema = z.object({ call: callSnapshotSchema });
const inviteEndedSchema: z.ZodType<{ callId: string; userId: string; reason: InviteEndReason }> = z.object({
  callId: callIdSchema,
  userId: userIdSchema,
  reason: z.enum(inviteEndReasons),
});
const memberLeftSchema = z.object({
  callId: callIdSchema,
  userId: userIdSchema,
  deviceId: deviceIdSchema,
  reason: z.enum(['left', 'disconnected']),
});
const callEndedSchema: z.ZodType<{ callId: string; reason: CallEndReason }> = z.object({
  callId: callIdSchema,
  reason: z.enum(callEndReasons),
});
const signalEventSchema: z.ZodType<{ callId: string; from: string; fromUserId: string; data: SignalData }> =
  z.object({
    callId: callIdSchema,
    from: deviceIdSchema,
    fromUserId: userIdSchema,
    data: signalDataSchema,
  });
/** Only the part of the welcome the engine uses: calls that already ring for this user. */
const welcomeRingingSchema = z.object({ ringing: z.array(incomingCallSchema).max(16) });

export const iceServersAckSchema = z.object({
  iceServers: z
    .array(
      z.object({
        urls: z.array(z.string().max(512)).min(1).max(8),
        username: z.string().max(512).optional(),
        credential: z.string().max(512).optional(),
      }),
    )
    .max(16),
});

const SERVER_EVENTS = [
  'call:incoming',
  'session:welcome',
  'call:ring-ended',
  'call:updated',
  'call:invite-ended',
  'call:member-left',
  'call:ended',
  'signal',
] as const;
export type CallServerEvent = (typeof SERVER_EVENTS)[number];

/** What the engine needs of the signaling client; SignalingClient fits, tests pass a fake. */
export interface CallSignaling {
  request: SignalingClient['request'];
  socket: {
    on(event: CallServerEvent, listener: (payload: unknown) => void): unknown;
    off(event: CallServerEvent, listener: (payload: unknown) => void): unknown;
  };
}

export interface CallEventHandlers {
  /** call:incoming, and each call already ringing in a session:welcome. */
  incoming(incoming: IncomingCall): void;
  ringEnded(event: { callId: string; reason: RingEndReason }): void;
  updated(call: CallSnapshot): void;
  inviteEnded(event: { callId: string; userId: string; reason: InviteEndReason }): void;
  memberLeft(event: { callId: string; deviceId: string }): void;
  ended(event: { callId: string; reason: CallEndReason }): void;
  signal(event: { callId: string; from: string; data: SignalData }): void;
}

/** Listens to every call event, parsed; returns the function that stops listening. */
export function listenToCallEvents(socket: CallSignaling['socket'], on: CallEventHandlers): () => void {
  const listeners: Record<CallServerEvent, (payload: unknown) => void> = {
    'call:incoming': (p) => ifParsed(incomingCallSchema, p, on.incoming),
    'session:welcome': (p) => ifParsed(welcomeRingingSchema, p, (w) => w.ringing.forEach((r) => on.incoming(r))),
    'call:ring-ended': (p) => ifParsed(ringEndedSchema, p, on.ringEnded),
    'call:updated': (p) => ifParsed(callUpdatedSchema, p, (u) => on.updated(u.call)),
    'call:invite-ended': (p) => ifParsed(inviteEndedSchema, p, on.inviteEnded),
    'call:member-left': (p) => ifParsed(memberLeftSchema, p, on.memberLeft),
    'call:ended': (p) => ifParsed(callEndedSchema, p, on.ended),
    signal: (p) => ifParsed(signalEventSchema, p, on.signal),
  };
  for (const event of SERVER_EVENTS) socket.on(event, listeners[event]);
  return () => {
    for (const event of SERVER_EVENTS) socket.off(event, listeners[event]);
  };
}

function ifParsed<T>(schema: z.ZodType<T>, payload: unknown, handle: (value: T) => void): void {
  const parsed = schema.safeParse(payload);
  if (parsed.success) handle(parsed.data);
}
