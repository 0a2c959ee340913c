/**
 * keyCheck.ts remembers credentials it verified and keys it parsed (a reconnect
 * then costs one signature check): an answer from memory must be the answer the
 * check gives, for the same bytes and for any change to them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { checkCredentialSync, forgetCheckedKeys, verifySignature } from '../../signaling-server/keyCheck';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { makeIdentity, proveFor } from '../support/testIdentity';

afterEach(forgetCheckedKeys);

describe('keyCheck remembers only what verified, by its exact bytes', () => {
  it.each(['Ed25519', 'P-256'] as const)('for %s: a remembered credential still refuses a changed certificate or key, and proofs are checked every time', async (alg) => {
    const [id, other] = await Promise.all([makeIdentity({ alg }), makeIdentity({ alg })]);
    const first = checkCredentialSync(id.credential);
    expect(first).toEqual({ userId: id.userId, deviceId: id.deviceId });
    // From memory now: the same answer, and a copy (the caller may not change what is kept).
    const again = checkCredentialSync(id.credential);
    expect(again).toEqual(first);
    expect(again).not.toBe(first);

    expect(checkCredentialSync({ ...id.credential, deviceCert: other.credential.deviceCert })).toBeNull();
    expect(checkCredentialSync({ ...id.credential, userKey: other.credential.userKey })).toBeNull();
    expect(checkCredentialSync({ ...id.credential, deviceKey: other.credential.deviceKey })).toBeNull();
    // A refusal is not remembered as anything: the good credential still passes, the bad still fails.
    expect(checkCredentialSync(id.credential)).toEqual(first);
    expect(checkCredentialSync({ ...id.credential, deviceCert: other.credential.deviceCert })).toBeNull();

    const proof = await proveFor(id, 'h:1', 'session-A');
    const message = (sid: string): string => `parley/auth/${PROTOCOL_VERSION}\nh:1\n${sid}\n${id.userId}\n${id.deviceId}`;
    expect(verifySignature(id.credential.deviceKey, proof, message('session-A'))).toBe(true);
    expect(verifySignature(id.credential.deviceKey, proof, message('session-B'))).toBe(false);
    expect(verifySignature(id.credential.deviceKey, proof, message('session-A'))).toBe(true);
  });
});
