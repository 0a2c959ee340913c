/**
 * Which network address a connection comes from, for the per-address limits
 * (addressGuard.ts). Pure: the TCP peer and the X-Forwarded-For header in, an
 * address out.
 *
 * X-Forwarded-For is believed only from a trusted proxy: anyone else could write
 * any address there and so escape every limit, or pin their flood on someone
 * else's address. Each proxy appends the peer it saw, so the list is read from the
 * right: trusted hops are skipped, and the first untrusted one is the client
 * (what a proxy was told by its own untrusted peer proves nothing).
 */
import { isIP } from 'node:net';

/** How many hops are read from the right at most: no proxy chain is longer. */
const MAX_HOPS = 16;

/** `::ffff:10.0.0.1` → `10.0.0.1`: one address, one key, whichever socket family saw it. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(trimmed);
  return (mapped ? (mapped[1] as string) : trimmed).toLowerCase();
}

/** 127.0.0.0/8 and ::1 (after normalizeAddress). */
export function isLoopback(address: string): boolean {
  return address === '::1' || (isIP(address) === 4 && address.startsWith('127.'));
}

export interface AddressSource {
  /** The TCP peer (req.socket.remoteAddress); undefined once the socket is gone. */
  remoteAddress: string | undefined;
  /** The X-Forwarded-For header as Node gives it (several headers are joined with ", "). */
  forwardedFor: string | string[] | undefined;
}

/** A set of trusted proxy addresses, normalised once. */
export function trustedSet(proxies: readonly string[]): ReadonlySet<string> {
  return new Set(proxies.map(normalizeAddress));
}

/**
 * The client's address: the peer itself, or — when the peer is a trusted proxy —
 * the right-most untrusted address of X-Forwarded-For. A hop that is not an IP
 * address ends the walk: the last trusted hop is then the best we know.
 */
export function clientAddress(source: AddressSource, trusted: ReadonlySet<string>): string {
  let address = normalizeAddress(source.remoteAddress ?? 'unknown');
  if (!trusted.has(address) || source.forwardedFor === undefined) return address;
  const header = Array.isArray(source.forwardedFor) ? source.forwardedFor.join(',') : source.forwardedFor;
  const hops = header.split(',');
  for (let i = hops.length - 1, read = 0; i >= 0 && read < MAX_HOPS; i--, read++) {
    const hop = normalizeAddress(stripPort(hops[i] as string));
    if (hop === '') continue;
    if (isIP(hop) === 0) return address;
    address = hop;
    if (!trusted.has(hop)) return hop;
  }
  return address;
}

/** "203.0.113.7:4711" and "[2001:db8::1]:4711" (some proxies add the port) → the address. */
function stripPort(hop: string): string {
  const text = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1] as string;
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return v4WithPort ? (v4WithPort[1] as string) : text;
}
