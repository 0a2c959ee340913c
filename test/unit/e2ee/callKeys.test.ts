/** Key agreement for SFU end-to-end encryption (renderer/call/e2ee/callKeys.ts), on Node's WebCrypto. */
import { describe, expect, it } from 'vitest';
import {
  checkCallKey,
  importMediaKey,
  makeCallKey,
  MEDIA_KEY_BYTES,
  newRawMediaKey,
  pairWrappingKey,
  unwrapMediaKey,
  wrapMediaKey,
  type PairEnds,
} from '../../../renderer/call/e2ee/callKeys';
import { decryptFrame, FrameEncryptor } from '../../../renderer/call/e2ee/frameCrypto';
import { makeIdentity } from '../../support/testIdentity';
import { deviceIdentityOf, newDeviceIdentity } from '../../support/rendererIdentity';

const CALL = 'call-e2ee-1';

async function device() {
  const { identity, test } = await newDeviceIdentity();
  const callKey = await makeCallKey();
  return { identity, test, callKey };
}

async function imported(spki: string, proof: Parameters<typeof checkCallKey>[1], expect: Parameters<typeof checkCallKey>[2]) {
  const check = await checkCallKey(spki, proof, expect);
  if (!check.ok) throw new Error(`refused: ${check.reason}`);
  return check.publicKey;
}

describe('call keys: signed by the device key, checked up to the member', () => {
  it('a call key signed by its device for this call is accepted', async () => {
    const a = await device();
    const proof = await a.identity.signE2eeKey({ callId: CALL, spki: a.callKey.spki });
    const check = await checkCallKey(a.callKey.spki, proof, { callId: CALL, userId: a.identity.userId, deviceId: a.identity.deviceId });
    expect(check.ok).toBe(true);
  });

  it('refuses a key signed for another call', async () => {
    const a = await device();
    const proof = await a.identity.signE2eeKey({ callId: 'another-call', spki: a.callKey.spki });
    const check = await checkCallKey(a.callKey.spki, proof, { callId: CALL, userId: a.identity.userId, deviceId: a.identity.deviceId });
    expect(check).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a key signed by another device, even one of the same user', async () => {
    const a = await device();
    const sibling = deviceIdentityOf(await makeIdentity({ user: a.test.user }));
    // The sibling signs a's key: its chain is valid, but it is not a's device.
    const proof = await sibling.signE2eeKey({ callId: CALL, spki: a.callKey.spki });
    const check = await checkCallKey(a.callKey.spki, proof, { callId: CALL, userId: a.identity.userId, deviceId: a.identity.deviceId });
    expect(check).toEqual({ ok: false, reason: 'wrong_device' });
    // The sibling's signature under a's own credential does not verify either.
    const forged = { ...a.identity.credential, signature: proof.signature };
    expect(await checkCallKey(a.callKey.spki, forged, { callId: CALL, userId: a.identity.userId, deviceId: a.identity.deviceId })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a key from another user and a key swapped under a valid proof', async () => {
    const a = await device();
    const mallory = await device();
    const proof = await mallory.identity.signE2eeKey({ callId: CALL, spki: mallory.callKey.spki });
    expect(await checkCallKey(mallory.callKey.spki, proof, { callId: CALL, userId: a.identity.userId, deviceId: mallory.identity.deviceId })).toEqual({
      ok: false,
      reason: 'wrong_user',
    });
    const aProof = await a.identity.signE2eeKey({ callId: CALL, spki: a.callKey.spki });
    // The server swaps mallory's key in under a's proof.
    expect(await checkCallKey(mallory.callKey.spki, aProof, { callId: CALL, userId: a.identity.userId, deviceId: a.identity.deviceId })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });
});

describe('media keys wrapped for one device', () => {
  async function pair() {
    const a = await device();
    const b = await device();
    const aPublic = await imported(a.callKey.spki, await a.identity.signE2eeKey({ callId: CALL, spki: a.callKey.spki }), {
      callId: CALL,
      userId: a.identity.userId,
      deviceId: a.identity.deviceId,
    });
    const bPublic = await imported(b.callKey.spki, await b.identity.signE2eeKey({ callId: CALL, spki: b.callKey.spki }), {
      callId: CALL,
      userId: b.identity.userId,
      deviceId: b.identity.deviceId,
    });
    const ends: PairEnds = { callId: CALL, fromDeviceId: a.identity.deviceId, fromSpki: a.callKey.spki, toDeviceId: b.identity.deviceId, toSpki: b.callKey.spki };
    return { a, b, aPublic, bPublic, ends };
  }

  it('the recipient unwraps exactly the key the sender wrapped, and frames sealed with it open', async () => {
    const { a, b, aPublic, bPublic, ends } = await pair();
    const raw = newRawMediaKey();
    expect(raw.byteLength).toBe(MEDIA_KEY_BYTES);
    const wrapped = await wrapMediaKey(await pairWrappingKey(a.callKey, bPublic, ends), ends, 7, raw);
    const opened = await unwrapMediaKey(await pairWrappingKey(b.callKey, aPublic, ends), ends, wrapped);
    expect(opened).not.toBeNull();
    const sealed = await new FrameEncryptor(0).encrypt(new Uint8Array([1, 2, 3, 4, 5]).buffer, 0, { id: 7, key: await importMediaKey(raw) });
    const result = await decryptFrame(sealed, (id) => (id === 7 ? opened : null));
    expect(result.ok && [...new Uint8Array(result.data)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('a third device, another call, another key id or altered bytes do not unwrap it', async () => {
    const { a, b, aPublic, bPublic, ends } = await pair();
    const wrapped = await wrapMediaKey(await pairWrappingKey(a.callKey, bPublic, ends), ends, 3, newRawMediaKey());
    const c = await device();
    // c derives with a's public key and its own call key: not the pair's secret.
    expect(await unwrapMediaKey(await pairWrappingKey(c.callKey, aPublic, ends), ends, wrapped)).toBeNull();
    const bKey = await pairWrappingKey(b.callKey, aPublic, ends);
    expect(await unwrapMediaKey(bKey, { ...ends, callId: 'other' }, wrapped)).toBeNull();
    expect(await unwrapMediaKey(await pairWrappingKey(b.callKey, aPublic, { ...ends, callId: 'other' }), { ...ends, callId: 'other' }, wrapped)).toBeNull();
    expect(await unwrapMediaKey(bKey, ends, { ...wrapped, keyId: 4 })).toBeNull();
    const flipped = wrapped.wrapped.startsWith('A') ? `B${wrapped.wrapped.slice(1)}` : `A${wrapped.wrapped.slice(1)}`;
    expect(await unwrapMediaKey(bKey, ends, { ...wrapped, wrapped: flipped })).toBeNull();
    expect(await unwrapMediaKey(bKey, ends, wrapped)).not.toBeNull();
  });

  it('refuses to wrap a key of the wrong size', async () => {
    const { a, bPublic, ends } = await pair();
    await expect(wrapMediaKey(await pairWrappingKey(a.callKey, bPublic, ends), ends, 0, new Uint8Array(16))).rejects.toThrow(/32 bytes/);
  });
});
