/**
 * The contact book over a real IndexedDB implementation (fake-indexeddb): what is
 * added, pinned, verified, invited and asked survives a reload, and a key that
 * does not belong to a userId is never pinned.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { loadContactBook, type ContactBook } from '../../../renderer/contacts/contactBook';
import { contactsDbName, openContactsDb } from '../../../renderer/contacts/contactsDb';
import { INVITE_LIFETIME_MS, type KeyedPerson } from '../../../renderer/contacts/types';
import { exportPublicKey, generateKeyPair, idOfKey } from '../../../signaling-server/identity';

async function person(displayName: string): Promise<KeyedPerson> {
  const { pair, alg } = await generateKeyPair();
  const userKey = await exportPublicKey(pair.publicKey, alg);
  return { userId: await idOfKey(userKey), displayName, userKey };
}

let dbCount = 0;
async function openBook(owner = `owner-${(dbCount += 1)}-xyz`, clock = { now: 1_000_000 }): Promise<{ book: ContactBook; reopen(): Promise<ContactBook> }> {
  const open = async () => loadContactBook({ persistence: await openContactsDb(owner), now: () => clock.now });
  const book = await open();
  return {
    book,
    reopen: async () => {
      book.close();
      return open();
    },
  };
}

describe('the contact book', () => {
  it('pins a contact’s key, keeps it across a reload, and lists them for the server', async () => {
    const { book, reopen } = await openBook();
    const bob = await person('Bob');
    expect(await book.add(bob)).toBe('added');
    expect(book.isContact(bob.userId)).toBe(true);
    expect(book.userIds()).toEqual([bob.userId]);
    const again = await reopen();
    expect(again.getSnapshot().contacts.get(bob.userId)).toMatchObject({ ...bob, verified: false, addedAt: 1_000_000 });
    expect(again.pinnedKey(bob.userId)).toEqual(bob.userKey);
  });

  it('refuses a key whose id is not the userId, and adds nothing', async () => {
    const { book } = await openBook();
    const bob = await person('Bob');
    const mallory = await person('Mallory');
    await expect(book.add({ ...bob, userKey: mallory.userKey })).rejects.toThrow(/does not belong to their id/);
    expect(book.getSnapshot().contacts.size).toBe(0);
  });

  it('records a changed key and blocks the contact; a key that is not the id’s own cannot be accepted', async () => {
    const { book, reopen } = await openBook();
    const bob = await person('Bob');
    const other = await person('Bob');
    await book.add(bob);
    await book.setVerified(bob.userId, true);
    expect(await book.noteKey(bob)).toBe('same');
    expect(await book.noteKey(other)).toBe('unknown');
    // Only a lying server can say so (userId = idOfKey), but the book still records it.
    const changed = { ...bob, userKey: other.userKey };
    expect(await book.noteKey(changed)).toBe('changed');
    expect(book.isContact(bob.userId)).toBe(false);
    const reloaded = await reopen();
    expect(reloaded.isContact(bob.userId)).toBe(false);
    expect(reloaded.getSnapshot().keyChanges.get(bob.userId)).toMatchObject({ displayName: 'Bob', newKey: other.userKey });
    // That key's id is not Bob's: accepting it is refused, and nothing changes.
    await expect(reloaded.acceptNewKey(bob.userId)).rejects.toThrow(/does not belong to their id/);
    expect(reloaded.isContact(bob.userId)).toBe(false);
    expect(reloaded.pinnedKey(bob.userId)).toEqual(bob.userKey);
  });

  it('re-pins a changed key that does belong to the id once the user accepts it, unverified', async () => {
    const { book } = await openBook();
    const bob = await person('Bob');
    await book.add(bob);
    await book.setVerified(bob.userId, true);
    // The same SPKI bytes under the other algorithm name: the id (a hash of the bytes) is Bob's, the key is not the pinned one.
    const relabelled = { ...bob.userKey, alg: bob.userKey.alg === 'Ed25519' ? ('P-256' as const) : ('Ed25519' as const) };
    expect(await book.add({ ...bob, userKey: relabelled })).toBe('key_changed');
    expect(book.isContact(bob.userId)).toBe(false);
    await book.acceptNewKey(bob.userId);
    expect(book.isContact(bob.userId)).toBe(true);
    expect(book.getSnapshot().contacts.get(bob.userId)).toMatchObject({ userKey: relabelled, verified: false });
    expect(book.getSnapshot().keyChanges.size).toBe(0);
  });

  it('marks a contact verified and keeps it so; removing forgets them', async () => {
    const { book, reopen } = await openBook();
    const bob = await person('Bob');
    await book.add(bob);
    await book.setVerified(bob.userId, true);
    const reloaded = await reopen();
    expect(reloaded.getSnapshot().contacts.get(bob.userId)?.verified).toBe(true);
    await reloaded.remove(bob.userId);
    expect(reloaded.isContact(bob.userId)).toBe(false);
    expect((await reopen()).getSnapshot().contacts.size).toBe(0);
  });

  it('uses an invite secret once, and not after a week', async () => {
    const clock = { now: 5_000_000 };
    const { book, reopen } = await openBook(undefined, clock);
    const invite = await book.createInvite();
    expect(invite.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(invite.expiresAt - invite.createdAt).toBe(INVITE_LIFETIME_MS);
    expect(await book.currentInvite()).toEqual(invite);
    expect(await book.takeInvite(invite.secret)).toBe(true);
    expect(await book.takeInvite(invite.secret)).toBe(false);

    const late = await book.createInvite();
    clock.now += INVITE_LIFETIME_MS + 1;
    expect(await book.takeInvite(late.secret)).toBe(false);
    expect(await book.takeInvite('never-issued-secret-xx')).toBe(false);

    const kept = await book.createInvite();
    const reloaded = await reopen();
    expect(reloaded.getSnapshot().invites.map((i) => i.secret)).toEqual([kept.secret]);
    expect(await reloaded.takeInvite(kept.secret)).toBe(true);
  });

  it('keeps requests both ways across a reload until they are answered', async () => {
    const { book, reopen } = await openBook();
    const bob = await person('Bob');
    const carol = await person('Carol');
    await book.addOutgoing({ userId: bob.userId, secret: 'a-secret-of-bobs-0001' });
    await book.addIncoming(carol);
    await book.addIncoming(carol);
    const reloaded = await reopen();
    expect(reloaded.getSnapshot().outgoing).toEqual([{ userId: bob.userId, secret: 'a-secret-of-bobs-0001', sentAt: 1_000_000 }]);
    expect(reloaded.getSnapshot().incoming).toEqual([{ from: carol, receivedAt: 1_000_000 }]);
    await reloaded.removeOutgoing(bob.userId);
    await reloaded.removeIncoming(carol.userId);
    const last = await reopen();
    expect(last.getSnapshot().outgoing).toEqual([]);
    expect(last.getSnapshot().incoming).toEqual([]);
  });

  it('finds a contact whose name reads the same as a newcomer’s (a reinstall comes back as a new userId)', async () => {
    const { book } = await openBook();
    const bob = await person('Bob Smith');
    const newBob = await person('bob  smith');
    await book.add(bob);
    expect(book.sameNameAs(newBob)?.userId).toBe(bob.userId);
    expect(book.sameNameAs(bob)).toBeNull();
    expect(book.sameNameAs({ userId: 'someone-else-1', displayName: 'Carol' })).toBeNull();
  });

  it('leaves out stored records that do not parse or whose key is not their id’s', async () => {
    const owner = 'owner-damaged-1';
    const bob = await person('Bob');
    const mallory = await person('Mallory');
    const db = await openContactsDb(owner);
    db.close();
    // Write around the book, as damaged storage or an old version would have.
    const raw = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(contactsDbName(owner));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('open failed'));
    });
    await new Promise<void>((resolve, reject) => {
      const tx = raw.transaction('contacts', 'readwrite');
      tx.objectStore('contacts').put({ userId: 'not-valid', displayName: 'X' });
      tx.objectStore('contacts').put({ ...bob, userKey: mallory.userKey, addedAt: 1, verified: true });
      tx.objectStore('contacts').put({ ...mallory, addedAt: 2, verified: false });
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('write failed'));
    });
    raw.close();
    const book = await loadContactBook({ persistence: await openContactsDb(owner) });
    expect(book.userIds()).toEqual([mallory.userId]);
  });
});
