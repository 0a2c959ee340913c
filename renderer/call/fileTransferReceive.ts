/**
 * Putting one incoming file back together: chunks are counted against the size the
 * offer announced (a sender that sends more is cut off, so a peer cannot make us
 * hold or write more than we accepted) and passed on to the file's sink, which
 * hashes them as they come and checks the offer's SHA-256 at the end. A file that
 * fails the check is never handed out. No DOM.
 */
import type { FileSink, SinkResult } from './fileSink';
import { MAX_CHUNK_BYTES } from './fileTransferProtocol';

export type ChunkVerdict = 'ok' | 'overflow' | 'oversized_chunk' | 'storage';

export type AssemblyResult = SinkResult | { ok: false; reason: 'incomplete'; message: string };

export class FileAssembly {
  private count = 0;

  constructor(
    readonly size: number,
    private readonly sink: FileSink,
  ) {}

  get received(): number {
    return this.count;
  }

  get inMemory(): boolean {
    return this.sink.inMemory;
  }

  /** Takes one binary message; refuses a chunk that would pass the announced size. */
  add(chunk: ArrayBuffer): ChunkVerdict {
    if (chunk.byteLength > MAX_CHUNK_BYTES) return 'oversized_chunk';
    if (this.count + chunk.byteLength > this.size) return 'overflow';
    if (!this.sink.write(new Uint8Array(chunk))) return 'storage';
    this.count += chunk.byteLength;
    return 'ok';
  }

  /** Every byte announced is in: the sink checks the hash and hands the file out. */
  async finish(): Promise<AssemblyResult> {
    if (this.count !== this.size) {
      this.sink.abort();
      return { ok: false, reason: 'incomplete', message: `${this.count} of ${this.size} bytes arrived` };
    }
    return this.sink.finish();
  }

  discard(): void {
    this.sink.abort();
  }
}
