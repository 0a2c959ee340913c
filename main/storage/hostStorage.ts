/**
 * Settings, favourites, call history and this device's identity, each in its own
 * file in the user-data folder (one corrupt file does not cost the others).
 *
 * What settings, favourites and history mean (upgrades, de-duplication, order) is
 * preload/hostData.ts, shared with the browser host; this puts it over JSON files.
 * The identity is the desktop's own: one user and one device, created on first run.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  DEFAULT_SETTINGS,
  identitySchema,
  type Favourite,
  type HistoryEntry,
  type Identity,
  type Settings,
  type SettingsPatch,
} from '../../preload/contract';
import { HostData, type SettingsListener } from '../../preload/hostData';
import type { Notify } from '../window/rendererEvents';
import { JsonFileData } from './jsonFileData';
import { JsonStore } from './jsonStore';

export type { SettingsListener };

export interface HostStorageOptions {
  dir: string;
  notify: Notify;
  logger: Logger;
  now?: () => Date;
  /** 16 random bytes, base64url: 22 characters of [A-Za-z0-9_-], as the contract's id schema wants. */
  newId?: () => string;
}

const defaultNewId = (): string => randomBytes(16).toString('base64url');

export class HostStorage {
  private readonly data: HostData;
  private readonly identity: JsonStore<Identity>;

  constructor(options: HostStorageOptions) {
    const common = { dir: options.dir, notify: options.notify, logger: options.logger, now: options.now };
    const newId = options.newId ?? defaultNewId;
    this.data = new HostData(new JsonFileData(common), DEFAULT_SETTINGS);
    this.identity = new JsonStore({
      ...common,
      name: 'identity',
      label: 'identity',
      schema: identitySchema,
      defaults: () => ({ userId: newId(), deviceId: newId() }),
      persistDefaults: true,
    });
  }

  async load(): Promise<void> {
    await Promise.all([this.data.load(), this.identity.load()]);
  }

  getIdentity(): Identity {
    return this.identity.get();
  }

  getSettings(): Settings {
    return this.data.getSettings();
  }

  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.data.updateSettings(patch);
  }

  onSettingsChanged(listener: SettingsListener): () => void {
    return this.data.onSettingsChanged(listener);
  }

  getFavourites(): Favourite[] {
    return this.data.getFavourites();
  }

  setFavourites(favourites: Favourite[]): Promise<void> {
    return this.data.setFavourites(favourites);
  }

  getHistory(): HistoryEntry[] {
    return this.data.getHistory();
  }

  /** Newest first; an entry with a known id replaces the old one; capped at MAX_HISTORY. */
  addHistoryEntry(entry: HistoryEntry): Promise<void> {
    return this.data.addHistoryEntry(entry);
  }

  clearHistory(): Promise<void> {
    return this.data.clearHistory();
  }
}
