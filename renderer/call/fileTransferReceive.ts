/**
 * Putting one incoming file back together: chunks are counted against the size the
 * offer announced (a sender that sends more is cut off, so a peer cannot make us
 * hold more than we accepted), joined once complete, and checked against the
 * offer's SHA-256. A file that fails the check is never handed out. No DOM.
 */
import { MAX_CHUNK_BYTES, sha256Hex } from './fileTransferProtocol';

export type ChunkVerdict = 'ok' | 'overflow' | 'oversized_chunk';

export type AssemblyResult =
  | { ok: true; bytes: Uint8Array<ArrayBuffer> }
  | { ok: false; reason: 'incomplete' | 'checksum' };

export class FileAssembly {
  private readonly parts: Uint8Array<ArrayBuffer>[] = [];
  private count = 0;

  constructor(
    readonly size: number,
    readonly sha256: string,
    private readonly digest: (bytes: Uint8Array<ArrayBuffer>) => Promise<string> = sha256Hex,
  ) {}

  get received(): number {
    return this.count;
  }

  /** Takes one binary message; refuses a chunk that would pass the announced size. */
  add(chunk: ArrayBuffer): ChunkVerdict {
    if (chunk.byteLength > MAX_CHUNK_BYTES) return 'oversized_chunk';
    if (this.count + chunk.byteLength > this.size) return 'overflow';
    this.parts.push(new Uint8Array(chunk));
    this.count += chunk.byteLength;
    return 'ok';
  }

  /** Joins the chunks and checks the hash; the parts are released either way. */
  async finish(): Promise<AssemblyResult> {
    if (this.count !== this.size) {
      this.parts.length = 0;
      return { ok: false, reason: 'incomplete' };
    }
    const bytes = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts.splice(0)) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
    return (await this.digest(bytes)) === this.sha256 ? { ok: true, bytes } : { ok: false, reason: 'checksum' };
  }

  discard(): void {
    this.parts.length = 0;
  }
}
