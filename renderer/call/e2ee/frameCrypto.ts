/**
 * One encoded media frame, encrypted end to end (issue 17.4). Runs in the E2EE
 * worker (frameWorker.ts) and in Node's tests; depends on WebCrypto alone.
 *
 * Frame on the wire:
 *
 *     [clear header: h bytes][AES-GCM ciphertext + 16-byte tag][IV: 12][key id: 1][h: 1]
 *
 * - The clear header is what the SFU (Janus) and the packetizers read: VP8 keeps its
 *   payload header in the clear — 10 bytes of a key frame (frame tag, start code,
 *   dimensions), 3 of a delta frame; Opus keeps none. It is authenticated (additional
 *   data), so changing it makes the frame fail.
 * - The IV is the sender's stream index (4 bytes, unique per protected sender on
 *   that device for the life of its key) and a 64-bit frame counter that only counts
 *   up: an IV is never used twice under one key. The key id says which of the
 *   sender's keys sealed the frame; the receiver holds the current and, briefly,
 *   the previous one (ReceiveKeys).
 * - A frame that does not open is dropped and counted, never played.
 */

export const IV_BYTES = 12;
export const TAG_BYTES = 16;
/** IV, key id, header length. */
export const TRAILER_BYTES = IV_BYTES + 2;
/** Most clear header bytes any codec keeps. */
export const MAX_CLEAR_BYTES = 10;

export type MediaKind = 'audio' | 'video';

/**
 * How many leading bytes of a frame stay in the clear: VP8 10 (key frame) / 3
 * (delta), audio none. Other video codecs are not used in SFU calls (they are VP8);
 * they keep none, which keeps them private but may hinder an SFU's key-frame logic.
 */
export function clearBytes(kind: MediaKind, mimeType: string | undefined, frameType: string | undefined, length: number): number {
  if (kind === 'audio') return 0;
  const codec = (mimeType ?? 'video/VP8').toLowerCase();
  if (codec !== 'video/vp8') return 0;
  return Math.min(length, frameType === 'key' ? 10 : 3);
}

export interface SendKey {
  id: number;
  key: CryptoKey;
}

/** The encrypting side of one protected sender (one stream): owns its IV counter. */
export class FrameEncryptor {
  private counter = 0n;

  constructor(readonly streamIndex: number) {
    if (!Number.isInteger(streamIndex) || streamIndex < 0 || streamIndex > 0xffffffff) throw new Error(`bad stream index ${streamIndex}`);
  }

  /** The next IV: stream index ‖ counter, big-endian. */
  nextIv(): Uint8Array<ArrayBuffer> {
    const iv = new Uint8Array(IV_BYTES);
    const view = new DataView(iv.buffer);
    view.setUint32(0, this.streamIndex);
    view.setBigUint64(4, this.counter);
    this.counter += 1n;
    return iv;
  }

  async encrypt(frame: ArrayBuffer, clear: number, key: SendKey): Promise<ArrayBuffer> {
    const bytes = new Uint8Array(frame);
    const h = Math.max(0, Math.min(clear, MAX_CLEAR_BYTES, bytes.length));
    const header = bytes.subarray(0, h);
    const iv = this.nextIv();
    const tail = new Uint8Array([key.id & 0xff, h]);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(header, tail) }, key.key, bytes.subarray(h)),
    );
    const out = new Uint8Array(h + sealed.length + TRAILER_BYTES);
    out.set(header, 0);
    out.set(sealed, h);
    out.set(iv, h + sealed.length);
    out.set(tail, h + sealed.length + IV_BYTES);
    return out.buffer;
  }
}

function aad(header: Uint8Array, tail: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(header.length + tail.length);
  out.set(header, 0);
  out.set(tail, header.length);
  return out;
}

export type DecryptResult = { ok: true; data: ArrayBuffer; keyId: number } | { ok: false; reason: 'malformed' | 'no_key' | 'bad' };

/** Reads a frame's key id without decrypting (null when it is too short to be ours). */
export function frameKeyId(frame: ArrayBuffer): number | null {
  const bytes = new Uint8Array(frame);
  if (bytes.length < TAG_BYTES + TRAILER_BYTES) return null;
  return bytes[bytes.length - 2] as number;
}

export async function decryptFrame(frame: ArrayBuffer, keyFor: (keyId: number) => CryptoKey | null): Promise<DecryptResult> {
  const bytes = new Uint8Array(frame);
  if (bytes.length < TAG_BYTES + TRAILER_BYTES) return { ok: false, reason: 'malformed' };
  const h = bytes[bytes.length - 1] as number;
  const keyId = bytes[bytes.length - 2] as number;
  if (h > MAX_CLEAR_BYTES || h + TAG_BYTES + TRAILER_BYTES > bytes.length) return { ok: false, reason: 'malformed' };
  const key = keyFor(keyId);
  if (key === null) return { ok: false, reason: 'no_key' };
  const ivStart = bytes.length - TRAILER_BYTES;
  const header = bytes.subarray(0, h);
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: bytes.slice(ivStart, ivStart + IV_BYTES), additionalData: aad(header, bytes.subarray(ivStart + IV_BYTES)) },
        key,
        bytes.subarray(h, ivStart),
      ),
    );
    const out = new Uint8Array(h + plain.length);
    out.set(header, 0);
    out.set(plain, h);
    return { ok: true, data: out.buffer, keyId };
  } catch {
    // AES-GCM refused the frame (wrong key, altered bytes): the caller counts it.
    return { ok: false, reason: 'bad' };
  }
}

interface HeldKey {
  key: CryptoKey;
  /** null: current; else the time after which it is refused. */
  expiresAt: number | null;
}

/**
 * The keys this device holds for the senders it receives: per sender device, the
 * current key and, for `graceMs` after a newer one arrived, the ones before it
 * (frames sealed just before the sender switched are still in flight).
 */
export class ReceiveKeys {
  private readonly bySender = new Map<string, Map<number, HeldKey>>();

  constructor(
    private readonly graceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  install(deviceId: string, keyId: number, key: CryptoKey): void {
    const t = this.now();
    let held = this.bySender.get(deviceId);
    if (!held) {
      held = new Map();
      this.bySender.set(deviceId, held);
    }
    for (const [id, entry] of held) {
      if (id !== keyId) entry.expiresAt = Math.min(entry.expiresAt ?? Infinity, t + this.graceMs);
    }
    held.set(keyId, { key, expiresAt: null });
  }

  forget(deviceId: string): void {
    this.bySender.delete(deviceId);
  }

  lookup(deviceId: string, keyId: number): CryptoKey | null {
    const held = this.bySender.get(deviceId);
    const entry = held?.get(keyId);
    if (!held || !entry) return null;
    if (entry.expiresAt !== null && this.now() > entry.expiresAt) {
      held.delete(keyId);
      return null;
    }
    return entry.key;
  }

  has(deviceId: string): boolean {
    return (this.bySender.get(deviceId)?.size ?? 0) > 0;
  }
}

/** What a worker counts and reports (never one log line per frame). */
export interface FrameCounts {
  encrypted: number;
  /** Frames a sender dropped because it had no key yet (never sent in the clear). */
  unsentNoKey: number;
  decrypted: number;
  /** Frames dropped: no key for their sender and key id. */
  failedNoKey: number;
  /** Frames dropped: AES-GCM refused them, or they were not in our format. */
  failedBad: number;
  /**
   * Frames each protected sender's transform has seen (sealed, held back for want of a
   * key, or empty), by the sender's stream index: a sender whose encoder counts frames
   * its transform never saw is sending them unsealed (FrameTransforms.unsealedSenders).
   */
  seenByStream: Record<number, number>;
  /**
   * Frames each protected receiver's transform has seen (before opening them), by the
   * receiver index the page gave it: a receiver whose decoder counts frames its
   * transform never saw is getting them still sealed (FrameTransforms.unopenedReceivers).
   */
  seenByReceiver: Record<number, number>;
}

export const emptyCounts = (): FrameCounts => ({ encrypted: 0, unsentNoKey: 0, decrypted: 0, failedNoKey: 0, failedBad: 0, seenByStream: {}, seenByReceiver: {} });
