/**
 * Real identities for the benchmarks' many clients, made before any timed phase
 * and handed to the load processes over IPC.
 *
 * The keys, certificates and proofs are the ones signaling-server/identity.ts
 * defines (Ed25519, the same messages, the same ids; benchParts.test.ts checks
 * them with identity.ts itself), so the server checks each handshake in full and
 * cannot tell these clients from the app. They are made with node:crypto's
 * synchronous calls instead of WebCrypto: on this machine's OpenSSL 3 a WebCrypto
 * key costs 0.5–2 ms to make or import, node:crypto's Ed25519 key about 0.15 ms
 * to make and, as a JWK, as little to import, which keeps ten thousand clients'
 * setup to a couple of seconds outside every measurement. The private key crosses
 * to the load process as a JWK (it is a benchmark's key: the app's never leave
 * WebCrypto).
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import { authProofMessage, deviceCertMessage, deviceCredentialSchema, KEY_ID_LENGTH, type DeviceCredential, type PublicKey } from '../../signaling-server/identity';
import { PROTOCOL_VERSION, type StrangerCalls } from '../../signaling-server/protocol';

/** An Ed25519 SubjectPublicKeyInfo is this DER header and the 32-byte key. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/, 'base64url text');

/** An Ed25519 private key as a JWK: `d` the seed, `x` the public key. */
export const ed25519JwkSchema = z.strictObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), d: base64url, x: base64url });
export type Ed25519Jwk = z.infer<typeof ed25519JwkSchema>;

/** A device identity that can cross a process boundary: its ids, its credential and its private key. */
export const portableDeviceSchema = z.strictObject({
  userId: z.string(),
  deviceId: z.string(),
  credential: deviceCredentialSchema,
  privateKey: ed25519JwkSchema,
});
export type PortableDevice = z.infer<typeof portableDeviceSchema>;

interface KeyPair {
  publicKey: PublicKey;
  id: string;
  privateKey: KeyObject;
  jwk: Ed25519Jwk;
}

/** identity.ts's idOfKey, synchronously: the first 132 bits of SHA-256 over the SPKI bytes, base64url. */
function idOfSpki(spki: Buffer): string {
  return createHash('sha256').update(spki).digest('base64url').slice(0, KEY_ID_LENGTH);
}

/**
 * The key-generation job encodes the JWK itself, and the KeyObject that signs is
 * imported from that JWK. Never `generateKeyPairSync('ed25519').privateKey.export()`:
 * on Node 20 that deadlocks now and then. The export holds the key's mutex while it
 * allocates the JWK's strings; a garbage collection there may finalize the
 * (already unreachable) generation job of that same key, whose config destructor
 * (~KeyPairGenConfig, src/crypto/crypto_keygen.h) locks the same non-recursive mutex.
 * The main thread then waits on itself forever, no timer can fire, and the
 * benchmark stalled silently (seen with gdb: ExportJWKEdKey → GC → ~KeyGenJob →
 * uv_mutex_lock on a mutex whose owner is the main thread; a loop of the old two
 * lines froze after 2,000–108,000 keys, this one made 200,000).
 */
function newKeyPair(): KeyPair {
  const generated = generateKeyPairSync('ed25519', { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } });
  const jwk = ed25519JwkSchema.parse(generated.privateKey);
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const spki = Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(jwk.x, 'base64url')]);
  return { publicKey: { alg: 'Ed25519', spki: spki.toString('base64url') }, id: idOfSpki(spki), privateKey, jwk };
}

const signText = (key: KeyObject, message: string): string => sign(null, Buffer.from(message, 'utf8'), key).toString('base64url');

export interface BenchUser {
  userId: string;
  userKey: PublicKey;
  privateKey: KeyObject;
}

/** A new user key; it stays in this process, where it certifies the user's devices. */
export function makeBenchUser(): BenchUser {
  const pair = newKeyPair();
  return { userId: pair.id, userKey: pair.publicKey, privateKey: pair.privateKey };
}

/** A new device of `user`, certified by its user key, ready to be sent to the process that connects it. */
export function makeBenchDevice(user: BenchUser): PortableDevice {
  const pair = newKeyPair();
  return {
    userId: user.userId,
    deviceId: pair.id,
    credential: { userKey: user.userKey, deviceKey: pair.publicKey, deviceCert: signText(user.privateKey, deviceCertMessage(user.userId, pair.publicKey)) },
    privateKey: pair.jwk,
  };
}

/** A device ready to sign in: its credential and its private key, imported. */
export interface SigningDevice {
  userId: string;
  deviceId: string;
  credential: DeviceCredential;
  privateKey: KeyObject;
}

export function importDevice(device: PortableDevice): SigningDevice {
  const privateKey = createPrivateKey({ key: device.privateKey, format: 'jwk' });
  return { userId: device.userId, deviceId: device.deviceId, credential: device.credential, privateKey };
}

/** The device key's proof for one connection (identity.ts authProofMessage): `host` as dialled, `sessionId` the Engine.IO id. */
export function proveConnection(device: SigningDevice, host: string, sessionId: string): string {
  return signText(
    device.privateKey,
    authProofMessage({ protocolVersion: PROTOCOL_VERSION, host, sessionId, userId: device.userId, deviceId: device.deviceId }),
  );
}

export interface SignIn {
  displayName: string;
  password?: string;
  contacts: readonly string[];
  strangerCalls: StrangerCalls;
}

/** The handshake (socket.io `auth`) of `device` for one connection. */
export function handshakeFor(device: SigningDevice, host: string, sessionId: string, how: SignIn): Record<string, unknown> {
  return {
    protocolVersion: PROTOCOL_VERSION,
    credential: device.credential,
    proof: proveConnection(device, host, sessionId),
    displayName: how.displayName,
    ...(how.password === undefined ? {} : { password: how.password }),
    contacts: [...how.contacts],
    strangerCalls: how.strangerCalls,
  };
}

/**
 * Sets `socket.auth` to sign each connection's fresh Engine.IO id, as the app does
 * (test/support/testIdentity.ts's authenticate, for a SigningDevice); call before
 * the socket connects.
 */
export function signIn(socket: Socket, url: string, device: SigningDevice, how: SignIn): void {
  const host = new URL(url).host;
  socket.auth = (cb: (data: object) => void) => cb(handshakeFor(device, host, socket.io.engine.id, how));
}
