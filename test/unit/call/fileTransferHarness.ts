/**
 * Two people's FileLinks over a fake channel pair, for the file-transfer tests:
 * every update each side saw, and (by default) Bob accepting each offer as soon as
 * it is put to him, the way a person clicks Accept.
 */
import { MemorySink } from '../../../renderer/call/fileSink';
import { FileLink, type OutgoingFile, type Transfer } from '../../../renderer/call/fileTransferLink';
import { sha256Hex } from '../../../renderer/call/fileTransferProtocol';
import type { Timers } from '../../../renderer/call/iceRecovery';
import { channelPair, type FakeDataChannel } from './fakeDataChannel';

export function bytesOf(size: number, seed = 7): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

export async function outgoing(id: string, size: number, name = 'report.pdf'): Promise<OutgoingFile> {
  const bytes = bytesOf(size);
  return { id, name, mime: 'application/pdf', bytes, sha256: await sha256Hex(bytes) };
}

/** The bytes of a received file (memory sink). */
export async function receivedBytes(transfer: Transfer | undefined): Promise<Uint8Array<ArrayBuffer> | null> {
  const file = transfer?.file;
  if (file?.kind !== 'memory') return null;
  return new Uint8Array(await file.blob.arrayBuffer());
}

export interface PairOptions {
  maxFileBytes?: number;
  bytesPerTick?: number;
  /** Bob accepts every offer at once (default true); false: the test answers. */
  autoAccept?: boolean;
  timers?: Timers;
  offerTtlMs?: number;
}

export function linkedPair(options: PairOptions = {}) {
  const [aliceChannel, bobChannel] = channelPair(options.bytesPerTick);
  const seen = { alice: new Map<string, Transfer>(), bob: new Map<string, Transfer>() };
  const history: { side: 'alice' | 'bob'; transfer: Transfer }[] = [];
  const limit = options.maxFileBytes ?? 100 * 1024 * 1024;
  const links: { alice?: FileLink; bob?: FileLink } = {};
  const link = (side: 'alice' | 'bob', channel: FakeDataChannel) =>
    new FileLink({
      channel,
      screen: (offer) => (offer.size > limit ? { reason: 'too_large', limit } : null),
      openSink: async (file) => new MemorySink(file.sha256),
      onUpdate: (transfer) => {
        seen[side].set(transfer.id, transfer);
        history.push({ side, transfer });
        if (transfer.status === 'offered' && options.autoAccept !== false) {
          queueMicrotask(() => void links[side]?.accept(transfer.id));
        }
      },
      ...(options.timers ? { timers: options.timers } : {}),
      ...(options.offerTtlMs ? { offerTtlMs: options.offerTtlMs } : {}),
    });
  const alice = link('alice', aliceChannel);
  const bob = link('bob', bobChannel);
  links.alice = alice;
  links.bob = bob;
  // What arrives on a channel goes to the link that owns it.
  aliceChannel.onMessage = (data) => alice.receive(data);
  bobChannel.onMessage = (data) => bob.receive(data);
  return { alice, bob, aliceChannel, bobChannel, seen, history };
}
