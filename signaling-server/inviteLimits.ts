/**
 * How often a caller may ring: token buckets per caller→callee pair and per caller
 * (options.inviteLimits), so that one user cannot ring another (or everyone) in a
 * loop. Counted per user, not per socket: ten sockets of one user share the limit.
 *
 * The maps forget: a bucket that has refilled is the same as no bucket, so idle
 * entries are dropped as a sweeping hand meets them (a couple per check, going
 * round the map like a clock), and past `maxEntries` the entries at the hand go
 * regardless (which can only make a limit more lenient for that key, never lock
 * anyone out). The hand keeps its place between checks, so a check costs the same
 * whether the map holds ten entries or a hundred thousand.
 */
import type { InviteLimitOptions } from './options';
import type { UserId } from './protocol';

interface Bucket {
  tokens: number;
  at: number;
}

export type InviteDecision = { ok: true } | { ok: false; scope: 'pair' | 'caller'; retryInMs: number };

const DEFAULT_MAX_ENTRIES = 100_000;
/** Idle entries examined per use: keeps forgetting amortised O(1). */
const SWEEP_PER_USE = 2;

class Buckets {
  private readonly entries = new Map<string, Bucket>();
  /** Where the sweep goes on from (Map iterators stay valid while entries come and go). */
  private hand: Iterator<[string, Bucket]> | null = null;

  constructor(
    private readonly burst: number,
    private readonly intervalMs: number,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Tokens available at `now` (refilled one per interval, up to the burst). */
  available(key: string, now: number): number {
    const bucket = this.entries.get(key);
    return bucket === undefined ? this.burst : this.refilled(bucket, now);
  }

  /** Milliseconds until a token is available. */
  waitMs(key: string, now: number): number {
    const bucket = this.entries.get(key);
    if (bucket === undefined || this.intervalMs === 0) return 0;
    const missing = 1 - this.refilled(bucket, now);
    return missing <= 0 ? 0 : Math.ceil(missing * this.intervalMs);
  }

  take(key: string, now: number): void {
    this.entries.set(key, { tokens: this.available(key, now) - 1, at: now });
    this.sweep(now);
  }

  private refilled(bucket: Bucket, now: number): number {
    if (this.intervalMs === 0) return this.burst;
    return Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) / this.intervalMs);
  }

  /** Looks at a few entries at the hand, dropping the idle ones, and drops any beyond `maxEntries`. */
  sweep(now: number): void {
    for (let examined = 0; examined < SWEEP_PER_USE || this.entries.size > this.maxEntries; examined++) {
      let next = this.hand?.next();
      if (next === undefined || next.done === true) {
        this.hand = this.entries.entries();
        next = this.hand.next();
        if (next.done === true) return;
      }
      const [key, bucket] = next.value;
      if (this.entries.size > this.maxEntries || this.refilled(bucket, now) >= this.burst) this.entries.delete(key);
    }
  }
}

export class InviteLimiter {
  private readonly pairs: Buckets;
  private readonly callers: Buckets;

  constructor(
    limits: InviteLimitOptions,
    private readonly now: () => number,
    maxEntries = DEFAULT_MAX_ENTRIES,
  ) {
    this.pairs = new Buckets(limits.perPair.burst, limits.perPair.intervalMs, maxEntries);
    this.callers = new Buckets(limits.perCaller.burst, limits.perCaller.intervalMs, maxEntries);
  }

  /** Entries held (for tests: the maps stay bounded). */
  get size(): number {
    return this.pairs.size + this.callers.size;
  }

  /** Takes a token from both buckets, or from neither when either is empty. */
  take(caller: UserId, callee: UserId): InviteDecision {
    const now = this.now();
    // Refused attempts sweep too, so a flood that is refused still lets idle entries go.
    this.pairs.sweep(now);
    this.callers.sweep(now);
    const pair = `${caller}\n${callee}`;
    if (this.pairs.available(pair, now) < 1) return { ok: false, scope: 'pair', retryInMs: this.pairs.waitMs(pair, now) };
    if (this.callers.available(caller, now) < 1) return { ok: false, scope: 'caller', retryInMs: this.callers.waitMs(caller, now) };
    this.pairs.take(pair, now);
    this.callers.take(caller, now);
    return { ok: true };
  }
}
