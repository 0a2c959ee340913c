/**
 * Who may connect: the socket.io connection middleware, run on every (re)connection.
 * Checks, in order: the page's Origin, the protocol version, the handshake's
 * fields, the server password, the identity (the device certificate and the
 * proof of possession of the device key for THIS connection), that the device id
 * is not someone else's, and that the user has not reached the device cap
 * (options.maxDevicesPerUser). A refusal reaches the client as `connect_error`
 * with `data: ConnectRefusal`.
 *
 * The password comes before the signatures on purpose: it is a constant-time
 * hash compare, while the identity costs two signature verifications and two
 * SHA-256s. Someone without the password must not make the server spend that
 * CPU (a handshake flood stays cheap to refuse), and checking it first tells them
 * nothing about identities.
 *
 * The userId and deviceId are never taken from the client: they are the ids of
 * the credential's keys (identity.ts), so claiming one means holding its key. The
 * proof signs the protocol version, the host the client dialled (checked against
 * the request's Host header, as the server sees it) and the connection's
 * Engine.IO session id, a fresh random value the server chose: an old proof, or
 * one made for another server, does not verify here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Party } from './callRecord';
import { authProofMessage } from './identity';
import { checkCredentialSync, verifySignature } from './keyCheck';
import type { Profile } from './presence';
import { handshakeSchema, PROTOCOL_VERSION, type ConnectRefusal, type DeviceId, type UserId } from './protocol';

export interface HandshakePolicy {
  /** undefined = any origin. */
  allowedOrigins: readonly string[] | undefined;
  /** Empty = no password. */
  password: string;
  /** The user a device id currently belongs to (online, or a call member in its grace period). */
  deviceOwner: (deviceId: DeviceId) => UserId | undefined;
  /**
   * The devices of a user online now, and how many one user may have: another
   * device beyond that is refused `too_many_devices` (one already online may
   * reconnect). A cluster node's gateway answers [] and the coordinator checks
   * instead (Switchboard.adopt, which also covers two handshakes racing).
   */
  devicesOnline: (userId: UserId) => readonly DeviceId[];
  maxDevicesPerUser: number;
}

export const tooManyDevices = (displayName: string, max: number): ConnectRefusal => ({
  code: 'too_many_devices',
  message: `${displayName} already has ${max} devices online, the most this server allows. Close Parley on one of them, then connect again.`,
});

export type HandshakeResult = { ok: true; party: Party; profile: Profile } | { ok: false; refusal: ConnectRefusal };

/** What the handshake knows of the connection itself (not of what the client says). */
export interface ConnectionFacts {
  headers: IncomingHttpHeaders;
  /** The Engine.IO session id of this connection (`socket.conn.id`): the challenge the proof must sign. */
  sessionId: string;
}

const refuse = (code: ConnectRefusal['code'], message: string): HandshakeResult => ({ ok: false, refusal: { code, message } });

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares hashes, not the strings: equal lengths for timingSafeEqual, and no
 * early exit that would leak how much of the password a guess got right.
 */
export function passwordMatches(expected: string, given: string | undefined): boolean {
  return timingSafeEqual(digest(expected), digest(given ?? ''));
}

/**
 * Requests without an Origin come from native clients (Electron main, Node); a
 * browser always sends one on a WebSocket upgrade (RFC 6455 §4.1), which is what
 * the allowlist is about: another site's page must not use this server.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined): boolean {
  return allowed === undefined || origin === undefined || allowed.includes(origin);
}

export async function checkHandshake(connection: ConnectionFacts, auth: unknown, policy: HandshakePolicy): Promise<HandshakeResult> {
  const { headers } = connection;
  const origin = headers.origin;
  if (!originAllowed(origin, policy.allowedOrigins)) {
    return refuse(
      'origin_forbidden',
      `This Parley server does not accept connections from pages at ${String(origin)}. Ask its operator to add that origin with --allowed-origin.`,
    );
  }
  const version = typeof auth === 'object' && auth !== null ? (auth as Record<string, unknown>).protocolVersion : undefined;
  if (version !== PROTOCOL_VERSION) {
    const theirs = typeof version === 'number' ? `version ${version}` : 'no version';
    return refuse(
      'protocol_mismatch',
      `This Parley server speaks protocol version ${PROTOCOL_VERSION}, but the app sent ${theirs}. Update Parley so the app and the server match.`,
    );
  }
  const parsed = handshakeSchema.safeParse(auth);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') ?? '';
    if (field === 'password') return refuse('auth_failed', 'The server password is wrong. Check it in the connection settings.');
    if (issue?.code === 'unrecognized_keys') {
      return refuse('invalid_identity', `The handshake has unknown fields: ${issue.keys.join(', ')}. Update Parley.`);
    }
    return refuse('invalid_identity', `The ${field || 'handshake'} is not valid: ${issue?.message ?? 'invalid value'}.`);
  }
  const { credential, proof, displayName, password, contacts, strangerCalls } = parsed.data;
  if (policy.password !== '' && !passwordMatches(policy.password, password)) {
    const message =
      password === undefined
        ? 'This server needs a password. Enter it in the connection settings.'
        : 'The server password is wrong. Check it in the connection settings.';
    return refuse('auth_failed', message);
  }
  const ids = checkCredentialSync(credential);
  if (ids === null) {
    return refuse(
      'invalid_identity',
      "This device's certificate is not signed by its user key, so the server cannot tell who it is. Link this device to your account again (Settings → Your devices).",
    );
  }
  const { userId, deviceId } = ids;
  const host = headers.host;
  if (typeof host !== 'string' || host === '') {
    return refuse('invalid_identity', 'The connection names no host (no Host header), so its identity proof cannot be checked.');
  }
  const message = authProofMessage({ protocolVersion: PROTOCOL_VERSION, host, sessionId: connection.sessionId, userId, deviceId });
  if (!verifySignature(credential.deviceKey, proof, message)) {
    return refuse(
      'invalid_identity',
      `The identity proof does not verify: it must be this device's signature for this connection to ${host}. A proof made for another server or an earlier connection is not accepted.`,
    );
  }
  const owner = policy.deviceOwner(deviceId);
  if (owner !== undefined && owner !== userId) {
    return refuse(
      'invalid_identity',
      `This device (${deviceId}) is still signed in as another account, for example just before it was linked to this one. Wait a minute, then connect again.`,
    );
  }
  const devices = policy.devicesOnline(userId);
  if (!devices.includes(deviceId) && devices.length >= policy.maxDevicesPerUser) {
    return { ok: false, refusal: tooManyDevices(displayName, policy.maxDevicesPerUser) };
  }
  return {
    ok: true,
    party: { userId, deviceId, displayName },
    profile: { userKey: credential.userKey, contacts: [...new Set(contacts)].filter((id) => id !== userId), strangerCalls },
  };
}
