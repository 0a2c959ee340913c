/**
 * Schemas for what crosses between server nodes (protocol.ts, InterServerEvents),
 * and for the `socket.data` that `fetchSockets()` brings back from other nodes.
 * Another node is trusted more than a client, but what it sends arrives through
 * Redis as `unknown`: a node running another version, or anything else that can
 * publish on the channel, must not corrupt the coordinator's state.
 */
import { z } from 'zod';
import { CLIENT_EVENT_NAMES } from './handlers';
import { publicKeySchema } from './identity';
import {
  chosenStatusSchema,
  contactListSchema,
  strangerCallsSchema,
  deviceIdSchema,
  displayNameSchema,
  ERROR_CODES,
  userIdSchema,
  type Ack,
  type SocketData,
} from './protocol';
import type { ChosenStatusMark, NodeClientEvent, NodeLateAck, NodeSocketRef } from './clusterProtocol';

export const nodeIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a node id is 8–64 characters of A–Z, a–z, 0–9, "_" or "-"');
/** socket.io ids are 20 characters of base64id; allow some room. */
const socketIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** A gateway's id for a forwarded request (random base64url). */
const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);

const partySchema = z.strictObject({ userId: userIdSchema, deviceId: deviceIdSchema, displayName: displayNameSchema });
const profileSchema = z.strictObject({ userKey: publicKeySchema, contacts: contactListSchema, strangerCalls: strangerCallsSchema });
const chosenSchema: z.ZodType<ChosenStatusMark> = z.strictObject({ status: chosenStatusSchema, at: z.number().finite() });

export const nodeSocketRefSchema: z.ZodType<NodeSocketRef> = z.strictObject({
  nodeId: nodeIdSchema,
  socketId: socketIdSchema,
  party: partySchema,
  profile: profileSchema,
});
export const nodeClientEventSchema: z.ZodType<NodeClientEvent> = z.strictObject({
  nodeId: nodeIdSchema,
  socketId: socketIdSchema,
  party: partySchema,
  profile: profileSchema,
  event: z.enum(CLIENT_EVENT_NAMES),
  payload: z.unknown(),
  requestId: requestIdSchema.optional(),
});
export const coordinatorReleasedSchema = z.strictObject({ nodeId: nodeIdSchema });

/** `socket.data` of a socket on any node, as the handshake middleware set it. */
export const socketDataSchema: z.ZodType<SocketData> = z.object({
  userId: userIdSchema,
  deviceId: deviceIdSchema,
  displayName: displayNameSchema,
  userKey: publicKeySchema,
  contacts: contactListSchema,
  strangerCalls: strangerCallsSchema,
  chosen: chosenSchema.optional(),
});

// ─── replies ────────────────────────────────────────────────────────────────
// Loose objects: a newer coordinator may add fields an older gateway ignores.

const notHandled = z.object({ handled: z.literal(false) });
const handledBy = z.object({ handled: z.literal(true), nodeId: nodeIdSchema });

const ackSchema: z.ZodType<Ack<object>> = z.union([
  z.looseObject({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.enum(ERROR_CODES), message: z.string().max(2_000) }) }),
]);

export const admitReplySchema = z.union([notHandled, handledBy.extend({ admitted: z.boolean() })]);
export const doneReplySchema = z.union([notHandled, handledBy]);
export const eventReplySchema = z.union([notHandled, handledBy.extend({ ack: ackSchema }), handledBy.extend({ pending: z.literal(true) })]);
export const nodeLateAckSchema: z.ZodType<NodeLateAck> = z.strictObject({ nodeId: nodeIdSchema, requestId: requestIdSchema, ack: ackSchema });
