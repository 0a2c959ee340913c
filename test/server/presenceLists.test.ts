/**
 * The contact lists Presence keeps (presence.ts keepList): each id once, shared by
 * every list that names it, and forgotten with the last list that does; mutual
 * contacts found as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Presence } from '../../signaling-server/presence';

const KEY = { alg: 'Ed25519', spki: 'A'.repeat(59) } as const;

function setup() {
  const presence = new Presence<string>(() => false);
  const online = (userId: string, contacts: string[], device = `${userId}-d`) => {
    const party = { userId, deviceId: device, displayName: userId };
    // Each client's list arrives as its own parsed strings (a JSON handshake): copies, never the same string objects.
    const parsed = JSON.parse(JSON.stringify(contacts)) as string[];
    presence.connect(party, { userKey: KEY, contacts: parsed, strangerCalls: 'ask' }, `${device}-socket`);
    return party;
  };
  return { presence, online };
}

describe('contact lists as Presence keeps them', () => {
  it('names each listed id once, and forgets it with the last list that names it', () => {
    const { presence, online } = setup();
    const ann = online('ann', ['bob', 'cid']);
    const bob = online('bob', ['ann', 'cid', 'bob']);
    expect(presence.listedIds).toBe(3); // bob, cid, ann; a user's own id is never kept
    expect(presence.contactsOnline('ann')).toEqual(['bob']);
    const cid = online('cid', ['ann']);
    expect(presence.contactsOnline('ann').sort()).toEqual(['bob', 'cid']);
    expect(presence.listedIds).toBe(3);

    // Bob's list changes: cid is named by Ann's list only now, dan by Bob's.
    presence.setContacts(bob, ['ann', 'dan'], 'ask');
    expect(presence.listedIds).toBe(4);
    presence.disconnect(ann, `${ann.deviceId}-socket`);
    expect(presence.listedIds).toBe(2); // ann (Bob's and Cid's lists) and dan; cid no longer listed
    presence.disconnect(bob, `${bob.deviceId}-socket`);
    presence.disconnect(cid, `${cid.deviceId}-socket`);
    expect(presence.listedIds).toBe(0);
  });

  it('a user with two devices keeps both lists until the last device goes', () => {
    const { presence, online } = setup();
    const desk = online('ann', ['bob'], 'ann-desk');
    online('ann', ['cid'], 'ann-phone');
    online('bob', ['ann']);
    expect(presence.listedIds).toBe(3);
    expect(presence.contactsOnline('ann')).toEqual(['bob']);
    presence.disconnect(desk, 'ann-desk-socket');
    expect(presence.listedIds).toBe(3); // the desk's list still counts for Ann while her phone is online
    presence.disconnect({ userId: 'ann', deviceId: 'ann-phone', displayName: 'ann' }, 'ann-phone-socket');
    expect(presence.listedIds).toBe(1); // only Bob's list (naming ann) is left
  });
});

describe('mutual contacts over kept lists (property)', () => {
  it('contactsOnline and mutual answer as plain sets of the lists would', () => {
    // Ids of mixed lengths and characters, so that the kept lists' order and bisection are exercised.
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/);
    const world = fc.uniqueArray(id, { minLength: 1, maxLength: 12 }).chain((users) =>
      fc.tuple(fc.constant(users), fc.array(fc.array(fc.oneof(fc.constantFrom(...users), id), { maxLength: 10 }), { minLength: users.length, maxLength: users.length })),
    );
    const seed = Number(process.env.PARLEY_PROPERTY_SEED ?? Date.now() % 2 ** 31);
    console.info(`presence lists property: seed ${seed} (replay: PARLEY_PROPERTY_SEED=${seed} npx vitest run test/server/presenceLists.test.ts)`);
    fc.assert(
      fc.property(world, ([users, contactLists]) => {
        const { presence, online } = setup();
        users.forEach((user, i) => online(user, contactLists[i] ?? []));
        const listsOf = (user: string): Set<string> => new Set((contactLists[users.indexOf(user)] ?? []).filter((c) => c !== user));
        for (const a of users) {
          const expected = users.filter((b) => b !== a && listsOf(a).has(b) && listsOf(b).has(a));
          expect(presence.contactsOnline(a).sort()).toEqual(expected.sort());
          for (const b of users) expect(presence.mutual(a, b)).toBe(expected.includes(b));
        }
      }),
      { seed, numRuns: 300 },
    );
  });
});
