/**
 * The people this user chose: the contact book. It keeps, in memory for the UI
 * and in IndexedDB (contactsDb.ts) across restarts,
 * - the contacts, each with the user key pinned at first contact,
 * - my invite secrets (one use each, a week long),
 * - contact requests I sent that are not answered yet, and ones I received,
 * - key changes: a contact who presented another key than the pinned one.
 *
 * Since a userId is idOfKey(userKey), a contact's key can only "change" when a
 * lying server says so; the book still records it, and `isContact` is false for
 * that person (no pre-connect, calls blocked) until the user accepts the new key.
 */
import { idOfKey, type PublicKey } from '../../signaling-server/identity';
import { log } from '../log';
import { createStore, type ReadableStore } from '../state/store';
import type { ContactsPersistence, StoreName, ValueOf } from './contactsDb';
import { newInviteSecret } from './invites';
import {
  BOOK_LIMITS,
  INVITE_LIFETIME_MS,
  type IncomingRequest,
  type Invite,
  type KeyChange,
  type KeyedPerson,
  type OutgoingRequest,
  type StoredContact,
} from './types';
import { t } from '../i18n';

export interface ContactBookState {
  contacts: ReadonlyMap<string, StoredContact>;
  invites: readonly Invite[];
  outgoing: readonly OutgoingRequest[];
  incoming: readonly IncomingRequest[];
  keyChanges: ReadonlyMap<string, KeyChange>;
}

export const EMPTY_BOOK: ContactBookState = {
  contacts: new Map(),
  invites: [],
  outgoing: [],
  incoming: [],
  keyChanges: new Map(),
};

/** What a key seen for `userId` means against the pinned one. */
export type KeyVerdict = 'same' | 'unknown' | 'changed';

export type AddResult = 'added' | 'already' | 'key_changed';

export interface ContactBook extends ReadableStore<ContactBookState> {
  /** The contact list sent to the server (handshake and `contacts:set`). */
  userIds(): string[];
  /** A contact whose key is not in question: calls ring and pre-connect as usual. */
  isContact(userId: string): boolean;
  pinnedKey(userId: string): PublicKey | null;
  /** Adds `person` with their key pinned; refuses a key whose id is not their userId. */
  add(person: KeyedPerson): Promise<AddResult>;
  remove(userId: string): Promise<void>;
  setVerified(userId: string, verified: boolean): Promise<void>;
  /** Keeps a contact's name in step with what the server shows. */
  rename(userId: string, displayName: string): Promise<void>;
  /** Compares `key` with the pinned one and records a change. */
  noteKey(person: KeyedPerson): Promise<KeyVerdict>;
  /** Re-pins the changed key; the contact is no longer verified. */
  acceptNewKey(userId: string): Promise<void>;
  /** A new one-time invite secret, valid for a week. */
  createInvite(): Promise<Invite>;
  /** The newest invite that is still valid, or a new one. */
  currentInvite(): Promise<Invite>;
  /** Uses up `secret` when it is one of mine and valid; false otherwise. */
  takeInvite(secret: string): Promise<boolean>;
  addOutgoing(request: Omit<OutgoingRequest, 'sentAt'>): Promise<void>;
  removeOutgoing(userId: string): Promise<void>;
  addIncoming(from: KeyedPerson): Promise<void>;
  removeIncoming(userId: string): Promise<void>;
  /** A contact whose name reads like `displayName` but who is someone else (a reinstall comes back as a new userId). */
  sameNameAs(person: { userId: string; displayName: string }): StoredContact | null;
  close(): void;
}

export interface ContactBookOptions {
  persistence: ContactsPersistence;
  now?: () => number;
  /** A write that failed: the book stays as it is in memory, and the user is told. */
  onError?(message: string): void;
}

const fold = (name: string): string => name.normalize('NFKC').toLocaleLowerCase().replace(/\s+/gu, ' ').trim();

/** Loads the book from `persistence` (expired invites are dropped) and returns it. */
export async function loadContactBook(options: ContactBookOptions): Promise<ContactBook> {
  const { persistence } = options;
  const now = options.now ?? Date.now;
  const logger = log.child('contacts');
  const [contacts, invites, outgoing, incoming, keyChanges] = await Promise.all([
    persistence.loadAll('contacts'),
    persistence.loadAll('invites'),
    persistence.loadAll('outgoing'),
    persistence.loadAll('incoming'),
    persistence.loadAll('keyChanges'),
  ]);
  // A stored contact whose key is not its id's key was not written by this book: leave it out.
  const checked: StoredContact[] = [];
  for (const contact of contacts) {
    if ((await idOfKey(contact.userKey)) === contact.userId) checked.push(contact);
    else logger.warn(`left out stored contact ${contact.userId}: its pinned key does not belong to that id`);
  }
  const store = createStore<ContactBookState>({
    contacts: new Map(checked.map((c) => [c.userId, c])),
    invites: invites.filter((i) => i.expiresAt > now()).sort((a, b) => a.createdAt - b.createdAt),
    outgoing: outgoing.sort((a, b) => a.sentAt - b.sentAt),
    incoming: incoming.sort((a, b) => a.receivedAt - b.receivedAt),
    keyChanges: new Map(keyChanges.map((k) => [k.userId, k])),
  });
  for (const invite of invites) if (invite.expiresAt <= now()) void write(() => persistence.delete('invites', invite.secret));

  /** Runs a write; a failure is logged and told, and the in-memory book stays as the UI shows it. */
  async function write(action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      logger.error('could not save the contact book', error);
      options.onError?.(t('notices.contactsSaveFailed', { reason: error instanceof Error ? error.message : String(error) }));
    }
  }
  const put = <S extends StoreName>(name: S, value: ValueOf<S>) => write(() => persistence.put(name, value));
  const del = (name: StoreName, key: string) => write(() => persistence.delete(name, key));
  const state = () => store.getSnapshot();
  const update = (change: Partial<ContactBookState>): void => store.set({ ...state(), ...change });

  const withContact = (contact: StoredContact): ReadonlyMap<string, StoredContact> =>
    new Map(state().contacts).set(contact.userId, contact);
  const without = <V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> => {
    const next = new Map(map);
    next.delete(key);
    return next;
  };

  const sameKey = (a: PublicKey, b: PublicKey): boolean => a.alg === b.alg && a.spki === b.spki;

  const book: ContactBook = {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    userIds: () => [...state().contacts.keys()],
    isContact: (userId) => state().contacts.has(userId) && !state().keyChanges.has(userId),
    pinnedKey: (userId) => state().contacts.get(userId)?.userKey ?? null,

    async add(person) {
      if ((await idOfKey(person.userKey)) !== person.userId) {
        throw new Error(t('notices.keyNotTheirs', { name: person.displayName }));
      }
      const existing = state().contacts.get(person.userId);
      if (existing) {
        if (sameKey(existing.userKey, person.userKey)) return 'already';
        await book.noteKey(person);
        return 'key_changed';
      }
      const contact: StoredContact = { ...person, addedAt: now(), verified: false };
      update({ contacts: withContact(contact) });
      await put('contacts', contact);
      return 'added';
    },

    async remove(userId) {
      if (!state().contacts.has(userId) && !state().keyChanges.has(userId)) return;
      update({ contacts: without(state().contacts, userId), keyChanges: without(state().keyChanges, userId) });
      await Promise.all([del('contacts', userId), del('keyChanges', userId)]);
    },

    async setVerified(userId, verified) {
      const contact = state().contacts.get(userId);
      if (!contact || contact.verified === verified) return;
      const next = { ...contact, verified };
      update({ contacts: withContact(next) });
      await put('contacts', next);
    },

    async rename(userId, displayName) {
      const contact = state().contacts.get(userId);
      if (!contact || contact.displayName === displayName) return;
      const next = { ...contact, displayName };
      update({ contacts: withContact(next) });
      await put('contacts', next);
    },

    async noteKey(person) {
      const contact = state().contacts.get(person.userId);
      if (!contact) return 'unknown';
      if (sameKey(contact.userKey, person.userKey)) return 'same';
      const change: KeyChange = { userId: person.userId, displayName: contact.displayName, newKey: person.userKey, seenAt: now() };
      logger.warn(`${person.userId} presented a key other than the pinned one: calls with them are blocked until the user accepts it`);
      update({ keyChanges: new Map(state().keyChanges).set(person.userId, change) });
      await put('keyChanges', change);
      return 'changed';
    },

    async acceptNewKey(userId) {
      const change = state().keyChanges.get(userId);
      const contact = state().contacts.get(userId);
      if (!change || !contact) return;
      if ((await idOfKey(change.newKey)) !== userId) {
        throw new Error(t('notices.newKeyNotTheirs', { name: contact.displayName }));
      }
      const next: StoredContact = { ...contact, userKey: change.newKey, verified: false };
      update({ contacts: withContact(next), keyChanges: without(state().keyChanges, userId) });
      await Promise.all([put('contacts', next), del('keyChanges', userId)]);
    },

    async createInvite() {
      const created = now();
      const invite: Invite = { secret: newInviteSecret(), createdAt: created, expiresAt: created + INVITE_LIFETIME_MS };
      const kept = state().invites.filter((i) => i.expiresAt > created);
      const dropped = kept.length >= BOOK_LIMITS.invites ? kept.slice(0, kept.length - BOOK_LIMITS.invites + 1) : [];
      update({ invites: [...kept.slice(dropped.length), invite] });
      await Promise.all([put('invites', invite), ...dropped.map((i) => del('invites', i.secret))]);
      return invite;
    },

    async currentInvite() {
      const valid = state().invites.filter((i) => i.expiresAt > now());
      return valid.at(-1) ?? book.createInvite();
    },

    async takeInvite(secret) {
      const invite = state().invites.find((i) => i.secret === secret);
      if (!invite) return false;
      update({ invites: state().invites.filter((i) => i !== invite) });
      await del('invites', secret);
      return invite.expiresAt > now();
    },

    async addOutgoing(request) {
      const entry: OutgoingRequest = { ...request, sentAt: now() };
      const others = state().outgoing.filter((r) => r.userId !== request.userId);
      if (others.length >= BOOK_LIMITS.outgoing) throw new Error(t('notices.tooManyRequests'));
      update({ outgoing: [...others, entry] });
      await put('outgoing', entry);
    },

    async removeOutgoing(userId) {
      if (!state().outgoing.some((r) => r.userId === userId)) return;
      update({ outgoing: state().outgoing.filter((r) => r.userId !== userId) });
      await del('outgoing', userId);
    },

    async addIncoming(from) {
      const entry: IncomingRequest = { from, receivedAt: now() };
      const others = state().incoming.filter((r) => r.from.userId !== from.userId);
      const dropped = others.length >= BOOK_LIMITS.incoming ? others.slice(0, others.length - BOOK_LIMITS.incoming + 1) : [];
      update({ incoming: [...others.slice(dropped.length), entry] });
      await Promise.all([put('incoming', entry), ...dropped.map((r) => del('incoming', r.from.userId))]);
    },

    async removeIncoming(userId) {
      if (!state().incoming.some((r) => r.from.userId === userId)) return;
      update({ incoming: state().incoming.filter((r) => r.from.userId !== userId) });
      await del('incoming', userId);
    },

    sameNameAs(person) {
      const name = fold(person.displayName);
      for (const contact of state().contacts.values()) {
        if (contact.userId !== person.userId && fold(contact.displayName) === name) return contact;
      }
      return null;
    },

    close: () => persistence.close(),
  };
  return book;
}
