/**
 * Settings, favourites, call history and this device's identity, each in its own
 * file in the user-data folder (one corrupt file does not cost the others).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  DEFAULT_SETTINGS,
  MAX_HISTORY,
  favouritesSchema,
  historySchema,
  identitySchema,
  muteShortcutProblem,
  settingsSchema,
  type Favourite,
  type HistoryEntry,
  type Identity,
  type Settings,
  type SettingsPatch,
} from '../../preload/contract';
import type { Notify } from '../window/rendererEvents';
import { JsonStore } from './jsonStore';

export interface HostStorageOptions {
  dir: string;
  notify: Notify;
  logger: Logger;
  now?: () => Date;
  /** 16 random bytes, base64url: 22 characters of [A-Za-z0-9_-], as the contract's id schema wants. */
  newId?: () => string;
}

export type SettingsListener = (next: Settings, previous: Settings) => void;

const defaultNewId = (): string => randomBytes(16).toString('base64url');

/**
 * A settings file from an older Parley lacks the fields added since; fill them from
 * the defaults instead of calling the whole file corrupt. Unknown fields still fail.
 */
export function upgradeSettings(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const record = raw as Record<string, unknown>;
  const devices =
    typeof record.devices === 'object' && record.devices !== null && !Array.isArray(record.devices)
      ? { ...DEFAULT_SETTINGS.devices, ...(record.devices as Record<string, unknown>) }
      : record.devices;
  // Older Parley took a bare key as the mute shortcut; the schema now refuses one, and
  // that alone must not make the whole settings file count as corrupt.
  const shortcut =
    typeof record.muteShortcut === 'string' && muteShortcutProblem(record.muteShortcut) !== null
      ? { muteShortcut: DEFAULT_SETTINGS.muteShortcut }
      : {};
  return { ...DEFAULT_SETTINGS, ...record, ...(record.devices === undefined ? {} : { devices }), ...shortcut };
}

export class HostStorage {
  private readonly settings: JsonStore<Settings>;
  private readonly favourites: JsonStore<Favourite[]>;
  private readonly history: JsonStore<HistoryEntry[]>;
  private readonly identity: JsonStore<Identity>;
  private readonly listeners = new Set<SettingsListener>();

  constructor(options: HostStorageOptions) {
    const common = { dir: options.dir, notify: options.notify, logger: options.logger, now: options.now };
    const newId = options.newId ?? defaultNewId;
    this.settings = new JsonStore({
      ...common,
      name: 'settings',
      label: 'settings',
      schema: settingsSchema,
      defaults: () => structuredClone(DEFAULT_SETTINGS),
      upgrade: upgradeSettings,
    });
    this.favourites = new JsonStore({
      ...common,
      name: 'favourites',
      label: 'favourites',
      schema: favouritesSchema,
      defaults: () => [],
    });
    this.history = new JsonStore({
      ...common,
      name: 'history',
      label: 'call history',
      schema: historySchema,
      defaults: () => [],
    });
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
    await Promise.all([this.settings.load(), this.favourites.load(), this.history.load(), this.identity.load()]);
  }

  getIdentity(): Identity {
    return this.identity.get();
  }

  getSettings(): Settings {
    return this.settings.get();
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    // `previous` is read inside the serialised update, so back-to-back updates each
    // compare against the one before them, not against a stale snapshot.
    let previous = this.settings.get();
    const next = await this.settings.update((current) => {
      previous = current;
      return { ...current, ...patch };
    });
    if (JSON.stringify(next) !== JSON.stringify(previous)) {
      for (const listener of [...this.listeners]) listener(next, previous);
    }
    return next;
  }

  onSettingsChanged(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getFavourites(): Favourite[] {
    return this.favourites.get();
  }

  async setFavourites(favourites: Favourite[]): Promise<void> {
    const seen = new Set<string>();
    const unique = favourites.filter((f) => !seen.has(f.userId) && seen.add(f.userId));
    await this.favourites.set(unique);
  }

  getHistory(): HistoryEntry[] {
    return this.history.get();
  }

  /** Newest first; an entry with a known id replaces the old one; capped at MAX_HISTORY. */
  async addHistoryEntry(entry: HistoryEntry): Promise<void> {
    await this.history.update((current) =>
      [entry, ...current.filter((e) => e.id !== entry.id)]
        .sort((a, b) => b.startedAt - a.startedAt)
        .slice(0, MAX_HISTORY),
    );
  }

  async clearHistory(): Promise<void> {
    await this.history.set([]);
  }
}
