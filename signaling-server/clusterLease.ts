/**
 * Who is the coordinator: a lease in Redis (`parley:coordinator` = the holder's
 * node id, with a TTL). Every node tries to take it (SET NX PX) every
 * `intervalMs`; the holder extends it as often. A holder believes it holds the
 * lease only until `ttlMs - marginMs` after the start of its last successful
 * renewal (its own clock), so it steps down before Redis lets anyone else take
 * over, even when Redis stops answering it: two coordinators never overlap
 * unless clocks drift by more than `marginMs` within one TTL.
 *
 * A holder that dies without releasing is replaced within ttlMs + intervalMs.
 */
import { describeError } from './logger';
import type { Logger } from 'pino';

export interface LeaseStore {
  /** True when `holder` holds the lease now (just taken, or extended). */
  acquireOrRenew(key: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` still holds it. */
  release(key: string, holder: string): Promise<void>;
}

export interface LeaseOptions {
  store: LeaseStore;
  key: string;
  holder: string;
  ttlMs: number;
  intervalMs: number;
  marginMs: number;
  /** False while the store cannot be reached: skip the attempt (the lease runs out by the clock). */
  canTry: () => boolean;
  /** Called on every change of `held`. */
  onChange: (held: boolean) => void;
  log: Logger;
  now?: () => number;
}

export class CoordinatorLease {
  private heldUntil = 0;
  private wasHeld = false;
  private inFlight = false;
  private stopped = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: LeaseOptions) {
    this.now = options.now ?? Date.now;
  }

  get held(): boolean {
    return !this.stopped && this.now() < this.heldUntil;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.attempt(), this.options.intervalMs);
    void this.attempt();
  }

  /** Try now rather than at the next tick (Redis is back; the coordinator left). */
  tryNow(): void {
    void this.attempt();
  }

  /** Stops trying and gives the lease up (clean shutdown), so another node takes over at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.stopped = true;
    this.heldUntil = 0;
    this.notice();
    // Released even when our clock says it ran out: a renewal that timed out may
    // have succeeded. The script deletes the key only if it is still ours.
    if (!this.options.canTry()) return;
    try {
      await withTimeout(this.options.store.release(this.options.key, this.options.holder), this.options.ttlMs);
    } catch (err) {
      this.options.log.warn({ err: describeError(err) }, 'could not release the coordinator lease; it expires by itself');
    }
  }

  private async attempt(): Promise<void> {
    if (this.stopped || this.inFlight) return this.notice();
    if (!this.options.canTry()) return this.notice();
    this.inFlight = true;
    const startedAt = this.now();
    try {
      const { store, key, holder, ttlMs, marginMs } = this.options;
      const ok = await withTimeout(store.acquireOrRenew(key, holder, ttlMs), ttlMs - marginMs);
      if (this.stopped) return;
      this.heldUntil = ok ? startedAt + ttlMs - marginMs : 0;
    } catch (err) {
      // Unknown outcome: keep what we had; the clock ends it if this goes on.
      this.options.log.debug({ err: describeError(err) }, 'coordinator lease attempt failed');
    } finally {
      this.inFlight = false;
    }
    this.notice();
  }

  private notice(): void {
    const held = this.held;
    if (held === this.wasHeld) return;
    this.wasHeld = held;
    this.options.onChange(held);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
