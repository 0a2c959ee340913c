/**
 * Who a user and a device are, as keys: the third shared leaf beside protocol.ts
 * and preload/contract.ts. It imports nothing from the project and uses only
 * WebCrypto (`globalThis.crypto.subtle`), which browsers, Electron's renderer and
 * Node 20 all have, so the server, the renderer and the tests build and check the
 * very same bytes.
 *
 * The model
 * - A user is a key pair (the *user key*, Ed25519, or ECDSA P-256 where Ed25519 is
 *   missing). The userId is derived from its public key: `idOfKey(userKey)`, the
 *   first 132 bits of SHA-256 over the SPKI bytes, in base64url. Claiming a userId
 *   therefore means holding the key.
 * - A device is a key pair too (the *device key*); deviceId = `idOfKey(deviceKey)`.
 *   The user key signs each device key it owns: the *device certificate*, a
 *   signature over `deviceCertMessage(userId, deviceKey)`. The first device makes
 *   both keys; another device joins the user by linking (the first device signs
 *   the new device's key).
 * - On every (re)connection the device proves it holds its key: it signs
 *   `authProofMessage`, bound to the server's host, the protocol version and the
 *   connection's Engine.IO session id — a fresh random value the server chose and
 *   sent in the transport's open packet. A proof is good for that one connection
 *   only, so an old proof cannot be replayed, and a proof made for another server
 *   (another host) is worthless here.
 * - In a call, each SDP a device sends carries a `DtlsProof`: its keys, its
 *   certificate, and its signature over the SDP's DTLS fingerprints. The receiver
 *   checks the chain up to the userId it is talking to before applying the SDP, so
 *   a signaling server that swaps fingerprints to sit in the middle is caught.
 *
 * Every message is UTF-8 text, one field per line, starting with a label that
 * names its purpose and version: a signature made for one purpose never verifies
 * for another.
 */
import { z } from 'zod';

export const KEY_ALGORITHMS = ['Ed25519', 'P-256'] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url text');

/** A public key as it travels: its algorithm and its SPKI bytes in base64url. */
export const publicKeySchema = z.strictObject({
  alg: z.enum(KEY_ALGORITHMS),
  /** Ed25519 SPKI is 44 bytes (59 characters), P-256 is 91 bytes (122 characters). */
  spki: base64url(160),
});
export type PublicKey = z.infer<typeof publicKeySchema>;

/** A signature in base64url: 64 bytes for both algorithms (P-256 in IEEE P1363 form, r‖s). */
export const signatureSchema = base64url(100);

/** What a device presents so others can check who it is: its keys and its certificate. */
export const deviceCredentialSchema = z.strictObject({
  userKey: publicKeySchema,
  deviceKey: publicKeySchema,
  /** The user key's signature over `deviceCertMessage(idOfKey(userKey), deviceKey)`. */
  deviceCert: signatureSchema,
});
export type DeviceCredential = z.infer<typeof deviceCredentialSchema>;

/** A device's signature over the DTLS fingerprints of one SDP it sends. */
export const dtlsProofSchema = deviceCredentialSchema.extend({
  /** The device key's signature over `dtlsMessage(...)`. */
  signature: signatureSchema,
});
export type DtlsProof = z.infer<typeof dtlsProofSchema>;

/** The length of a userId or deviceId: 22 base64url characters = 132 bits of SHA-256. */
export const KEY_ID_LENGTH = 22;

// ─── bytes ─────────────────────────────────────────────────────────────────

export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Throws on text that is not base64url. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

// ─── ids ───────────────────────────────────────────────────────────────────

/** The id of a public key: a userId for a user key, a deviceId for a device key. */
export async function idOfKey(key: PublicKey): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', fromBase64url(key.spki));
  return toBase64url(new Uint8Array(digest)).slice(0, KEY_ID_LENGTH);
}

// ─── messages ──────────────────────────────────────────────────────────────

export function deviceCertMessage(userId: string, deviceKey: PublicKey): string {
  return ['parley/device-cert/1', userId, deviceKey.alg, deviceKey.spki].join('\n');
}

export interface AuthProofFields {
  protocolVersion: number;
  /** The server's host as the client dialled it (`new URL(url).host`, e.g. `chat.example.org` or `127.0.0.1:7300`), lower case. */
  host: string;
  /** The Engine.IO session id of this connection (the server's fresh challenge). */
  sessionId: string;
  userId: string;
  deviceId: string;
}

export function authProofMessage(fields: AuthProofFields): string {
  return [
    `parley/auth/${fields.protocolVersion}`,
    fields.host.toLowerCase(),
    fields.sessionId,
    fields.userId,
    fields.deviceId,
  ].join('\n');
}

export interface DtlsFields {
  callId: string;
  fromDeviceId: string;
  toDeviceId: string;
  /** `dtlsFingerprints(sdp)` */
  fingerprints: readonly string[];
}

export function dtlsMessage(fields: DtlsFields): string {
  return ['parley/dtls/1', fields.callId, fields.fromDeviceId, fields.toDeviceId, fields.fingerprints.join(',')].join('\n');
}

/**
 * A caller's first offer (protocol.ts `firstOfferSchema`) is made before the call
 * exists: there is no callId yet, and no device of the callee to name. It binds
 * what there is: the caller's device, the callee's userId and the fingerprints.
 * Replaying it into another call gains a server nothing: the connection it sets up
 * completes only with the certificate's private key, which never left the caller
 * (every connection makes a fresh one).
 */
export interface FirstOfferFields {
  fromDeviceId: string;
  toUserId: string;
  fingerprints: readonly string[];
}

export function dtlsFirstOfferMessage(fields: FirstOfferFields): string {
  return ['parley/dtls-first-offer/1', fields.fromDeviceId, fields.toUserId, fields.fingerprints.join(',')].join('\n');
}

/**
 * The DTLS fingerprints an SDP announces (`a=fingerprint:` at session or media
 * level), normalised (hash name lower case, hex upper case), de-duplicated and
 * sorted, so the same certificates always give the same list.
 */
export function dtlsFingerprints(sdp: string): string[] {
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match) found.add(`${(match[1] as string).toLowerCase()} ${(match[2] as string).toUpperCase()}`);
  }
  return [...found].sort();
}

// ─── keys and signatures ───────────────────────────────────────────────────

/**
 * A WebCrypto key, typed by shape: this file compiles under both Node's and the
 * DOM's type libraries, whose CryptoKey types differ, so it names neither.
 */
export interface SigningKey {
  readonly type: string;
  readonly extractable: boolean;
}
export interface SigningKeyPair {
  publicKey: SigningKey;
  privateKey: SigningKey;
}
type NativeKey = Parameters<typeof crypto.subtle.sign>[1];

const signParams = (alg: KeyAlgorithm) => (alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' });
const importParams = (alg: KeyAlgorithm) => (alg === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' });

/**
 * A new key pair whose private key can never leave WebCrypto (`extractable:
 * false`): Ed25519, or ECDSA P-256 when this engine has no Ed25519.
 */
export async function generateKeyPair(prefer: KeyAlgorithm = 'Ed25519'): Promise<{ pair: SigningKeyPair; alg: KeyAlgorithm }> {
  const order: KeyAlgorithm[] = prefer === 'Ed25519' ? ['Ed25519', 'P-256'] : ['P-256'];
  let lastError: unknown;
  for (const alg of order) {
    try {
      const pair = (await crypto.subtle.generateKey(importParams(alg), false, ['sign', 'verify'])) as unknown as SigningKeyPair;
      return { pair, alg };
    } catch (err) {
      lastError = err; // this engine lacks the algorithm: try the next one
    }
  }
  throw new Error(`this engine can make no signing key: ${String(lastError)}`);
}

export async function exportPublicKey(key: SigningKey, alg: KeyAlgorithm): Promise<PublicKey> {
  return { alg, spki: toBase64url(new Uint8Array(await crypto.subtle.exportKey('spki', key as NativeKey))) };
}

export async function sign(privateKey: SigningKey, alg: KeyAlgorithm, message: string): Promise<string> {
  return toBase64url(new Uint8Array(await crypto.subtle.sign(signParams(alg), privateKey as NativeKey, utf8(message))));
}

/** False for a bad signature and for a key or signature that does not even parse. */
export async function verify(key: PublicKey, signature: string, message: string): Promise<boolean> {
  try {
    const publicKey = await crypto.subtle.importKey('spki', fromBase64url(key.spki), importParams(key.alg), false, ['verify']);
    return await crypto.subtle.verify(signParams(key.alg), publicKey, fromBase64url(signature), utf8(message));
  } catch {
    // A key or signature that does not parse is simply not a valid signature.
    return false;
  }
}

/**
 * The userId and deviceId a credential proves, or null when the certificate is
 * not the user key's signature over this device key.
 */
export async function checkCredential(credential: DeviceCredential): Promise<{ userId: string; deviceId: string } | null> {
  const [userId, deviceId] = await Promise.all([idOfKey(credential.userKey), idOfKey(credential.deviceKey)]);
  const ok = await verify(credential.userKey, credential.deviceCert, deviceCertMessage(userId, credential.deviceKey));
  return ok ? { userId, deviceId } : null;
}

export type DtlsCheck =
  | { ok: true }
  | { ok: false; reason: 'no_proof' | 'wrong_user' | 'wrong_device' | 'bad_certificate' | 'bad_signature' | 'no_fingerprint' };

/** Whom a description must come from and be meant for: in a call, or as a caller's first offer to a user. */
export type DtlsExpectation = { userId: string; fromDeviceId: string } & (
  | { toDeviceId: string; callId: string }
  | { firstOfferTo: string }
);

/**
 * Is this SDP really from `expect.userId`'s device `expect.fromDeviceId`, meant for
 * this device, in this call (or, for a first offer, for this user)? Checks the
 * certificate chain up to the userId (which is the user key's own id, so nobody
 * else can present it) and the signature over the SDP's fingerprints.
 */
export async function checkDtlsProof(proof: DtlsProof | undefined, sdp: string, expect: DtlsExpectation): Promise<DtlsCheck> {
  if (proof === undefined) return { ok: false, reason: 'no_proof' };
  const fingerprints = dtlsFingerprints(sdp);
  if (fingerprints.length === 0) return { ok: false, reason: 'no_fingerprint' };
  const ids = await checkCredential(proof);
  if (ids === null) return { ok: false, reason: 'bad_certificate' };
  if (ids.userId !== expect.userId) return { ok: false, reason: 'wrong_user' };
  if (ids.deviceId !== expect.fromDeviceId) return { ok: false, reason: 'wrong_device' };
  const { fromDeviceId } = expect;
  const message =
    'firstOfferTo' in expect
      ? dtlsFirstOfferMessage({ fromDeviceId, toUserId: expect.firstOfferTo, fingerprints })
      : dtlsMessage({ callId: expect.callId, fromDeviceId, toDeviceId: expect.toDeviceId, fingerprints });
  return (await verify(proof.deviceKey, proof.signature, message)) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

// ─── safety numbers ────────────────────────────────────────────────────────

const SAFETY_ITERATIONS = 1024;

async function safetyHalf(key: PublicKey): Promise<string> {
  const keyBytes = fromBase64url(key.spki);
  let hash: Uint8Array<ArrayBuffer> = new Uint8Array([...utf8('parley/safety/1\n'), ...keyBytes]);
  for (let i = 0; i < SAFETY_ITERATIONS; i += 1) {
    hash = new Uint8Array(await crypto.subtle.digest('SHA-512', new Uint8Array([...hash, ...keyBytes])));
  }
  // Six groups of five digits from six 5-byte chunks (each 40 bits mod 100000), as Signal does.
  const groups: string[] = [];
  for (let chunk = 0; chunk < 6; chunk += 1) {
    let value = 0;
    for (let i = 0; i < 5; i += 1) value = value * 256 + (hash[chunk * 5 + i] as number);
    groups.push(String(value % 100_000).padStart(5, '0'));
  }
  return groups.join(' ');
}

/**
 * The safety number of two users: 60 digits in twelve groups of five, the same on
 * both sides (the two halves are ordered by their digits). Two people read it to
 * each other, or compare it on screen, to know no key was swapped between them.
 */
export async function safetyNumber(a: PublicKey, b: PublicKey): Promise<string> {
  const halves = await Promise.all([safetyHalf(a), safetyHalf(b)]);
  return halves.sort().join(' ');
}
