/**
 * Where this device's keys live: IndexedDB of the app's own origin (app://parley
 * on the desktop, the server's origin in a browser), as non-extractable WebCrypto
 * keys — IndexedDB keeps a CryptoKey by structured clone, so the private bytes
 * never exist outside WebCrypto, and never in a plain file.
 *
 * Two object stores:
 * - `user`, one record ('self'): the user key of this origin — its public part, and
 *   its private key on the device that made the user (null on a linked device,
 *   which holds only the certificate of its own key).
 * - `slots`: one record per device. The desktop app is one device (slot 'desktop').
 *   In a browser every tab is its own device on the server, so each tab takes a
 *   slot of its own: the slot id is kept in sessionStorage (it survives a reload
 *   of the tab), and the tab holds a Web Lock named after the slot for as long as
 *   it lives, so a duplicated tab (whose sessionStorage is a copy) or a second tab
 *   never uses a slot another open tab holds. A slot no open tab holds is reused
 *   by the next new tab, so slots do not pile up; one unused for STALE_SLOT_MS, or
 *   certified by a user key this origin no longer has, is deleted.
 *
 * A device's slot carries everything its identity needs: the device key pair, the
 * user's public key and the certificate. A slot made while the origin's user holds
 * no private key (a linked browser, in a new tab) gets a user of its own (a fresh
 * throwaway user, `ownUser`) until it is linked too.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import {
  checkCredential,
  deviceCertMessage,
  exportPublicKey,
  generateKeyPair,
  idOfKey,
  sign,
  type DeviceCredential,
  type KeyAlgorithm,
  type PublicKey,
  type SigningKey,
} from '../../signaling-server/identity';
import { t as translate } from '../i18n';
import { log } from '../log';
import { deviceIdentity, type DeviceIdentity } from './deviceIdentity';

export const KEY_DB_NAME = 'parley-keys';
const KEY_DB_VERSION = 1;
/** A slot nobody used for this long is deleted (its device is gone for good). */
export const STALE_SLOT_MS = 30 * 24 * 60 * 60 * 1000;
/** The sessionStorage key naming this tab's slot. */
export const TAB_SLOT_KEY = 'parley.keySlot';
const DESKTOP_SLOT = 'desktop';

interface PrivatePart {
  privateKey: SigningKey;
  alg: KeyAlgorithm;
}

export interface UserRecord {
  userKey: PublicKey;
  /** null on a linked device: another device holds the user's private key. */
  private: PrivatePart | null;
  createdAt: number;
}

export interface SlotRecord {
  slot: string;
  userKey: PublicKey;
  deviceKey: PublicKey;
  device: PrivatePart;
  deviceCert: string;
  /** A user of this slot alone (made when the origin's user could not certify a new tab); null: the origin's user. */
  ownUser: PrivatePart | null;
  lastUsed: number;
}

interface KeyDb extends DBSchema {
  user: { key: string; value: UserRecord };
  slots: { key: string; value: SlotRecord };
}

/** Why there are no keys: said in words the person can act on. */
export class KeyStoreError extends Error {
  constructor(
    readonly code: 'insecure' | 'storage' | 'invalid_link',
    message: string,
  ) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/** Why keys cannot be made on this page, in the UI's language of the moment. */
export const insecurePageMessage = (): string => translate('keyStore.insecure');

/** A lock held for as long as this page lives (Web Locks); false when another page holds it. */
export type HoldLock = (name: string) => Promise<boolean>;

export interface KeyStoreOptions {
  /** Whether the page has IndexedDB (`idb` opens the global one; tests install fake-indexeddb's). */
  indexedDB: boolean;
  /** `crypto.subtle` present? (undefined on an insecure http:// page.) */
  subtle: SubtleCrypto | undefined;
  /** `window.isSecureContext` */
  secure: boolean;
  /** A browser tab: one device per tab. null: the desktop app, one device. */
  tab: { storage: Storage; holdLock: HoldLock | null; newSlotId: () => string } | null;
  now?: () => number;
  dbName?: string;
}

export interface OpenedIdentity {
  identity: DeviceIdentity;
  /** Keys were made on this start: the first start with keys. */
  createdUser: boolean;
}

export interface KeyStore {
  /** This device's identity; makes the user and device keys on the first run. */
  open(): Promise<OpenedIdentity>;
  /**
   * Linking: the user `userKey` certified this device's key (`deviceCert`). Checks
   * that `userKey`'s id is `expectUserId` and that the certificate is over this
   * device's key, then stores them: this origin becomes that user (its old user
   * key is forgotten) and the returned identity is the new one, same deviceId.
   */
  adoptLink(input: { expectUserId: string; userKey: PublicKey; deviceCert: string }): Promise<DeviceIdentity>;
  close(): void;
}

const logger = log.child('identity.keys');
/** The open() in progress per database name, so two in one page run one after the other. */
const opening = new Map<string, Promise<unknown>>();

function identityOf(slot: SlotRecord, userPrivate: PrivatePart | null, ids: { userId: string; deviceId: string }): DeviceIdentity {
  const credential: DeviceCredential = { userKey: slot.userKey, deviceKey: slot.deviceKey, deviceCert: slot.deviceCert };
  return deviceIdentity({ ...ids, credential, device: slot.device, user: userPrivate });
}

async function newUser(now: number): Promise<UserRecord> {
  const made = await generateKeyPair();
  return {
    userKey: await exportPublicKey(made.pair.publicKey, made.alg),
    private: { privateKey: made.pair.privateKey, alg: made.alg },
    createdAt: now,
  };
}

async function newSlot(slot: string, user: UserRecord, now: number): Promise<SlotRecord> {
  // A user that cannot certify (a linked origin): this slot gets a throwaway user of its own.
  const owner = user.private === null ? await newUser(now) : user;
  const userPrivate = owner.private as PrivatePart;
  const made = await generateKeyPair(userPrivate.alg);
  const deviceKey = await exportPublicKey(made.pair.publicKey, made.alg);
  const userId = await idOfKey(owner.userKey);
  const deviceCert = await sign(userPrivate.privateKey, userPrivate.alg, deviceCertMessage(userId, deviceKey));
  return {
    slot,
    userKey: owner.userKey,
    deviceKey,
    device: { privateKey: made.pair.privateKey, alg: made.alg },
    deviceCert,
    ownUser: owner === user ? null : userPrivate,
    lastUsed: now,
  };
}

const sameKey = (a: PublicKey, b: PublicKey): boolean => a.alg === b.alg && a.spki === b.spki;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createKeyStore(options: KeyStoreOptions): KeyStore {
  const now = options.now ?? Date.now;
  const dbName = options.dbName ?? KEY_DB_NAME;
  let db: IDBPDatabase<KeyDb> | null = null;
  /** The slot this page uses, once open() chose it. */
  let mySlot: string | null = null;

  const database = async (): Promise<IDBPDatabase<KeyDb>> => {
    if (db) return db;
    if (!options.secure || options.subtle === undefined) throw new KeyStoreError('insecure', insecurePageMessage());
    if (!options.indexedDB) {
      throw new KeyStoreError('storage', translate('keyStore.noIndexedDb'));
    }
    try {
      db = await openDB<KeyDb>(dbName, KEY_DB_VERSION, {
        upgrade(upgrading) {
          upgrading.createObjectStore('user');
          upgrading.createObjectStore('slots', { keyPath: 'slot' });
        },
      });
    } catch (error) {
      throw new KeyStoreError('storage', translate('keyStore.cannotOpen', { reason: describe(error) }));
    }
    return db;
  };

  /** Which slot this page takes: the desktop's one, or a tab's own (see the file comment). */
  const chooseSlot = async (keys: IDBPDatabase<KeyDb>, user: UserRecord): Promise<string> => {
    const tab = options.tab;
    if (tab === null) return DESKTOP_SLOT;
    const hold = async (slot: string): Promise<boolean> => (tab.holdLock ? tab.holdLock(`parley-key-slot:${slot}`) : true);
    const remembered = tab.storage.getItem(TAB_SLOT_KEY);
    let chosen: string | null = null;
    if (remembered !== null && /^[A-Za-z0-9_-]{1,64}$/.test(remembered) && (await hold(remembered))) chosen = remembered;
    const slots = await keys.getAll('slots');
    const t = now();
    if (chosen === null && tab.holdLock) {
      // A tab without a slot of its own reuses one no open tab holds, the most recently used first.
      const usable = slots
        .filter((s) => s.ownUser !== null || sameKey(s.userKey, user.userKey))
        .filter((s) => t - s.lastUsed < STALE_SLOT_MS)
        .sort((a, b) => b.lastUsed - a.lastUsed);
      for (const s of usable) {
        if (await hold(s.slot)) {
          chosen = s.slot;
          break;
        }
      }
    }
    if (chosen === null) {
      chosen = tab.newSlotId();
      if (!(await hold(chosen))) throw new KeyStoreError('storage', translate('keyStore.noSlot'));
    }
    // Clean up: slots nobody holds that are stale, or certified by a user this origin no longer has.
    for (const s of slots) {
      if (s.slot === chosen) continue;
      const orphan = s.ownUser === null && !sameKey(s.userKey, user.userKey);
      if ((orphan || t - s.lastUsed >= STALE_SLOT_MS) && (await hold(s.slot))) {
        await keys.delete('slots', s.slot);
        logger.info(`deleted the unused key slot ${s.slot} (${orphan ? 'its user key is gone' : 'unused for 30 days'})`);
      }
    }
    try {
      tab.storage.setItem(TAB_SLOT_KEY, chosen);
    } catch (error) {
      // The tab then takes a slot again after a reload (a new deviceId); it still works now.
      logger.warn('could not remember this tab’s key slot in sessionStorage', error);
    }
    return chosen;
  };

  const open = (): Promise<OpenedIdentity> => {
    // One open at a time per database in this page (React's StrictMode starts two).
    const previous = opening.get(dbName) ?? Promise.resolve();
    const next = previous.then(openNow, openNow);
    opening.set(dbName, next.catch(() => undefined));
    return next;
  };

  const openNow = async (): Promise<OpenedIdentity> => {
    const keys = await database();
    let createdUser = false;
    let user = await keys.get('user', 'self');
    if (user === undefined) {
      const made = await newUser(now());
      try {
        // `add`, not `put`: a tab that made the user a moment earlier wins, and this one uses its key.
        await keys.add('user', made, 'self');
        user = made;
        createdUser = true;
        logger.info(`made this origin's user key (${made.userKey.alg})`);
      } catch (error) {
        user = await keys.get('user', 'self');
        if (user === undefined) throw new KeyStoreError('storage', translate('keyStore.cannotKeep', { reason: describe(error) }));
        logger.debug('another tab made the user key first; using it', error);
      }
    }
    const slotId = await chooseSlot(keys, user);
    mySlot = slotId;
    let slot = await keys.get('slots', slotId);
    if (slot !== undefined && slot.ownUser === null && !sameKey(slot.userKey, user.userKey)) {
      // Certified by a user key this origin replaced (linking in another tab): useless now.
      logger.info(`key slot ${slotId} belonged to a replaced user key; making a new device key`);
      slot = undefined;
    }
    if (slot === undefined) {
      slot = await newSlot(slotId, user, now());
      logger.info(`made a device key (${slot.device.alg}) in slot ${slotId}`);
    }
    slot = { ...slot, lastUsed: now() };
    await keys.put('slots', slot);
    const ids = await checkCredential({ userKey: slot.userKey, deviceKey: slot.deviceKey, deviceCert: slot.deviceCert });
    if (ids === null) {
      throw new KeyStoreError('storage', 'The keys Parley keeps for this device do not fit together (the storage may be damaged).');
    }
    const userPrivate = slot.ownUser ?? (sameKey(slot.userKey, user.userKey) ? user.private : null);
    return { identity: identityOf(slot, userPrivate, ids), createdUser };
  };

  const adoptLink: KeyStore['adoptLink'] = async ({ expectUserId, userKey, deviceCert }) => {
    const keys = await database();
    if (mySlot === null) throw new Error('adoptLink before open()');
    const slot = await keys.get('slots', mySlot);
    if (slot === undefined) throw new KeyStoreError('storage', translate('keyStore.slotMissing'));
    if ((await idOfKey(userKey)) !== expectUserId) {
      throw new KeyStoreError('invalid_link', translate('keyStore.otherAccount'));
    }
    const ids = await checkCredential({ userKey, deviceKey: slot.deviceKey, deviceCert });
    if (ids === null || ids.userId !== expectUserId) {
      throw new KeyStoreError('invalid_link', translate('keyStore.certMismatch'));
    }
    const linked: SlotRecord = { ...slot, userKey, deviceCert, ownUser: null, lastUsed: now() };
    const tx = keys.transaction(['user', 'slots'], 'readwrite');
    await Promise.all([
      tx.objectStore('user').put({ userKey, private: null, createdAt: now() }, 'self'),
      tx.objectStore('slots').put(linked),
      tx.done,
    ]);
    logger.info(`this device is now linked to user ${ids.userId}`);
    return identityOf(linked, null, ids);
  };

  return {
    open,
    adoptLink,
    close() {
      db?.close();
      db = null;
    },
  };
}
