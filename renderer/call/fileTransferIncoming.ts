/**
 * The receiving half of a FileLink: an offer is screened (size limit, room left in
 * the call) and then put to the person, who accepts or declines; an unanswered
 * offer expires. Only after Accept is a sink opened and the sender told to go, so
 * nothing but the offer crosses before the person agreed. No DOM.
 */
import { log } from '../log';
import type { OpenSink } from './fileSink';
import type { TransferBook } from './fileTransferBook';
import { FileAssembly } from './fileTransferReceive';
import { PROGRESS_STEP_BYTES, type FileMessage } from './fileTransferProtocol';
import type { Timers } from './iceRecovery';

export type IncomingOffer = Extract<FileMessage, { type: 'offer' }>;

/** An offer refused as it arrives, without asking. */
export type OfferRefusal = { reason: 'too_large'; limit: number } | { reason: 'no_room'; limit: number };

export interface IncomingOptions {
  book: TransferBook;
  post(message: FileMessage): void;
  /** null: ask the person; otherwise refuse at once. */
  screen(offer: IncomingOffer): OfferRefusal | null;
  openSink: OpenSink;
  timers: Timers;
  offerTtlMs: number;
}

type Incoming =
  | { stage: 'offered'; offer: IncomingOffer; timer: unknown }
  | { stage: 'opening'; offer: IncomingOffer }
  | { stage: 'receiving'; id: string; assembly: FileAssembly; reported: number };

export class IncomingFiles {
  private incoming: Incoming | null = null;

  constructor(private readonly options: IncomingOptions) {}

  private get book(): TransferBook {
    return this.options.book;
  }

  private idOf(incoming: Incoming): string {
    return incoming.stage === 'receiving' ? incoming.id : incoming.offer.id;
  }

  onOffer(offer: IncomingOffer): void {
    const { id } = offer;
    const { post } = this.options;
    // A second offer before the first was through, or an id we already know: not ours to take.
    if (this.incoming || this.book.has(id)) {
      post({ type: 'reject', id, reason: 'busy' });
      return;
    }
    const base = { id, direction: 'in' as const, name: offer.name, size: offer.size, mime: offer.mime, bytes: 0, file: null };
    const refusal = this.options.screen(offer);
    if (refusal) {
      const problem = refusal.reason === 'too_large' ? { kind: 'too_large' as const, limit: refusal.limit } : { kind: 'no_room' as const, limit: refusal.limit };
      this.book.set({ ...base, status: 'rejected', problem });
      post({ type: 'reject', id, reason: refusal.reason, limit: refusal.limit });
      return;
    }
    const timer = this.options.timers.setTimeout(() => this.expire(id), this.options.offerTtlMs);
    this.incoming = { stage: 'offered', offer, timer };
    this.book.set({ ...base, status: 'offered', problem: null });
  }

  /** The person said yes: open where the bytes go, then tell the sender to start. */
  async accept(id: string): Promise<void> {
    const incoming = this.incoming;
    if (incoming?.stage !== 'offered' || incoming.offer.id !== id) return;
    this.options.timers.clearTimeout(incoming.timer);
    const opening: Incoming = { stage: 'opening', offer: incoming.offer };
    this.incoming = opening;
    this.book.patch(id, { status: 'receiving' });
    const { offer } = incoming;
    let sink;
    try {
      sink = await this.options.openSink({ name: offer.name, size: offer.size, sha256: offer.sha256 });
    } catch (error) {
      log.child('call.files').warn(`could not open a place for the received file “${offer.name}” (${offer.size} bytes)`, error);
      if (this.incoming !== opening) return;
      this.incoming = null;
      this.options.post({ type: 'reject', id, reason: 'failed' });
      this.book.finish(id, 'failed', { kind: 'storage', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    if (this.incoming !== opening) {
      sink.abort(); // cancelled or closed while the sink was opening
      return;
    }
    this.incoming = { stage: 'receiving', id, assembly: new FileAssembly(offer.size, sink), reported: 0 };
    this.options.post({ type: 'accept', id });
  }

  decline(id: string): void {
    const incoming = this.incoming;
    if (incoming?.stage !== 'offered' || incoming.offer.id !== id) return;
    this.options.timers.clearTimeout(incoming.timer);
    this.incoming = null;
    this.options.post({ type: 'reject', id, reason: 'declined' });
    this.book.finish(id, 'rejected', { kind: 'declined', by: 'me' });
  }

  /** Stops the incoming transfer `id` from this side; true when it was ours. */
  cancel(id: string): boolean {
    const incoming = this.incoming;
    if (!incoming || this.idOf(incoming) !== id) return false;
    if (incoming.stage === 'offered') {
      this.decline(id);
      return true;
    }
    this.drop();
    this.options.post({ type: 'cancel', id });
    this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'me' });
    return true;
  }

  /** The sender cancelled: true when `id` was coming in. */
  onPeerCancel(id: string): boolean {
    const incoming = this.incoming;
    if (!incoming || this.idOf(incoming) !== id) return false;
    this.drop();
    this.book.finish(id, 'cancelled', { kind: 'cancelled', by: 'peer' });
    return true;
  }

  onChunk(chunk: ArrayBuffer): void {
    const incoming = this.incoming;
    // The tail of a cancelled transfer, chunks sent before Accept, or nothing we accepted.
    if (incoming?.stage !== 'receiving') return;
    const verdict = incoming.assembly.add(chunk);
    if (verdict !== 'ok') {
      this.drop();
      this.options.post({ type: 'cancel', id: incoming.id });
      this.book.finish(incoming.id, 'failed', verdict === 'storage' ? { kind: 'storage', message: '' } : { kind: 'protocol' });
      return;
    }
    const { received, size } = incoming.assembly;
    if (received - incoming.reported >= PROGRESS_STEP_BYTES || received === size) {
      incoming.reported = received;
      this.book.patch(incoming.id, { bytes: received });
    }
  }

  async onEnd(id: string, closed: () => boolean): Promise<void> {
    const incoming = this.incoming;
    if (incoming?.stage !== 'receiving' || incoming.id !== id) return;
    this.incoming = null;
    this.book.patch(id, { status: 'verifying', bytes: incoming.assembly.received });
    const result = await incoming.assembly.finish();
    if (closed() || this.book.get(id)?.status !== 'verifying') return;
    this.options.post({ type: 'result', id, ok: result.ok });
    if (result.ok) this.book.finish(id, 'done', null, result.file);
    else if (result.reason === 'checksum') this.book.finish(id, 'failed', { kind: 'checksum' });
    else if (result.reason === 'storage') this.book.finish(id, 'failed', { kind: 'storage', message: result.message });
    else this.book.finish(id, 'failed', { kind: 'protocol' });
  }

  /** The channel is gone: whatever was coming in is thrown away. */
  close(): void {
    this.drop();
  }

  private expire(id: string): void {
    const incoming = this.incoming;
    if (incoming?.stage !== 'offered' || incoming.offer.id !== id) return;
    this.incoming = null;
    this.options.post({ type: 'reject', id, reason: 'expired' });
    this.book.finish(id, 'rejected', { kind: 'expired' });
  }

  private drop(): void {
    const incoming = this.incoming;
    this.incoming = null;
    if (incoming?.stage === 'offered') this.options.timers.clearTimeout(incoming.timer);
    if (incoming?.stage === 'receiving') incoming.assembly.discard();
  }
}
