/** What the page and the E2EE frame worker (frameWorker.ts) tell each other. */
import type { FrameCounts, MediaKind } from './frameCrypto';

/** Which end of a stream a transform sits on. */
export type TransformRole =
  | { role: 'send'; kind: MediaKind; streamIndex: number }
  | { role: 'recv'; kind: MediaKind; deviceId: string; receiverIndex: number };

export type ToWorker =
  /** The key this device seals its frames with from now on. */
  | { op: 'sendKey'; keyId: number; key: CryptoKey }
  /** A sender's key: the sender's older keys stay valid for `graceMs` more. */
  | { op: 'recvKey'; deviceId: string; keyId: number; key: CryptoKey }
  /**
   * A protected receiver now gets another device's frames: the media server reused
   * its m-line for a new subscription (Janus fills an emptied m-line of the same kind
   * with the next feed subscribed, whoever publishes it).
   */
  | { op: 'retarget'; receiverIndex: number; deviceId: string }
  /** The sender left: its keys are dropped at once. */
  | { op: 'forget'; deviceId: string }
  /** The encoded-streams path (Chromium's createEncodedStreams): the streams move here. */
  | { op: 'streams'; options: TransformRole; readable: ReadableStream; writable: WritableStream }
  | { op: 'config'; graceMs: number };

export type FromWorker = { op: 'counts'; counts: FrameCounts } | { op: 'error'; message: string };
