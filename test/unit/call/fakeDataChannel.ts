/**
 * A pair of connected data channels for Node, faithful where file transfer depends
 * on it: `send` queues and raises `bufferedAmount`; the queue drains a limited
 * number of bytes per macrotask (a link of finite speed), delivering in order to
 * the peer and firing 'bufferedamountlow' when it falls to the threshold
 * (webrtc-pc §6.2); `send` on a closed channel throws InvalidStateError; closing
 * one end closes both.
 */
export class FakeDataChannel extends EventTarget {
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType: BinaryType = 'arraybuffer';
  /** The largest bufferedAmount ever reached. */
  maxBuffered = 0;
  /** Binary messages sent, and how many times 'bufferedamountlow' fired. */
  chunksSent = 0;
  lowEvents = 0;
  /** What the other end's owner does with a delivered message (a link's receive). */
  onMessage: (data: unknown) => void = () => undefined;
  /** Tampering in transit: returns what the peer gets. */
  intercept: (data: string | ArrayBuffer) => string | ArrayBuffer = (data) => data;
  peer: FakeDataChannel | null = null;
  private readonly queue: (string | ArrayBuffer)[] = [];
  private draining = false;

  constructor(
    readonly label = 'files',
    /** Bytes the link carries per macrotask. */
    readonly bytesPerTick = 256 * 1024,
  ) {
    super();
  }

  send(data: string | ArrayBufferView<ArrayBuffer>): void {
    if (this.readyState !== 'open') throw new DOMException('the channel is closed', 'InvalidStateError');
    const message = typeof data === 'string' ? data : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    if (typeof message !== 'string') this.chunksSent += 1;
    this.queue.push(message);
    this.bufferedAmount += size(message);
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    this.scheduleDrain();
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.queue.length = 0;
    this.bufferedAmount = 0;
    this.dispatchEvent(new Event('close'));
    this.peer?.close();
  }

  private scheduleDrain(): void {
    if (this.draining) return;
    this.draining = true;
    setTimeout(() => {
      this.draining = false;
      let budget = this.bytesPerTick;
      while (this.queue.length > 0 && budget > 0 && this.readyState === 'open') {
        const message = this.queue.shift() as string | ArrayBuffer;
        budget -= size(message);
        const before = this.bufferedAmount;
        this.bufferedAmount -= size(message);
        if (before > this.bufferedAmountLowThreshold && this.bufferedAmount <= this.bufferedAmountLowThreshold) {
          this.lowEvents += 1;
          this.dispatchEvent(new Event('bufferedamountlow'));
        }
        this.peer?.onMessage(this.intercept(message));
      }
      if (this.queue.length > 0) this.scheduleDrain();
    }, 0);
  }
}

function size(message: string | ArrayBuffer): number {
  return typeof message === 'string' ? message.length : message.byteLength;
}

export function channelPair(bytesPerTick?: number): [FakeDataChannel, FakeDataChannel] {
  const a = new FakeDataChannel('files', bytesPerTick);
  const b = new FakeDataChannel('files', bytesPerTick);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
