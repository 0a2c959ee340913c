/**
 * The renderer's SignalingClient parses everything the server sends before it
 * trusts it: the real client, over real socket.io, against a socket.io server
 * that plays a broken (or newer) Parley server and sends what it is told to.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceIdentity } from '../../../renderer/identity/deviceIdentity';
import { RequestError, SignalingClient, type ConnectionState } from '../../../renderer/signaling/client';
import type { DroppedEventReport, DroppedPayload } from '../../../renderer/signaling/serverEventHub';
import { authProofMessage, checkCredential, deviceCredentialSchema, verify } from '../../../signaling-server/identity';
import { PROTOCOL_VERSION, handshakeSchema, type Handshake, type WelcomePayload } from '../../../signaling-server/protocol';
import { newDeviceIdentity } from '../../support/rendererIdentity';
import { waitFor } from '../fakes/waitFor';

const ALICE = { userId: 'user-alice-0001', deviceId: 'device-alice-01', displayName: 'Alice' };
const aliceIdentity: DeviceIdentity = (await newDeviceIdentity()).identity;
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
  check?: (socket: Socket) => Promise<Error | undefined>,
): Promise<Played> {
  const http = createServer();
  const io = new Server(http);
  if (refuse) io.use((_socket, next) => next(refuse()));
  if (check) io.use((socket, next) => void check(socket).then(next, next));
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
  const client = new SignalingClient({ urls: [played.url], identity: aliceIdentity, displayName: ALICE.displayName, password: '', onDropped });
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

/**
 * A socket.io server that checks each handshake the way Parley's server does
 * (signaling-server/identity.ts): the credential's certificate, and the proof over
 * this connection's Engine.IO id and the Host header the request arrived with.
 */
async function checkingServer(onAccepted: (handshake: Handshake, sessionId: string) => void = () => undefined): Promise<Played> {
  return playServer(
    (socket) => socket.emit('session:welcome', WELCOME),
    undefined,
    async (socket) => {
      const parsed = handshakeSchema.safeParse(socket.handshake.auth);
      if (!parsed.success) return Object.assign(new Error('refused'), { data: { code: 'invalid_identity', message: parsed.error.message } });
      const ids = await checkCredential(deviceCredentialSchema.parse(parsed.data.credential));
      const host = socket.handshake.headers.host ?? '';
      // The Engine.IO session id (socket.io types it private; Parley's server reads it the same way).
      const sessionId = (socket.conn as unknown as { id: string }).id;
      const message = ids && authProofMessage({ protocolVersion: PROTOCOL_VERSION, host, sessionId, ...ids });
      if (!ids || !message || !(await verify(parsed.data.credential.deviceKey, parsed.data.proof, message))) {
        return Object.assign(new Error('refused'), { data: { code: 'invalid_identity', message: 'The identity proof does not verify.' } });
      }
      onAccepted(parsed.data, sessionId);
      return undefined;
    },
  );
}

describe('SignalingClient: the signed handshake', () => {
  it('sends the credential, a proof for this connection and host, the contacts and the stranger setting', async () => {
    const seen: { handshake: Handshake; sessionId: string }[] = [];
    const played = await checkingServer((handshake, sessionId) => seen.push({ handshake, sessionId }));
    const { identity } = await newDeviceIdentity();
    let contacts = ['contact-user-000000001'];
    const client = new SignalingClient({
      urls: [played.url],
      identity,
      displayName: 'Alice',
      password: '',
      contacts: () => contacts,
      strangerCalls: () => 'refuse',
    });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.getState().phase === 'online', 'the checked handshake is accepted');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.handshake).toMatchObject({
      protocolVersion: PROTOCOL_VERSION,
      credential: identity.credential,
      displayName: 'Alice',
      contacts: ['contact-user-000000001'],
      strangerCalls: 'refuse',
    });
    expect(seen[0]?.handshake).not.toHaveProperty('userId');
    // The online state says what the server was given (the contact list is not sent again for it).
    contacts = ['contact-user-000000002'];
    expect(client.getState()).toMatchObject({ phase: 'online', profile: { contacts: ['contact-user-000000001'], strangerCalls: 'refuse' } });
  });

  it('signs every reconnection afresh, over that connection’s own session id', async () => {
    const sessionIds: string[] = [];
    const played = await checkingServer((_handshake, sessionId) => sessionIds.push(sessionId));
    const { identity } = await newDeviceIdentity();
    const client = new SignalingClient({ urls: [played.url], identity, displayName: 'Alice', password: '' });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.getState().phase === 'online', 'first connection');
    // A dropped transport (not a refusal): socket.io reconnects on a new Engine.IO session.
    (client.socket.io.engine as unknown as { close(): void }).close();
    await waitFor(() => sessionIds.length === 2 && client.getState().phase === 'online', 'the reconnection is accepted');
    expect(sessionIds[1]).not.toBe(sessionIds[0]);
  });

  it('signs for the host it fails over to', async () => {
    // A port nothing listens on: three failed attempts, then the next URL.
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    const seen: string[] = [];
    const played = await checkingServer((_handshake, sessionId) => seen.push(sessionId));
    const { identity } = await newDeviceIdentity();
    const client = new SignalingClient({ urls: [deadUrl, played.url], identity, displayName: 'Alice', password: '' });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.getState().phase === 'online', 'online on the second server', 20_000);
    expect(client.getState()).toMatchObject({ phase: 'online', url: played.url });
    expect(seen).toHaveLength(1);
  });

  it('stops with the server’s words when the proof is refused (a certificate from another user)', async () => {
    const played = await checkingServer();
    const { identity } = await newDeviceIdentity();
    const { identity: other } = await newDeviceIdentity();
    const forged: DeviceIdentity = { ...identity, credential: { ...identity.credential, deviceCert: other.credential.deviceCert } };
    const client = new SignalingClient({ urls: [played.url], identity: forged, displayName: 'Alice', password: '' });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.getState().phase === 'refused', 'the server refuses the forged credential');
    expect(client.getState()).toMatchObject({ phase: 'refused', code: 'invalid_identity', message: 'The identity proof does not verify.' });
  });

  it('says so when this device cannot sign, and sends no handshake', async () => {
    const seen: string[] = [];
    const played = await checkingServer((_h, sessionId) => seen.push(sessionId));
    const { identity } = await newDeviceIdentity();
    const broken: DeviceIdentity = { ...identity, proveConnection: () => Promise.reject(new Error('the key is gone')) };
    const client = new SignalingClient({ urls: [played.url], identity: broken, displayName: 'Alice', password: '' });
    cleanups.push(() => client.close());
    client.start();
    await waitFor(() => client.getState().phase === 'refused', 'the client stops');
    expect(client.getState()).toMatchObject({ code: 'invalid_identity', message: expect.stringContaining('the key is gone') });
    expect(seen).toEqual([]);
  });
});
