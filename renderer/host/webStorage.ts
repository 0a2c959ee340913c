/**
 * The browser host's storage: JSON values in a Storage (localStorage in the app,
 * an in-memory Storage in tests), each parsed by its schema when read.
 *
 * A value that is not JSON or fails its schema is kept aside under `<key>.corrupt`
 * (so nothing is silently lost), replaced by the default, and reported as a notice
 * the person sees.
 */
import type { z } from 'zod';
import type { HostNotice } from '../../preload/contract';
import { t } from '../i18n';
import { log } from '../log';

/** The English labels callers pass (HOST_DATA_LABELS and the old identity), said in the UI's language. */
const LABEL_KEYS: Readonly<Record<string, 'settings' | 'favourites' | 'callHistory' | 'earlierContacts' | 'oldIdentity'>> = {
  settings: 'settings',
  favourites: 'favourites',
  'call history': 'callHistory',
  'earlier contacts': 'earlierContacts',
  'old identity': 'oldIdentity',
};

function labelText(label: string): string {
  const key = LABEL_KEYS[label];
  return key === undefined ? label : t(`browserStorage.labels.${key}`);
}

export interface StoredValue<T> {
  value: T;
  /** Set when the stored value could not be used. */
  notice: HostNotice | null;
}

export interface ReadOptions<T> {
  storage: Storage;
  key: string;
  schema: z.ZodType<T>;
  fallback: T;
  /** What the value is, for the notice: "settings", "call history". */
  label: string;
  /** Fills fields added since the value was written before it is parsed. */
  upgrade?: (raw: unknown) => unknown;
}

export function readStored<T>({ storage, key, schema, fallback, label, upgrade }: ReadOptions<T>): StoredValue<T> {
  let raw: string | null;
  try {
    raw = storage.getItem(key);
  } catch (error) {
    return {
      value: fallback,
      notice: {
        level: 'warning',
        message: t('browserStorage.readBlocked', { reason: describe(error), what: labelText(label) }),
      },
    };
  }
  if (raw === null) return { value: fallback, notice: null };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Not dropped: the notice tells the person and the value is kept under `<key>.corrupt`.
    return setAside(storage, key, raw, fallback, label, t('browserStorage.notJson'));
  }
  const parsed = schema.safeParse(upgrade ? upgrade(json) : json);
  if (parsed.success) return { value: parsed.data, notice: null };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `“${issue.path.join('.')}”: ` : '';
  return setAside(storage, key, raw, fallback, label, t('browserStorage.doesNotFit', { why: `${where}${issue?.message ?? 'invalid'}` }));
}

/** Keeps `raw` under `<key>.corrupt`, removes the value, and words the notice. */
export function setAside<T>(storage: Storage, key: string, raw: string, fallback: T, label: string, why: string): StoredValue<T> {
  try {
    storage.setItem(`${key}.corrupt`, raw);
    storage.removeItem(key);
  } catch (error) {
    // Storage full or blocked: the notice below still tells the person.
    log.child('host.web').warn(`could not set the unreadable ${label} aside (${key}.corrupt)`, error);
  }
  return {
    value: fallback,
    notice: {
      level: 'warning',
      message: t('browserStorage.setAside', { what: labelText(label), why, key }),
    },
  };
}

/** Writes a value; returns a notice when the browser refused (quota, privacy mode). */
export function writeStored(storage: Storage, key: string, value: unknown, label: string): HostNotice | null {
  try {
    storage.setItem(key, JSON.stringify(value));
    return null;
  } catch (error) {
    return {
      level: 'error',
      message: t('browserStorage.writeFailed', { what: labelText(label), reason: describe(error) }),
    };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Storage kept in memory: for tests, and when the browser blocks site data. */
export function createMemoryStorage(initial: Record<string, string> = {}): Storage {
  const data = new Map(Object.entries(initial));
  return {
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (index) => [...data.keys()][index] ?? null,
    removeItem: (key) => {
      data.delete(key);
    },
    setItem: (key, value) => {
      data.set(key, String(value));
    },
  };
}
