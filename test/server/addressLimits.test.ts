/**
 * The connection-level defences (issue 10, items 1 and 2), with real socket.io
 * clients on a real port. Other network addresses are simulated with an
 * X-Forwarded-For header from 127.0.0.1 (a trusted proxy by default): only a
 * header value, no traffic goes anywhere but loopback.
 */
import { Manager } from 'socket.io-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/index';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { makeIdentity, type TestIdentity } from '../support/testIdentity';
import { cleanup, connectClient, connectRefused, eventually, expectHonestCallWorks, startServer } from './harness';
import { rawRequest, WS_PATH } from './rawHttp';

afterEach(cleanup);

const from = (address: string) => ({ 'x-forwarded-for': address });
const ATTACKER = '203.0.113.7';
const NEIGHBOUR = '203.0.113.8';

const LOOSE = { maxConnections: 100, connectionsPerMinute: 1_000, connectionBurst: 1_000, failedHandshakesPerMinute: 1_000 };

/** An honest pair from another address still calls and signals. */
async function honestFromElsewhere(server: SignalingServer, password?: string): Promise<void> {
  const a = await connectClient(server, { name: 'honest-elsewhere', password, headers: from(NEIGHBOUR) });
  expect(a.welcome).not.toBeNull();
  a.close();
  await expectHonestCallWorks(server, password);
}

/**
 * A bare engine.io connection (socket.io-client's Manager, no Socket): the test
 * writes socket.io packets itself and sees every frame the server sends.
 */
async function rawConnection(server: SignalingServer, headers: Record<string, string> = {}) {
  const manager = new Manager(server.url, { transports: ['websocket'], reconnection: false, autoConnect: false, extraHeaders: headers });
  await new Promise<void>((resolve, reject) => manager.open((err) => (err ? reject(err) : resolve())));
  const engine = (manager as unknown as { engine: RawEngine }).engine;
  const frames: string[] = [];
  let closed = false;
  engine.on('message', (data: unknown) => frames.push(String(data)));
  engine.on('close', () => (closed = true));
  return {
    frames,
    isClosed: () => closed,
    send: (packet: string) => engine.send(packet),
    close: () => manager._close(),
  };
}
interface RawEngine {
  on(event: string, listener: (data?: unknown) => void): void;
  send(packet: string): void;
}

let raw: TestIdentity;
beforeAll(async () => {
  raw = await makeIdentity();
});

/** A well-formed handshake (the password is checked before the proof, so the proof need not verify). */
const connectPacket = (password: string) =>
  `0${JSON.stringify({ protocolVersion: PROTOCOL_VERSION, credential: raw.credential, proof: 'A'.repeat(86), displayName: 'Raw', password, contacts: [], strangerCalls: 'ask' })}`;

describe('a refused handshake', () => {
  it('closes the connection once the refusal is sent: more CONNECTs on it are never answered', async () => {
    const server = await startServer({ password: 'correct horse', addressLimits: LOOSE });
    const raw = await rawConnection(server);
    // Five guesses in one write: before, each got its own answer on the same connection.
    for (let i = 0; i < 5; i++) raw.send(connectPacket(`guess ${i}`));
    await eventually(() => raw.isClosed(), 'the server closed the connection');
    const refusals = raw.frames.filter((f) => f.startsWith('4'));
    expect(refusals).toHaveLength(1);
    expect(JSON.parse((refusals[0] as string).slice(1))).toMatchObject({ data: { code: 'auth_failed' } });
    await honestFromElsewhere(server, 'correct horse');
  });

  it('still reaches the client as connect_error with its code and message', async () => {
    const server = await startServer({ password: 'correct horse' });
    const refusal = await connectRefused(server, { name: 'wrong', password: 'battery staple' });
    expect(refusal).toEqual({ code: 'auth_failed', message: 'The server password is wrong. Check it in the connection settings.' });
  });
});

describe('failed handshakes per address', () => {
  it('refuses an address with rate_limited after too many failures, even with the right password, and no one else', async () => {
    const server = await startServer({ password: 'pw', addressLimits: { ...LOOSE, failedHandshakesPerMinute: 3 } });
    for (let i = 0; i < 3; i++) {
      expect(await connectRefused(server, { name: `guess-${i}`, password: `wrong ${i}`, headers: from(ATTACKER) })).toMatchObject({
        code: 'auth_failed',
      });
    }
    const locked = await connectRefused(server, { name: 'right-now', password: 'pw', headers: from(ATTACKER) });
    expect(locked.code).toBe('rate_limited');
    expect(locked.message).toMatch(/Too many failed sign-ins from your network address .* try again in \d+ s/);
    await honestFromElsewhere(server, 'pw');
  });
});

describe('connections per address', () => {
  it('caps open connections with too_many_connections, and admits again once one closes', async () => {
    const server = await startServer({ addressLimits: { ...LOOSE, maxConnections: 3 } });
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await connectClient(server, { name: `office-${i}`, headers: from(ATTACKER) }));
    const refused = await connectRefused(server, { name: 'office-3', headers: from(ATTACKER) });
    expect(refused.code).toBe('too_many_connections');
    expect(refused.message).toContain('at most 3 are allowed');
    await honestFromElsewhere(server);
    open[0]?.close();
    await eventually(async () => {
      const again = await connectClient(server, { name: 'office-again', headers: from(ATTACKER) }).catch(() => null);
      again?.close();
      return again !== null;
    }, 'a slot was free again');
    for (const c of open) expect(c.disconnectReason === null || c === open[0]).toBe(true);
  });

  it('limits new connections per minute beyond the burst with too_many_connections', async () => {
    const server = await startServer({ addressLimits: { ...LOOSE, connectionsPerMinute: 1, connectionBurst: 3 } });
    for (let i = 0; i < 3; i++) (await connectClient(server, { name: `burst-${i}`, headers: from(ATTACKER) })).close();
    const refused = await connectRefused(server, { name: 'one-too-many', headers: from(ATTACKER) });
    expect(refused.code).toBe('too_many_connections');
    expect(refused.message).toMatch(/at most 1 a minute, bursts of 3/);
    await honestFromElsewhere(server);
  });

  it('turns a flooding address away before the WebSocket opens, and serves everyone else meanwhile', async () => {
    const server = await startServer({ addressLimits: { ...LOOSE, connectionsPerMinute: 1, connectionBurst: 1 } });
    (await connectClient(server, { name: 'first', headers: from(ATTACKER) })).close();
    const messages = new Set<string>();
    for (let i = 0; i < 30; i++) {
      messages.add(
        await connectRefused(server, { name: `flood-${i}`, headers: from(ATTACKER) }).then(
          (r) => r.code,
          (err: Error) => err.message,
        ),
      );
    }
    // First refused with the code, then without a WebSocket at all.
    expect(messages.has('too_many_connections')).toBe(true);
    expect([...messages].some((m) => m.includes('refused without a code'))).toBe(true);
    const turnedAway = await rawRequest(server, WS_PATH, from(ATTACKER), true);
    expect(turnedAway).toMatchObject({ status: 429, upgraded: false });
    expect(turnedAway.body).toMatch(/Too many new connections from your network address/);
    await honestFromElsewhere(server);
  });
});

describe('which address a connection counts under', () => {
  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const limits = { ...LOOSE, maxConnections: 1 };
    const trusting = await startServer({ addressLimits: limits, limitLoopback: true });
    await connectClient(trusting, { name: 'a', headers: from('198.51.100.1') });
    await connectClient(trusting, { name: 'b', headers: from('198.51.100.2') });

    const distrusting = await startServer({ addressLimits: limits, limitLoopback: true, trustedProxies: [] });
    await connectClient(distrusting, { name: 'a', headers: from('198.51.100.1') });
    // Without a trusted proxy the header is ignored: both come from 127.0.0.1.
    expect(await connectRefused(distrusting, { name: 'b', headers: from('198.51.100.2') })).toMatchObject({ code: 'too_many_connections' });
  });

  it('takes the right-most untrusted hop, so a client cannot pick its own address', async () => {
    const server = await startServer({ addressLimits: { ...LOOSE, maxConnections: 1 } });
    await connectClient(server, { name: 'first', headers: from(`198.51.100.1, ${ATTACKER}`) });
    const spoofed = await connectRefused(server, { name: 'spoofed', headers: from(`198.51.100.2, ${ATTACKER}`) });
    expect(spoofed.code).toBe('too_many_connections');
    await honestFromElsewhere(server);
  });

  it('exempts loopback clients without X-Forwarded-For, unless limitLoopback', async () => {
    const limits = { ...LOOSE, maxConnections: 1 };
    const exempt = await startServer({ addressLimits: limits });
    await connectClient(exempt, { name: 'desktop-1' });
    await connectClient(exempt, { name: 'desktop-2' });
    await expectHonestCallWorks(exempt);

    const limited = await startServer({ addressLimits: limits, limitLoopback: true });
    await connectClient(limited, { name: 'desktop-1' });
    expect(await connectRefused(limited, { name: 'desktop-2' })).toMatchObject({ code: 'too_many_connections' });
  });
});
