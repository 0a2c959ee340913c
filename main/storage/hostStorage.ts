/**
 * Settings, favourites and call history, each in its own file in the user-data
 * folder (one corrupt file does not cost the others).
 *
 * What settings, favourites and history mean (upgrades, de-duplication, order) is
 * preload/hostData.ts, shared with the browser host; this puts it over JSON files.
 *
 * Who this user and device are is no longer main's business: the keys live in the
 * renderer's IndexedDB (renderer/identity/keyStore.ts). An identity.json left by an
 * older Parley holds made-up ids; it is read once, at load, so that what was kept
 * under them is set aside (HostData.setAsideClaimedIds), and then removed (the
 * legacy record keeps the old userId).
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import {
  DEFAULT_SETTINGS,
  identitySchema,
  type Favourite,
  type HistoryEntry,
  type LegacyRecord,
  type Settings,
  type SettingsPatch,
} from '../../preload/contract';
import { HostData, type SettingsListener } from '../../preload/hostData';
import type { Notify } from '../window/rendererEvents';
import { JsonFileData } from './jsonFileData';

export type { SettingsListener };

export interface HostStorageOptions {
  dir: string;
  notify: Notify;
  logger: Logger;
  now?: () => Date;
}

/** The file an older Parley kept its made-up ids in. */
export const OLD_IDENTITY_FILE = 'identity.json';

export class HostStorage {
  private readonly data: HostData;

  constructor(private readonly options: HostStorageOptions) {
    const common = { dir: options.dir, notify: options.notify, logger: options.logger, now: options.now };
    this.data = new HostData(new JsonFileData(common), DEFAULT_SETTINGS);
  }

  async load(): Promise<void> {
    await this.data.load();
    await this.setAsideClaimedIds();
  }

  /** What the move to keys set aside (null: nothing was). */
  getLegacy(): LegacyRecord | null {
    return this.data.getLegacy();
  }

  private async setAsideClaimedIds(): Promise<void> {
    const { dir, logger, notify } = this.options;
    const file = join(dir, OLD_IDENTITY_FILE);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // a Parley that started with keys
      logger.warn({ err: error, file }, 'could not read the old identity file; what was saved under it stays as it is');
      return;
    }
    let old: { userId: string } | null = null;
    try {
      const parsed = identitySchema.safeParse(JSON.parse(text));
      if (parsed.success) old = parsed.data;
    } catch (error) {
      logger.warn({ err: error, file }, 'the old identity file is not JSON');
    }
    if (old === null) {
      // It names nobody, so there is nothing keyed by it to set aside; it stays for diagnosis.
      logger.warn({ file }, 'the old identity file holds no usable ids; nothing set aside');
      return;
    }
    const notice = await this.data.setAsideClaimedIds(old.userId, (this.options.now?.() ?? new Date()).getTime());
    if (notice) notify(notice.level, notice.message, notice.about);
    try {
      await unlink(file);
    } catch (error) {
      // Harmless: the legacy record marks the move as done, so it does not run twice.
      logger.warn({ err: error, file }, 'could not remove the old identity file after setting its data aside');
    }
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
