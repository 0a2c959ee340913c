/**
 * keyCheck.ts imports an Ed25519 key in its canonical SPKI form from the raw key
 * bytes (ten times cheaper than OpenSSL's DER decoder); every other form takes the
 * DER path. Both must answer as WebCrypto (identity.ts) does, for good keys and
 * for bytes that only look like one.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { verify, type PublicKey } from '../../signaling-server/identity';
import { forgetCheckedKeys, verifySignature } from '../../signaling-server/keyCheck';

afterEach(forgetCheckedKeys);

const spkiOf = (type: 'ed25519' | 'x25519'): { spki: Buffer; privateKey: ReturnType<typeof generateKeyPairSync>['privateKey'] } => {
  const pair = generateKeyPairSync(type as 'ed25519');
  return { spki: pair.publicKey.export({ type: 'spki', format: 'der' }), privateKey: pair.privateKey };
};

async function bothSay(key: PublicKey, signature: string, message: string): Promise<boolean> {
  const here = verifySignature(key, signature, message);
  expect(await verify(key, signature, message)).toBe(here);
  return here;
}

describe('keyCheck: Ed25519 keys from their raw bytes', () => {
  it('takes canonical keys as the DER path and WebCrypto do: good signatures pass, others fail', async () => {
    for (let i = 0; i < 20; i++) {
      const { spki, privateKey } = spkiOf('ed25519');
      expect(spki.length).toBe(44);
      const key: PublicKey = { alg: 'Ed25519', spki: spki.toString('base64url') };
      const signature = sign(null, Buffer.from(`message ${i}`), privateKey).toString('base64url');
      expect(await bothSay(key, signature, `message ${i}`)).toBe(true);
      expect(await bothSay(key, signature, `message ${i + 1}`)).toBe(false);
      // Another key's signature, once the first key is parsed (and remembered).
      const other = spkiOf('ed25519');
      expect(await bothSay(key, sign(null, Buffer.from(`message ${i}`), other.privateKey).toString('base64url'), `message ${i}`)).toBe(false);
    }
  });

  it('refuses look-alikes: an X25519 key, a changed header, missing bytes; extra bytes answer as WebCrypto', async () => {
    const { spki, privateKey } = spkiOf('ed25519');
    const signature = sign(null, Buffer.from('m'), privateKey).toString('base64url');
    const x25519 = spkiOf('x25519').spki;
    const changedHeader = Buffer.from(spki);
    changedHeader[1] = 0x2b;
    const lookAlikes = [x25519, changedHeader, spki.subarray(0, 43), spki.subarray(12)];
    for (const bytes of lookAlikes) {
      expect(await bothSay({ alg: 'Ed25519', spki: bytes.toString('base64url') }, signature, 'm')).toBe(false);
    }
    // Bytes after a canonical key are not the canonical form: the DER path reads them, and answers
    // as WebCrypto does (both read the key and ignore the rest), as it did before the raw import.
    await bothSay({ alg: 'Ed25519', spki: Buffer.concat([spki, Buffer.from([0])]).toString('base64url') }, signature, 'm');
    // The genuine key, for contrast.
    expect(await bothSay({ alg: 'Ed25519', spki: spki.toString('base64url') }, signature, 'm')).toBe(true);
  });
});
