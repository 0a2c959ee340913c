/**
 * Where the renderer's log lines (ParleyBridge.log) land on the desktop: main's pino
 * log, as a child `{ source: 'renderer', scope }`.
 *
 * A renderer is not trusted to be quiet: a loop that logs on every frame must not
 * fill the disk or starve main's own lines. Each window gets a token bucket (a burst
 * of `capacity` lines, refilled at `perSecond`); lines over it are counted, not
 * written, and the count goes out as one summary line a moment later.
 */
import type { Logger } from 'pino';
import type { LogEntry } from '../../preload/contract';

export interface RendererLogOptions {
  logger: Logger;
  /** Lines a window may write in one burst (default 200). */
  capacity?: number;
  /** Lines per second the bucket refills (default 50). */
  perSecond?: number;
  /** How long after the first dropped line the summary is written (default 1 s). */
  summaryAfterMs?: number;
  now?: () => number;
  /** Runs `task` once after `ms`; the default timer does not keep the process alive. */
  schedule?: (task: () => void, ms: number) => void;
}

interface Bucket {
  tokens: number;
  at: number;
  dropped: number;
}

function scheduleUnref(task: () => void, ms: number): void {
  setTimeout(task, ms).unref();
}

export class RendererLog {
  /** Keyed by the sending webContents, so a closed window's bucket goes with it. */
  private readonly buckets = new WeakMap<object, Bucket>();
  private readonly capacity: number;
  private readonly perSecond: number;
  private readonly summaryAfterMs: number;
  private readonly now: () => number;
  private readonly schedule: (task: () => void, ms: number) => void;

  constructor(private readonly options: RendererLogOptions) {
    this.capacity = options.capacity ?? 200;
    this.perSecond = options.perSecond ?? 50;
    this.summaryAfterMs = options.summaryAfterMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.schedule = options.schedule ?? scheduleUnref;
  }

  /** Writes a validated entry from `sender` (its webContents), or counts it as dropped. */
  write(sender: object, entry: LogEntry): void {
    const bucket = this.refilled(sender);
    if (bucket.tokens < 1) {
      if (bucket.dropped === 0) this.schedule(() => this.summarise(bucket), this.summaryAfterMs);
      bucket.dropped += 1;
      return;
    }
    bucket.tokens -= 1;
    const child = this.options.logger.child({ source: 'renderer', scope: entry.scope });
    if (entry.detail === undefined) child[entry.level](entry.message);
    else child[entry.level]({ detail: entry.detail }, entry.message);
  }

  private refilled(sender: object): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(sender);
    if (bucket === undefined) {
      const fresh = { tokens: this.capacity, at: now, dropped: 0 };
      this.buckets.set(sender, fresh);
      return fresh;
    }
    const elapsed = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.perSecond);
    bucket.at = now;
    return bucket;
  }

  private summarise(bucket: Bucket): void {
    const dropped = bucket.dropped;
    bucket.dropped = 0;
    this.options.logger.warn(
      { source: 'renderer', dropped, capacity: this.capacity, perSecond: this.perSecond },
      `dropped ${dropped} renderer log line(s) over the rate limit`,
    );
  }
}
