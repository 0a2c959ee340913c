/**
 * One peer's transfers as the UI sees them, and the rules for changing them: a
 * transfer that reached a terminal state never changes again. Shared by the
 * sending and receiving halves of a FileLink. No DOM.
 */
import type { ReceivedFile } from './fileSink';

export type TransferStatus =
  /** Incoming: the person has not answered the offer yet. */
  | 'offered'
  /** Outgoing: queued, or offered and waiting for the receiver's answer. */
  | 'waiting'
  | 'sending'
  | 'receiving'
  | 'verifying'
  | 'done'
  | 'cancelled'
  | 'rejected'
  | 'failed';

/** Why a transfer did not arrive; the UI turns this into words (transferText.ts). */
export type TransferProblem =
  | { kind: 'cancelled'; by: 'me' | 'peer' }
  /** The offer was declined by a person: `me` for an incoming file, `peer` for an outgoing one. */
  | { kind: 'declined'; by: 'me' | 'peer' }
  /** Nobody answered the offer in time. */
  | { kind: 'expired' }
  /** Rejected for size: `limit` is the receiver's (mine for an incoming file, theirs for an outgoing one). */
  | { kind: 'too_large'; limit: number }
  /** The receiver's call already holds `limit` bytes' worth of received files (its memory cap). */
  | { kind: 'no_room'; limit: number }
  | { kind: 'busy' }
  /** The received bytes do not match the SHA-256 of the offer (incoming), or the peer's copy did not (outgoing). */
  | { kind: 'checksum' }
  /** The file could not be stored (no folder, disk full); `message` is the host's words, empty when the peer's. */
  | { kind: 'storage'; message: string }
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
  /** The verified file: incoming transfers that are done, only, and only in the update that finished them. */
  file: ReceivedFile | null;
}

export const TERMINAL: ReadonlySet<TransferStatus> = new Set(['done', 'cancelled', 'rejected', 'failed']);

export class TransferBook {
  private readonly transfers = new Map<string, Transfer>();

  constructor(private readonly onUpdate: (transfer: Transfer) => void) {}

  get(id: string): Transfer | undefined {
    return this.transfers.get(id);
  }

  has(id: string): boolean {
    return this.transfers.has(id);
  }

  all(): Transfer[] {
    return [...this.transfers.values()];
  }

  /**
   * Records `transfer` and tells the UI. The received file goes out with the update
   * but is not kept here: the list that shows it owns it, and dropping it from the
   * list must be enough to free it.
   */
  set(transfer: Transfer): void {
    this.transfers.set(transfer.id, { ...transfer, file: null });
    this.onUpdate(transfer);
  }

  patch(id: string, patch: Partial<Transfer>): void {
    const t = this.transfers.get(id);
    if (t && !TERMINAL.has(t.status)) this.set({ ...t, ...patch });
  }

  finish(id: string, status: TransferStatus, problem: TransferProblem | null, file: ReceivedFile | null = null): void {
    const t = this.transfers.get(id);
    if (!t || TERMINAL.has(t.status)) return;
    this.set({ ...t, status, problem, file, bytes: status === 'done' ? t.size : t.bytes });
  }

  /** Forgets a finished transfer (dismissed from the list). */
  forget(id: string): void {
    const t = this.transfers.get(id);
    if (t && TERMINAL.has(t.status)) this.transfers.delete(id);
  }
}
