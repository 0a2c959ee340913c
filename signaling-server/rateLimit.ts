/**
 * Per-socket abuse limits: a token bucket for events, and a sliding window of
 * violations that decides when a socket is kicked. Pure: time comes from `now`.
 * The numbers (and why) are in options.ts, DEFAULT_RATE_LIMIT.
 */
import type { RateLimitOptions } from './options';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    // A clock that goes backwards refills nothing rather than draining the bucket.
    const elapsedMs = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.refillPerSecond);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/** Counts violations in the last `windowMs`; reports when `maxViolations` is reached. */
export class ViolationWindow {
  private readonly times: number[] = [];

  constructor(
    private readonly maxViolations: number,
    private readonly windowMs: number,
  ) {}

  /** Records a violation; true when the socket should be kicked. */
  record(now: number): boolean {
    this.times.push(now);
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.windowMs) this.times.shift();
    return this.times.length >= this.maxViolations;
  }
}

export type RateDecision = 'allow' | 'drop' | 'kick';

/** One socket's limiter: allow the event, drop it, or drop it and kick the socket. */
export class RateLimiter {
  private readonly bucket: TokenBucket;
  private readonly violations: ViolationWindow;

  constructor(options: RateLimitOptions, now: number) {
    this.bucket = new TokenBucket(options.capacity, options.refillPerSecond, now);
    this.violations = new ViolationWindow(options.maxViolations, options.windowMs);
  }

  check(now: number): RateDecision {
    if (this.bucket.take(now)) return 'allow';
    return this.violations.record(now) ? 'kick' : 'drop';
  }
}
