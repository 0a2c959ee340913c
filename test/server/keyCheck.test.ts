/**
 * The server checks keys with node:crypto (keyCheck.ts), the apps with WebCrypto
 * (identity.ts): both must take and refuse exactly the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { checkCredential, idOfKey, verify, type PublicKey } from '../../signaling-server/identity';
import { checkCredentialSync, keyId, verifySignature } from '../../signaling-server/keyCheck';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { makeIdentity, proveFor } from '../support/testIdentity';

describe('keyCheck (node:crypto) agrees with identity.ts (WebCrypto)', () => {
  it.each(['Ed25519', 'P-256'] as const)('for %s keys: ids, certificates and proofs', async (alg) => {
    const [id, other] = await Promise.all([makeIdentity({ alg }), makeIdentity({ alg })]);
    expect(keyId(id.credential.userKey)).toBe(await idOfKey(id.credential.userKey));
    expect(keyId(id.credential.deviceKey)).toBe(id.deviceId);
    expect(checkCredentialSync(id.credential)).toEqual(await checkCredential(id.credential));
    const foreign = { ...id.credential, userKey: other.credential.userKey };
    expect(checkCredentialSync(foreign)).toBeNull();
    expect(await checkCredential(foreign)).toBeNull();

    const proof = await proveFor(id, '127.0.0.1:7300', 'session-A');
    const message = (sid: string) => `parley/auth/${PROTOCOL_VERSION}\n127.0.0.1:7300\n${sid}\n${id.userId}\n${id.deviceId}`;
    for (const [sig, text, expected] of [
      [proof, message('session-A'), true],
      [proof, message('session-B'), false],
      [proof.slice(0, -2), message('session-A'), false],
      ['AAAA', message('session-A'), false],
    ] as const) {
      expect(verifySignature(id.credential.deviceKey, sig, text)).toBe(expected);
      expect(await verify(id.credential.deviceKey, sig, text)).toBe(expected);
    }
  });

  it('refuses keys that are not what they claim to be, or not keys at all', async () => {
    const [ed, p256] = await Promise.all([makeIdentity({ alg: 'Ed25519' }), makeIdentity({ alg: 'P-256' })]);
    const edAsP256: PublicKey = { alg: 'P-256', spki: ed.credential.deviceKey.spki };
    const p256AsEd: PublicKey = { alg: 'Ed25519', spki: p256.credential.deviceKey.spki };
    const junk: PublicKey = { alg: 'Ed25519', spki: 'AAAAAAAA' };
    const sig = await proveFor(ed, 'h', 's');
    for (const key of [edAsP256, p256AsEd, junk]) {
      expect(verifySignature(key, sig, 'anything')).toBe(false);
      expect(await verify(key, sig, 'anything')).toBe(false);
    }
  });
});
