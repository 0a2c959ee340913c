/**
 * Log amplification (issue 10, items 1 and 5): what a hostile client makes the
 * server write is bounded. The server logs into a buffer here (a pino logger
 * injected through options.logger) and the tests bound that buffer's size.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/index';
import { cleanup, connectClient, connectRefused, eventually, expectHonestCallWorks, startServer } from './harness';

afterEach(cleanup);

const ATTACKER = { 'x-forwarded-for': '203.0.113.7' };
const LOOSE = { maxConnections: 100, connectionsPerMinute: 1_000, connectionBurst: 1_000, failedHandshakesPerMinute: 1_000 };
const MARKER = 'PAYLOAD-MARKER-';

/** A server whose every log line (debug and up) lands in `lines`. */
async function loggedServer(options: Parameters<typeof startServer>[0] = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const server: SignalingServer = await startServer({ ...options, logger });
  const bytes = (): number => lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  const matching = (message: string) => lines.filter((l) => (JSON.parse(l) as { msg?: string }).msg?.startsWith(message));
  return { server, lines, bytes, matching };
}

describe('log amplification', () => {
  it('ignores client events named "error" and logs none of their payloads', async () => {
    const { server, bytes, lines, matching } = await loggedServer({
      rateLimit: { capacity: 1_000, refillPerSecond: 1_000, maxViolations: 1_000, windowMs: 1_000 },
    });
    const before = bytes();
    const mallory = await connectClient(server, { name: 'mallory', headers: ATTACKER });
    const payload = { message: MARKER + 'x'.repeat(32 * 1024) };
    for (let i = 0; i < 200; i++) mallory.send('error', payload);
    // A request after the flood: answered, so the flood was read and handled.
    expect(await mallory.request('presence:status', { status: 'away' })).toEqual({ ok: true });
    expect(mallory.disconnectReason).toBeNull();
    // 200 × 32 KiB went in; what came out is a couple of debug lines at most.
    expect(bytes() - before).toBeLessThan(2_048);
    expect(lines.some((l) => l.includes(MARKER))).toBe(false);
    // Not even taken for a socket error: the event never reached the 'error' listener.
    expect(matching('malformed input')).toHaveLength(0);
    await expectHonestCallWorks(server);
  });

  it('logs malformed packets as one short line per address per window, without stack or payload', async () => {
    const { server, matching, lines } = await loggedServer({ addressLimits: LOOSE });
    for (let i = 0; i < 5; i++) {
      const mallory = await connectClient(server, { name: `mallory-${i}`, headers: ATTACKER });
      const engine = (mallory.socket.io as unknown as { engine: { send(packet: string): void } }).engine;
      engine.send(`2["signal",{"${MARKER}":`);
      // socket.io closes a connection that sent what it cannot decode.
      await mallory.disconnected();
    }
    const malformed = matching('malformed input');
    expect(malformed).toHaveLength(1);
    const line = malformed[0] as string;
    expect(line.length).toBeLessThan(400);
    expect(line).not.toMatch(/stack|at [A-Za-z]+ \(/);
    expect(line).toContain('203.0.113.7');
    expect(lines.some((l) => l.includes(MARKER))).toBe(false);
    await expectHonestCallWorks(server);
  });

  it('logs refused handshakes once per address per window, then one summary with the count', async () => {
    const { server, matching } = await loggedServer({ password: 'pw', addressLimits: LOOSE });
    for (let i = 0; i < 30; i++) {
      expect(await connectRefused(server, { name: `guess-${i}`, password: `wrong ${i}`, headers: ATTACKER })).toMatchObject({ code: 'auth_failed' });
    }
    expect(matching('connection refused')).toHaveLength(1);
    await expectHonestCallWorks(server, 'pw');
    await server.close();
    await eventually(() => matching('connection refused: 29 more from 203.0.113.7').length === 1, 'the summary line');
    const summary = JSON.parse(matching('connection refused: 29 more')[0] as string) as { count: number; kinds: Record<string, number> };
    expect(summary).toMatchObject({ count: 29, kinds: { auth_failed: 29 } });
  });
});
