import { afterEach, describe, expect, it } from 'vitest';
import { createSignalingServer, DEFAULT_PORT, type SignalingServerOptions } from '../../signaling-server/index';
import { DEFAULT_ADDRESS_LIMITS, resolveOptions } from '../../signaling-server/options';
import { cleanup, connectClient, startServer } from './harness';

afterEach(cleanup);

describe('server options', () => {
  it.each([
    [{ port: 70_000 }, 'port'],
    [{ port: 1.5 }, 'port'],
    [{ maxParticipants: 1 }, 'maxParticipants'],
    [{ maxParticipants: 17 }, 'maxParticipants'],
    [{ ringTimeoutMs: -1 }, 'ringTimeoutMs'],
    [{ logLevel: 'loud' }, 'logLevel'],
    [{ allowedOrigins: ['https://ok.example/path'] }, 'allowedOrigins'],
    [{ turn: { urls: ['http://not-turn'], secret: 's' } }, 'turn.urls'],
    [{ turn: { urls: ['turn:t.example'], secret: '' } }, 'turn.secret'],
    [{ clientDir: '/definitely/not/here' }, 'clientDir'],
    [{ maxParticipant: 4 }, 'maxParticipant'],
    [{ redisUrl: 'http://redis.example:6379' }, 'redisUrl'],
    [{ redisUrl: 'redis://' }, 'redisUrl'],
    [{ redisUrl: 'localhost:6379' }, 'redisUrl'],
    [{ directory: 'on' }, 'directory'],
    [{ addressLimits: { maxConnections: 0, connectionsPerMinute: 60, connectionBurst: 30, failedHandshakesPerMinute: 10 } }, 'addressLimits.maxConnections'],
    [{ addressLimits: { maxConnections: 100 } }, 'addressLimits.connectionsPerMinute'],
    [{ trustedProxies: [''] }, 'trustedProxies'],
    [{ allowedHosts: [''] }, 'allowedHosts'],
    [{ limitLoopback: 'yes' }, 'limitLoopback'],
  ])('refuses %j, naming the option', async (options, name) => {
    const attempt = createSignalingServer({ port: 0, logLevel: 'silent', ...(options as SignalingServerOptions) });
    await expect(attempt).rejects.toThrow(name);
    await expect(attempt).rejects.toMatchObject({ code: 'ERR_PARLEY_OPTION', option: expect.stringContaining(name.split('.')[0] ?? name) });
  });

  it('defaults to port 7300', () => {
    expect(DEFAULT_PORT).toBe(7300);
  });

  it('rejects with EADDRINUSE and a clear message when the port is taken', async () => {
    const first = await startServer();
    const attempt = createSignalingServer({ port: first.address.port, logLevel: 'silent' });
    await expect(attempt).rejects.toMatchObject({
      code: 'EADDRINUSE',
      message: `port ${first.address.port} on 127.0.0.1 is already in use`,
    });
  });

  it('closes idempotently, telling clients first', async () => {
    const server = await startServer();
    const alice = await connectClient(server, { name: 'alice' });
    await Promise.all([server.close(), server.close()]);
    await server.close();
    expect(await alice.next('server:shutdown')).toMatchObject({ message: expect.any(String) });
    await alice.disconnected();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('per-address options', () => {
  it('default to DEFAULT_ADDRESS_LIMITS, loopback proxies, loopback exempt and any host', () => {
    const options = resolveOptions({});
    expect(options.addressLimits).toEqual(DEFAULT_ADDRESS_LIMITS);
    expect(options.trustedProxies).toEqual(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
    expect(options.limitLoopback).toBe(false);
    expect(options.allowedHosts).toBeUndefined();
  });
});
