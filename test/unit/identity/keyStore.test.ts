import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { checkCredential, deviceCertMessage, idOfKey, sign, verify, authProofMessage } from '../../../signaling-server/identity';
import { PROTOCOL_VERSION } from '../../../signaling-server/protocol';
import { createMemoryStorage } from '../../../renderer/host/webStorage';
import { i18n } from '../../../renderer/i18n';
import { createKeyStore, insecurePageMessage, KeyStoreError, STALE_SLOT_MS, TAB_SLOT_KEY, type KeyStoreOptions } from '../../../renderer/identity/keyStore';
import { makeUserKey } from '../../support/testIdentity';

let dbCounter = 0;
const freshDb = (): string => `parley-keys-test-${(dbCounter += 1)}`;

/** One browser profile: its Web Locks, shared by its tabs; a closed tab releases its locks. */
function browser() {
  const held = new Map<string, object>();
  let counter = 0;
  return {
    tab(storage: Storage = createMemoryStorage()) {
      const me = {};
      return {
        storage,
        holdLock: async (name: string) => {
          const owner = held.get(name);
          if (owner !== undefined && owner !== me) return false;
          held.set(name, me);
          return true;
        },
        close() {
          for (const [name, owner] of held) if (owner === me) held.delete(name);
        },
        newSlotId: () => `slot${(counter += 1)}`,
      };
    },
  };
}

const base = (dbName: string, extra: Partial<KeyStoreOptions> = {}): KeyStoreOptions => ({
  indexedDB: true,
  subtle: crypto.subtle,
  secure: true,
  tab: null,
  dbName,
  ...extra,
});

describe('key store (desktop: one device)', () => {
  it('makes a user key and a certified, non-extractable device key on first run, and the same identity after', async () => {
    const dbName = freshDb();
    const first = createKeyStore(base(dbName));
    const opened = await first.open();
    expect(opened.createdUser).toBe(true);
    const { identity } = opened;
    expect(identity.canLink).toBe(true);
    expect(await checkCredential(identity.credential)).toEqual({ userId: identity.userId, deviceId: identity.deviceId });
    expect(identity.userId).toBe(await idOfKey(identity.credential.userKey));
    first.close();

    const again = await createKeyStore(base(dbName)).open();
    expect(again.createdUser).toBe(false);
    expect(again.identity.userId).toBe(identity.userId);
    expect(again.identity.deviceId).toBe(identity.deviceId);
    // The handshake proof the server checks, by the stored (non-extractable) key.
    const proof = await again.identity.proveConnection('127.0.0.1:7300', 'sid-1');
    const message = authProofMessage({ protocolVersion: PROTOCOL_VERSION, host: '127.0.0.1:7300', sessionId: 'sid-1', userId: identity.userId, deviceId: identity.deviceId });
    expect(await verify(identity.credential.deviceKey, proof, message)).toBe(true);
  });

  it('two opens at once (React StrictMode) make one user and one device', async () => {
    const dbName = freshDb();
    const [a, b] = await Promise.all([createKeyStore(base(dbName)).open(), createKeyStore(base(dbName)).open()]);
    expect(b.identity.userId).toBe(a.identity.userId);
    expect(b.identity.deviceId).toBe(a.identity.deviceId);
    expect([a.createdUser, b.createdUser].sort()).toEqual([false, true]);
  });

  it('keeps private keys non-extractable in storage', async () => {
    const dbName = freshDb();
    const store = createKeyStore(base(dbName));
    await store.open();
    store.close();
    const { openDB } = await import('idb');
    const db = await openDB(dbName);
    const user = await db.get('user', 'self');
    const [slot] = await db.getAll('slots');
    expect(user.private.privateKey.extractable).toBe(false);
    expect(slot.device.privateKey.extractable).toBe(false);
    db.close();
  });

  it('says why when the page is not secure or has no IndexedDB', async () => {
    await expect(createKeyStore(base(freshDb(), { secure: false })).open()).rejects.toThrow(insecurePageMessage());
    // In the UI's language (issue 16.1).
    await i18n.changeLanguage('ru');
    try {
      await expect(createKeyStore(base(freshDb(), { secure: false })).open()).rejects.toThrow(/^Parley нужна защищённая страница/);
    } finally {
      await i18n.changeLanguage('en');
    }
    await expect(createKeyStore(base(freshDb(), { subtle: undefined })).open()).rejects.toMatchObject({ code: 'insecure' });
    await expect(createKeyStore(base(freshDb(), { indexedDB: false })).open()).rejects.toThrow(/IndexedDB/);
  });
});

describe('key store (browser: one device per tab)', () => {
  it('gives two open tabs two devices of one user, and a reloaded tab its own device back', async () => {
    const dbName = freshDb();
    const profile = browser();
    const tabA = profile.tab();
    const tabB = profile.tab();
    const a = (await createKeyStore(base(dbName, { tab: tabA })).open()).identity;
    const b = (await createKeyStore(base(dbName, { tab: tabB })).open()).identity;
    expect(b.userId).toBe(a.userId);
    expect(b.deviceId).not.toBe(a.deviceId);

    // Reload of tab A: same sessionStorage, its lock released and taken again.
    tabA.close();
    const reloaded = profile.tab(tabA.storage);
    const a2 = (await createKeyStore(base(dbName, { tab: reloaded })).open()).identity;
    expect(a2.deviceId).toBe(a.deviceId);
  });

  it('gives a duplicated tab (a copy of the sessionStorage) a device of its own', async () => {
    const dbName = freshDb();
    const profile = browser();
    const original = profile.tab();
    const a = (await createKeyStore(base(dbName, { tab: original })).open()).identity;
    const copy = createMemoryStorage({ [TAB_SLOT_KEY]: original.storage.getItem(TAB_SLOT_KEY) as string });
    const b = (await createKeyStore(base(dbName, { tab: profile.tab(copy) })).open()).identity;
    expect(b.deviceId).not.toBe(a.deviceId);
    expect(copy.getItem(TAB_SLOT_KEY)).not.toBe(original.storage.getItem(TAB_SLOT_KEY));
  });

  it('reuses a slot no open tab holds, and deletes slots unused for 30 days', async () => {
    const dbName = freshDb();
    const profile = browser();
    let t = 1_000;
    const now = () => t;
    const tabs = [profile.tab(), profile.tab()];
    const ids = [];
    for (const tab of tabs) ids.push((await createKeyStore(base(dbName, { tab, now })).open()).identity.deviceId);
    tabs.forEach((tab) => tab.close());

    // A new tab (empty sessionStorage) takes the most recently used free slot.
    const next = (await createKeyStore(base(dbName, { tab: profile.tab(), now })).open()).identity;
    expect(ids).toContain(next.deviceId);

    t += STALE_SLOT_MS + 1;
    const late = createKeyStore(base(dbName, { tab: profile.tab(), now }));
    await late.open();
    late.close();
    const { openDB } = await import('idb');
    const db = await openDB(dbName);
    // The stale slot no tab holds is gone; the live tab's and the new one stay.
    expect((await db.getAll('slots')).length).toBe(2);
    db.close();
  });
});

describe('linking', () => {
  it('adopts a certificate from the code’s user, keeps the deviceId, and cannot link further', async () => {
    const dbName = freshDb();
    const store = createKeyStore(base(dbName));
    const before = (await store.open()).identity;
    const owner = await makeUserKey();
    const deviceCert = await sign(owner.pair.privateKey, owner.alg, deviceCertMessage(owner.userId, before.credential.deviceKey));

    const linked = await store.adoptLink({ expectUserId: owner.userId, userKey: owner.userKey, deviceCert });
    expect(linked.userId).toBe(owner.userId);
    expect(linked.deviceId).toBe(before.deviceId);
    expect(linked.canLink).toBe(false);
    await expect(linked.certifyDevice(before.credential.deviceKey)).rejects.toThrow(/cannot link/);
    store.close();

    const reopened = (await createKeyStore(base(dbName)).open()).identity;
    expect(reopened.userId).toBe(owner.userId);
    expect(await checkCredential(reopened.credential)).toEqual({ userId: owner.userId, deviceId: before.deviceId });
  });

  it('refuses an answer from another user or a certificate over another key', async () => {
    const store = createKeyStore(base(freshDb()));
    const me = (await store.open()).identity;
    const owner = await makeUserKey();
    const other = await makeUserKey();
    const good = await sign(owner.pair.privateKey, owner.alg, deviceCertMessage(owner.userId, me.credential.deviceKey));
    await expect(store.adoptLink({ expectUserId: owner.userId, userKey: other.userKey, deviceCert: good })).rejects.toBeInstanceOf(KeyStoreError);
    const overOther = await sign(owner.pair.privateKey, owner.alg, deviceCertMessage(owner.userId, other.userKey));
    await expect(store.adoptLink({ expectUserId: owner.userId, userKey: owner.userKey, deviceCert: overOther })).rejects.toThrow(/does not fit/);
    expect((await createKeyStore(base(freshDb())).open()).identity.userId).not.toBe(owner.userId);
  });

  it('a new tab of a linked browser gets a throwaway user of its own, and other tabs drop the old user', async () => {
    const dbName = freshDb();
    const profile = browser();
    const tabA = profile.tab();
    const storeA = createKeyStore(base(dbName, { tab: tabA }));
    const a = (await storeA.open()).identity;
    const owner = await makeUserKey();
    const deviceCert = await sign(owner.pair.privateKey, owner.alg, deviceCertMessage(owner.userId, a.credential.deviceKey));
    await storeA.adoptLink({ expectUserId: owner.userId, userKey: owner.userKey, deviceCert });

    const b = (await createKeyStore(base(dbName, { tab: profile.tab() })).open()).identity;
    expect(b.userId).not.toBe(owner.userId);
    expect(b.userId).not.toBe(a.userId);
    expect(b.canLink).toBe(true);
    expect(await checkCredential(b.credential)).toEqual({ userId: b.userId, deviceId: b.deviceId });
  });
});
