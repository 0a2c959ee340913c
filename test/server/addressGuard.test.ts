import { describe, expect, it } from 'vitest';
import { ADDRESS_WINDOW_MS, AddressGuard, addressKey } from '../../signaling-server/addressGuard';
import { clientAddress, isLoopback, normalizeAddress, trustedSet } from '../../signaling-server/clientAddress';
import { hostAllowed, hostRefusal } from '../../signaling-server/hostGuard';

const LIMITS = { maxConnections: 2, connectionsPerMinute: 6, connectionBurst: 3, failedHandshakesPerMinute: 2 };
const loopbackProxies = trustedSet(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

describe('the client address', () => {
  it('is the TCP peer when the peer is not a trusted proxy, whatever X-Forwarded-For says', () => {
    expect(clientAddress({ remoteAddress: '198.51.100.9', forwardedFor: '203.0.113.7' }, loopbackProxies)).toBe('198.51.100.9');
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.7' }, trustedSet([]))).toBe('127.0.0.1');
  });

  it('is the right-most untrusted hop of X-Forwarded-For from a trusted proxy', () => {
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: '203.0.113.7' }, loopbackProxies)).toBe('203.0.113.7');
    // The client wrote 198.51.100.1 itself; the proxy appended what it saw.
    expect(clientAddress({ remoteAddress: '::ffff:127.0.0.1', forwardedFor: '198.51.100.1, 203.0.113.7' }, loopbackProxies)).toBe('203.0.113.7');
    const twoProxies = trustedSet(['127.0.0.1', '10.0.0.2']);
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: ['198.51.100.1, 203.0.113.7', '10.0.0.2'] }, twoProxies)).toBe('203.0.113.7');
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: '[2001:db8::5]:4711, 203.0.113.7:80' }, loopbackProxies)).toBe('203.0.113.7');
  });

  it('stops at a hop that is not an address and keeps the last trusted one', () => {
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: 'evil, 127.0.0.1' }, loopbackProxies)).toBe('127.0.0.1');
    expect(clientAddress({ remoteAddress: '127.0.0.1', forwardedFor: 'not-an-ip' }, loopbackProxies)).toBe('127.0.0.1');
  });

  it('treats IPv4-mapped IPv6 as IPv4 and knows loopback', () => {
    expect(normalizeAddress('::FFFF:203.0.113.7')).toBe('203.0.113.7');
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.8.9.10')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('203.0.113.7')).toBe(false);
  });

  it('counts IPv6 addresses by their /64', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
  });
});

describe('AddressGuard', () => {
  it('caps open connections per address and frees a slot when one closes', () => {
    const guard = new AddressGuard(LIMITS, 0);
    for (let i = 0; i < 2; i++) {
      expect(guard.admit('a', 0)).toBeNull();
      guard.opened('a', 0);
    }
    expect(guard.admit('a', 0)).toMatchObject({ code: 'too_many_connections', limit: 'open' });
    expect(guard.admit('b', 0)).toBeNull();
    guard.closed('a', 1);
    expect(guard.admit('a', 1)).toBeNull();
  });

  it('allows a burst of new connections, then the sustained rate', () => {
    const guard = new AddressGuard({ ...LIMITS, maxConnections: 100 }, 0);
    for (let i = 0; i < 3; i++) expect(guard.admit('a', 0)).toBeNull();
    const refused = guard.admit('a', 0);
    expect(refused).toMatchObject({ code: 'too_many_connections', limit: 'rate' });
    expect(refused?.message).toContain('6 a minute');
    // 6 a minute: one token every 10 s.
    expect(guard.admit('a', 9_000)).not.toBeNull();
    expect(guard.admit('a', 10_000)).toBeNull();
  });

  it('refuses every connection with rate_limited after too many failed handshakes, until the minute is over', () => {
    const guard = new AddressGuard({ ...LIMITS, connectionBurst: 100 }, 0);
    guard.failed('a', 0);
    guard.failed('a', 1);
    const refused = guard.admit('a', 2);
    expect(refused).toMatchObject({ code: 'rate_limited', limit: 'failures' });
    expect(refused?.message).toMatch(/try again in 60 s/);
    expect(guard.admit('b', 2)).toBeNull();
    expect(guard.admit('a', ADDRESS_WINDOW_MS)).toBeNull();
  });

  it('forgets idle addresses and stays within its cap', () => {
    const guard = new AddressGuard(LIMITS, 0, 100);
    for (let i = 0; i < 1_000; i++) guard.admit(`10.0.${Math.floor(i / 256)}.${i % 256}`, i);
    expect(guard.size).toBeLessThanOrEqual(100);
    guard.admit('a', 10 * ADDRESS_WINDOW_MS);
    expect(guard.size).toBe(1);
  });

  it('keeps an address with open connections when the table is full of idle ones', () => {
    const guard = new AddressGuard(LIMITS, 0, 3);
    guard.admit('busy', 0);
    guard.opened('busy', 0);
    guard.opened('busy', 0);
    for (let i = 0; i < 10; i++) guard.admit(`idle-${i}`, 1);
    expect(guard.admit('busy', 2)).toMatchObject({ code: 'too_many_connections', limit: 'open' });
  });
});

describe('the Host allowlist', () => {
  it('allows any host when there is no list', () => {
    expect(hostAllowed('evil.example', undefined)).toBe(true);
  });

  it('matches host names case-insensitively, on any port unless the entry names one', () => {
    const allowed = ['localhost', '127.0.0.1:8443', 'parley.example.'];
    expect(hostAllowed('LOCALHOST:3000', allowed)).toBe(true);
    expect(hostAllowed('127.0.0.1:8443', allowed)).toBe(true);
    expect(hostAllowed('127.0.0.1:9999', allowed)).toBe(false);
    expect(hostAllowed('parley.example', allowed)).toBe(true);
    expect(hostAllowed('evil.example', allowed)).toBe(false);
    expect(hostAllowed(undefined, allowed)).toBe(false);
    expect(hostAllowed('[::1]:3000', ['[::1]'])).toBe(true);
  });

  it('says which host was refused and what to do', () => {
    const text = hostRefusal('evil.example', ['localhost']);
    expect(text).toContain('"evil.example"');
    expect(text).toContain('localhost');
    expect(text).toContain('--allowed-host');
  });
});
