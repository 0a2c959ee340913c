/**
 * Where the contact book lives: IndexedDB of the app's origin (the `idb` wrapper),
 * one database per user, so a device linked to another user starts from that
 * user's own book. Each record kind has its own object store keyed by its id.
 * Everything read back is parsed with types.ts's schemas; a record that does not
 * parse is logged and left out, never trusted.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { z } from 'zod';
import { log } from '../log';
import {
  incomingRequestSchema,
  inviteSchema,
  keyChangeSchema,
  outgoingRequestSchema,
  storedContactSchema,
  type IncomingRequest,
  type Invite,
  type KeyChange,
  type OutgoingRequest,
  type StoredContact,
} from './types';

interface ContactsDbSchema extends DBSchema {
  contacts: { key: string; value: StoredContact };
  invites: { key: string; value: Invite };
  outgoing: { key: string; value: OutgoingRequest };
  incoming: { key: string; value: IncomingRequest };
  keyChanges: { key: string; value: KeyChange };
}

export type StoreName = 'contacts' | 'invites' | 'outgoing' | 'incoming' | 'keyChanges';
export type ValueOf<S extends StoreName> = ContactsDbSchema[S]['value'];

const SCHEMAS: { [S in StoreName]: z.ZodType<ValueOf<S>> } = {
  contacts: storedContactSchema,
  invites: inviteSchema,
  outgoing: outgoingRequestSchema,
  incoming: incomingRequestSchema,
  keyChanges: keyChangeSchema,
};

/** The persistence the book needs: load everything once, then write and delete single records. */
export interface ContactsPersistence {
  loadAll<S extends StoreName>(store: S): Promise<ValueOf<S>[]>;
  put<S extends StoreName>(store: S, value: ValueOf<S>): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
  close(): void;
}

export const CONTACTS_DB_VERSION = 1;
export const contactsDbName = (userId: string): string => `parley-contacts-${userId}`;

export async function openContactsDb(userId: string): Promise<ContactsPersistence> {
  const db: IDBPDatabase<ContactsDbSchema> = await openDB<ContactsDbSchema>(contactsDbName(userId), CONTACTS_DB_VERSION, {
    upgrade(database) {
      database.createObjectStore('contacts', { keyPath: 'userId' });
      database.createObjectStore('invites', { keyPath: 'secret' });
      database.createObjectStore('outgoing', { keyPath: 'userId' });
      database.createObjectStore('incoming', { keyPath: 'from.userId' });
      database.createObjectStore('keyChanges', { keyPath: 'userId' });
    },
  });
  const logger = log.child('contacts.db');
  return {
    async loadAll(store) {
      const raw: unknown[] = await db.getAll(store);
      const schema = SCHEMAS[store] as z.ZodType<ValueOf<typeof store>>;
      const values: ValueOf<typeof store>[] = [];
      for (const record of raw) {
        const parsed = schema.safeParse(record);
        if (parsed.success) values.push(parsed.data);
        else logger.warn(`left out a stored "${store}" record that does not match its schema`, parsed.error.issues);
      }
      return values;
    },
    async put(store, value) {
      await db.put(store, value);
    },
    async delete(store, key) {
      await db.delete(store, key);
    },
    close: () => db.close(),
  };
}
