/**
 * The call's file transfers: one FileLink per ready peer, a file sent to every
 * member (one transfer per peer, as the connections are one per peer), and the list
 * the UI shows with progress and the Accept / Decline of incoming offers.
 *
 * Where received files go: on the desktop, to disk through the host (main names,
 * writes and hashes them); in the browser, into one Blob each, under a sanitised
 * name and as application/octet-stream whatever type the sender claimed, so opening
 * it can never run it in Parley's origin. What a call holds in memory (received and
 * being received) is capped; dismissing a file from the list frees it.
 */
import { log, type Logger } from '../log';
import { t } from '../i18n';
import { DiskSink, MemorySink, type DownloadHost, type FileSink, type IncomingFileInfo } from './fileSink';
import { FileLink, type IncomingOffer, type OfferRefusal, type Transfer } from './fileTransferLink';
import { callMemoryCap, formatBytes, sanitizeFileName, sha256Hex } from './fileTransferProtocol';
import type { Timers } from './iceRecovery';
import type { ReadyLink } from './peerChannels';

export interface TransferPeer {
  deviceId: string;
  userId: string;
  displayName: string;
}

export interface TransferView extends Omit<Transfer, 'file'> {
  /** Unique in the list: the peer's deviceId and the transfer id. */
  key: string;
  peer: TransferPeer;
  /** The verified file to save (incoming, done, in memory). */
  blob: Blob | null;
  /** Where the verified file was saved (incoming, done, desktop). */
  savedPath: string | null;
  /** The name to save it under. */
  saveName: string;
}

/** The part of a File the sender reads. */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** The host's download methods (desktop), with "show in folder". */
export interface ReceivedFileHost extends DownloadHost {
  revealDownload(request: { id: string }): Promise<void>;
}

export interface FileTransfersOptions {
  maxFileBytes(): number;
  peerName(deviceId: string): string;
  newId(): string;
  onChange(): void;
  digest?(bytes: Uint8Array<ArrayBuffer>): Promise<string>;
  /** Desktop: received files are written to disk by the host. Absent: they are kept in memory. */
  downloads?: ReceivedFileHost | null;
  timers?: Timers;
  offerTtlMs?: number;
  /** What the call may hold in memory; default callMemoryCap(maxFileBytes). */
  memoryCap?(): number;
  /** Host failures nobody can act on in the moment (default: the 'call.files' log). */
  log?: Logger;
}

const MAX_LISTED = 200;
/** Incoming files in these states occupy memory (in the browser). */
const HELD: ReadonlySet<string> = new Set(['receiving', 'verifying', 'done']);

export class FileTransfers {
  private readonly links = new Map<string, { link: FileLink; peer: TransferPeer }>();
  private readonly downloadIds = new Map<string, string>();
  private views: readonly TransferView[] = [];

  constructor(private readonly options: FileTransfersOptions) {}

  get list(): readonly TransferView[] {
    return this.views;
  }

  /** Bytes of received (and being received) files this call holds in memory. */
  memoryHeld(): number {
    if (this.options.downloads) return 0;
    return this.views.reduce((sum, v) => (v.direction === 'in' && HELD.has(v.status) ? sum + v.size : sum), 0);
  }

  memoryCap(): number {
    return this.options.memoryCap?.() ?? callMemoryCap(this.options.maxFileBytes());
  }

  ready(link: Pick<ReadyLink, 'deviceId' | 'userId' | 'files'>): void {
    this.gone(link.deviceId);
    const peer: TransferPeer = { deviceId: link.deviceId, userId: link.userId, displayName: this.options.peerName(link.deviceId) };
    const fileLink = new FileLink({
      channel: link.files,
      screen: (offer) => this.screen(offer),
      openSink: (file) => this.openSink(file),
      onUpdate: (transfer) => this.update(peer, transfer),
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      ...(this.options.offerTtlMs ? { offerTtlMs: this.options.offerTtlMs } : {}),
    });
    this.links.set(link.deviceId, { link: fileLink, peer });
  }

  gone(deviceId: string): void {
    const entry = this.links.get(deviceId);
    if (!entry) return;
    this.links.delete(deviceId);
    entry.link.close();
  }

  receive(deviceId: string, data: unknown): void {
    this.links.get(deviceId)?.link.receive(data);
  }

  /**
   * Sends `file` to every ready peer. Throws a person-readable Error when it is over
   * this side's limit, empty-handed, or cannot be read.
   */
  async send(file: FileLike): Promise<void> {
    const limit = this.options.maxFileBytes();
    if (file.size > limit) {
      throw new Error(t('notices.fileTooLarge', { name: file.name, size: formatBytes(file.size), limit: formatBytes(limit) }));
    }
    const targets = [...this.links.values()];
    if (targets.length === 0) throw new Error(t('notices.nobodyForFiles'));
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (error) {
      throw new Error(t('notices.fileUnreadable', { name: file.name, reason: error instanceof Error ? error.message : String(error) }), {
        cause: error,
      });
    }
    const sha256 = await (this.options.digest ?? sha256Hex)(bytes);
    const name = sanitizeFileName(file.name);
    // One copy of the bytes, shared by every peer's transfer; it goes when the last one is through.
    for (const { link } of targets) link.send({ id: this.options.newId(), name, mime: file.type.slice(0, 255), bytes, sha256 });
  }

  /**
   * The person accepted an incoming offer. Throws a readable Error when the call
   * has no room left for it in memory (the offer stays, so they can make room).
   */
  async accept(key: string): Promise<void> {
    const view = this.views.find((v) => v.key === key);
    if (view?.status !== 'offered') return;
    if (!this.options.downloads) {
      const cap = this.memoryCap();
      const held = this.memoryHeld();
      if (held + view.size > cap) {
        throw new Error(
          t('notices.fileNoRoom', { name: view.name, size: formatBytes(view.size), held: formatBytes(held), cap: formatBytes(cap) }),
        );
      }
    }
    await this.links.get(view.peer.deviceId)?.link.accept(view.id);
  }

  decline(key: string): void {
    const view = this.views.find((v) => v.key === key);
    if (view) this.links.get(view.peer.deviceId)?.link.decline(view.id);
  }

  cancel(key: string): void {
    const view = this.views.find((v) => v.key === key);
    if (view) this.links.get(view.peer.deviceId)?.link.cancel(view.id);
  }

  /** Shows a saved file in the system's file manager (desktop). */
  async reveal(key: string): Promise<void> {
    const id = this.downloadIds.get(key);
    if (id === undefined || !this.options.downloads) return;
    await this.options.downloads.revealDownload({ id });
  }

  /** Removes a finished transfer from the list; a received file held in memory goes with it. */
  dismiss(key: string): void {
    const view = this.views.find((v) => v.key === key);
    if (!view || !['done', 'cancelled', 'rejected', 'failed'].includes(view.status)) return;
    this.links.get(view.peer.deviceId)?.link.forget(view.id);
    this.downloadIds.delete(key);
    this.set(this.views.filter((v) => v.key !== key));
  }

  reset(): void {
    for (const deviceId of [...this.links.keys()]) this.gone(deviceId);
    this.downloadIds.clear();
    if (this.views.length > 0) this.set([]);
  }

  private screen(offer: IncomingOffer): OfferRefusal | null {
    const limit = this.options.maxFileBytes();
    if (offer.size > limit) return { reason: 'too_large', limit };
    if (!this.options.downloads) {
      const cap = this.memoryCap();
      if (this.memoryHeld() + offer.size > cap) return { reason: 'no_room', limit: cap };
    }
    return null;
  }

  private async openSink(file: IncomingFileInfo): Promise<FileSink> {
    const downloads = this.options.downloads;
    if (!downloads) return new MemorySink(file.sha256);
    const fileLog = this.options.log ?? log.child('call.files');
    return DiskSink.open(downloads, { ...file, name: sanitizeFileName(file.name) }, (error, what) =>
      fileLog.warn(`${what} “${file.name}” failed`, error),
    );
  }

  private update(peer: TransferPeer, transfer: Transfer): void {
    const key = `${peer.deviceId}:${transfer.id}`;
    const { file, ...rest } = transfer;
    const existing = this.views.find((v) => v.key === key);
    if (file?.kind === 'disk') this.downloadIds.set(key, file.downloadId);
    const view: TransferView = {
      ...rest,
      key,
      peer,
      blob: file?.kind === 'memory' ? file.blob : (existing?.blob ?? null),
      savedPath: file?.kind === 'disk' ? file.path : (existing?.savedPath ?? null),
      saveName: sanitizeFileName(transfer.name),
    };
    this.set(existing ? this.views.map((v) => (v.key === key ? view : v)) : [...this.views, view].slice(-MAX_LISTED));
  }

  private set(next: readonly TransferView[]): void {
    this.views = next;
    this.options.onChange();
  }
}
