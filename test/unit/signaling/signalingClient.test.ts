/**
 * The renderer's SignalingClient parses everything the server sends before it
 * trusts it: the real client, over real socket.io, against a socket.io server
 * that plays a broken (or newer) Parley server and sends what it is told to.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { RequestError, SignalingClient, type ConnectionState } from '../../../renderer/signaling/client';
import type { DroppedEventReport, DroppedPayload } from '../../../renderer/signaling/serverEventHub';
import type { WelcomePayload } from '../../../signaling-server/protocol';
import { waitFor } from '../fakes/waitFor';

const ALICE = { userId: 'user-alice-0001', deviceId: 'device-alice-01', displayName: 'Alice' };
const BOB = { userId: 'user-bob-00001', displayName: 'Bob', status: 'available' } as const;

const WELCOME: WelcomePayload = {
  self: { ...ALICE, status: 'available' },
  users: [BOB],
  limits: { maxParticipants: 8, ringTimeoutMs: 30_000, rejoinGraceMs: 20_000 },
  call: null,
  ringing: [],
  serverVersion: '0.1.0',
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Played {
  url: string;
}

/**
 * A socket.io server on port 0 that runs `script` on each connection, after an
 * optional middleware that may refuse it (as Parley's handshake does).
 */
async function playServer(
  script: (socket: Socket) => void,
  refuse?: () => Error | undefined,
): Promise<Played> {
  const http = createServer();
  const io = new Server(http);
  if (refuse) io.use((_socket, next) => next(refuse()));
  io.on('connection', script);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => io.close().then(() => undefined));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

/** A started client that records what it dropped. */
function clientOf(played: Played) {
  const dropped: DroppedPayload[] = [];
  const droppedRefusals: string[] = [];
  const onDropped: DroppedEventReport = (event) => {
    if (event === 'connect_error') droppedRefusals.push(event);
    else dropped.push(event);
  };
  const client = new SignalingClient({ urls: [played.url], ...ALICE, password: '', onDropped });
  cleanups.push(() => client.close());
  client.start();
  return { client, dropped, droppedRefusals, state: (): ConnectionState => client.getState() };
}

describe('SignalingClient: what the server sends is parsed before it is trusted', () => {
  it('drops a malformed welcome and stays offline until a valid one arrives', async () => {
    const played = await playServer((socket) => {
      socket.emit('session:welcome', { ...WELCOME, self: { userId: 'x' } });
      socket.emit('session:welcome', WELCOME);
    });
    const { dropped, state } = clientOf(played);
    await waitFor(() => state().phase === 'online', 'the valid welcome brings the client online');
    expect(dropped).toEqual(['session:welcome']);
    const online = state();
    expect(online.phase === 'online' && online.welcome).toEqual(WELCOME);
  });

  it('takes a welcome from a newer server with fields it does not know, and leaves those fields out', async () => {
    const played = await playServer((socket) => {
      socket.emit('session:welcome', {
        ...WELCOME,
        self: { ...WELCOME.self, pronouns: 'she/her' },
        users: [{ ...BOB, avatar: 'https://example.invalid/bob.png' }],
        features: ['sfu'],
      });
    });
    const { dropped, state } = clientOf(played);
    await waitFor(() => state().phase === 'online', 'the client is online');
    const online = state();
    expect(online.phase === 'online' && online.welcome).toEqual(WELCOME);
    expect(dropped).toEqual([]);
  });

  it('drops a malformed session:kicked and stays online; a valid one stops the client with its words', async () => {
    const played = await playServer((socket) => {
      socket.emit('session:welcome', WELCOME);
      socket.emit('session:kicked', { code: 'no_such_code', message: 42 });
      socket.emit('presence:joined', BOB);
      socket.on('kick-me', () => {
        socket.emit('session:kicked', { code: 'invalid_identity', message: 'Another window took over.' });
      });
    });
    const { client, dropped, state } = clientOf(played);
    const joined: unknown[] = [];
    client.events.on('presence:joined', (user) => joined.push(user));
    await waitFor(() => joined.length === 1, 'the event after the malformed kick arrives');
    expect(dropped).toEqual(['session:kicked']);
    expect(state().phase).toBe('online');

    (client.socket as unknown as { emit(event: string): void }).emit('kick-me');
    await waitFor(() => state().phase === 'refused', 'the valid kick stops the client');
    expect(state()).toMatchObject({ phase: 'refused', code: 'invalid_identity', message: 'Another window took over.' });
  });

  it('takes a connect_error whose refusal does not parse as a failed attempt, not as a refusal', async () => {
    const played = await playServer(
      () => undefined,
      () => Object.assign(new Error('nope'), { data: { code: 'made_up', message: 42 } }),
    );
    const { droppedRefusals, state } = clientOf(played);
    await waitFor(() => state().phase === 'reconnecting', 'the attempt counts as failed');
    expect(state()).toMatchObject({ phase: 'reconnecting', lastError: 'nope' });
    expect(droppedRefusals).toEqual(['connect_error']);
  });

  it('stops at a refusal that parses, with the server’s words', async () => {
    const played = await playServer(
      () => undefined,
      () => Object.assign(new Error('refused'), { data: { code: 'auth_failed', message: 'Wrong password.', hint: 'new in a later server' } }),
    );
    const { droppedRefusals, state } = clientOf(played);
    await waitFor(() => state().phase === 'refused', 'the client is refused');
    expect(state()).toMatchObject({ phase: 'refused', code: 'auth_failed', message: 'Wrong password.' });
    expect(droppedRefusals).toEqual([]);
  });

  it('hands listeners parsed payloads and never one that fails its schema', async () => {
    const callId = 'call-000000001';
    const played = await playServer((socket) => {
      socket.emit('session:welcome', WELCOME);
      socket.emit('call:ended', { callId, reason: 'a_reason_from_the_future' });
      socket.emit('call:ended', { callId, reason: 'hangup', extra: true });
    });
    const { client, dropped } = clientOf(played);
    const ended: unknown[] = [];
    client.events.on('call:ended', (event) => ended.push(event));
    await waitFor(() => ended.length === 1, 'the valid call:ended arrives');
    expect(ended).toEqual([{ callId, reason: 'hangup' }]);
    expect(dropped).toEqual(['call:ended']);
  });

  it('resolves an ack with what its schema knows, rejects a refusal with the server’s code, and a malformed ack as unreadable', async () => {
    const played = await playServer((socket) => {
      socket.emit('session:welcome', WELCOME);
      let asked = 0;
      socket.on('ice:servers', (_payload: unknown, ack: (response: unknown) => void) => {
        asked += 1;
        if (asked === 1) ack({ ok: true, iceServers: [{ urls: ['stun:127.0.0.1:3478'], priority: 1 }], ttlSeconds: 0, region: 'eu' });
        else if (asked === 2) ack({ ok: false, error: { code: 'turn_unavailable', message: 'No TURN here.' } });
        else ack({ ok: 'sure', iceServers: 'many' });
      });
    });
    const { client, dropped, state } = clientOf(played);
    await waitFor(() => state().phase === 'online', 'the client is online');

    expect(await client.request('ice:servers', {})).toEqual({ ok: true, iceServers: [{ urls: ['stun:127.0.0.1:3478'] }], ttlSeconds: 0 });
    await expect(client.request('ice:servers', {})).rejects.toMatchObject({ code: 'turn_unavailable', message: 'No TURN here.' });
    const unreadable = await client.request('ice:servers', {}).catch((error: unknown) => error);
    expect(unreadable).toBeInstanceOf(RequestError);
    expect(unreadable).toMatchObject({ code: 'internal' });
    expect(dropped).toEqual(['ice:servers ack']);
  });
});
