/**
 * Received files on the desktop, as the IPC host exposes them: the writer
 * (downloadWriter.ts), the folder they go to — the OS Downloads folder until the
 * person picks another with the system dialog — and "Show in folder".
 *
 * The folder is kept in its own file (downloads.json), not in the settings the
 * renderer may patch: only the system dialog, which the person drives, can change
 * where Parley writes. Electron's dialog and shell come in as options (tests pass fakes).
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DownloadBegin, DownloadChunk, DownloadResult } from '../../preload/contract';
import { JsonStore } from '../storage/jsonStore';
import type { Notify } from '../window/rendererEvents';
import { DownloadError, DownloadWriter } from './downloadWriter';
import { ENGLISH, type MainText } from '../i18n';

const folderFileSchema = z.strictObject({ folder: z.string().min(1).max(4096).nullable() });
type FolderFile = z.infer<typeof folderFileSchema>;

export interface DownloadServiceOptions {
  /** userData, where downloads.json lives. */
  dir: string;
  /** app.getPath('downloads'). */
  defaultFolder: string;
  maxBytes(): number;
  /** dialog.showOpenDialog, bound to the window. */
  showOpenDialog(options: { title: string; defaultPath: string; properties: Array<'openDirectory' | 'createDirectory'> }): Promise<{
    canceled: boolean;
    filePaths: string[];
  }>;
  /** shell.showItemInFolder */
  showItemInFolder(path: string): void;
  notify: Notify;
  logger: Logger;
  maxOpen?: number;
  /** Translates in main's language of the moment (MainLocale.text); English if absent. */
  text?: MainText;
}

export class DownloadService {
  private readonly store: JsonStore<FolderFile>;
  readonly writer: DownloadWriter;

  constructor(private readonly options: DownloadServiceOptions) {
    this.store = new JsonStore({
      dir: options.dir,
      name: 'downloads',
      label: 'download folder',
      schema: folderFileSchema,
      defaults: () => ({ folder: null }),
      notify: options.notify,
      logger: options.logger,
    });
    this.writer = new DownloadWriter({
      folder: () => this.folder(),
      maxBytes: options.maxBytes,
      logger: options.logger.child({ component: 'downloads' }),
      ...(options.maxOpen ? { maxOpen: options.maxOpen } : {}),
    });
  }

  async load(): Promise<void> {
    await this.store.load();
  }

  folder(): string {
    return this.store.get().folder ?? this.options.defaultFolder;
  }

  /** Asks the person for a folder; resolves with the new one, or null when they cancelled. */
  async chooseFolder(): Promise<string | null> {
    const result = await this.options.showOpenDialog({
      title: (this.options.text ?? ENGLISH)('mainDialogs.downloadFolderTitle'),
      defaultPath: this.folder(),
      properties: ['openDirectory', 'createDirectory'],
    });
    const chosen = result.filePaths[0];
    if (result.canceled || chosen === undefined) return null;
    await this.store.set({ folder: chosen });
    this.options.logger.info({ folder: chosen }, 'download folder chosen');
    return chosen;
  }

  begin = async (request: DownloadBegin): Promise<{ id: string }> => {
    // The OS Downloads folder may not exist yet (a fresh account, a minimal desktop): make it.
    // A folder the person chose is never created behind their back; its absence is reported.
    if (this.store.get().folder === null) await mkdir(this.options.defaultFolder, { recursive: true });
    return this.writer.begin(request);
  };
  write = (request: DownloadChunk): Promise<void> => this.writer.write(request);
  finish = (request: { id: string }): Promise<DownloadResult> => this.writer.finish(request);
  abort = (request: { id: string }): Promise<void> => this.writer.abort(request);

  async reveal(request: { id: string }): Promise<void> {
    const path = this.writer.pathOf(request.id);
    if (path === null) throw new DownloadError('That file is not one Parley saved in this session; open your download folder to find it.');
    this.options.showItemInFolder(path);
  }

  /** The window closed: delete whatever was half-written. */
  abortAll(): Promise<void> {
    return this.writer.abortAll();
  }
}
