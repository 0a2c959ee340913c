/**
 * The call's file transfers: one FileLink per ready peer, a file sent to every
 * member (one transfer per peer, as the connections are one per peer), and the list
 * the UI shows with progress. A received file is handed out as a Blob only after its
 * SHA-256 matched, under a sanitised name and as application/octet-stream whatever
 * type the sender claimed, so opening it can never run it in Parley's origin.
 */
import { FileLink, type Transfer } from './fileTransferLink';
import { formatBytes, sanitizeFileName, sha256Hex } from './fileTransferProtocol';
import type { ReadyLink } from './peerChannels';

export interface TransferPeer {
  deviceId: string;
  userId: string;
  displayName: string;
}

export interface TransferView extends Omit<Transfer, 'data'> {
  /** Unique in the list: the peer's deviceId and the transfer id. */
  key: string;
  peer: TransferPeer;
  /** The verified file to save (incoming, done). */
  blob: Blob | null;
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

export interface FileTransfersOptions {
  maxFileBytes(): number;
  peerName(deviceId: string): string;
  newId(): string;
  onChange(): void;
  digest?(bytes: Uint8Array<ArrayBuffer>): Promise<string>;
}

const MAX_LISTED = 200;

export class FileTransfers {
  private readonly links = new Map<string, { link: FileLink; peer: TransferPeer }>();
  private views: readonly TransferView[] = [];

  constructor(private readonly options: FileTransfersOptions) {}

  get list(): readonly TransferView[] {
    return this.views;
  }

  ready(link: ReadyLink): void {
    this.gone(link.deviceId);
    const peer: TransferPeer = { deviceId: link.deviceId, userId: link.userId, displayName: this.options.peerName(link.deviceId) };
    const fileLink = new FileLink({
      channel: link.files,
      maxFileBytes: this.options.maxFileBytes,
      onUpdate: (transfer) => this.update(peer, transfer),
      ...(this.options.digest ? { digest: this.options.digest } : {}),
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
      throw new Error(
        `“${file.name}” is ${formatBytes(file.size)}; files up to ${formatBytes(limit)} can be sent. Change the limit in Settings → Files.`,
      );
    }
    const targets = [...this.links.values()];
    if (targets.length === 0) throw new Error('Nobody in the call can receive files yet. Try again once they are connected.');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (error) {
      throw new Error(`“${file.name}” could not be read (${error instanceof Error ? error.message : String(error)}). Is it still there?`, {
        cause: error,
      });
    }
    const sha256 = await (this.options.digest ?? sha256Hex)(bytes);
    const name = sanitizeFileName(file.name);
    for (const { link } of targets) link.send({ id: this.options.newId(), name, mime: file.type.slice(0, 255), bytes, sha256 });
  }

  cancel(key: string): void {
    const view = this.views.find((v) => v.key === key);
    if (view) this.links.get(view.peer.deviceId)?.link.cancel(view.id);
  }

  /** Removes a finished transfer from the list. */
  dismiss(key: string): void {
    const next = this.views.filter((v) => v.key !== key || !['done', 'cancelled', 'rejected', 'failed'].includes(v.status));
    if (next.length !== this.views.length) this.set(next);
  }

  reset(): void {
    for (const deviceId of [...this.links.keys()]) this.gone(deviceId);
    if (this.views.length > 0) this.set([]);
  }

  private update(peer: TransferPeer, transfer: Transfer): void {
    const key = `${peer.deviceId}:${transfer.id}`;
    const { data, ...rest } = transfer;
    const existing = this.views.find((v) => v.key === key);
    const view: TransferView = {
      ...rest,
      key,
      peer,
      blob: data ? new Blob([data], { type: 'application/octet-stream' }) : (existing?.blob ?? null),
      saveName: sanitizeFileName(transfer.name),
    };
    this.set(existing ? this.views.map((v) => (v.key === key ? view : v)) : [...this.views, view].slice(-MAX_LISTED));
  }

  private set(next: readonly TransferView[]): void {
    this.views = next;
    this.options.onChange();
  }
}
