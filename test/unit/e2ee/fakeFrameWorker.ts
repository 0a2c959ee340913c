/** A stand-in for the E2EE frame worker (frameWorker.ts): keeps what the page posts, and reports counts as the worker does. */
import type { FrameCounts } from '../../../renderer/call/e2ee/frameCrypto';
import { emptyCounts } from '../../../renderer/call/e2ee/frameCrypto';
import { FrameTransforms } from '../../../renderer/call/e2ee/frameTransforms';

export class FakeWorker extends EventTarget {
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  terminate(): void {}
  report(counts: Partial<FrameCounts>): void {
    const full: FrameCounts = { ...emptyCounts(), ...counts };
    this.dispatchEvent(Object.assign(new Event('message'), { data: { op: 'counts', counts: full } }));
  }
}

/** FrameTransforms on the encoded-streams path with a fake worker. */
export function setUp() {
  const worker = new FakeWorker();
  const transforms = new FrameTransforms({ mode: 'encoded-streams', graceMs: 5_000, makeWorker: () => worker as unknown as Worker });
  return { worker, transforms };
}
