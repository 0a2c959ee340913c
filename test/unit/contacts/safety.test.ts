import { describe, expect, it } from 'vitest';
import { compareSafetyNumber, safetyNumberOf } from '../../../renderer/contacts/safety';
import { exportPublicKey, generateKeyPair } from '../../../signaling-server/identity';

async function userKey() {
  const { pair, alg } = await generateKeyPair();
  return exportPublicKey(pair.publicKey, alg);
}

describe('the safety number screen', () => {
  it('shows twelve groups of five digits in three rows, the same on both sides', async () => {
    const [alice, bob] = await Promise.all([userKey(), userKey()]);
    const seenByAlice = await safetyNumberOf(alice, bob);
    const seenByBob = await safetyNumberOf(bob, alice);
    expect(seenByAlice.groups).toHaveLength(12);
    for (const group of seenByAlice.groups) expect(group).toMatch(/^\d{5}$/);
    expect(seenByAlice.rows.map((r) => r.length)).toEqual([4, 4, 4]);
    expect(seenByAlice.rows.flat()).toEqual(seenByAlice.groups);
    expect(seenByBob).toEqual(seenByAlice);
    expect(seenByAlice.qrText).toBe(`parley-safety/1:${seenByAlice.groups.join('')}`);
  });

  it('differs when either key differs (a swapped key shows)', async () => {
    const [alice, bob, mallory] = await Promise.all([userKey(), userKey(), userKey()]);
    const real = await safetyNumberOf(alice, bob);
    const swapped = await safetyNumberOf(alice, mallory);
    expect(swapped.groups).not.toEqual(real.groups);
    expect(compareSafetyNumber(real, swapped.groups.join(' '))).toBe('mismatch');
  });

  it('compares what the other person reads out, types or shows as a QR code', async () => {
    const [alice, bob] = await Promise.all([userKey(), userKey()]);
    const mine = await safetyNumberOf(alice, bob);
    expect(compareSafetyNumber(mine, mine.groups.join(' '))).toBe('match');
    expect(compareSafetyNumber(mine, mine.groups.join('-'))).toBe('match');
    expect(compareSafetyNumber(mine, mine.qrText)).toBe('match');
    expect(compareSafetyNumber(mine, mine.groups.slice(0, 6).join(' '))).toBe('incomplete');
    const wrongLast = [...mine.groups.slice(0, 11), mine.groups[11] === '00000' ? '00001' : '00000'];
    expect(compareSafetyNumber(mine, wrongLast.join(' '))).toBe('mismatch');
  });
});
