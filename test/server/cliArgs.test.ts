import { describe, expect, it } from 'vitest';
import { parseCli, USAGE, UsageError } from '../../signaling-server/cliArgs';
import { DEFAULT_ADDRESS_LIMITS } from '../../signaling-server/options';

const run = (argv: string[], env: Record<string, string> = {}) => {
  const decision = parseCli(argv, env, null);
  if (decision.kind !== 'run') throw new Error(`expected a run, got ${decision.kind}`);
  return decision.options;
};

describe('parley-server --redis-url', () => {
  it('runs a single node without it', () => {
    expect(run([]).redisUrl).toBeUndefined();
  });

  it('takes the Redis URL from the flag, or from PARLEY_REDIS_URL, the flag winning', () => {
    expect(run(['--redis-url', 'redis://10.0.0.5:6379']).redisUrl).toBe('redis://10.0.0.5:6379');
    expect(run([], { PARLEY_REDIS_URL: 'rediss://cache.example:6380' }).redisUrl).toBe('rediss://cache.example:6380');
    expect(run(['--redis-url', 'redis://a.example'], { PARLEY_REDIS_URL: 'redis://b.example' }).redisUrl).toBe('redis://a.example');
    expect(run([], { PARLEY_REDIS_URL: '' }).redisUrl).toBeUndefined();
  });

  it('is explained in --help, with its environment variable', () => {
    expect(parseCli(['--help'], {}, null)).toEqual({ kind: 'help' });
    expect(USAGE).toMatch(/--redis-url URL +share presence, calls and relay/);
    expect(USAGE).toContain('PARLEY_REDIS_URL');
  });
});

describe('parley-server per-address limits and the Host allowlist', () => {
  it('leaves every limit to the server defaults without flags', () => {
    const options = run([]);
    expect(options.addressLimits).toBeUndefined();
    expect(options.trustedProxies).toBeUndefined();
    expect(options.limitLoopback).toBeUndefined();
    expect(options.allowedHosts).toBeUndefined();
  });

  it('takes each limit from its flag and keeps the defaults of the others', () => {
    expect(run(['--max-connections-per-address', '5']).addressLimits).toEqual({ ...DEFAULT_ADDRESS_LIMITS, maxConnections: 5 });
    expect(run(['--connections-per-minute', '20']).addressLimits).toEqual({
      ...DEFAULT_ADDRESS_LIMITS,
      connectionsPerMinute: 20,
      connectionBurst: 10,
    });
    expect(run(['--failed-handshakes-per-minute', '3', '--max-connections-per-address', '7']).addressLimits).toEqual({
      ...DEFAULT_ADDRESS_LIMITS,
      failedHandshakesPerMinute: 3,
      maxConnections: 7,
    });
  });

  it('refuses a limit that is not a whole number from 1, naming the flag', () => {
    expect(() => run(['--max-connections-per-address', '0'])).toThrow(/--max-connections-per-address must be a whole number from 1/);
    expect(() => run(['--connections-per-minute', 'lots'])).toThrow(/--connections-per-minute must be a whole number/);
    expect(() => run(['--failed-handshakes-per-minute', '-1'])).toThrow(/--failed-handshakes-per-minute/);
  });

  it('takes trusted proxies as IP addresses only, repeatable', () => {
    expect(run(['--trusted-proxy', '10.0.0.2', '--trusted-proxy', '::1']).trustedProxies).toEqual(['10.0.0.2', '::1']);
    expect(() => run(['--trusted-proxy', 'proxy.internal'])).toThrow(/--trusted-proxy needs an IP address .* not "proxy.internal"/);
    expect(() => run(['--trusted-proxy', '10.0.0.0/8'])).toThrow(/--trusted-proxy/);
  });

  it('limits loopback clients only when asked', () => {
    expect(run(['--limit-loopback']).limitLoopback).toBe(true);
    expect(() => run(['--limit-loopback=yes'])).toThrow(/--limit-loopback takes no value/);
  });

  it('takes allowed hosts with or without a port, repeatable, and refuses URLs', () => {
    expect(run(['--allowed-host', 'parley.example', '--allowed-host', '192.168.1.5:3000', '--allowed-host', '[::1]:3000']).allowedHosts).toEqual([
      'parley.example',
      '192.168.1.5:3000',
      '[::1]:3000',
    ]);
    expect(() => run(['--allowed-host', 'https://parley.example'])).toThrow(/--allowed-host needs a host name or host:port/);
  });

  it('is explained in --help with the defaults', () => {
    expect(USAGE).toMatch(/--max-connections-per-address N\n +connections open at once from one network address\n +\(default 100/);
    expect(USAGE).toMatch(/--connections-per-minute N[\s\S]*default 60, bursts of 30/);
    expect(USAGE).toMatch(/--failed-handshakes-per-minute N[\s\S]*\(default 10\)/);
    expect(USAGE).toMatch(/--trusted-proxy ADDR +believe X-Forwarded-For/);
    expect(USAGE).toMatch(/--limit-loopback +apply the address limits/);
    expect(USAGE).toMatch(/--allowed-host HOST +answer only requests for HOST/);
  });
});

describe('parley-server --data-dir and PARLEY_MEMBERSHIP_SECRET', () => {
  it('keeps its data in $XDG_STATE_HOME/parley-server, else ~/.local/state/parley-server, unless --data-dir says where', () => {
    expect(run([], { XDG_STATE_HOME: '/var/lib/state' }).dataDir).toBe('/var/lib/state/parley-server');
    expect(run([], { HOME: '/home/ada' }).dataDir).toBe('/home/ada/.local/state/parley-server');
    expect(run(['--data-dir', '/srv/parley'], { XDG_STATE_HOME: '/var/lib/state' }).dataDir).toBe('/srv/parley');
    expect(() => run(['--data-dir', ''])).toThrow(new UsageError('--data-dir needs a directory'));
  });

  it('takes the membership secret from the environment only, and refuses one shorter than 32 characters', () => {
    expect(run([]).membershipSecret).toBeUndefined();
    expect(run([], { PARLEY_MEMBERSHIP_SECRET: 's'.repeat(32) }).membershipSecret).toBe('s'.repeat(32));
    expect(() => run([], { PARLEY_MEMBERSHIP_SECRET: 'too-short' })).toThrow(/PARLEY_MEMBERSHIP_SECRET must be at least 32 characters, not 9/);
    expect(() => run(['--membership-secret', 's'.repeat(32)])).toThrow(/unknown option/);
  });

  it('is explained in --help', () => {
    expect(USAGE).toMatch(/--data-dir DIR +where the server keeps membership.key/);
    expect(USAGE).toContain('PARLEY_MEMBERSHIP_SECRET');
  });
});

describe('parley-server --directory', () => {
  it('is off unless asked for, takes on or off, and refuses anything else', () => {
    expect(run([]).directory).toBeUndefined();
    expect(run(['--directory', 'on']).directory).toBe(true);
    expect(run(['--directory', 'off']).directory).toBe(false);
    expect(() => run(['--directory', 'yes'])).toThrow(new UsageError('--directory must be on or off, not "yes"'));
    expect(USAGE).toMatch(/--directory on\|off +let users find each other by name/);
  });
});
