/** Frame sealing for SFU end-to-end encryption (renderer/call/e2ee/frameCrypto.ts). */
import { describe, expect, it } from 'vitest';
import { importMediaKey, newRawMediaKey } from '../../../renderer/call/e2ee/callKeys';
import { clearBytes, decryptFrame, frameKeyId, FrameEncryptor, ReceiveKeys, TAG_BYTES, TRAILER_BYTES } from '../../../renderer/call/e2ee/frameCrypto';

const key = async () => importMediaKey(newRawMediaKey());
const frame = (length: number): ArrayBuffer => Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff).buffer;

describe('clear header bytes per codec', () => {
  it('VP8 keeps 10 bytes of a key frame and 3 of a delta frame; audio none', () => {
    expect(clearBytes('video', 'video/VP8', 'key', 1000)).toBe(10);
    expect(clearBytes('video', 'video/VP8', 'delta', 1000)).toBe(3);
    expect(clearBytes('video', undefined, 'delta', 1000)).toBe(3);
    expect(clearBytes('video', 'video/VP8', 'key', 4)).toBe(4);
    expect(clearBytes('audio', 'audio/opus', undefined, 100)).toBe(0);
    expect(clearBytes('video', 'video/AV1', 'key', 100)).toBe(0);
  });
});

describe('sealing and opening frames', () => {
  it('round-trips, keeps the header bytes readable and hides the rest', async () => {
    const k = await key();
    const plain = frame(200);
    const sealed = await new FrameEncryptor(1).encrypt(plain, 10, { id: 42, key: k });
    const bytes = new Uint8Array(sealed);
    expect(bytes.length).toBe(200 + TAG_BYTES + TRAILER_BYTES);
    expect([...bytes.subarray(0, 10)]).toEqual([...new Uint8Array(plain).subarray(0, 10)]);
    expect([...bytes.subarray(10, 200)]).not.toEqual([...new Uint8Array(plain).subarray(10, 200)]);
    expect(frameKeyId(sealed)).toBe(42);
    const opened = await decryptFrame(sealed, (id) => (id === 42 ? k : null));
    expect(opened.ok).toBe(true);
    if (opened.ok) expect([...new Uint8Array(opened.data)]).toEqual([...new Uint8Array(plain)]);
  });

  it('an altered header, ciphertext or trailer, a wrong key or an unknown key id fail and say why', async () => {
    const k = await key();
    const sealed = new Uint8Array(await new FrameEncryptor(0).encrypt(frame(64), 3, { id: 1, key: k }));
    const altered = (index: number): ArrayBuffer => {
      const copy = sealed.slice();
      copy[index] = (copy[index] as number) ^ 1;
      return copy.buffer;
    };
    expect(await decryptFrame(altered(0), () => k)).toEqual({ ok: false, reason: 'bad' });
    expect(await decryptFrame(altered(20), () => k)).toEqual({ ok: false, reason: 'bad' });
    expect(await decryptFrame(altered(sealed.length - 5), () => k)).toEqual({ ok: false, reason: 'bad' });
    expect(await decryptFrame(sealed.slice().buffer, () => null)).toEqual({ ok: false, reason: 'no_key' });
    expect(await decryptFrame(sealed.slice().buffer, () => k)).toMatchObject({ ok: true });
    const other = await key();
    expect(await decryptFrame(sealed.slice().buffer, () => other)).toEqual({ ok: false, reason: 'bad' });
    expect(await decryptFrame(new Uint8Array(10).buffer, () => k)).toEqual({ ok: false, reason: 'malformed' });
    // A plain (unencrypted) frame is not ours: it never plays.
    expect((await decryptFrame(frame(300), () => k)).ok).toBe(false);
  });

  it('never repeats an IV: a counter per stream, a stream index per sender', async () => {
    const k = await key();
    const seen = new Set<string>();
    const streams = [new FrameEncryptor(0), new FrameEncryptor(1), new FrameEncryptor(2)];
    for (let i = 0; i < 500; i += 1) {
      for (const s of streams) {
        const sealed = new Uint8Array(await s.encrypt(frame(20), 3, { id: 0, key: k }));
        const iv = Buffer.from(sealed.subarray(sealed.length - TRAILER_BYTES, sealed.length - 2)).toString('hex');
        expect(seen.has(iv)).toBe(false);
        seen.add(iv);
      }
    }
    expect(seen.size).toBe(1500);
    expect(() => new FrameEncryptor(-1)).toThrow();
  });
});

describe('rotation: the previous key opens frames briefly, then is refused', () => {
  it('keeps the old key for the grace period after the new one came, and not after', async () => {
    let now = 1_000;
    const ring = new ReceiveKeys(5_000, () => now);
    const oldKey = await key();
    const newKey = await key();
    ring.install('dev-a', 0, oldKey);
    const sealedOld = await new FrameEncryptor(0).encrypt(frame(50), 3, { id: 0, key: oldKey });
    expect((await decryptFrame(sealedOld, (id) => ring.lookup('dev-a', id))).ok).toBe(true);
    ring.install('dev-a', 1, newKey);
    now += 4_000;
    expect((await decryptFrame(sealedOld, (id) => ring.lookup('dev-a', id))).ok).toBe(true);
    now += 1_500;
    expect(await decryptFrame(sealedOld, (id) => ring.lookup('dev-a', id))).toEqual({ ok: false, reason: 'no_key' });
    const sealedNew = await new FrameEncryptor(0).encrypt(frame(50), 3, { id: 1, key: newKey });
    expect((await decryptFrame(sealedNew, (id) => ring.lookup('dev-a', id))).ok).toBe(true);
    // Another sender's keys are its own: dev-b's frames never open with dev-a's key.
    expect(ring.lookup('dev-b', 1)).toBeNull();
    ring.forget('dev-a');
    expect(ring.lookup('dev-a', 1)).toBeNull();
  });
});
