/**
 * File transfer in calls (fileTransfers.ts and the link, sink and hashing under it),
 * loaded when first needed, not at start (issue 16.8). This stands in for
 * FileTransfers in the call's features from the start, with the same surface:
 *
 * - the first file channel that opens (`ready`, which every call's session brings) or
 *   the first file sent loads the module; channels opened and gone, and the messages
 *   that came meanwhile, are handed to it in the order they came;
 * - until then there is nothing to list, and a file sent waits for the load;
 * - a load that fails is logged; a file sent (or accepted) then fails with a sentence
 *   that says so; the next channel event or file tries again, with what waited.
 */
import { t } from '../i18n';
import { log } from '../log';
import type { FileLike, FileTransfers, FileTransfersOptions, TransferView } from './fileTransfers';
import { callMemoryCap } from './fileTransferProtocol';

const logger = log.child('call.files');

/** Channel events kept while the module loads; a flood beyond this is dropped (logged). */
export const MAX_WAITING_FILE_EVENTS = 2048;

type Surface = Pick<
  FileTransfers,
  'list' | 'memoryHeld' | 'memoryCap' | 'ready' | 'gone' | 'receive' | 'send' | 'accept' | 'decline' | 'cancel' | 'reveal' | 'dismiss' | 'reset'
>;

export interface FileTransfersModule {
  FileTransfers: new (options: FileTransfersOptions) => Surface;
}

const NO_VIEWS: readonly TransferView[] = [];

export class LazyFileTransfers implements Surface {
  private loaded: Surface | null = null;
  private loading: Promise<Surface> | null = null;
  private waiting: ((files: Surface) => void)[] = [];

  constructor(
    private readonly options: FileTransfersOptions,
    private readonly load: () => Promise<FileTransfersModule> = () => import('./fileTransfers'),
  ) {}

  get list(): readonly TransferView[] {
    return this.loaded?.list ?? NO_VIEWS;
  }

  memoryHeld(): number {
    return this.loaded?.memoryHeld() ?? 0;
  }

  memoryCap(): number {
    return this.loaded?.memoryCap() ?? this.options.memoryCap?.() ?? callMemoryCap(this.options.maxFileBytes());
  }

  ready(link: Parameters<FileTransfers['ready']>[0]): void {
    this.now(`the file channel of device ${link.deviceId} opened`, (files) => files.ready(link));
  }

  gone(deviceId: string): void {
    // Nothing to close before anything opened.
    if (this.loaded || this.waiting.length > 0) this.now(`the file channel of device ${deviceId} closed`, (files) => files.gone(deviceId));
  }

  receive(deviceId: string, data: unknown): void {
    this.now(`a file message from device ${deviceId}`, (files) => files.receive(deviceId, data));
  }

  async send(file: FileLike): Promise<void> {
    return (await this.module()).send(file);
  }

  async accept(key: string): Promise<void> {
    return (await this.module()).accept(key);
  }

  // Transfers are listed only once the module is there: before, there is nothing to act on.
  decline(key: string): void {
    this.loaded?.decline(key);
  }

  cancel(key: string): void {
    this.loaded?.cancel(key);
  }

  async reveal(key: string): Promise<void> {
    await this.loaded?.reveal(key);
  }

  dismiss(key: string): void {
    this.loaded?.dismiss(key);
  }

  reset(): void {
    if (this.loaded) this.loaded.reset();
    else this.waiting = [];
  }

  /** An event for the module: now, or (in order) once it has loaded. */
  private now(what: string, event: (files: Surface) => void): void {
    if (this.loaded) {
      event(this.loaded);
      return;
    }
    if (this.waiting.length >= MAX_WAITING_FILE_EVENTS) {
      logger.warn(`${what} dropped: ${MAX_WAITING_FILE_EVENTS} events already wait for file transfer to load`);
      return;
    }
    this.waiting.push(event);
    void this.module().catch(() => undefined); // logged in module(); the next event or file tries again
  }

  /** The module, loading it once; waiting events are replayed before anything else reaches it. */
  private module(): Promise<Surface> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.loading ??= this.load().then(
      (module) => {
        const files = new module.FileTransfers(this.options);
        const events = this.waiting;
        this.waiting = [];
        for (const event of events) event(files);
        this.loaded = files;
        this.options.onChange();
        return files;
      },
      (error: unknown) => {
        // What waited stays (the channels open now, in order) for the next try.
        this.loading = null;
        logger.error('file transfer did not load: files cannot be sent or received in this call', error);
        throw new Error(t('notices.filesNotLoaded', { reason: error instanceof Error ? error.message : String(error) }), { cause: error });
      },
    );
    return this.loading;
  }
}
