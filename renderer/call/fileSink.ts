/**
 * Where the bytes of an accepted incoming file go: into memory, as one Blob built
 * from the chunks (the browser), or to a file on disk through the host (the
 * desktop app, where main writes, hashes and names the file). Either way each byte
 * is held once: chunks are hashed as they arrive, and the memory sink lets go of
 * them as soon as the Blob exists. No DOM beyond Blob.
 */
import { Sha256 } from './sha256Stream';

export type ReceivedFile = { kind: 'memory'; blob: Blob } | { kind: 'disk'; downloadId: string; path: string };

export type SinkResult = { ok: true; file: ReceivedFile } | { ok: false; reason: 'checksum' | 'storage'; message: string };

export interface FileSink {
  /** True when the file is held in this window's memory (counted against the call's cap). */
  readonly inMemory: boolean;
  /** Takes the next chunk; false once the sink failed (the reason comes from finish). */
  write(chunk: Uint8Array<ArrayBuffer>): boolean;
  /** All bytes are in: check the hash and hand the file out, or say why not. */
  finish(): Promise<SinkResult>;
  /** Throws away what was written (a cancel, a lost connection). */
  abort(): void;
}

export interface IncomingFileInfo {
  name: string;
  size: number;
  sha256: string;
}

/** Opens a sink for an accepted offer; throws a person-readable Error when it cannot. */
export type OpenSink = (file: IncomingFileInfo) => Promise<FileSink>;

/** The browser's sink: the chunks, hashed on arrival, become one Blob. */
export class MemorySink implements FileSink {
  readonly inMemory = true;
  private parts: Uint8Array<ArrayBuffer>[] = [];
  private readonly hash = new Sha256();

  constructor(private readonly sha256: string) {}

  write(chunk: Uint8Array<ArrayBuffer>): boolean {
    this.hash.update(chunk);
    this.parts.push(chunk);
    return true;
  }

  async finish(): Promise<SinkResult> {
    const parts = this.parts;
    this.parts = [];
    if (this.hash.hex() !== this.sha256) {
      return { ok: false, reason: 'checksum', message: 'the SHA-256 checksum does not match' };
    }
    // The Blob copies the parts into its own storage; `parts` goes out of scope here,
    // so the chunk buffers can be collected at once.
    return { ok: true, file: { kind: 'memory', blob: new Blob(parts, { type: 'application/octet-stream' }) } };
  }

  abort(): void {
    this.parts = [];
  }
}

/** What the desktop host offers for writing received files (ParleyBridge's download methods). */
export interface DownloadHost {
  beginDownload(request: { name: string; size: number; sha256: string }): Promise<{ id: string }>;
  writeDownload(request: { id: string; chunk: Uint8Array<ArrayBuffer> }): Promise<void>;
  finishDownload(request: { id: string }): Promise<
    { ok: true; path: string; sha256: string } | { ok: false; reason: 'checksum' | 'size'; message: string }
  >;
  abortDownload(request: { id: string }): Promise<void>;
}

/** Chunks are gathered to this size before one IPC write (16 × 16 KiB: fewer round trips to main). */
export const DISK_WRITE_BYTES = 256 * 1024;

/**
 * The desktop sink: chunks go to main in order (each write waits for the one
 * before, so main sees them in sequence), gathered into writes of DISK_WRITE_BYTES,
 * and main hashes them; only a file whose hash matched gets its final name.
 */
export class DiskSink implements FileSink {
  readonly inMemory = false;
  private chain: Promise<void> = Promise.resolve();
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  private failure: string | null = null;
  private aborted = false;

  private constructor(
    private readonly host: DownloadHost,
    private readonly id: string,
    /** `what` names the step for the log: 'writing', 'finishing', 'abandoning'. */
    private readonly onError: (error: unknown, what: string) => void,
  ) {}

  static async open(host: DownloadHost, file: IncomingFileInfo, onError: (error: unknown, what: string) => void): Promise<DiskSink> {
    const { id } = await host.beginDownload(file);
    return new DiskSink(host, id, onError);
  }

  write(chunk: Uint8Array<ArrayBuffer>): boolean {
    if (this.failure !== null || this.aborted) return false;
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    if (this.pendingBytes >= DISK_WRITE_BYTES) this.flush();
    return true;
  }

  /** Sends what was gathered as one write, after the writes before it. */
  private flush(): void {
    if (this.pendingBytes === 0) return;
    const parts = this.pending;
    const size = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    const chunk = parts.length === 1 && parts[0] ? parts[0] : joinParts(parts, size);
    this.chain = this.chain.then(async () => {
      if (this.failure !== null || this.aborted) return;
      try {
        await this.host.writeDownload({ id: this.id, chunk });
      } catch (error) {
        this.failure = messageOf(error);
        this.onError(error, 'writing');
      }
    });
  }

  async finish(): Promise<SinkResult> {
    this.flush();
    await this.chain;
    if (this.failure !== null) return { ok: false, reason: 'storage', message: this.failure };
    try {
      const result = await this.host.finishDownload({ id: this.id });
      if (result.ok) return { ok: true, file: { kind: 'disk', downloadId: this.id, path: result.path } };
      return { ok: false, reason: result.reason === 'checksum' ? 'checksum' : 'storage', message: result.message };
    } catch (error) {
      this.onError(error, 'finishing');
      return { ok: false, reason: 'storage', message: messageOf(error) };
    }
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.pending = [];
    this.pendingBytes = 0;
    void this.chain
      .then(() => this.host.abortDownload({ id: this.id }))
      .catch((error: unknown) => this.onError(error, 'abandoning'));
  }
}

function joinParts(parts: readonly Uint8Array<ArrayBuffer>[], size: number): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
