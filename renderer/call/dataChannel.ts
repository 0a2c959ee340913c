/**
 * The part of RTCDataChannel the in-call features use, as a structural type, so the
 * chat and file-transfer logic runs in Node against a fake channel. The proof at the
 * bottom makes the compiler check that the browser's RTCDataChannel fits.
 */

export interface DataChannelEventMap {
  open: Event;
  close: Event;
  bufferedamountlow: Event;
  /** `data` is a string or (binaryType 'arraybuffer') an ArrayBuffer: outside input. */
  message: Event & { readonly data: unknown };
}

export interface DataChannelLike {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: BinaryType;
  send(data: string): void;
  send(data: ArrayBufferView<ArrayBuffer>): void;
  close(): void;
  addEventListener<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): void;
  removeEventListener<K extends keyof DataChannelEventMap>(type: K, listener: (event: DataChannelEventMap[K]) => void): void;
}

/** Adds a listener and returns the function that removes it. */
export function listenChannel<K extends keyof DataChannelEventMap>(
  channel: DataChannelLike,
  type: K,
  listener: (event: DataChannelEventMap[K]) => void,
): () => void {
  channel.addEventListener(type, listener);
  return () => channel.removeEventListener(type, listener);
}

/** Compile-time proof that the browser's channel satisfies the subset. */
export function asDataChannelLike(channel: RTCDataChannel): DataChannelLike {
  return channel;
}
