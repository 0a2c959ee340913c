/**
 * File transfers with ONE remote device over its 'files' channel: the protocol of
 * fileTransferProtocol.ts, driven from both ends. No DOM: the channel is a
 * structural type and every incoming message is pushed in through `receive`, so the
 * whole exchange runs in Node between two links joined by a fake channel pair.
 *
 * One outgoing transfer is on the wire at a time (the others wait in a queue) and
 * the peer does the same, so binary chunks need no header: they belong to the
 * incoming transfer accepted last. After a cancel, chunks that were already on
 * their way are dropped until the next offer.
 */
import { FileAssembly } from './fileTransferReceive';
import { encodeFileMessage, parseFileMessage, PROGRESS_STEP_BYTES, type FileMessage } from './fileTransferProtocol';
import { pumpChunks, type ChunkChannel } from './fileTransferSend';

export type TransferStatus = 'waiting' | 'sending' | 'receiving' | 'verifying' | 'done' | 'cancelled' | 'rejected' | 'failed';

/** Why a transfer did not arrive; the UI turns this into words (transferText.ts). */
export type TransferProblem =
  | { kind: 'cancelled'; by: 'me' | 'peer' }
  /** Rejected for size: `limit` is the receiver's (mine for an incoming file, theirs for an outgoing one). */
  | { kind: 'too_large'; limit: number }
  | { kind: 'busy' }
  /** The received bytes do not match the SHA-256 of the offer (incoming), or the peer's copy did not (outgoing). */
  | { kind: 'checksum' }
  | { kind: 'connection' }
  /** The peer broke the protocol (more bytes than announced, an oversized chunk, a short file). */
  | { kind: 'protocol' };

export interface Transfer {
  id: string;
  direction: 'out' | 'in';
  name: string;
  size: number;
  mime: string;
  /** Bytes moved so far. */
  bytes: number;
  status: TransferStatus;
  problem: TransferProblem | null;
  /** The verified file: incoming transfers that are done, only. */
  data: Uint8Array<ArrayBuffer> | null;
}

export interface OutgoingFile {
  id: string;
  name: string;
  mime: string;
  bytes: Uint8Array<ArrayBuffer>;
  sha256: string;
}

export interface FileChannel extends ChunkChannel {
  send(data: string): void;
  send(data: ArrayBufferView<ArrayBuffer>): void;
}

export interface FileLinkOptions {
  channel: FileChannel;
  /** Largest incoming file accepted (settings.maxFileBytes), read at each offer. */
  maxFileBytes(): number;
  onUpdate(transfer: Transfer): void;
  digest?(bytes: Uint8Array<ArrayBuffer>): Promise<string>;
}

const TERMINAL: ReadonlySet<TransferStatus> = new Set(['done', 'cancelled', 'rejected', 'failed']);

interface Sending {
  file: OutgoingFile;
  abort: AbortController;
  pumping: boolean;
  cancelledBy: 'me' | 'peer' | null;
}

interface Receiving {
  id: string;
  assembly: FileAssembly;
  reported: number;
}

export class FileLink {
  private readonly transfers = new Map<string, Transfer>();
  private readonly queue: OutgoingFile[] = [];
  private sending: Sending | null = null;
  private receiving: Receiving | null = null;
  private closed = false;

  constructor(private readonly options: FileLinkOptions) {}

  /** Queues a file for this peer; it is offered when the transfers before it are through. */
  send(file: OutgoingFile): void {
    if (this.closed) return;
    this.queue.push(file);
    this.set({
      id: file.id,
      direction: 'out',
      name: file.name,
      size: file.bytes.byteLength,
      mime: file.mime,
      bytes: 0,
      status: 'waiting',
      problem: null,
      data: null,
    });
    this.next();
  }

  /** Stops a transfer from this side, whichever way it goes; the peer is told. */
  cancel(id: string): void {
    const queued = this.queue.findIndex((f) => f.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
      return;
    }
    if (this.sending?.file.id === id) {
      const sending = this.sending;
      sending.cancelledBy = 'me';
      if (sending.pumping) {
        sending.abort.abort(); // the pump returns 'cancelled' and run() tells the peer
      } else {
        this.sending = null;
        this.post({ type: 'cancel', id });
        this.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
        this.next();
      }
      return;
    }
    if (this.receiving?.id === id) {
      this.receiving.assembly.discard();
      this.receiving = null;
      this.post({ type: 'cancel', id });
      this.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
    }
  }

  /** One message from the channel: text is a control message, binary a chunk. */
  receive(data: unknown): void {
    if (this.closed) return;
    if (typeof data === 'string') {
      const message = parseFileMessage(data);
      if (message) void this.onMessage(message);
    } else if (data instanceof ArrayBuffer) {
      this.onChunk(data);
    }
  }

  /** The channel is gone: everything still moving failed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.sending?.abort.abort();
    this.sending = null;
    this.receiving?.assembly.discard();
    this.receiving = null;
    this.queue.length = 0;
    for (const t of [...this.transfers.values()]) {
      if (!TERMINAL.has(t.status)) this.finish(t.id, 'failed', { kind: 'connection' });
    }
  }

  private next(): void {
    if (this.closed || this.sending) return;
    const file = this.queue.shift();
    if (!file) return;
    this.sending = { file, abort: new AbortController(), pumping: false, cancelledBy: null };
    this.post({
      type: 'offer',
      id: file.id,
      name: file.name,
      size: file.bytes.byteLength,
      mime: file.mime,
      sha256: file.sha256,
    });
  }

  private async run(sending: Sending): Promise<void> {
    const { file } = sending;
    sending.pumping = true;
    this.patch(file.id, { status: 'sending' });
    const outcome = await pumpChunks(file.bytes, this.options.channel, {
      signal: sending.abort.signal,
      onProgress: (bytes) => this.patch(file.id, { bytes }),
    });
    if (this.closed) return;
    if (this.sending === sending) this.sending = null;
    if (outcome === 'sent') {
      this.post({ type: 'end', id: file.id });
      this.patch(file.id, { status: 'verifying' });
    } else if (outcome === 'cancelled') {
      if (sending.cancelledBy === 'me') this.post({ type: 'cancel', id: file.id });
      this.finish(file.id, 'cancelled', { kind: 'cancelled', by: sending.cancelledBy ?? 'me' });
    } else {
      this.close();
      return;
    }
    this.next();
  }

  private async onMessage(message: FileMessage): Promise<void> {
    const { id } = message;
    switch (message.type) {
      case 'offer':
        return this.onOffer(message);
      case 'accept':
        if (this.sending?.file.id === id && !this.sending.pumping) await this.run(this.sending);
        return;
      case 'reject':
        if (this.sending?.file.id !== id || this.sending.pumping) return;
        this.sending = null;
        this.finish(
          id,
          'rejected',
          message.reason === 'too_large' ? { kind: 'too_large', limit: message.limit ?? 0 } : { kind: 'busy' },
        );
        this.next();
        return;
      case 'cancel':
        return this.onPeerCancel(id);
      case 'end':
        return this.onEnd(id);
      case 'result': {
        const t = this.transfers.get(id);
        if (t?.direction !== 'out' || t.status !== 'verifying') return;
        if (message.ok) this.finish(id, 'done', null);
        else this.finish(id, 'failed', { kind: 'checksum' });
        return;
      }
    }
  }

  private onOffer(offer: Extract<FileMessage, { type: 'offer' }>): void {
    const { id } = offer;
    // A second offer before the first ended, or an id we already know: not ours to take.
    if (this.receiving || this.transfers.has(id)) {
      this.post({ type: 'reject', id, reason: 'busy' });
      return;
    }
    const base: Transfer = {
      id,
      direction: 'in',
      name: offer.name,
      size: offer.size,
      mime: offer.mime,
      bytes: 0,
      status: 'receiving',
      problem: null,
      data: null,
    };
    const limit = this.options.maxFileBytes();
    if (offer.size > limit) {
      this.set({ ...base, status: 'rejected', problem: { kind: 'too_large', limit } });
      this.post({ type: 'reject', id, reason: 'too_large', limit });
      return;
    }
    this.receiving = { id, assembly: new FileAssembly(offer.size, offer.sha256, this.options.digest), reported: 0 };
    this.set(base);
    this.post({ type: 'accept', id });
  }

  private onPeerCancel(id: string): void {
    if (this.sending?.file.id === id) {
      const sending = this.sending;
      sending.cancelledBy = 'peer';
      if (sending.pumping) {
        sending.abort.abort();
      } else {
        this.sending = null;
        this.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
        this.next();
      }
      return;
    }
    if (this.receiving?.id === id) {
      this.receiving.assembly.discard();
      this.receiving = null;
      this.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
      return;
    }
    // Cancelled while we were confirming: they gave up on it.
    const t = this.transfers.get(id);
    if (t && t.direction === 'out' && t.status === 'verifying') this.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
  }

  private onChunk(chunk: ArrayBuffer): void {
    const receiving = this.receiving;
    if (!receiving) return; // the tail of a cancelled transfer, or nothing we accepted
    const verdict = receiving.assembly.add(chunk);
    if (verdict !== 'ok') {
      receiving.assembly.discard();
      this.receiving = null;
      this.post({ type: 'cancel', id: receiving.id });
      this.finish(receiving.id, 'failed', { kind: 'protocol' });
      return;
    }
    const { received, size } = receiving.assembly;
    if (received - receiving.reported >= PROGRESS_STEP_BYTES || received === size) {
      receiving.reported = received;
      this.patch(receiving.id, { bytes: received });
    }
  }

  private async onEnd(id: string): Promise<void> {
    const receiving = this.receiving;
    if (receiving?.id !== id) return;
    this.receiving = null;
    this.patch(id, { status: 'verifying', bytes: receiving.assembly.received });
    const result = await receiving.assembly.finish();
    if (this.closed || this.transfers.get(id)?.status !== 'verifying') return;
    this.post({ type: 'result', id, ok: result.ok });
    if (result.ok) this.finish(id, 'done', null, result.bytes);
    else this.finish(id, 'failed', { kind: result.reason === 'checksum' ? 'checksum' : 'protocol' });
  }

  private post(message: FileMessage): void {
    if (this.options.channel.readyState !== 'open') return;
    try {
      this.options.channel.send(encodeFileMessage(message));
    } catch {
      // Closing under us: the 'close' event fails what is left.
    }
  }

  private set(transfer: Transfer): void {
    this.transfers.set(transfer.id, transfer);
    this.options.onUpdate(transfer);
  }

  private patch(id: string, patch: Partial<Transfer>): void {
    const t = this.transfers.get(id);
    if (t && !TERMINAL.has(t.status)) this.set({ ...t, ...patch });
  }

  private finish(
    id: string,
    status: TransferStatus,
    problem: TransferProblem | null,
    data: Uint8Array<ArrayBuffer> | null = null,
  ): void {
    const t = this.transfers.get(id);
    if (!t || TERMINAL.has(t.status)) return;
    this.set({ ...t, status, problem, data, bytes: status === 'done' ? t.size : t.bytes });
  }
}
