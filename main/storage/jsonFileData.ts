/**
 * The host-data port (preload/hostData.ts) over the user-data folder: one JSON file
 * per key (settings.json, favourites.json, history.json), each a JsonStore, so writes
 * are atomic and serialised and an unusable file is renamed aside with the person told.
 * The rules about what the values mean live in HostData; this only keeps them.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { HOST_DATA_LABELS, type HostDataKey, type HostDataPort, type StoredProblem } from '../../preload/hostData';
import type { Notify } from '../window/rendererEvents';
import { JsonStore } from './jsonStore';

export interface JsonFileDataOptions {
  dir: string;
  notify: Notify;
  logger: Logger;
  now?: () => Date;
}

/** Whatever the file holds: the schemas are HostData's business. */
const anyJson = z.unknown();

export class JsonFileData implements HostDataPort {
  private readonly stores = new Map<HostDataKey, { store: JsonStore<unknown>; loaded: Promise<unknown> }>();

  constructor(private readonly options: JsonFileDataOptions) {}

  async get(key: HostDataKey): Promise<unknown> {
    return this.file(key).loaded;
  }

  async set(key: HostDataKey, value: unknown): Promise<void> {
    const { store, loaded } = this.file(key);
    await loaded;
    await store.set(value);
  }

  async setAside(key: HostDataKey, problem: StoredProblem): Promise<void> {
    const { store, loaded } = this.file(key);
    await loaded;
    await store.setAside(`does not have the expected shape${problem.path === '' ? '' : ` at "${problem.path}"`}`);
  }

  private file(key: HostDataKey): { store: JsonStore<unknown>; loaded: Promise<unknown> } {
    let entry = this.stores.get(key);
    if (entry === undefined) {
      const store = new JsonStore<unknown>({
        ...this.options,
        name: key,
        label: HOST_DATA_LABELS[key],
        schema: anyJson,
        // No file (or one that is not JSON, set aside by the store): nothing stored.
        defaults: () => undefined,
      });
      entry = { store, loaded: store.load() };
      this.stores.set(key, entry);
    }
    return entry;
  }
}
