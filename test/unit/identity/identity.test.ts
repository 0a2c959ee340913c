import { describe, expect, it } from 'vitest';
import {
  checkCredential,
  checkDtlsProof,
  dtlsFingerprints,
  fromBase64url,
  idOfKey,
  KEY_ID_LENGTH,
  safetyNumber,
  toBase64url,
} from '../../../signaling-server/identity';
import { userIdSchema } from '../../../signaling-server/protocol';
import { anotherDevice, dtlsProofFor, makeIdentity } from '../../support/testIdentity';

const SDP = [
  'v=0',
  'a=fingerprint:sha-256 ab:cd:EF:01',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=fingerprint:SHA-256 AB:CD:EF:01',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=fingerprint:sha-1 11:22',
].join('\r\n');

describe('identity', () => {
  it('round-trips base64url and refuses other text', () => {
    const bytes = new Uint8Array([0, 1, 250, 251, 252, 253, 254, 255]);
    expect(fromBase64url(toBase64url(bytes))).toEqual(bytes);
    expect(() => fromBase64url('a+b/')).toThrow();
  });

  it.each(['Ed25519', 'P-256'] as const)('derives valid ids and checks a %s certificate', async (alg) => {
    const id = await makeIdentity({ alg });
    expect(id.userId).toHaveLength(KEY_ID_LENGTH);
    expect(userIdSchema.safeParse(id.userId).success).toBe(true);
    expect(await idOfKey(id.credential.userKey)).toBe(id.userId);
    expect(await checkCredential(id.credential)).toEqual({ userId: id.userId, deviceId: id.deviceId });
    const other = await makeIdentity({ alg });
    // Someone else's user key with this device's certificate proves nothing.
    expect(await checkCredential({ ...id.credential, userKey: other.credential.userKey })).toBeNull();
    expect(await checkCredential({ ...id.credential, deviceKey: other.credential.deviceKey })).toBeNull();
  });

  it('normalises, de-duplicates and sorts DTLS fingerprints', () => {
    expect(dtlsFingerprints(SDP)).toEqual(['sha-1 11:22', 'sha-256 AB:CD:EF:01']);
  });

  it('accepts a DTLS proof only for the right user, device, peer, call and fingerprints', async () => {
    const alice = await makeIdentity();
    const mallory = await makeIdentity();
    const expect_ = { userId: alice.userId, fromDeviceId: alice.deviceId, toDeviceId: 'bob-device-1', callId: 'call-0001' };
    const proof = await dtlsProofFor(alice, SDP, { callId: 'call-0001', toDeviceId: 'bob-device-1' });
    expect(await checkDtlsProof(proof, SDP, expect_)).toEqual({ ok: true });
    expect(await checkDtlsProof(undefined, SDP, expect_)).toEqual({ ok: false, reason: 'no_proof' });
    const swapped = SDP.replace('ab:cd:EF:01', 'ab:cd:EF:02');
    expect(await checkDtlsProof(proof, swapped, expect_)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await checkDtlsProof(proof, SDP, { ...expect_, toDeviceId: 'carol-dev-1' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(await checkDtlsProof(proof, SDP, { ...expect_, callId: 'call-0002' })).toEqual({ ok: false, reason: 'bad_signature' });
    const forged = await dtlsProofFor(mallory, swapped, { callId: 'call-0001', toDeviceId: 'bob-device-1' });
    expect(await checkDtlsProof(forged, swapped, expect_)).toEqual({ ok: false, reason: 'wrong_user' });
    const sibling = await anotherDevice(alice);
    const fromSibling = await dtlsProofFor(sibling, SDP, { callId: 'call-0001', toDeviceId: 'bob-device-1' });
    expect(await checkDtlsProof(fromSibling, SDP, expect_)).toEqual({ ok: false, reason: 'wrong_device' });
    expect(await checkDtlsProof(proof, 'v=0\r\n', expect_)).toEqual({ ok: false, reason: 'no_fingerprint' });
  });

  it('gives both sides the same 60-digit safety number, different for another pair', async () => {
    const [a, b, c] = await Promise.all([makeIdentity(), makeIdentity({ alg: 'P-256' }), makeIdentity()]);
    const ab = await safetyNumber(a.credential.userKey, b.credential.userKey);
    expect(ab).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await safetyNumber(b.credential.userKey, a.credential.userKey)).toBe(ab);
    expect(await safetyNumber(a.credential.userKey, c.credential.userKey)).not.toBe(ab);
  });
});
