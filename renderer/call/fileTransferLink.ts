/**
 * File transfers with ONE remote device over its 'files' channel: the protocol of
 * fileTransferProtocol.ts, driven from both ends. No DOM: the channel is a
 * structural type and every incoming message is pushed in through `receive`, so the
 * whole exchange runs in Node between two links joined by a fake channel pair.
 *
 * One outgoing transfer is on the wire at a time (the others wait in a queue) and
 * the peer does the same, so binary chunks need no header: they belong to the
 * incoming transfer accepted last. After a cancel, chunks that were already on
 * their way are dropped until the next offer. The receiving half, with the
 * person's Accept / Decline, is fileTransferIncoming.ts.
 */
import { log } from '../log';
import type { OpenSink } from './fileSink';
import { TransferBook, TERMINAL, type Transfer, type TransferProblem } from './fileTransferBook';
import { IncomingFiles, type IncomingOffer, type OfferRefusal } from './fileTransferIncoming';
import { encodeFileMessage, OFFER_SENDER_GRACE_MS, OFFER_TTL_MS, parseFileMessage, type FileMessage } from './fileTransferProtocol';
import { pumpChunks, type ChunkChannel } from './fileTransferSend';
import { realTimers, type Timers } from './iceRecovery';

export type { Transfer, TransferProblem, TransferStatus } from './fileTransferBook';
export type { IncomingOffer, OfferRefusal } from './fileTransferIncoming';

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
  /** Checks an offer as it arrives (size limit, room left): null to ask the person. */
  screen(offer: IncomingOffer): OfferRefusal | null;
  /** Where an accepted file's bytes go; throws a person-readable Error when there is nowhere. */
  openSink: OpenSink;
  onUpdate(transfer: Transfer): void;
  timers?: Timers;
  /** How long an offer waits for the person's answer (default OFFER_TTL_MS). */
  offerTtlMs?: number;
}

interface Sending {
  file: OutgoingFile;
  abort: AbortController;
  pumping: boolean;
  cancelledBy: 'me' | 'peer' | null;
  /** Gives up on an offer nobody answers. */
  timer: unknown;
}

export class FileLink {
  private readonly book: TransferBook;
  private readonly incoming: IncomingFiles;
  private readonly timers: Timers;
  private readonly offerTtlMs: number;
  private readonly queue: OutgoingFile[] = [];
  private sending: Sending | null = null;
  private closed = false;

  constructor(private readonly options: FileLinkOptions) {
    this.book = new TransferBook(options.onUpdate);
    this.timers = options.timers ?? realTimers;
    this.offerTtlMs = options.offerTtlMs ?? OFFER_TTL_MS;
    this.incoming = new IncomingFiles({
      book: this.book,
      post: (message) => this.post(message),
      screen: options.screen,
      openSink: options.openSink,
      timers: this.timers,
      offerTtlMs: this.offerTtlMs,
    });
  }

  /** Queues a file for this peer; it is offered when the transfers before it are through. */
  send(file: OutgoingFile): void {
    if (this.closed) return;
    this.queue.push(file);
    this.book.set({
      id: file.id,
      direction: 'out',
      name: file.name,
      size: file.bytes.byteLength,
      mime: file.mime,
      bytes: 0,
      status: 'waiting',
      problem: null,
      file: null,
    });
    this.next();
  }

  /** The person accepted the incoming offer `id`. */
  accept(id: string): Promise<void> {
    return this.closed ? Promise.resolve() : this.incoming.accept(id);
  }

  /** The person declined the incoming offer `id`. */
  decline(id: string): void {
    if (!this.closed) this.incoming.decline(id);
  }

  /** Stops a transfer from this side, whichever way it goes; the peer is told. */
  cancel(id: string): void {
    const queued = this.queue.findIndex((f) => f.id === id);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
      return;
    }
    if (this.sending?.file.id === id) {
      const sending = this.sending;
      sending.cancelledBy = 'me';
      if (sending.pumping) {
        sending.abort.abort(); // the pump returns 'cancelled' and run() tells the peer
      } else {
        this.stopOffer(sending);
        this.post({ type: 'cancel', id });
        this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
        this.next();
      }
      return;
    }
    this.incoming.cancel(id);
  }

  /** Forgets a finished transfer (dismissed from the list). */
  forget(id: string): void {
    this.book.forget(id);
  }

  /** One message from the channel: text is a control message, binary a chunk. */
  receive(data: unknown): void {
    if (this.closed) return;
    if (typeof data === 'string') {
      const message = parseFileMessage(data);
      if (message) void this.onMessage(message);
    } else if (data instanceof ArrayBuffer) {
      this.incoming.onChunk(data);
    }
  }

  /** The channel is gone: everything still moving failed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sending) this.timers.clearTimeout(this.sending.timer);
    this.sending?.abort.abort();
    this.sending = null;
    this.incoming.close();
    this.queue.length = 0;
    for (const t of this.book.all()) {
      if (!TERMINAL.has(t.status)) this.book.finish(t.id, 'failed', { kind: 'connection' });
    }
  }

  private next(): void {
    if (this.closed || this.sending) return;
    const file = this.queue.shift();
    if (!file) return;
    const timer = this.timers.setTimeout(() => this.offerExpired(file.id), this.offerTtlMs + OFFER_SENDER_GRACE_MS);
    this.sending = { file, abort: new AbortController(), pumping: false, cancelledBy: null, timer };
    this.post({ type: 'offer', id: file.id, name: file.name, size: file.bytes.byteLength, mime: file.mime, sha256: file.sha256 });
  }

  /** The receiver never answered (its own expiry was lost): withdraw the offer. */
  private offerExpired(id: string): void {
    const sending = this.sending;
    if (sending?.file.id !== id || sending.pumping) return;
    this.stopOffer(sending);
    this.post({ type: 'cancel', id });
    this.book.finish(id, 'rejected', { kind: 'expired' });
    this.next();
  }

  private stopOffer(sending: Sending): void {
    this.timers.clearTimeout(sending.timer);
    if (this.sending === sending) this.sending = null;
  }

  private async run(sending: Sending): Promise<void> {
    const { file } = sending;
    this.timers.clearTimeout(sending.timer);
    sending.pumping = true;
    this.book.patch(file.id, { status: 'sending' });
    const outcome = await pumpChunks(file.bytes, this.options.channel, {
      signal: sending.abort.signal,
      onProgress: (bytes) => this.book.patch(file.id, { bytes }),
    });
    if (this.closed) return;
    if (this.sending === sending) this.sending = null;
    if (outcome === 'sent') {
      this.post({ type: 'end', id: file.id });
      this.book.patch(file.id, { status: 'verifying' });
    } else if (outcome === 'cancelled') {
      if (sending.cancelledBy === 'me') this.post({ type: 'cancel', id: file.id });
      this.book.finish(file.id, 'cancelled', { kind: 'cancelled', by: sending.cancelledBy ?? 'me' });
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
        this.incoming.onOffer(message);
        return;
      case 'accept':
        if (this.sending?.file.id === id && !this.sending.pumping) await this.run(this.sending);
        return;
      case 'reject': {
        const sending = this.sending;
        if (sending?.file.id !== id || sending.pumping) return;
        this.stopOffer(sending);
        this.book.finish(id, 'rejected', rejectionProblem(message));
        this.next();
        return;
      }
      case 'cancel':
        return this.onPeerCancel(id);
      case 'end':
        return this.incoming.onEnd(id, () => this.closed);
      case 'result': {
        const t = this.book.get(id);
        if (t?.direction !== 'out' || t.status !== 'verifying') return;
        if (message.ok) this.book.finish(id, 'done', null);
        else this.book.finish(id, 'failed', { kind: 'checksum' });
        return;
      }
    }
  }

  private onPeerCancel(id: string): void {
    if (this.sending?.file.id === id) {
      const sending = this.sending;
      sending.cancelledBy = 'peer';
      if (sending.pumping) {
        sending.abort.abort();
      } else {
        this.stopOffer(sending);
        this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
        this.next();
      }
      return;
    }
    if (this.incoming.onPeerCancel(id)) return;
    // Cancelled while we were confirming: they gave up on it.
    const t = this.book.get(id);
    if (t && t.direction === 'out' && t.status === 'verifying') this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
  }

  private post(message: FileMessage): void {
    if (this.options.channel.readyState !== 'open') return;
    try {
      this.options.channel.send(encodeFileMessage(message));
    } catch (error) {
      // Closing under us: the 'close' event fails what is left.
      log.child('call.files').debug(`a '${message.type}' file message was not sent: the channel is closing`, error);
    }
  }
}

/** The receiver's "no" to an outgoing offer, as a problem the sender's list shows. */
function rejectionProblem(message: Extract<FileMessage, { type: 'reject' }>): TransferProblem {
  switch (message.reason) {
    case 'too_large':
      return { kind: 'too_large', limit: message.limit ?? 0 };
    case 'no_room':
      return { kind: 'no_room', limit: message.limit ?? 0 };
    case 'declined':
      return { kind: 'declined', by: 'peer' };
    case 'expired':
      return { kind: 'expired' };
    case 'failed':
      return { kind: 'storage', message: '' };
    case 'busy':
      return { kind: 'busy' };
  }
}
