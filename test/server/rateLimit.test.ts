import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMIT } from '../../signaling-server/options';
import { RateLimiter, TokenBucket, ViolationWindow } from '../../signaling-server/rateLimit';

describe('TokenBucket', () => {
  it('allows a burst of its capacity, then refuses until time refills it', () => {
    const bucket = new TokenBucket(3, 2, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([true, true, true, false]);
    expect(bucket.take(499)).toBe(false); // 0.998 tokens
    expect(bucket.take(500)).toBe(true); // 1 token after half a second at 2/s
    expect(bucket.take(500)).toBe(false);
  });

  it('never holds more than its capacity, however long it rests', () => {
    const bucket = new TokenBucket(2, 100, 0);
    bucket.take(0);
    const later = 1_000_000;
    expect([bucket.take(later), bucket.take(later), bucket.take(later)]).toEqual([true, true, false]);
  });

  it('refills nothing when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 10_000);
    expect(bucket.take(10_000)).toBe(true);
    expect(bucket.take(5_000)).toBe(false);
    expect(bucket.take(10_999)).toBe(false);
    expect(bucket.take(11_000)).toBe(true);
  });
});

describe('ViolationWindow', () => {
  it('kicks at the limit within the window, and forgets violations older than the window', () => {
    const window = new ViolationWindow(3, 1_000);
    expect(window.record(0)).toBe(false);
    expect(window.record(100)).toBe(false);
    expect(window.record(1_050)).toBe(false); // the one at 0 has expired
    expect(window.record(1_060)).toBe(true);
  });
});

describe('RateLimiter with the default numbers', () => {
  it('lets a 120-event burst through, sustains 40/s, and kicks after 100 drops within 10 s', () => {
    const limiter = new RateLimiter(DEFAULT_RATE_LIMIT, 0);
    const burst = Array.from({ length: 120 }, () => limiter.check(0));
    expect(burst.every((d) => d === 'allow')).toBe(true);
    expect(limiter.check(0)).toBe('drop');
    expect(limiter.check(25)).toBe('allow'); // 40/s = one token per 25 ms
    const decisions = Array.from({ length: 99 }, () => limiter.check(25));
    expect(decisions.slice(0, 98).every((d) => d === 'drop')).toBe(true);
    expect(decisions[98]).toBe('kick');
  });
});
