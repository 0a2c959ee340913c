/**
 * File transfers in SFU calls (issue 17.5): the 'files' data channel of the mesh,
 * replaced by the server's `signal` relay (kind 'relay', channel 'files'), sealed
 * end to end. A `RelayFileChannel` looks like the mesh's channel to FileLink
 * (fileTransferLink.ts), so offers, Accept/Decline, chunks, progress, cancel and the
 * SHA-256 check work exactly as in the mesh.
 *
 * Sealing: every message (control text, chunk, ack) is AES-GCM under the pair's
 * file key for that direction (E2eeSession.fileKeys: ECDH of both devices' call keys
 * → HKDF with the label 'parley/e2ee-file/1'), random 96-bit IV, with the call, both
 * devices and a sequence number as additional data. The server sees only
 * ciphertext, and cannot reorder, replay, drop or redirect a message unnoticed: the
 * receiver expects the next sequence number and closes the channel on anything
 * else (the transfer fails, as when a data channel closes).
 *
 * Wire: payload = 'f1.' + base64url(iv ‖ ciphertext); plaintext = 1 type byte
 * (0 text, 1 chunk, 2 ack) ‖ body. A 16 KiB chunk is ~22 K characters, under the
 * relay's LIMITS.maxRelayChars (32 K).
 *
 * Flow control: the server allows a client a burst of 120 events and 40 a second
 * (signaling-server/options.ts rateLimit), and every relayed message is one event.
 * So all of a call's file channels share one pacer (`RelayPacer`, default 16
 * messages a second, ≈ 256 KiB/s of chunks, leaving room for chat and ICE), and
 * `bufferedAmount` counts bytes not yet acknowledged by the receiver (it acks every
 * ACK_EVERY_BYTES), so FileLink's pump (fileTransferSend.ts) waits as on a real
 * channel and a large file never floods the server.
 */
import { fromBase64url, toBase64url } from '../../../signaling-server/identity';
import { log } from '../../log';
import type { DataChannelEventMap, DataChannelLike } from '../dataChannel';
import type { PairFileKeys } from '../e2ee/e2eeSession';

const logger = log.child('call.files');
const utf8 = new TextEncoder();
const PREFIX = 'f1.';
const IV_BYTES = 12;
const TYPE_TEXT = 0;
const TYPE_CHUNK = 1;
const TYPE_ACK = 2;
/** The receiver acknowledges every this many chunk bytes; the pump's window (1 MiB) is a multiple. */
export const ACK_EVERY_BYTES = 64 * 1024;
/** The largest relayed payload we accept (the server's limit is LIMITS.maxRelayChars = 32 K). */
export const MAX_RELAY_PAYLOAD_CHARS = 32 * 1024;

export interface SealContext {
  callId: string;
  fromDeviceId: string;
  toDeviceId: string;
}

function aad(ctx: SealContext, seq: number): Uint8Array<ArrayBuffer> {
  return utf8.encode(['parley/e2ee-file/1', ctx.callId, ctx.fromDeviceId, ctx.toDeviceId, String(seq)].join('\n'));
}

/** One message sealed for the relay. */
export async function sealFileMessage(
  key: CryptoKey,
  ctx: SealContext,
  seq: number,
  type: number,
  body: Uint8Array<ArrayBuffer>,
): Promise<string> {
  const plain = new Uint8Array(1 + body.byteLength);
  plain[0] = type;
  plain.set(body, 1);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(ctx, seq) }, key, plain));
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(sealed, IV_BYTES);
  return PREFIX + toBase64url(out);
}

export type Opened = { ok: true; type: number; body: Uint8Array<ArrayBuffer> } | { ok: false; reason: string };

/** A relayed payload opened, or why not (outside input: never throws). */
export async function openFileMessage(key: CryptoKey, ctx: SealContext, seq: number, payload: unknown): Promise<Opened> {
  if (typeof payload !== 'string' || !payload.startsWith(PREFIX)) return { ok: false, reason: 'not a sealed file message' };
  if (payload.length > MAX_RELAY_PAYLOAD_CHARS) return { ok: false, reason: `too long (${payload.length} characters)` };
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = fromBase64url(payload.slice(PREFIX.length));
  } catch (error) {
    return { ok: false, reason: `not base64url (${error instanceof Error ? error.message : String(error)})` };
  }
  if (bytes.byteLength < IV_BYTES + 16 + 1) return { ok: false, reason: 'too short' };
  try {
    const plain = new Uint8Array(
      await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: aad(ctx, seq) }, key, bytes.subarray(IV_BYTES)),
    );
    const type = plain[0] ?? -1;
    if (type !== TYPE_TEXT && type !== TYPE_CHUNK && type !== TYPE_ACK) return { ok: false, reason: `unknown type ${type}` };
    return { ok: true, type, body: plain.slice(1) };
  } catch (error) {
    // AES-GCM says "altered, out of order, or not for us": the caller closes the channel.
    return { ok: false, reason: `did not open (${error instanceof Error ? error.name : String(error)})` };
  }
}

/**
 * One pace for every relayed file message of this device: at most `perSecond`, in
 * the order they were asked for. The server's limit is per client, so it is shared.
 */
export class RelayPacer {
  private tail: Promise<void> = Promise.resolve();
  private next = 0;

  constructor(
    private readonly perSecond = 16,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves when the caller may send its next message. */
  turn(): Promise<void> {
    const mine = this.tail.then(async () => {
      const wait = this.next - this.now();
      if (wait > 0) await this.sleep(wait);
      this.next = Math.max(this.now(), this.next) + 1000 / this.perSecond;
    });
    this.tail = mine;
    return mine;
  }
}

export interface RelayFileChannelOptions {
  callId: string;
  selfDeviceId: string;
  peerDeviceId: string;
  keys: PairFileKeys;
  /** Relays one payload to the peer (`signal` {kind:'relay', channel:'files'}); rejects when the server refused it. */
  send(payload: string): Promise<unknown>;
  pacer: RelayPacer;
  /** An opened message for FileLink.receive: a string (control) or an ArrayBuffer (chunk). */
  onMessage(data: string | ArrayBuffer): void;
}

type Listener = (event: Event) => void;

/**
 * The relay as a DataChannelLike to one member device. Outgoing messages are
 * sealed and sent strictly in order; incoming ones are opened in order.
 */
export class RelayFileChannel implements DataChannelLike {
  readonly label = 'files';
  binaryType: BinaryType = 'arraybuffer';
  bufferedAmountLowThreshold = 0;
  private state: RTCDataChannelState = 'open';
  private unacked = 0;
  private sendSeq = 0;
  private receiveSeq = 0;
  private received = 0;
  private ackedReceived = 0;
  private outbound: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly out: SealContext;
  private readonly in: SealContext;

  constructor(private readonly options: RelayFileChannelOptions) {
    this.out = { callId: options.callId, fromDeviceId: options.selfDeviceId, toDeviceId: options.peerDeviceId };
    this.in = { callId: options.callId, fromDeviceId: options.peerDeviceId, toDeviceId: options.selfDeviceId };
  }

  get readyState(): RTCDataChannelState {
    return this.state;
  }

  /** Chunk bytes sent (or waiting to be) that the peer has not acknowledged. */
  get bufferedAmount(): number {
    return this.unacked;
  }

  send(data: string): void;
  send(data: ArrayBufferView<ArrayBuffer>): void;
  send(data: string | ArrayBufferView<ArrayBuffer>): void {
    if (this.state !== 'open') throw new DOMException('the relayed file channel is closed', 'InvalidStateError');
    if (typeof data === 'string') {
      this.enqueue(TYPE_TEXT, utf8.encode(data));
    } else {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
      this.unacked += bytes.byteLength;
      this.enqueue(TYPE_CHUNK, bytes);
    }
  }

  /** One relayed payload from the peer (outside input). */
  receive(payload: unknown): void {
    if (this.state !== 'open') return;
    const seq = this.receiveSeq++;
    this.inbound = this.inbound.then(() => this.open(seq, payload));
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.unacked = 0;
    this.emit('close');
  }

  addEventListener<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(listener as Listener);
  }

  removeEventListener<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): void {
    this.listeners.get(type)?.delete(listener as Listener);
  }

  private emit(type: 'close' | 'bufferedamountlow'): void {
    const event = new Event(type);
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener(event);
  }

  private enqueue(type: number, body: Uint8Array<ArrayBuffer>): void {
    const seq = this.sendSeq++;
    this.outbound = this.outbound.then(async () => {
      if (this.state !== 'open') return;
      try {
        const payload = await sealFileMessage(this.options.keys.send, this.out, seq, type, body);
        await this.options.pacer.turn();
        if (this.state !== 'open') return;
        await this.options.send(payload);
      } catch (error) {
        logger.warn(`a relayed file message (#${seq}) to device ${this.options.peerDeviceId} in call ${this.options.callId} was not sent: the transfer stops`, error);
        this.close();
      }
    });
  }

  private async open(seq: number, payload: unknown): Promise<void> {
    if (this.state !== 'open') return;
    const opened = await openFileMessage(this.options.keys.receive, this.in, seq, payload);
    if (this.state !== 'open') return;
    if (!opened.ok) {
      logger.warn(`a relayed file message (#${seq}) from device ${this.options.peerDeviceId} in call ${this.options.callId} was refused (${opened.reason}): the transfer stops`);
      this.close();
      return;
    }
    if (opened.type === TYPE_ACK) return this.onAck(opened.body);
    if (opened.type === TYPE_TEXT) {
      this.options.onMessage(new TextDecoder('utf-8', { fatal: false }).decode(opened.body));
      return;
    }
    this.options.onMessage(opened.body.buffer);
    this.received += opened.body.byteLength;
    if (this.received - this.ackedReceived >= ACK_EVERY_BYTES) this.ack();
  }

  /** Tells the sender how many more chunk bytes arrived, so its window opens. */
  private ack(): void {
    const freed = this.received - this.ackedReceived;
    this.ackedReceived = this.received;
    const body = new Uint8Array(8);
    new DataView(body.buffer).setFloat64(0, freed);
    this.enqueue(TYPE_ACK, body);
  }

  private onAck(body: Uint8Array<ArrayBuffer>): void {
    if (body.byteLength !== 8) {
      logger.warn(`a malformed ack from device ${this.options.peerDeviceId} in call ${this.options.callId}: ignored`);
      return;
    }
    const freed = new DataView(body.buffer, body.byteOffset, 8).getFloat64(0);
    if (!Number.isSafeInteger(freed) || freed < 0) return;
    const before = this.unacked;
    this.unacked = Math.max(0, this.unacked - freed);
    if (before > this.bufferedAmountLowThreshold && this.unacked <= this.bufferedAmountLowThreshold) this.emit('bufferedamountlow');
  }
}
