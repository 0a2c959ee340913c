/**
 * The host-data port (preload/hostData.ts) over browser storage: one JSON value per
 * localStorage key. A value that is not JSON, or that HostData finds unusable, is kept
 * under `<key>.corrupt` and the person told (webStorage.ts words it); a write the
 * browser refuses (quota, privacy mode) is reported, and the value lives on in memory.
 * The rules about what the values mean live in HostData; this only keeps them.
 */
import { z } from 'zod';
import type { HostNotice } from '../../preload/contract';
import { HOST_DATA_LABELS, type HostDataKey, type HostDataPort } from '../../preload/hostData';
import { t } from '../i18n';
import { readStored, setAside, writeStored } from './webStorage';

export interface BrowserDataOptions {
  storage: Storage;
  /** The storage key of each value ('parley.settings', …). */
  keys: Record<HostDataKey, string>;
  notify(notice: HostNotice | null): void;
}

/** Whatever the value holds once it is JSON: the schemas are HostData's business. */
const anyJson = z.unknown();

export function createBrowserData({ storage, keys, notify }: BrowserDataOptions): HostDataPort {
  return {
    async get(key) {
      const stored = readStored({ storage, key: keys[key], schema: anyJson, fallback: undefined, label: HOST_DATA_LABELS[key] });
      notify(stored.notice);
      return stored.value;
    },
    async set(key, value) {
      notify(writeStored(storage, keys[key], value, HOST_DATA_LABELS[key]));
    },
    async setAside(key, problem) {
      const raw = storage.getItem(keys[key]);
      if (raw === null) return;
      const where = problem.path === '' ? '' : `“${problem.path}”: `;
      notify(setAside(storage, keys[key], raw, undefined, HOST_DATA_LABELS[key], t('browserStorage.doesNotFit', { why: `${where}${problem.message}` })).notice);
    },
  };
}
