/**
 * Writing received files to disk for the renderer (desktop): the renderer streams
 * an accepted file's chunks here, so a 1 GB file never sits in the window's memory.
 *
 * Main trusts nothing it is sent: the name is made safe and the path checked to be
 * inside the chosen folder (downloadName.ts); bytes go to a `.part` file opened
 * exclusively; main hashes them itself as they arrive; more bytes than announced
 * end the download; only a file whose size and SHA-256 match the announcement gets
 * its final name, never overwriting anything (" (1)", " (2)"… instead); anything
 * aborted or failed is deleted. At most `maxOpen` downloads are open at once.
 * No Electron: tests run it against a temp folder.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, open, stat, unlink, type FileHandle } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { DownloadBegin, DownloadChunk, DownloadResult } from '../../preload/contract';
import { insideFolder, numberedName, safeDownloadName } from './downloadName';

export interface DownloadWriterOptions {
  /** The folder received files go to (absolute), read at each begin. */
  folder(): string;
  /** The largest file accepted (settings.maxFileBytes), read at each begin. */
  maxBytes(): number;
  /** Downloads open at once (default 8: a full group call, each peer sending one file, with room to spare). */
  maxOpen?: number;
  logger: Logger;
  newId?(): string;
}

interface OpenDownload {
  id: string;
  folder: string;
  name: string;
  partPath: string;
  handle: FileHandle;
  hash: Hash;
  size: number;
  sha256: string;
  written: number;
  /** Writes run one after another even if the renderer sends them at once. */
  queue: Promise<void>;
  failed: Error | null;
}

/** Remembered finished downloads, for "Show in folder". */
const MAX_FINISHED = 500;
const MAX_NUMBERED = 999;

export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

const defaultNewId = (): string => randomBytes(16).toString('base64url');

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM') return 'Parley may not write there';
  if (code === 'ENOENT') return 'the folder does not exist';
  if (code === 'EROFS') return 'the disk is read-only';
  return error instanceof Error ? error.message : String(error);
}

export class DownloadWriter {
  private readonly open = new Map<string, OpenDownload>();
  private readonly finished = new Map<string, string>();

  constructor(private readonly options: DownloadWriterOptions) {}

  get openCount(): number {
    return this.open.size;
  }

  async begin(request: DownloadBegin): Promise<{ id: string }> {
    const maxOpen = this.options.maxOpen ?? 8;
    if (this.open.size >= maxOpen) {
      throw new DownloadError(`Parley is already saving ${this.open.size} files; wait for one to finish, then accept this one again.`);
    }
    const limit = this.options.maxBytes();
    if (request.size > limit) {
      throw new DownloadError(`“${safeDownloadName(request.name)}” is larger than your limit of ${limit} bytes; raise it in Settings → Files.`);
    }
    const folder = this.options.folder();
    const info = await stat(folder).catch(() => null);
    if (!info?.isDirectory()) {
      throw new DownloadError(`The folder for received files, ${folder}, is missing. Choose another in Settings → Files.`);
    }
    const id = (this.options.newId ?? defaultNewId)();
    const name = safeDownloadName(request.name);
    const partName = `${name}.${id.slice(0, 8)}.part`;
    const partPath = insideFolder(folder, partName);
    if (partPath === null) throw new DownloadError(`Parley refused to save “${name}”: its name leads outside ${folder}.`);
    let handle: FileHandle;
    try {
      // 'wx': create, and fail rather than write into anything that exists.
      handle = await open(partPath, 'wx', 0o600);
    } catch (error) {
      throw new DownloadError(`Parley could not save “${name}” in ${folder}: ${describe(error)}. Choose another folder in Settings → Files.`);
    }
    this.open.set(id, {
      id,
      folder,
      name,
      partPath,
      handle,
      hash: createHash('sha256'),
      size: request.size,
      sha256: request.sha256,
      written: 0,
      queue: Promise.resolve(),
      failed: null,
    });
    this.options.logger.info({ id, name, size: request.size }, 'download started');
    return { id };
  }

  write(request: DownloadChunk): Promise<void> {
    const download = this.open.get(request.id);
    if (!download) return Promise.reject(this.missing(request.id));
    const run = async (): Promise<void> => {
      if (download.failed) throw download.failed;
      const { chunk } = request;
      if (download.written + chunk.byteLength > download.size) {
        await this.drop(download, 'more bytes than announced');
        throw new DownloadError(`“${download.name}” sent more bytes than it announced (${download.size}); it was deleted.`);
      }
      try {
        await download.handle.write(chunk, 0, chunk.byteLength);
      } catch (error) {
        download.failed = new DownloadError(`Parley could not write “${download.name}” to ${download.folder}: ${describe(error)}.`);
        await this.drop(download, 'write failed');
        throw download.failed;
      }
      download.hash.update(chunk);
      download.written += chunk.byteLength;
    };
    const result = download.queue.then(run);
    download.queue = result.catch(() => undefined);
    return result;
  }

  async finish(request: { id: string }): Promise<DownloadResult> {
    const download = this.need(request.id);
    await download.queue;
    if (download.failed) throw download.failed;
    this.open.delete(download.id);
    if (download.written !== download.size) {
      await this.discard(download, 'short');
      return { ok: false, reason: 'size', message: `only ${download.written} of ${download.size} bytes arrived; the file was deleted` };
    }
    const sha256 = download.hash.digest('hex');
    if (sha256 !== download.sha256) {
      await this.discard(download, 'checksum');
      return { ok: false, reason: 'checksum', message: 'the SHA-256 checksum does not match; the file was deleted' };
    }
    await download.handle.close();
    const path = await this.claimName(download);
    this.finished.set(download.id, path);
    if (this.finished.size > MAX_FINISHED) this.finished.delete(this.finished.keys().next().value ?? '');
    this.options.logger.info({ id: download.id, path }, 'download saved');
    return { ok: true, path, sha256 };
  }

  async abort(request: { id: string }): Promise<void> {
    const download = this.open.get(request.id);
    if (!download) return; // finished, failed or aborted already
    await download.queue;
    await this.drop(download, 'aborted');
  }

  /** The saved file of a finished download, or null. */
  pathOf(id: string): string | null {
    return this.finished.get(id) ?? null;
  }

  /** The window is gone: nothing left half-written. */
  async abortAll(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.abort({ id })));
  }

  private need(id: string): OpenDownload {
    const download = this.open.get(id);
    if (!download) throw this.missing(id);
    return download;
  }

  private missing(id: string): DownloadError {
    return new DownloadError(`No download ${id} is in progress (finished, aborted or never begun).`);
  }

  /** Renames the verified part file to the first free "name", "name (1)"… without ever overwriting. */
  private async claimName(download: OpenDownload): Promise<string> {
    for (let n = 0; n <= MAX_NUMBERED; n += 1) {
      const candidate = insideFolder(download.folder, numberedName(download.name, n));
      if (candidate === null) break;
      try {
        // link() fails with EEXIST instead of replacing: an atomic "create if absent".
        await link(download.partPath, candidate);
        await unlink(download.partPath);
        return candidate;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') continue;
        // File systems without hard links (FAT, some network shares): copy exclusively instead.
        try {
          await copyFile(download.partPath, candidate, constants.COPYFILE_EXCL);
          await unlink(download.partPath);
          return candidate;
        } catch (copyError) {
          if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') continue;
          await this.discard(download, 'rename failed');
          throw new DownloadError(`Parley could not name “${download.name}” in ${download.folder}: ${describe(copyError)}.`);
        }
      }
    }
    await this.discard(download, 'no free name');
    throw new DownloadError(`“${download.name}” and ${MAX_NUMBERED} numbered copies already exist in ${download.folder}; tidy the folder or choose another in Settings → Files.`);
  }

  private async drop(download: OpenDownload, why: string): Promise<void> {
    this.open.delete(download.id);
    await this.discard(download, why);
  }

  private async discard(download: OpenDownload, why: string): Promise<void> {
    await download.handle.close().catch((error: unknown) => this.options.logger.warn({ id: download.id, err: error }, 'closing a part file failed'));
    try {
      await unlink(download.partPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.options.logger.warn({ id: download.id, path: download.partPath, err: error }, 'could not delete a part file');
      }
    }
    this.options.logger.info({ id: download.id, why }, 'download discarded');
  }
}
