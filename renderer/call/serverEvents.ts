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
  LIMITS,
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
import type { ConnectionState, SignalingClient } from '../signaling/client';

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
  // Protocol 2: the viewer's own membership token, null when not a member. A
  // snapshot without it (an older fake, a server that lost its mind) is taken as
  // "no token" rather than dropped, so the call goes on; only a rejoin needs it.
  rejoinToken: z.string().min(1).max(LIMITS.rejoinTokenMax).nullable().catch(null),
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
/** And the call this device is still a member of (it came back within the grace period). */
const welcomeCallSchema = z.object({
  call: callSnapshotSchema.nullable(),
  limits: z.object({ rejoinGraceMs: z.number().int().min(1) }),
});

/** What a session:welcome says about this device's calls. */
export interface WelcomeCalls {
  call: CallSnapshot | null;
  /** The calls ringing on this device. */
  ringing: string[];
  /** How long the server keeps a call for members to come back. */
  rejoinGraceMs: number;
}
/** The server's default, for a welcome that does not say. */
const DEFAULT_REJOIN_GRACE_MS = 20_000;

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
  /** How long the TURN credentials stay valid; 0 (or absent) when nothing expires. */
  ttlSeconds: z.number().int().min(0).default(0),
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
  'server:shutdown',
] as const;
export type CallServerEvent = (typeof SERVER_EVENTS)[number];

/** What the engine needs of the signaling client; SignalingClient fits, tests pass a fake. */
export interface CallSignaling {
  request: SignalingClient['request'];
  socket: {
    on(event: CallServerEvent, listener: (payload: unknown) => void): unknown;
    off(event: CallServerEvent, listener: (payload: unknown) => void): unknown;
  };
  /** The connection's state (SignalingClient has it): lets the engine hold the call through an outage. */
  onState?(listener: (state: ConnectionState) => void): () => void;
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
  /** Every session:welcome, after its ringing calls went to `incoming`. */
  welcome?(welcome: WelcomeCalls): void;
  /** The server is going away (restart or shutdown). */
  shutdown?(): void;
}

/** Listens to every call event, parsed; returns the function that stops listening. */
export function listenToCallEvents(socket: CallSignaling['socket'], on: CallEventHandlers): () => void {
  const listeners: Record<CallServerEvent, (payload: unknown) => void> = {
    'call:incoming': (p) => ifParsed(incomingCallSchema, p, on.incoming),
    'session:welcome': (p) => {
      let ringing: string[] = [];
      ifParsed(welcomeRingingSchema, p, (w) => {
        w.ringing.forEach((r) => on.incoming(r));
        ringing = w.ringing.map((r) => r.callId);
      });
      // A welcome whose call part does not parse is taken as "no call": the engine
      // then asks to rejoin, which the server answers with the call if it has it.
      const parsed = welcomeCallSchema.safeParse(p);
      on.welcome?.({
        call: parsed.success ? parsed.data.call : null,
        ringing,
        rejoinGraceMs: parsed.success ? parsed.data.limits.rejoinGraceMs : DEFAULT_REJOIN_GRACE_MS,
      });
    },
    'call:ring-ended': (p) => ifParsed(ringEndedSchema, p, on.ringEnded),
    'call:updated': (p) => ifParsed(callUpdatedSchema, p, (u) => on.updated(u.call)),
    'call:invite-ended': (p) => ifParsed(inviteEndedSchema, p, on.inviteEnded),
    'call:member-left': (p) => ifParsed(memberLeftSchema, p, on.memberLeft),
    'call:ended': (p) => ifParsed(callEndedSchema, p, on.ended),
    signal: (p) => ifParsed(signalEventSchema, p, on.signal),
    'server:shutdown': () => on.shutdown?.(),
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
