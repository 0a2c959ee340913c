/**
 * Parley's wire protocol between a client (renderer) and the signaling server.
 *
 * This file is a leaf: it imports nothing from the project but identity.ts (keys,
 * ids and proofs, itself a leaf). The server and the
 * renderer both import it, so the event maps below are the single source of truth
 * for names, payloads and acks. Everything that arrives from the wire is `unknown`
 * until one of the schemas here has parsed it.
 *
 * Vocabulary
 * - user: a person, identified by a `userId` derived from their user key (identity.ts).
 * - device: one running client of that user (desktop app, a browser tab), identified
 *   by a `deviceId` derived from its device key, which the user key certifies. A user may have
 *   several devices online; all of them ring. A call member is one device.
 * - call: created by the server on `call:invite`; members are devices; invitees are
 *   users whose devices are ringing.
 */
import { z } from 'zod';
import { deviceCredentialSchema, dtlsProofSchema, publicKeySchema, signatureSchema, type PublicKey } from './identity';

/**
 * Bumped on every incompatible change. The server refuses any other version.
 * 2: `call:rejoin` carries the member's server-signed `rejoinToken`; `block:set`.
 * 3: identities are keys: the handshake carries a device credential and a proof of
 *    possession instead of claimed ids; presence reaches mutual contacts only
 *    (`contacts:set`, `contact:*`); device linking (`link:*`); `directory:search`;
 *    SDP descriptions carry a DTLS proof.
 * 4: presence news that comes for a device within a second of its last comes
 *    coalesced in one `presence:batch` (presenceBatcher.ts); a ring
 *    (`call:incoming`) carries the ringing device's ICE servers (`ice`).
 * 5: the caller's first offer may travel in `call:invite` (`offer`); the server
 *    gives it to one ringing device with `call:incoming` and names that device in
 *    the ack (`offeredTo`).
 */
export const PROTOCOL_VERSION = 5;

export const LIMITS = {
  /** socket.io maxHttpBufferSize: no single packet may exceed this. */
  maxPacketBytes: 64 * 1024,
  /** An SDP larger than this is refused (a real audio+video+data SDP is ~6–12 KB). */
  maxSdpChars: 48 * 1024,
  maxCandidateChars: 1024,
  displayNameMin: 1,
  displayNameMax: 40,
  passwordMax: 256,
  /** Signals held for a member whose socket dropped, delivered once it is back. */
  maxQueuedSignalsPerDevice: 256,
  /** ...and at most this many bytes of them (SDP and candidate text), oldest dropped first. */
  maxQueuedSignalBytesPerDevice: 256 * 1024,
  /** A rejoin token is an HMAC-SHA256 in base64url (43 characters); anything longer is junk. */
  rejoinTokenMax: 128,
  /** The users one user may block (`block:set`); a longer list is refused. */
  maxBlockedUsers: 1_000,
  /** The contacts one user may have (handshake `contacts`, `contacts:set`). */
  maxContacts: 1_000,
  /** An invite or link secret: 16 random bytes in base64url (22 characters), at most 64. */
  inviteSecretMax: 64,
  /** A directory search: the query's length, and the most users one answer lists. */
  directoryQueryMax: 40,
  directoryResultsMax: 20,
  /** A chat message relayed by the server (`signal` kind 'relay', SFU calls): its JSON text. */
  maxRelayChars: 32 * 1024,
} as const;

// ─── identities ────────────────────────────────────────────────────────────

export const userIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'an id is 8–64 characters of A–Z, a–z, 0–9, "_" or "-"');
export const deviceIdSchema = userIdSchema;
export const callIdSchema = userIdSchema;

/**
 * Characters that render as nothing (or as blank space) although Unicode files them
 * under letters or marks, so `\p{L}\p{M}` alone would let a name be invisible or
 * pad a look-alike: the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), the
 * combining grapheme joiner (U+034F), the Khmer inherent vowels (U+17B4, U+17B5),
 * the Mongolian free variation selectors (U+180B–U+180D, U+180F) and all variation
 * selectors (U+FE00–U+FE0F, U+E0100–U+E01EF). See Unicode's Default_Ignorable_Code_Point.
 */
// Each mark stands alone or opens its own class: inside a class, a mark right after
// another character reads as one combined character (no-misleading-character-class).
const INVISIBLE_IN_NAMES = /[\u115F\u1160\u3164\uFFA0]|\u034F|\u17B4|\u17B5|[\u180B-\u180D]|\u180F|[\uFE00-\uFE0F]|[\u{E0100}-\u{E01EF}]/u;
const INVISIBLE_IN_NAMES_ALL = new RegExp(INVISIBLE_IN_NAMES, 'gu');
/** More than this many combining marks on one base character is "Zalgo" text that spills over its neighbours. */
const MAX_MARKS_PER_CHARACTER = 3;
const MARK_STACK = new RegExp(`\\p{M}{${MAX_MARKS_PER_CHARACTER + 1},}`, 'u');

/**
 * Letters (any script), combining marks, digits, spaces and . ' _ ( ) -; 1–40
 * characters after trimming and NFC normalisation. No control, format or
 * bidi-override characters, no invisible fillers or variation selectors, at least
 * one visible letter or digit, and at most 3 marks stacked on one character, so a
 * name cannot disguise itself, vanish, or overflow its row in a roster or a
 * notification. (Look-alikes that pass — two "Alice"s, mixed scripts — are marked
 * by the UI, which knows the whole roster.)
 */
export const displayNameSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim().replace(/\s+/gu, ' '))
  .pipe(
    z
      .string()
      .min(LIMITS.displayNameMin, 'the display name is empty')
      .max(LIMITS.displayNameMax, `the display name is longer than ${LIMITS.displayNameMax} characters`)
      .regex(
        /^[\p{L}\p{M}\p{N} .'_()-]+$/u,
        "the display name may hold letters, digits, spaces and . ' _ ( ) - only",
      )
      .refine((s) => !INVISIBLE_IN_NAMES.test(s), 'the display name holds invisible characters (fillers or variation selectors)')
      .refine((s) => /[\p{L}\p{N}]/u.test(s.replace(INVISIBLE_IN_NAMES_ALL, '')), 'the display name needs at least one visible letter or digit')
      .refine(
        (s) => !MARK_STACK.test(s),
        `the display name stacks more than ${MAX_MARKS_PER_CHARACTER} accents on one character`,
      ),
  );

/**
 * A display name as a client receives it from the server, which normalised and
 * checked it already (displayNameSchema): only its size is checked, loosely, so a
 * server that allows longer names does not make a client drop whole events.
 */
export const receivedNameSchema = z.string().min(1).max(80);

export type UserId = string;
export type DeviceId = string;
export type CallId = string;

// ─── handshake ─────────────────────────────────────────────────────────────

/**
 * What a user lets happen when someone who is not a mutual contact calls: ring as
 * usual, ask first (the server lets it through; the client shows a quiet request
 * instead of ringing, and nothing connects before Accept), or refuse (the server
 * answers the caller `call_refused`).
 */
export const strangerCallsSchema = z.enum(['ring', 'ask', 'refuse']);
export type StrangerCalls = z.infer<typeof strangerCallsSchema>;

export const contactListSchema = z
  .array(userIdSchema)
  .max(LIMITS.maxContacts, `at most ${LIMITS.maxContacts} contacts`);

/**
 * Sent as socket.io `auth` on every (re)connection. The userId and deviceId are
 * not sent: the server derives them from the credential's keys (identity.ts).
 */
export const handshakeSchema = z.strictObject({
  protocolVersion: z.number().int(),
  /** This device's keys and the user key's certificate of the device key. */
  credential: deviceCredentialSchema,
  /** The device key's signature over `authProofMessage` for this connection. */
  proof: signatureSchema,
  displayName: displayNameSchema,
  password: z.string().max(LIMITS.passwordMax).optional(),
  /** The users this user added; presence flows between two users who list each other. */
  contacts: contactListSchema,
  strangerCalls: strangerCallsSchema,
});
export type Handshake = z.input<typeof handshakeSchema>;

// ─── errors ────────────────────────────────────────────────────────────────

/** Stable error codes. Clients switch on `code`; `message` is for people. */
export const ERROR_CODES = [
  // connection refusals (connect_error `data.code`)
  'protocol_mismatch',
  'auth_failed',
  'invalid_identity',
  'origin_forbidden',
  // per-event refusals
  'invalid_payload',
  'rate_limited',
  'self_call',
  'user_offline',
  'busy',
  'do_not_disturb',
  'call_full',
  'call_not_found',
  'not_in_call',
  'not_invited',
  'already_in_call',
  'unknown_recipient',
  'turn_unavailable',
  'internal',
  // added in protocol 2
  /** Too many connections, or new connections, from one network address (handshake refusal). */
  'too_many_connections',
  /** The user already has the maximum number of devices online (handshake refusal). */
  'too_many_devices',
  /** The callee does not take calls from the caller (they blocked them). */
  'call_refused',
  // added in protocol 3
  /** This server offers no directory (`--directory off`). */
  'directory_off',
  // added for the SFU (issue 17)
  /** The call is not on the SFU, or this server has no media server (Janus) it can reach. */
  'sfu_unavailable',
  /** The media server refused or did not answer a request (the message says which). */
  'sfu_failed',
] as const;
export const errorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof errorCodeSchema>;
/** A refusal: an ack's `error`, `session:kicked`, and `connect_error.data`. */
export const protocolErrorSchema = z.object({ code: errorCodeSchema, message: z.string() });
export type ProtocolError = z.infer<typeof protocolErrorSchema>;
/** What `connect_error.data` carries when the server refuses a connection. */
export const connectRefusalSchema = protocolErrorSchema;
export type ConnectRefusal = ProtocolError;

export type Ack<T extends object = Record<never, never>> =
  | ({ ok: true } & T)
  | { ok: false; error: ProtocolError };
export type AckFn<T extends object = Record<never, never>> = (response: Ack<T>) => void;

// ─── presence ──────────────────────────────────────────────────────────────

/** What a user may choose. */
export const chosenStatusSchema = z.enum(['available', 'dnd', 'away']);
export type ChosenStatus = z.infer<typeof chosenStatusSchema>;
/** What others see: the chosen status, or `in_call`, which only the server sets. */
export const presenceStatusSchema = z.enum([...chosenStatusSchema.options, 'in_call']);
export type PresenceStatus = z.infer<typeof presenceStatusSchema>;

// ─── calls ─────────────────────────────────────────────────────────────────

export const callMediaSchema = z.enum(['audio', 'video']);
export type CallMedia = z.infer<typeof callMediaSchema>;

// ─── signals (opaque to the server but shape-checked) ───────────────────────

export const sessionDescriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.string().max(LIMITS.maxSdpChars, `an SDP is at most ${LIMITS.maxSdpChars} characters`),
});
export const iceCandidateSchema = z.strictObject({
  candidate: z.string().max(LIMITS.maxCandidateChars),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(255).nullable().optional(),
  usernameFragment: z.string().max(256).nullable().optional(),
});
const e2eeBytes = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url text');
/**
 * End-to-end encryption of SFU media (issue 17.4, renderer/call/e2ee/), relayed
 * opaque: the server checks only the shape. `announce`: the sender's ECDH P-256
 * call key (SPKI, 91 bytes) with its device's signature over it (`reply`: send yours
 * back); `key`: the sender's media key `keyId` wrapped for the receiving device
 * (12-byte IV, 32-byte key + 16-byte tag).
 */
export const e2eeSignalSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('announce'), spki: e2eeBytes(160), proof: dtlsProofSchema, reply: z.boolean() }),
  z.strictObject({
    type: z.literal('key'),
    keyId: z.number().int().min(0).max(255),
    iv: e2eeBytes(16),
    wrapped: e2eeBytes(64),
  }),
]);
export type E2eeSignal = z.infer<typeof e2eeSignalSchema>;

export const signalDataSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('description'),
    description: sessionDescriptionSchema,
    /** The sender's signature over the SDP's DTLS fingerprints (identity.ts); required on offers and answers. */
    proof: dtlsProofSchema.optional(),
  }),
  /** `candidate: null` marks the end of candidates. */
  z.strictObject({ kind: z.literal('candidate'), candidate: iceCandidateSchema.nullable() }),
  /**
   * The recovery ladder (renderer/call/recoveryLadder.ts): the polite side `ask`s the
   * impolite one to recover the link (`askRebuild` after a description it could not
   * apply); the impolite side says it `rebuild`s its peer
   * connection (a fresh one, its offer follows); the polite side answers `rebuilt`
   * once its own is fresh too. `epoch` counts the rebuilds of this link.
   */
  z.strictObject({
    kind: z.literal('recovery'),
    action: z.enum(['ask', 'askRebuild', 'rebuild', 'rebuilt']),
    epoch: z.number().int().min(0).max(1_000_000),
  }),
  /** End-to-end keys of an SFU call (e2eeSignalSchema), for the call's E2EE session, never a peer connection. */
  z.strictObject({ kind: z.literal('e2ee'), e2ee: e2eeSignalSchema }),
  /**
   * In-call chat for a member this device has no peer connection to (an SFU call,
   * renderer/call/sfu/): the same JSON text the 'chat' data channel carries, relayed
   * by the server, size-limited, never for a peer connection. 'files': the file
   * transfers' messages, sealed end to end (renderer/call/sfu/sfuFileChannel.ts).
   */
  z.strictObject({ kind: z.literal('relay'), channel: z.enum(['chat', 'files']), payload: z.string().min(1).max(LIMITS.maxRelayChars) }),
]);
export type SignalData = z.infer<typeof signalDataSchema>;

// ─── client → server payload schemas ────────────────────────────────────────

export const presenceStatusPayload = z.strictObject({ status: chosenStatusSchema });
/**
 * The caller's first offer, made before the call exists (issue 15): it travels in
 * `call:invite` and comes with `call:incoming` to one ringing device, so answering
 * does not wait for the offer to cross the server after the ring. Its proof signs
 * `dtlsFirstOfferMessage` (identity.ts): no callId or device of the callee exists
 * when it is made.
 */
export const firstOfferSchema = z.strictObject({
  sdp: z.string().min(1).max(LIMITS.maxSdpChars, `an SDP is at most ${LIMITS.maxSdpChars} characters`),
  proof: dtlsProofSchema,
});
export type FirstOffer = z.infer<typeof firstOfferSchema>;

export const callInvitePayload = z.strictObject({
  to: userIdSchema,
  media: callMediaSchema,
  /**
   * The caller's first offer (see firstOfferSchema). Given to one ringing device,
   * and only when the callee is the caller's mutual contact and the invite starts
   * a new call that is not a meeting; otherwise dropped, and the ack names no
   * `offeredTo`.
   */
  offer: firstOfferSchema.optional(),
  /** Present to add someone to a call the sender is in. */
  callId: callIdSchema.optional(),
  /** Start the call as a meeting: it goes through the SFU from the start (when the server has one). */
  meeting: z.boolean().optional(),
});
export const callAcceptPayload = z.strictObject({
  callId: callIdSchema,
  /** What the accepting device will send: a video call may be accepted audio-only. */
  audio: z.boolean(),
  video: z.boolean(),
});
export const callIdPayload = z.strictObject({ callId: callIdSchema });
export const callCancelPayload = z.strictObject({ callId: callIdSchema, to: userIdSchema });
export const callMediaPayload = z.strictObject({
  callId: callIdSchema,
  audio: z.boolean(),
  video: z.boolean(),
});
export const callRejoinPayload = z.strictObject({
  callId: callIdSchema,
  media: callMediaSchema,
  audio: z.boolean(),
  video: z.boolean(),
  /** The `rejoinToken` of the last snapshot of this call the device received. */
  rejoinToken: z.string().min(1).max(LIMITS.rejoinTokenMax),
});
/** The complete list of users whose calls this user refuses; replaces the previous one. */
export const blockSetPayload = z.strictObject({
  userIds: z
    .array(userIdSchema)
    .max(LIMITS.maxBlockedUsers, `at most ${LIMITS.maxBlockedUsers} blocked users`),
});
export const signalPayload = z.strictObject({
  callId: callIdSchema,
  to: deviceIdSchema,
  data: signalDataSchema,
});
export const emptyPayload = z.strictObject({});
/** The complete contact list and stranger-call setting; replaces the handshake's. */
export const contactsSetPayload = z.strictObject({ userIds: contactListSchema, strangerCalls: strangerCallsSchema });
const inviteSecretSchema = z
  .string()
  .min(16)
  .max(LIMITS.inviteSecretMax)
  .regex(/^[A-Za-z0-9_-]+$/, 'base64url text');
/**
 * Ask `to` to become contacts. `secret` is the one in `to`'s invite link or code,
 * which lets `to`'s app accept without asking; null when found another way (the
 * directory, a typed id), and then `to` is asked.
 */
export const contactRequestPayload = z.strictObject({ to: userIdSchema, secret: inviteSecretSchema.nullable() });
export const contactAnswerPayload = z.strictObject({ to: userIdSchema, accept: z.boolean() });
/** A new device asks `to` (the user whose link code it was given) to certify its key. */
export const linkRequestPayload = z.strictObject({ to: userIdSchema, secret: inviteSecretSchema, deviceKey: publicKeySchema });
/** The user's answer to a `link:requested`, to the asking device: when accepted, the certificate of its key. */
export const linkAnswerPayload = z.discriminatedUnion('accept', [
  z.strictObject({ toDevice: deviceIdSchema, accept: z.literal(true), userKey: publicKeySchema, deviceCert: signatureSchema }),
  z.strictObject({ toDevice: deviceIdSchema, accept: z.literal(false) }),
]);
export const directorySearchPayload = z.strictObject({ query: z.string().min(1).max(LIMITS.directoryQueryMax) });

// ─── SFU (issue 17): media through Janus, driven only by the server ─────────

/** A device's publications: its camera (with microphone) and, separately, its screen share. */
export const sfuFeedSchema = z.enum(['camera', 'screen']);
export type SfuFeed = z.infer<typeof sfuFeedSchema>;
/** Which of a device's SFU peer connections an ICE candidate belongs to. */
export const sfuTargetSchema = z.enum(['camera', 'screen', 'subscriber']);
export type SfuTarget = z.infer<typeof sfuTargetSchema>;
export const sfuOfferDescriptionSchema = z.strictObject({
  type: z.literal('offer'),
  sdp: z.string().min(1).max(LIMITS.maxSdpChars, `an SDP is at most ${LIMITS.maxSdpChars} characters`),
});
export const sfuAnswerDescriptionSchema = z.strictObject({
  type: z.literal('answer'),
  sdp: z.string().min(1).max(LIMITS.maxSdpChars, `an SDP is at most ${LIMITS.maxSdpChars} characters`),
});
/** A subscribed stream's mid (as Janus numbers them: short decimal strings). */
export const sfuMidSchema = z.string().min(1).max(32).regex(/^[A-Za-z0-9_-]+$/, 'a mid is letters, digits, "_" or "-"');
/** Publish one feed: the device's offer (simulcast, VP8), answered by Janus's answer in the ack. */
export const sfuPublishPayload = z.strictObject({ callId: callIdSchema, feed: sfuFeedSchema, description: sfuOfferDescriptionSchema });
export const sfuUnpublishPayload = z.strictObject({ callId: callIdSchema, feed: sfuFeedSchema });
/** Ask for this device's multistream subscriber; its offer arrives as `sfu:offer`. */
export const sfuSubscribePayload = z.strictObject({ callId: callIdSchema });
/** Answers the latest `sfu:offer`. */
export const sfuAnswerPayload = z.strictObject({ callId: callIdSchema, description: sfuAnswerDescriptionSchema });
/** `candidate: null` marks the end of candidates on that peer connection. */
export const sfuCandidatePayload = z.strictObject({
  callId: callIdSchema,
  target: sfuTargetSchema,
  candidate: iceCandidateSchema.nullable(),
});
/** The simulcast layer this device receives on one subscribed stream: 2 high, 1 medium, 0 low. */
export const sfuLayerPayload = z.strictObject({
  callId: callIdSchema,
  mid: sfuMidSchema,
  substream: z.union([z.literal(0), z.literal(1), z.literal(2)]),
});

export type CallInvitePayload = z.infer<typeof callInvitePayload>;
export type CallAcceptPayload = z.infer<typeof callAcceptPayload>;
export type CallIdPayload = z.infer<typeof callIdPayload>;
export type CallCancelPayload = z.infer<typeof callCancelPayload>;
export type CallMediaPayload = z.infer<typeof callMediaPayload>;
export type CallRejoinPayload = z.infer<typeof callRejoinPayload>;
export type SignalPayload = z.infer<typeof signalPayload>;
export type PresenceStatusPayload = z.infer<typeof presenceStatusPayload>;
export type BlockSetPayload = z.infer<typeof blockSetPayload>;
export type ContactsSetPayload = z.infer<typeof contactsSetPayload>;
export type ContactRequestPayload = z.infer<typeof contactRequestPayload>;
export type ContactAnswerPayload = z.infer<typeof contactAnswerPayload>;
export type LinkRequestPayload = z.infer<typeof linkRequestPayload>;
export type LinkAnswerPayload = z.infer<typeof linkAnswerPayload>;
export type DirectorySearchPayload = z.infer<typeof directorySearchPayload>;
export type SfuPublishPayload = z.infer<typeof sfuPublishPayload>;
export type SfuUnpublishPayload = z.infer<typeof sfuUnpublishPayload>;
export type SfuSubscribePayload = z.infer<typeof sfuSubscribePayload>;
export type SfuAnswerPayload = z.infer<typeof sfuAnswerPayload>;
export type SfuCandidatePayload = z.infer<typeof sfuCandidatePayload>;
export type SfuLayerPayload = z.infer<typeof sfuLayerPayload>;

/** One schema per client event: the server parses every payload with these. */
export const clientEventSchemas = {
  'presence:status': presenceStatusPayload,
  'call:invite': callInvitePayload,
  'call:accept': callAcceptPayload,
  'call:decline': callIdPayload,
  'call:cancel': callCancelPayload,
  'call:leave': callIdPayload,
  'call:media': callMediaPayload,
  'call:rejoin': callRejoinPayload,
  'ice:servers': emptyPayload,
  signal: signalPayload,
  'block:set': blockSetPayload,
  'contacts:set': contactsSetPayload,
  'contact:request': contactRequestPayload,
  'contact:answer': contactAnswerPayload,
  'link:request': linkRequestPayload,
  'link:answer': linkAnswerPayload,
  'directory:search': directorySearchPayload,
  'sfu:publish': sfuPublishPayload,
  'sfu:unpublish': sfuUnpublishPayload,
  'sfu:subscribe': sfuSubscribePayload,
  'sfu:answer': sfuAnswerPayload,
  'sfu:candidate': sfuCandidatePayload,
  'sfu:layer': sfuLayerPayload,
} as const;
export type ClientEventName = keyof typeof clientEventSchemas;

// ─── server → client payload schemas ────────────────────────────────────────
//
// The server builds these payloads (their types are inferred from the schemas) and
// the client parses every one of them (renderer/signaling/client.ts). They are
// `z.object`, not `z.strictObject`: a client drops keys it does not know, so a
// newer server may add a field without breaking older clients. The enums are the
// same on both sides, so a new reason is a compile-time change for both.

export const presenceUserSchema = z.object({
  userId: userIdSchema,
  displayName: receivedNameSchema,
  status: presenceStatusSchema,
});
export type PresenceUser = z.infer<typeof presenceUserSchema>;

/**
 * Presence news held for a device and sent together (signaling-server/presenceBatcher.ts):
 * each user at most once, as they are now (`users`: joined or changed) or gone (`left`).
 */
export const presenceBatchSchema = z.object({
  users: z.array(presenceUserSchema).max(LIMITS.maxContacts),
  left: z.array(userIdSchema).max(LIMITS.maxContacts),
});
export type PresenceBatchPayload = z.infer<typeof presenceBatchSchema>;

export const callMemberSchema = z.object({
  userId: userIdSchema,
  deviceId: deviceIdSchema,
  displayName: receivedNameSchema,
  /**
   * From the recipient's point of view: true when the RECIPIENT is the polite peer
   * towards this member (perfect negotiation). Deterministic: of two devices, the one
   * with the smaller deviceId is polite. Meaningless (false) for the recipient itself.
   */
  polite: z.boolean(),
  /** False while the member's socket is gone and the server holds its place. */
  connected: z.boolean(),
  audio: z.boolean(),
  video: z.boolean(),
});
export type CallMember = z.infer<typeof callMemberSchema>;

export const callInviteeSchema = z.object({
  userId: userIdSchema,
  displayName: receivedNameSchema,
  /** The devices that ring; members may prepare a connection to each of them. */
  devices: z.array(z.object({ deviceId: deviceIdSchema, polite: z.boolean() })).max(32),
  invitedBy: userIdSchema,
});
export type CallInvitee = z.infer<typeof callInviteeSchema>;

/** A call as one recipient sees it. */
export const callSnapshotSchema = z.object({
  callId: callIdSchema,
  media: callMediaSchema,
  /** ms since epoch; set when the second member joined, null before. */
  connectedAt: z.number().nullable(),
  members: z.array(callMemberSchema).max(64),
  invitees: z.array(callInviteeSchema).max(64),
  maxParticipants: z.number().int().positive(),
  /**
   * How media flows: `mesh` (peer to peer, up to 4) or `sfu` (through the server's
   * Janus; once `sfu`, a call never goes back). Absent or unknown reads as mesh.
   */
  topology: z.enum(['mesh', 'sfu']).catch('mesh'),
  /**
   * The viewer's membership token for this call: an HMAC the server signs over
   * (callId, userId, deviceId) with a secret that survives restarts. Null when the
   * viewer is not a member. Keep the latest and send it with `call:rejoin`: after
   * a server restart it is the only proof that this device was in the call.
   *
   * A snapshot without it (an older fake, a server that lost its mind) is taken as
   * "no token" rather than dropped, so the call goes on; only a rejoin needs it.
   */
  rejoinToken: z.string().min(1).max(LIMITS.rejoinTokenMax).nullable().catch(null),
});
export type CallSnapshot = z.infer<typeof callSnapshotSchema>;

export const iceServerSchema = z.object({
  urls: z.array(z.string().max(512)).min(1).max(8),
  username: z.string().max(512).optional(),
  credential: z.string().max(512).optional(),
});
export type IceServer = z.infer<typeof iceServerSchema>;

export const iceServersAckSchema = z.object({
  iceServers: z.array(iceServerSchema).max(16),
  /** How long the TURN credentials stay valid; 0 (or absent) when nothing expires. */
  ttlSeconds: z.number().int().min(0).default(0),
});
export type IceServersAck = z.infer<typeof iceServersAckSchema>;

export const incomingCallSchema = z.object({
  callId: callIdSchema,
  from: z.object({ userId: userIdSchema, displayName: receivedNameSchema }),
  media: callMediaSchema,
  call: callSnapshotSchema,
  /**
   * The ICE servers (and TURN credentials) for this call, what `ice:servers` would
   * answer the ringing device: with them it pre-connects at once instead of asking
   * first (a round trip to the server). Absent, the device asks.
   */
  ice: iceServersAckSchema.optional(),
  /**
   * The caller's first offer (`call:invite`'s `offer`), from its device `from`: to
   * this ringing device only. With it the device answers at once, and makes no
   * first offer of its own towards `from`.
   */
  offer: firstOfferSchema.extend({ from: deviceIdSchema }).optional(),
});
export type IncomingCall = z.infer<typeof incomingCallSchema>;

/** Why the ringing stopped on an invitee's devices. */
export const ringEndReasonSchema = z.enum([
  'answered_elsewhere',
  'declined_elsewhere',
  'cancelled',
  'no_answer',
  'call_ended',
]);
export type RingEndReason = z.infer<typeof ringEndReasonSchema>;

/** Why an invite ended, as the call's members learn it. */
export const inviteEndReasonSchema = z.enum(['answered', 'declined', 'no_answer', 'cancelled', 'offline']);
export type InviteEndReason = z.infer<typeof inviteEndReasonSchema>;

/** Why a call ended, as its last members learn it. */
export const callEndReasonSchema = z.enum([
  'hangup', // the others left
  'declined',
  'no_answer',
  'cancelled',
  'offline', // the callee went offline while it rang
  'disconnected', // the others' connections were lost past the grace period
  'server_shutdown',
]);
export type CallEndReason = z.infer<typeof callEndReasonSchema>;

export const memberLeaveReasonSchema = z.enum(['left', 'disconnected']);
export type MemberLeaveReason = z.infer<typeof memberLeaveReasonSchema>;

export const welcomePayloadSchema = z.object({
  self: z.object({
    userId: userIdSchema,
    deviceId: deviceIdSchema,
    displayName: receivedNameSchema,
    status: presenceStatusSchema,
  }),
  users: z.array(presenceUserSchema),
  limits: z.object({
    maxParticipants: z.number().int().positive(),
    ringTimeoutMs: z.number().int().min(0),
    /** How long the server keeps a call for members to come back. */
    rejoinGraceMs: z.number().int().min(1),
    /**
     * The server has a media server (`--janus-url`): a call may start as a meeting
     * (`call:invite` with `meeting: true`). Sent only when true; absent reads as no.
     */
    meetings: z.boolean().optional(),
  }),
  /** The call this device is still a member of (it reconnected within the grace period). */
  call: callSnapshotSchema.nullable(),
  /** The calls this user's devices are being invited to, so a new device rings too. */
  ringing: z.array(incomingCallSchema).max(64),
  /**
   * The server's ICE servers when they carry no credentials (STUN only, or none: no
   * TURN), so that a caller has them for its first offer before any call. A list
   * with TURN credentials is given only for a call (`ice:servers`, `call:incoming`).
   */
  ice: iceServersAckSchema.optional(),
  serverVersion: z.string().max(256),
});
export type WelcomePayload = z.infer<typeof welcomePayloadSchema>;

export const callEventSchema = z.object({ call: callSnapshotSchema });

/** Someone as the server vouches for them: their verified user key (whose id is `userId`). */
export const keyedUserSchema = z.object({ userId: userIdSchema, displayName: receivedNameSchema, userKey: publicKeySchema });
export type KeyedUser = z.infer<typeof keyedUserSchema>;

/** One schema per server event: the client parses every payload with these. */
export const serverEventSchemas = {
  'session:welcome': welcomePayloadSchema,
  'presence:joined': presenceUserSchema,
  'presence:left': z.object({ userId: userIdSchema }),
  'presence:updated': presenceUserSchema,
  'presence:batch': presenceBatchSchema,
  /** This device rings. */
  'call:incoming': incomingCallSchema,
  /** This device stops ringing for `callId`. */
  'call:ring-ended': z.object({ callId: callIdSchema, reason: ringEndReasonSchema }),
  /**
   * The call changed: members, invitees or media state. Sent after every change to
   * every connected member, the device that caused it included (its ack carries
   * the same snapshot), so a client can follow its calls from events alone.
   */
  'call:updated': callEventSchema,
  'call:invite-ended': z.object({ callId: callIdSchema, userId: userIdSchema, reason: inviteEndReasonSchema }),
  'call:member-left': z.object({
    callId: callIdSchema,
    userId: userIdSchema,
    deviceId: deviceIdSchema,
    reason: memberLeaveReasonSchema,
  }),
  /** The call is over for this device. */
  'call:ended': z.object({ callId: callIdSchema, reason: callEndReasonSchema }),
  signal: z.object({ callId: callIdSchema, from: deviceIdSchema, fromUserId: userIdSchema, data: signalDataSchema }),
  /** The server is going away (restart or shutdown); reconnect later. */
  'server:shutdown': z.object({ message: z.string() }),
  /** The socket is about to be disconnected for repeated protocol violations. */
  'session:kicked': protocolErrorSchema,
  /** Someone asks to become this user's contact (see `contact:request`). */
  'contact:requested': z.object({ from: keyedUserSchema, secret: z.string().max(LIMITS.inviteSecretMax).nullable() }),
  /** The answer to this user's `contact:request`. */
  'contact:answered': z.object({ from: keyedUserSchema, accepted: z.boolean() }),
  /** A new device asks to be linked to this user (only the user's devices get it). */
  'link:requested': z.object({
    deviceId: deviceIdSchema,
    displayName: receivedNameSchema,
    deviceKey: publicKeySchema,
    secret: z.string().max(LIMITS.inviteSecretMax),
  }),
  /** The answer to this device's `link:request`. */
  'link:answered': z.discriminatedUnion('accepted', [
    z.object({ accepted: z.literal(true), from: userIdSchema, userKey: publicKeySchema, deviceCert: signatureSchema }),
    z.object({ accepted: z.literal(false), from: userIdSchema }),
  ]),
  /**
   * The (re)negotiation offer of this device's SFU subscriber, sent whenever the set
   * of feeds changes; `streams` says whose feed each mid carries. Answer with `sfu:answer`.
   */
  'sfu:offer': z.object({
    callId: callIdSchema,
    description: z.object({ type: z.literal('offer'), sdp: z.string().max(LIMITS.maxSdpChars * 4) }),
    streams: z
      .array(
        z.object({
          mid: z.string().max(32),
          deviceId: deviceIdSchema,
          feed: sfuFeedSchema,
          kind: z.enum(['audio', 'video']),
        }),
      )
      .max(256),
  }),
  /** Janus's ICE candidate for one of this device's SFU peer connections (null: no more). */
  'sfu:candidate': z.object({ callId: callIdSchema, target: sfuTargetSchema, candidate: iceCandidateSchema.nullable() }),
  /** The media server went away or was replaced: publish and subscribe again. */
  'sfu:restart': z.object({ callId: callIdSchema, reason: z.string().max(512) }),
} as const;
export type ServerEventName = keyof typeof serverEventSchemas;
export type ServerEventPayload<E extends ServerEventName> = z.infer<(typeof serverEventSchemas)[E]>;
/** Every server event, in the table's order (a client subscribes to each). */
export const SERVER_EVENT_NAMES = Object.keys(serverEventSchemas) as ServerEventName[];

// ─── acks the client reads ──────────────────────────────────────────────────

export const directoryAckSchema = z.object({
  users: z
    .array(z.object({ userId: userIdSchema, displayName: receivedNameSchema, online: z.boolean() }))
    .max(LIMITS.directoryResultsMax),
});

/** What `call:invite`, `call:accept` and `call:rejoin` answer with besides `ok`. */
export const callAckSchema = callEventSchema;
export type CallAck = z.infer<typeof callAckSchema>;

/** `call:invite`'s ack: the call, and the ringing device that got the first offer, if one did. */
export const inviteAckSchema = callEventSchema.extend({ offeredTo: deviceIdSchema.optional() });
export type InviteAck = z.infer<typeof inviteAckSchema>;

/**
 * An ack that carries nothing besides `ok: true`. Typed as the empty object type:
 * zod infers `Record<string, never>` for `{}`, which would forbid the `ok` beside it.
 */
export const emptyAckSchema: z.ZodType<Record<never, never>> = z.object({});

/**
 * What each request's ok ack carries besides `ok: true`: the client parses every
 * ack with these (a refusal, `{ ok: false, error }`, with `ackRefusalSchema`).
 */
export const serverAckSchemas = {
  'presence:status': emptyAckSchema,
  'call:invite': inviteAckSchema,
  'call:accept': callAckSchema,
  'call:decline': emptyAckSchema,
  'call:cancel': emptyAckSchema,
  'call:leave': emptyAckSchema,
  'call:media': emptyAckSchema,
  'call:rejoin': callAckSchema,
  'ice:servers': iceServersAckSchema,
  signal: emptyAckSchema,
  'block:set': emptyAckSchema,
  'contacts:set': emptyAckSchema,
  'contact:request': emptyAckSchema,
  'contact:answer': emptyAckSchema,
  'link:request': emptyAckSchema,
  'link:answer': emptyAckSchema,
  'directory:search': directoryAckSchema,
  /** Janus's answer to the publisher's offer. */
  'sfu:publish': z.object({ description: z.object({ type: z.literal('answer'), sdp: z.string().max(LIMITS.maxSdpChars * 4) }) }),
  'sfu:unpublish': emptyAckSchema,
  'sfu:subscribe': emptyAckSchema,
  'sfu:answer': emptyAckSchema,
  'sfu:candidate': emptyAckSchema,
  'sfu:layer': emptyAckSchema,
} as const satisfies Record<ClientEventName, z.ZodType>;
export type AckData<E extends ClientEventName> = z.infer<(typeof serverAckSchemas)[E]>;
export const ackRefusalSchema = z.object({ ok: z.literal(false), error: protocolErrorSchema });

// ─── event maps (socket.io typed events) ────────────────────────────────────

/** The acks are typed from `serverAckSchemas`, so the client's parse and the server's answer agree. */
export interface ClientToServerEvents {
  'presence:status': (payload: PresenceStatusPayload, ack: AckFn<AckData<'presence:status'>>) => void;
  /** Creates a call (or adds `to` to `callId`) and rings every device of `to`. */
  'call:invite': (payload: CallInvitePayload, ack: AckFn<AckData<'call:invite'>>) => void;
  'call:accept': (payload: CallAcceptPayload, ack: AckFn<AckData<'call:accept'>>) => void;
  'call:decline': (payload: CallIdPayload, ack: AckFn<AckData<'call:decline'>>) => void;
  /** A member withdraws a ringing invite. */
  'call:cancel': (payload: CallCancelPayload, ack: AckFn<AckData<'call:cancel'>>) => void;
  /** Hang up: this device leaves the call. */
  'call:leave': (payload: CallIdPayload, ack: AckFn<AckData<'call:leave'>>) => void;
  /** Mute / camera state, shown on every member's tiles. */
  'call:media': (payload: CallMediaPayload, ack: AckFn<AckData<'call:media'>>) => void;
  /** Re-attach to a call after a reconnection or a server restart. */
  'call:rejoin': (payload: CallRejoinPayload, ack: AckFn<AckData<'call:rejoin'>>) => void;
  /** ICE servers for this user (STUN/TURN with short-lived credentials). */
  'ice:servers': (payload: Record<never, never>, ack: AckFn<AckData<'ice:servers'>>) => void;
  /** Relay an SDP description or ICE candidate to one device of the same call. */
  signal: (payload: SignalPayload, ack: AckFn<AckData<'signal'>>) => void;
  /**
   * The users whose invites this user refuses (`call_refused`), as the whole list.
   * Kept while the user has a device online; clients keep it and send it again
   * after every `session:welcome`.
   */
  'block:set': (payload: BlockSetPayload, ack: AckFn<AckData<'block:set'>>) => void;
  /** Replaces the contact list and stranger-call setting sent in the handshake. */
  'contacts:set': (payload: ContactsSetPayload, ack: AckFn<AckData<'contacts:set'>>) => void;
  /**
   * Ask someone to become a contact. Delivered now, or held (in memory, bounded)
   * until they connect; the client sends pending requests again after every welcome.
   */
  'contact:request': (payload: ContactRequestPayload, ack: AckFn<AckData<'contact:request'>>) => void;
  /** Answer a `contact:requested`; only a pending request from `to` can be answered. */
  'contact:answer': (payload: ContactAnswerPayload, ack: AckFn<AckData<'contact:answer'>>) => void;
  /** A new device asks the user `to` (online) to certify its key. */
  'link:request': (payload: LinkRequestPayload, ack: AckFn<AckData<'link:request'>>) => void;
  /** One of the user's devices answers a pending `link:requested`. */
  'link:answer': (payload: LinkAnswerPayload, ack: AckFn<AckData<'link:answer'>>) => void;
  /** Search the server's directory by display name (`directory_off` unless the server offers one). */
  'directory:search': (payload: DirectorySearchPayload, ack: AckFn<AckData<'directory:search'>>) => void;
  /** Publish a feed on the call's SFU room (a member of an `sfu` call only). */
  'sfu:publish': (payload: SfuPublishPayload, ack: AckFn<AckData<'sfu:publish'>>) => void;
  'sfu:unpublish': (payload: SfuUnpublishPayload, ack: AckFn<AckData<'sfu:unpublish'>>) => void;
  /** Create this device's subscriber; its offer follows as `sfu:offer`. */
  'sfu:subscribe': (payload: SfuSubscribePayload, ack: AckFn<AckData<'sfu:subscribe'>>) => void;
  'sfu:answer': (payload: SfuAnswerPayload, ack: AckFn<AckData<'sfu:answer'>>) => void;
  /** Trickle ICE towards Janus for one of this device's SFU peer connections. */
  'sfu:candidate': (payload: SfuCandidatePayload, ack: AckFn<AckData<'sfu:candidate'>>) => void;
  /** Choose the simulcast layer received on one subscribed stream. */
  'sfu:layer': (payload: SfuLayerPayload, ack: AckFn<AckData<'sfu:layer'>>) => void;
}

/** Typed from `serverEventSchemas`, so the map and the schemas cannot drift. */
export type ServerToClientEvents = {
  [E in ServerEventName]: (payload: ServerEventPayload<E>) => void;
};

/** What the server keeps on each socket (`socket.data`). */
export interface SocketData {
  userId: UserId;
  deviceId: DeviceId;
  displayName: string;
  /** The user key the handshake verified (its id is `userId`). */
  userKey: PublicKey;
  /**
   * The contact list and stranger-call setting, from the handshake and then each
   * accepted `contacts:set` (a clustered gateway keeps them current, so that a new
   * coordinator rebuilding presence from the sockets knows them).
   */
  contacts: UserId[];
  strangerCalls: StrangerCalls;
  /**
   * Set by a clustered gateway when this device chose a status, so that a new
   * coordinator rebuilding presence from the sockets (`fetchSockets`) restores it:
   * the status and when it was chosen (ms since epoch, the gateway's clock).
   */
  chosen?: { status: ChosenStatus; at: number };
}

/** Polite-role rule shared by everyone: of two devices, the smaller id is polite. */
export function isPolite(self: DeviceId, other: DeviceId): boolean {
  return self < other;
}
