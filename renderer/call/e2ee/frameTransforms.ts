/**
 * The page's side of frame encryption: which encoded-transform API this engine has,
 * one worker (frameWorker.ts) per call, and the senders and receivers it protects.
 *
 * - `RTCRtpScriptTransform` (Firefox; Chromium where it ships it) is preferred: the
 *   frames go straight to the worker and no special peer connection is needed.
 * - Chromium's `createEncodedStreams()` is the fallback: the peer connection must be
 *   made with `encodedInsertableStreams: true` (peerConnectionConfig below) and then
 *   every sender and receiver on it must be protected, or its media stalls.
 * - Neither: `transformSupport()` is null and SFU media cannot be end-to-end encrypted
 *   here; the SFU session refuses to publish rather than send frames in the clear.
 *
 * The worker is bundled by Vite (`new Worker(new URL(...), { type: 'module' })`) and
 * loads from the app's own origin, which the CSP allows (`worker-src 'self' blob:`).
 */
import { log } from '../../log';
import { emptyCounts, type FrameCounts, type MediaKind } from './frameCrypto';
import type { FromWorker, ToWorker, TransformRole } from './workerProtocol';

const logger = log.child('e2ee.frames');

export type TransformMode = 'script-transform' | 'encoded-streams';

interface EncodedStreams {
  readable: ReadableStream;
  writable: WritableStream;
}
type WithEncodedStreams = { createEncodedStreams?: () => EncodedStreams };

/** The encoded-transform API this engine offers, best first; null: none (no E2EE for SFU media). */
export function transformSupport(g: typeof globalThis = globalThis): TransformMode | null {
  if (typeof (g as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform === 'function') return 'script-transform';
  const sender = (g as { RTCRtpSender?: { prototype: WithEncodedStreams } }).RTCRtpSender;
  if (sender && typeof sender.prototype.createEncodedStreams === 'function') return 'encoded-streams';
  return null;
}

/**
 * What an SFU peer connection's configuration must add for `mode`: Chromium's
 * encoded streams exist only on a connection made with `encodedInsertableStreams`.
 */
export function peerConnectionConfig(mode: TransformMode | null): Record<string, unknown> {
  return mode === 'encoded-streams' ? { encodedInsertableStreams: true } : {};
}

export interface FrameTransformsOptions {
  mode: TransformMode;
  /** How long a sender's previous key still opens frames after a newer one came. */
  graceMs: number;
  onCounts?(counts: FrameCounts): void;
  /** Tests may pass their own worker; the app uses the bundled one. */
  makeWorker?: () => Worker;
}

function bundledWorker(): Worker {
  return new Worker(new URL('./frameWorker.ts', import.meta.url), { type: 'module', name: 'parley-e2ee' });
}

/** Frames a sender may encode beyond what its transform reported (about 2 s of three 30 fps layers). */
export const UNSEALED_MARGIN_FRAMES = 180;

/** A sender's encoder counted `encoded` frames and its transform saw `seen`: are frames leaving unsealed? */
export function isUnsealed(encoded: number, seen: number): boolean {
  return encoded - seen > UNSEALED_MARGIN_FRAMES && seen < encoded / 2;
}

/**
 * Frames a receiver's decoder may count beyond what its transform reported: about 3 s of
 * one 30 fps layer (the media server forwards one layer), for the worker's 1 s report lag.
 */
export const UNOPENED_MARGIN_FRAMES = 90;

/** A receiver got `received` frames and its transform saw `seen`: are frames reaching its decoder unopened? */
export function isUnopened(received: number, seen: number): boolean {
  return received - seen > UNOPENED_MARGIN_FRAMES && seen < received / 2;
}

export class FrameTransforms {
  readonly mode: TransformMode;
  private readonly worker: Worker;
  private readonly protectedSenders = new WeakSet<RTCRtpSender>();
  /** Video senders and their stream index, to check that their frames really pass the transform. */
  private readonly videoSenders = new Map<RTCRtpSender, number>();
  /** Each protected receiver: its index in the worker and the device whose frames it opens now. */
  private readonly protectedReceivers = new WeakMap<RTCRtpReceiver, { index: number; deviceId: string }>();
  /** Video receivers and their receiver index, to check that their frames really pass the transform. */
  private readonly videoReceivers = new Map<RTCRtpReceiver, number>();
  private nextStreamIndex = 0;
  private nextReceiverIndex = 0;
  private latest: FrameCounts = emptyCounts();
  private closed = false;

  constructor(private readonly options: FrameTransformsOptions) {
    this.mode = options.mode;
    this.worker = (options.makeWorker ?? bundledWorker)();
    this.worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.op === 'counts') {
        this.latest = message.counts;
        options.onCounts?.(message.counts);
      } else {
        logger.warn(`frame worker: ${message.message}`);
      }
    });
    this.worker.addEventListener('error', (event) => {
      logger.error(`the frame worker failed: ${event.message}`);
    });
    this.post({ op: 'config', graceMs: options.graceMs });
  }

  /** The latest counts the worker reported. */
  counts(): FrameCounts {
    return { ...this.latest };
  }

  /** Seals every frame `sender` sends from now on (idempotent per sender). */
  protectSender(sender: RTCRtpSender, kind: MediaKind): void {
    if (this.closed || this.protectedSenders.has(sender)) return;
    this.protectedSenders.add(sender);
    const streamIndex = this.nextStreamIndex++;
    if (kind === 'video') this.videoSenders.set(sender, streamIndex);
    this.attach(sender, { role: 'send', kind, streamIndex });
  }

  /**
   * How many protected video senders are sending frames their transform never saw:
   * their encoder (outbound-rtp framesEncoded, every simulcast layer) counts well
   * beyond the frames the worker reported for them. Chromium can leave a transform
   * set on a sender unapplied (one set after an awaited replaceTrack was): then the
   * frames leave unsealed, and the lock must not say "encrypted". The worker reports
   * once a second, so a margin of frames is allowed for that lag.
   */
  async unsealedSenders(): Promise<number> {
    return this.bypassing(this.videoSenders, 'outbound-rtp', 'framesEncoded', () => this.latest.seenByStream, isUnsealed, 'sender');
  }

  /**
   * Opens every frame `receiver` gets with the keys of `fromDeviceId`. Called again
   * for a protected receiver with another device (the media server reused its m-line
   * for another feed), it makes the worker open that device's frames from now on;
   * with the same device, it does nothing.
   */
  protectReceiver(receiver: RTCRtpReceiver, fromDeviceId: string, kind: MediaKind): void {
    if (this.closed) return;
    const known = this.protectedReceivers.get(receiver);
    if (known) {
      if (known.deviceId === fromDeviceId) return;
      known.deviceId = fromDeviceId;
      this.post({ op: 'retarget', receiverIndex: known.index, deviceId: fromDeviceId });
      return;
    }
    const receiverIndex = this.nextReceiverIndex++;
    this.protectedReceivers.set(receiver, { index: receiverIndex, deviceId: fromDeviceId });
    if (kind === 'video') this.videoReceivers.set(receiver, receiverIndex);
    this.attach(receiver, { role: 'recv', kind, deviceId: fromDeviceId, receiverIndex });
  }

  /**
   * How many protected video receivers get frames their transform never saw: their
   * inbound-rtp framesReceived counts well beyond the frames the worker reported for
   * them. Chromium leaves a transform set on a receiver after setLocalDescription
   * unapplied: then the sealed frames go straight to the decoder (noise, a key frame
   * request per frame) and nothing is decrypted, though `receiver.transform` is set.
   * The media stays sealed; it is this device that cannot open it. The worker reports
   * once a second, so a margin of frames is allowed for that lag.
   */
  async unopenedReceivers(): Promise<number> {
    return this.bypassing(this.videoReceivers, 'inbound-rtp', 'framesReceived', () => this.latest.seenByReceiver, isUnopened, 'receiver');
  }

  /**
   * How many of `ends` count (in their `type` statistics' `field`, summed over its
   * entries: every simulcast layer) frames their transform did not see, as `bypassed`
   * judges. An end whose transport closed is forgotten; one whose statistics cannot
   * be read is logged and left out.
   */
  private async bypassing<End extends RTCRtpSender | RTCRtpReceiver>(
    ends: Map<End, number>,
    type: 'outbound-rtp' | 'inbound-rtp',
    field: 'framesEncoded' | 'framesReceived',
    seen: () => Record<number, number>,
    bypassed: (counted: number, seen: number) => boolean,
    what: 'sender' | 'receiver',
  ): Promise<number> {
    let found = 0;
    for (const [end, index] of ends) {
      if (this.closed) return 0;
      if (end.transport?.state === 'closed') {
        ends.delete(end);
        continue;
      }
      let counted = 0;
      try {
        const report = await end.getStats();
        report.forEach((stat: { type: string; framesEncoded?: number; framesReceived?: number }) => {
          if (stat.type === type) counted += stat[field] ?? 0;
        });
      } catch (error) {
        logger.info(`could not read the statistics of protected ${what} ${index}`, error);
        continue;
      }
      if (bypassed(counted, seen()[index] ?? 0)) found += 1;
    }
    return found;
  }

  setSendKey(keyId: number, key: CryptoKey): void {
    this.post({ op: 'sendKey', keyId, key });
  }

  setReceiveKey(deviceId: string, keyId: number, key: CryptoKey): void {
    this.post({ op: 'recvKey', deviceId, keyId, key });
  }

  forget(deviceId: string): void {
    this.post({ op: 'forget', deviceId });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
  }

  private attach(end: RTCRtpSender | RTCRtpReceiver, options: TransformRole): void {
    if (this.mode === 'script-transform') {
      end.transform = new RTCRtpScriptTransform(this.worker, options);
      return;
    }
    const streams = (end as unknown as WithEncodedStreams).createEncodedStreams?.();
    if (!streams) throw new Error('this engine lost createEncodedStreams');
    this.worker.postMessage({ op: 'streams', options, readable: streams.readable, writable: streams.writable } satisfies ToWorker, [
      streams.readable as unknown as Transferable,
      streams.writable as unknown as Transferable,
    ]);
  }

  private post(message: ToWorker): void {
    if (this.closed) return;
    this.worker.postMessage(message);
  }
}
