/**
 * Pushing one file's bytes into a data channel in CHUNK_BYTES pieces, with
 * backpressure and cancellation.
 *
 * Backpressure: RTCDataChannel.send never blocks; it queues, and a channel whose
 * queue outgrows the SCTP send buffer is closed by the browser (Chromium closes it
 * past 16 MiB, crbug.com/webrtc/10466). So the pump sends while `bufferedAmount` is
 * at most HIGH_WATER_BYTES and otherwise waits for 'bufferedamountlow', which the
 * channel fires when the queue drains to `bufferedAmountLowThreshold`
 * (webrtc-pc §6.2, "bufferedamountlow"). No DOM, no timers: it runs in Node
 * against a fake channel.
 */
import { log } from '../log';
import type { DataChannelEventMap } from './dataChannel';
import { chunkRanges, HIGH_WATER_BYTES, LOW_WATER_BYTES, PROGRESS_STEP_BYTES } from './fileTransferProtocol';

/** What the pump needs of a channel. */
export interface ChunkChannel {
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  send(data: ArrayBufferView<ArrayBuffer>): void;
  addEventListener(type: 'bufferedamountlow' | 'close', listener: (event: DataChannelEventMap['close']) => void): void;
  removeEventListener(type: 'bufferedamountlow' | 'close', listener: (event: DataChannelEventMap['close']) => void): void;
}

/** How a pump ended: every byte queued, stopped by its signal, or the channel closed. */
export type PumpOutcome = 'sent' | 'cancelled' | 'closed';

export interface PumpOptions {
  signal: AbortSignal;
  /** Bytes that left this side so far (queued minus still buffered), every PROGRESS_STEP_BYTES and at the end. */
  onProgress?(bytes: number): void;
  highWater?: number;
  lowWater?: number;
}

/** Resolves when the channel drained to its low threshold, closed, or the signal aborted. */
function drained(channel: ChunkChannel, signal: AbortSignal): Promise<'low' | 'closed' | 'aborted'> {
  return new Promise((resolve) => {
    const done = (how: 'low' | 'closed' | 'aborted'): void => {
      channel.removeEventListener('bufferedamountlow', onLow);
      channel.removeEventListener('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onLow = (): void => done('low');
    const onClose = (): void => done('closed');
    const onAbort = (): void => done('aborted');
    channel.addEventListener('bufferedamountlow', onLow);
    channel.addEventListener('close', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

/**
 * Sends `bytes` as chunks. The wait is only entered while the queue is above the
 * high-water mark, which is above the low threshold, so the 'bufferedamountlow'
 * that ends it is still to come (the check and the listener run in one task).
 */
export async function pumpChunks(bytes: Uint8Array<ArrayBuffer>, channel: ChunkChannel, options: PumpOptions): Promise<PumpOutcome> {
  const high = options.highWater ?? HIGH_WATER_BYTES;
  channel.bufferedAmountLowThreshold = options.lowWater ?? LOW_WATER_BYTES;
  let reported = 0;
  const report = (queued: number): void => {
    reported = queued;
    options.onProgress?.(Math.max(0, queued - channel.bufferedAmount));
  };
  for (const { start, end } of chunkRanges(bytes.byteLength)) {
    if (options.signal.aborted) return 'cancelled';
    if (channel.readyState !== 'open') return 'closed';
    if (channel.bufferedAmount > high) {
      const woke = await drained(channel, options.signal);
      if (woke === 'aborted') return 'cancelled';
      if (woke === 'closed' || channel.readyState !== 'open') return 'closed';
    }
    try {
      channel.send(bytes.subarray(start, end));
    } catch (error) {
      // send throws InvalidStateError once the channel is closing (webrtc-pc §6.2 send()).
      log.child('call.files').debug(`a file chunk (bytes ${start}–${end}) was not sent: the channel is closing`, error);
      return 'closed';
    }
    if (end - reported >= PROGRESS_STEP_BYTES) report(end);
  }
  if (options.signal.aborted) return 'cancelled';
  report(bytes.byteLength);
  return 'sent';
}
