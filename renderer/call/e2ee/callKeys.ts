/**
 * Key agreement for end-to-end encrypted SFU calls (issue 17.4), on WebCrypto alone
 * (Chromium, Firefox, Electron and Node's test runs build the very same bytes).
 *
 * - Each device makes a *call key*: an ECDH P-256 pair for this call only (P-256:
 *   every engine Parley runs on has it). The private half is non-extractable.
 * - It announces the public half with its device key's signature over
 *   `e2eeKeyMessage(callId, deviceId, spki)` and its device certificate. The
 *   receiver checks the chain up to the member's userId (checkCallKey), as
 *   sessionPool checks DTLS proofs, so the server can neither swap a key in nor
 *   replay a key from another call or device.
 * - Each device's *media key* (random AES-GCM 256, one per sender, with a key id)
 *   travels to every other member device wrapped for it: ECDH(own call key, its call
 *   key) → HKDF-SHA-256 (salt: the call id; info: both devices and both keys, in
 *   sender → recipient order) → AES-GCM-256, random IV, the key id and both ends as
 *   additional data. Only the two devices can derive that key; the recipient knows
 *   the sender made the wrapping because it did not make it itself.
 */
import { checkCredential, fromBase64url, toBase64url, type DtlsProof } from '../../../signaling-server/identity';
import { e2eeKeyMessage } from '../../identity/e2eeKey';
import { verify } from '../../../signaling-server/identity';

const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** The raw length of a media key: AES-256. */
export const MEDIA_KEY_BYTES = 32;
/** Key ids are one byte in each frame's trailer; they count up and wrap. */
export const KEY_ID_MODULUS = 256;

export interface CallKey {
  /** Public half, SPKI base64url (what is announced). */
  readonly spki: string;
  readonly privateKey: CryptoKey;
}

export async function makeCallKey(): Promise<CallKey> {
  const pair = await crypto.subtle.generateKey(ECDH, false, ['deriveBits']);
  const spki = toBase64url(new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey)));
  return { spki, privateKey: pair.privateKey };
}

export type CallKeyCheck =
  | { ok: true; publicKey: CryptoKey }
  | { ok: false; reason: 'bad_certificate' | 'wrong_user' | 'wrong_device' | 'bad_signature' | 'bad_key' };

/**
 * Is `spki` really the call key of `expect.userId`'s device `expect.deviceId` for
 * `expect.callId`? The certificate chain up to the userId, the device key's
 * signature over the key bound to this call and device, and a key that parses.
 */
export async function checkCallKey(
  spki: string,
  proof: DtlsProof,
  expect: { callId: string; userId: string; deviceId: string },
): Promise<CallKeyCheck> {
  const ids = await checkCredential(proof);
  if (ids === null) return { ok: false, reason: 'bad_certificate' };
  if (ids.userId !== expect.userId) return { ok: false, reason: 'wrong_user' };
  if (ids.deviceId !== expect.deviceId) return { ok: false, reason: 'wrong_device' };
  const message = e2eeKeyMessage({ callId: expect.callId, deviceId: expect.deviceId, spki });
  if (!(await verify(proof.deviceKey, proof.signature, message))) return { ok: false, reason: 'bad_signature' };
  try {
    const publicKey = await crypto.subtle.importKey('spki', fromBase64url(spki), ECDH, true, []);
    return { ok: true, publicKey };
  } catch {
    // A signed key that is not a P-256 point: refused like a bad signature, said as such.
    return { ok: false, reason: 'bad_key' };
  }
}

export interface PairEnds {
  callId: string;
  fromDeviceId: string;
  fromSpki: string;
  toDeviceId: string;
  toSpki: string;
}

/**
 * The AES-GCM key that wraps media keys from `fromDeviceId` to `toDeviceId`. Both
 * sides derive the same one: the sender from its private key and the recipient's
 * public key, the recipient the other way round.
 */
export function pairWrappingKey(own: CallKey, theirPublic: CryptoKey, ends: PairEnds): Promise<CryptoKey> {
  return pairKey(own, theirPublic, ends, 'parley/e2ee-wrap/1');
}

/**
 * The AES-GCM key that seals file-transfer messages from `fromDeviceId` to
 * `toDeviceId` in an SFU call (sfu/sfuFileChannel.ts): the same agreement as the
 * wrapping key under a distinct HKDF label, so it is independent of it.
 */
export function pairFileKey(own: CallKey, theirPublic: CryptoKey, ends: PairEnds): Promise<CryptoKey> {
  return pairKey(own, theirPublic, ends, 'parley/e2ee-file/1');
}

async function pairKey(own: CallKey, theirPublic: CryptoKey, ends: PairEnds, label: string): Promise<CryptoKey> {
  const secret = await crypto.subtle.deriveBits({ name: 'ECDH', public: theirPublic }, own.privateKey, 256);
  const hkdf = await crypto.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  const info = [label, ends.fromDeviceId, ends.toDeviceId, ends.fromSpki, ends.toSpki].join('\n');
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: utf8(ends.callId), info: utf8(info) },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

const wrapAad = (ends: PairEnds, keyId: number): Uint8Array<ArrayBuffer> =>
  utf8(['parley/e2ee-media-key/1', ends.callId, ends.fromDeviceId, ends.toDeviceId, String(keyId)].join('\n'));

export interface WrappedKey {
  keyId: number;
  /** 12 bytes, base64url. */
  iv: string;
  /** The media key under the pair's wrapping key (32 + 16 bytes), base64url. */
  wrapped: string;
}

export async function wrapMediaKey(wrappingKey: CryptoKey, ends: PairEnds, keyId: number, raw: Uint8Array<ArrayBuffer>): Promise<WrappedKey> {
  if (raw.byteLength !== MEDIA_KEY_BYTES) throw new Error(`a media key is ${MEDIA_KEY_BYTES} bytes, not ${raw.byteLength}`);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: wrapAad(ends, keyId) }, wrappingKey, raw);
  return { keyId, iv: toBase64url(iv), wrapped: toBase64url(new Uint8Array(sealed)) };
}

/**
 * The media key `ends.fromDeviceId` wrapped for this device, as a non-extractable
 * AES-GCM key; null when it does not open (not for us, altered, another call or key id).
 */
export async function unwrapMediaKey(wrappingKey: CryptoKey, ends: PairEnds, message: WrappedKey): Promise<CryptoKey | null> {
  try {
    const raw = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64url(message.iv), additionalData: wrapAad(ends, message.keyId) },
      wrappingKey,
      fromBase64url(message.wrapped),
    );
    if (raw.byteLength !== MEDIA_KEY_BYTES) return null;
    return await importMediaKey(new Uint8Array(raw));
  } catch {
    // An AES-GCM failure is the answer "not ours / altered": the caller counts and logs it.
    return null;
  }
}

export function newRawMediaKey(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(MEDIA_KEY_BYTES));
}

export function importMediaKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}
