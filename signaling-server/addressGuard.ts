/**
 * Per network address limits, decided before any handshake work (options.ts,
 * DEFAULT_ADDRESS_LIMITS): open connections at once, new connections per minute
 * (a token bucket with a burst), and failed handshakes per minute (after that many,
 * every new connection from the address is refused until the minute is over).
 *
 * Pure: time comes from `now`. The table is bounded: an address with nothing open
 * is forgotten a window after it was last seen, and at `maxAddresses` the least
 * recently seen idle address is forgotten first — an evicted address starts with a
 * clean slate, so a full table forgives, it never locks out.
 *
 * IPv6 addresses count by their /64: one subscriber gets a whole /64 and can
 * pick a new address from it for every connection.
 */
import { isIP } from 'node:net';
import type { AddressLimitOptions } from './options';

export const ADDRESS_WINDOW_MS = 60_000;
export const DEFAULT_MAX_ADDRESSES = 50_000;

export interface AddressRefusal {
  code: 'too_many_connections' | 'rate_limited';
  /** Which limit: for the logs. */
  limit: 'open' | 'rate' | 'failures';
  message: string;
}

interface AddressState {
  open: number;
  tokens: number;
  refilledAt: number;
  failures: number;
  failuresSince: number;
  lastSeen: number;
}

/** The key an address is limited under: IPv4 as is, IPv6 by its /64. */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('::', 2) as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => (g.replace(/^0+(?=.)/, '') || '0').toLowerCase());
  return `${prefix.join(':')}::/64`;
}

export class AddressGuard {
  private readonly table = new Map<string, AddressState>();
  private readonly refillPerMs: number;
  private lastSweep: number;

  constructor(
    private readonly limits: AddressLimitOptions,
    now: number,
    private readonly maxAddresses = DEFAULT_MAX_ADDRESSES,
  ) {
    this.refillPerMs = limits.connectionsPerMinute / ADDRESS_WINDOW_MS;
    this.lastSweep = now;
  }

  get size(): number {
    return this.table.size;
  }

  /**
   * May `address` open one more connection now? Takes a token when it may;
   * `opened` is called once the connection really exists.
   */
  admit(address: string, now: number): AddressRefusal | null {
    const state = this.touch(address, now);
    if (now - state.failuresSince >= ADDRESS_WINDOW_MS) {
      state.failures = 0;
      state.failuresSince = now;
    }
    const { failedHandshakesPerMinute, maxConnections, connectionsPerMinute, connectionBurst } = this.limits;
    if (state.failures >= failedHandshakesPerMinute) {
      const wait = Math.ceil((state.failuresSince + ADDRESS_WINDOW_MS - now) / 1000);
      return {
        code: 'rate_limited',
        limit: 'failures',
        message:
          `Too many failed sign-ins from your network address (${state.failures} in a minute: wrong password or identity). ` +
          `Check the server password and your identity, then try again in ${wait} s.`,
      };
    }
    if (state.open >= maxConnections) {
      return {
        code: 'too_many_connections',
        limit: 'open',
        message:
          `Too many connections from your network address: ${state.open} are open, at most ${maxConnections} are allowed. ` +
          'Close Parley on another device or tab, or ask the server operator to raise --max-connections-per-address.',
      };
    }
    state.tokens = Math.min(connectionBurst, state.tokens + Math.max(0, now - state.refilledAt) * this.refillPerMs);
    state.refilledAt = Math.max(state.refilledAt, now);
    if (state.tokens < 1) {
      return {
        code: 'too_many_connections',
        limit: 'rate',
        message:
          `Too many new connections from your network address (at most ${connectionsPerMinute} a minute, bursts of ${connectionBurst}). ` +
          'Wait a few seconds, then connect again.',
      };
    }
    state.tokens -= 1;
    return null;
  }

  opened(address: string, now: number): void {
    this.touch(address, now).open += 1;
  }

  closed(address: string, now: number): void {
    const state = this.table.get(address);
    if (state === undefined) return; // evicted meanwhile: it started afresh
    state.open = Math.max(0, state.open - 1);
    state.lastSeen = now;
  }

  /** A handshake from `address` was refused for the client's own mistake (password, identity, version, origin). */
  failed(address: string, now: number): void {
    const state = this.touch(address, now);
    if (now - state.failuresSince >= ADDRESS_WINDOW_MS) {
      state.failures = 0;
      state.failuresSince = now;
    }
    state.failures += 1;
  }

  private touch(address: string, now: number): AddressState {
    if (now - this.lastSweep >= ADDRESS_WINDOW_MS) this.sweep(now);
    let state = this.table.get(address);
    if (state === undefined) {
      if (this.table.size >= this.maxAddresses) this.evictOne(now);
      state = { open: 0, tokens: this.limits.connectionBurst, refilledAt: now, failures: 0, failuresSince: now, lastSeen: now };
    } else {
      // Re-inserted: the Map's order is least recently seen first.
      this.table.delete(address);
    }
    state.lastSeen = now;
    this.table.set(address, state);
    return state;
  }

  /** Forgets every address with nothing open that was last seen a window ago: its bucket is full and its failures expired. */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [address, state] of this.table) {
      if (state.open === 0 && now - state.lastSeen >= ADDRESS_WINDOW_MS) this.table.delete(address);
    }
  }

  private evictOne(now: number): void {
    this.sweep(now);
    if (this.table.size < this.maxAddresses) return;
    for (const [address, state] of this.table) {
      if (state.open === 0) {
        this.table.delete(address);
        return;
      }
    }
    // Every entry has connections open (more addresses than the cap, all connected):
    // forget the least recently seen; its closes will find nothing and do nothing.
    const oldest = this.table.keys().next();
    if (!oldest.done) this.table.delete(oldest.value);
  }
}
