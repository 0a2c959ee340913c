/**
 * The in-memory sockets the engine's unit tests run the real Switchboard over
 * (memorySocket.ts): delivered in order and later, copied like the wire, and
 * dropped or closed as socket.io connections are.
 */
import { describe, expect, it } from 'vitest';
import { RequestError, type ConnectionState } from '../../../renderer/signaling/client';
import { FakeCallServer } from './fakeCallServer';
import { MemoryClient, MemoryTransport, type MemoryServer, type MemoryServerSocket } from './memorySocket';
import { settle } from './waitFor';
import { ManualTimers, manualClock } from '../call/manualTimers';
import { PRESENCE_WINDOW_MS } from '../../../signaling-server/switchboard';

const ALICE = { userId: 'user-alice-01', deviceId: 'device-alice-1', displayName: 'Alice' };
const BOB = { userId: 'user-bob-0001', deviceId: 'device-bob-01', displayName: 'Bob' };
const CAROL = { userId: 'user-carol-01', deviceId: 'device-carol-1', displayName: 'Carol' };

type Reply = (response: unknown) => void;

/** A server that hands every request to the test, with its ack. */
class TestServer implements MemoryServer {
  readonly sockets: MemoryServerSocket[] = [];
  readonly requests: { event: unknown; payload: unknown; reply: Reply }[] = [];
  readonly disconnects: string[] = [];

  accept(socket: MemoryServerSocket): void {
    this.sockets.push(socket);
    socket.use(([event, payload, reply]) => this.requests.push({ event, payload, reply: reply as Reply }));
    socket.on('disconnect', (reason) => this.disconnects.push(reason));
  }

  get socket(): MemoryServerSocket {
    const last = this.sockets.at(-1);
    if (!last) throw new Error('nobody connected');
    return last;
  }
}

function connected(): { server: TestServer; client: MemoryClient; states: ConnectionState['phase'][] } {
  const server = new TestServer();
  const client = new MemoryClient(server, ALICE);
  const states: ConnectionState['phase'][] = [];
  client.onState((state) => states.push(state.phase));
  return { server, client, states };
}

describe('in-memory sockets', () => {
  it('deliver later and in order: the events sent before an ack are handled before the ack’s continuation', async () => {
    const { server, client } = connected();
    const seen: string[] = [];
    client.events.on('presence:left', ({ userId }) => seen.push(userId));

    const answered = client.request('presence:status', { status: 'away' }).then(() => seen.push('ack'));
    expect(server.requests).toEqual([]);
    await settle(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ event: 'presence:status', payload: { status: 'away' } });
    server.socket.emit('presence:left', { userId: 'user-first-01' });
    server.socket.emit('presence:left', { userId: 'user-second-01' });
    request?.reply({ ok: true });
    expect(seen).toEqual([]);
    await answered;

    expect(seen).toEqual(['user-first-01', 'user-second-01', 'ack']);
  });

  it('copy every packet through JSON when it is sent, both ways', async () => {
    const { server, client } = connected();
    const userIds = ['user-mallory-01'];
    const received: unknown[] = [];
    client.events.on('presence:updated', (user) => received.push(user));

    const answered = client.request('block:set', { userIds });
    userIds.push('user-changed-01');
    await settle(1);
    const [request] = server.requests;
    expect(request?.payload).toEqual({ userIds: ['user-mallory-01'] });
    const user = { userId: BOB.userId, displayName: 'Bob', status: 'available', note: undefined };
    server.socket.emit('presence:updated', user);
    user.displayName = 'Changed after sending';
    request?.reply({ ok: true });
    expect(await answered).toEqual({ ok: true });
    expect(received).toEqual([{ userId: BOB.userId, displayName: 'Bob', status: 'available' }]);
    expect(received[0]).not.toBe(user);

    // Acks too (parsed by the protocol's ack schema, as SignalingClient does, so only known keys count).
    const iceAsked = client.request('ice:servers', {});
    await settle(1);
    const ack = { ok: true, iceServers: [{ urls: ['stun:stun.example:3478'] }], ttlSeconds: 0 };
    server.requests.at(-1)?.reply(ack);
    ack.iceServers[0]?.urls.push('stun:changed-after-sending');
    expect(await iceAsked).toEqual({ ok: true, iceServers: [{ urls: ['stun:stun.example:3478'] }], ttlSeconds: 0 });
  });

  it('a dropped connection loses what was in flight, fails the waiting request, and refuses new ones until it reconnects', async () => {
    const { server, client, states } = connected();
    const seen: unknown[] = [];
    client.events.on('presence:left', (left) => seen.push(left));
    const waiting = client.request('presence:status', { status: 'dnd' });
    await settle(1);
    const old = server.socket;
    old.emit('presence:left', { userId: 'user-in-flight' });

    client.disconnect();

    await expect(waiting).rejects.toMatchObject({ code: 'timeout' });
    await expect(client.request('presence:status', { status: 'away' })).rejects.toEqual(new RequestError('offline', 'Not connected to the server. Check your connection and try again.'));
    expect(server.disconnects).toEqual(['transport close']);
    expect(states).toEqual(['reconnecting']);
    expect(client.isOnline).toBe(false);
    expect(old.emit('presence:left', { userId: 'user-too-late' })).toBe(false);
    await settle();
    expect(seen).toEqual([]);
    expect(server.requests).toHaveLength(1);

    client.reconnect();
    expect(server.sockets).toHaveLength(2);
    expect(server.socket).not.toBe(old);
    expect(old.connected).toBe(false);
    server.socket.emit('presence:left', { userId: 'user-after-01' });
    await settle(1);
    expect(seen).toEqual([{ userId: 'user-after-01' }]);
  });

  it('a connection the server closes delivers what the server sent first, then closes', async () => {
    const { server, client, states } = connected();
    const order: string[] = [];
    client.events.on('server:shutdown', () => order.push('shutdown'));
    client.onState((state) => order.push(state.phase));

    server.socket.emit('server:shutdown', { message: 'Going away.' });
    server.socket.disconnect();
    expect(server.disconnects).toEqual(['io server disconnect']);
    expect(client.isOnline).toBe(false);
    await settle(1);

    expect(order).toEqual(['shutdown', 'reconnecting']);
    expect(states).toEqual(['reconnecting']);
  });

  it('a kick leaves the client refused, with the server’s words', async () => {
    const { server, client } = connected();
    const transport = new MemoryTransport();
    transport.add(server.socket);

    transport.kick(server.socket, { code: 'rate_limited', message: 'Too many requests.' });
    await settle(1);

    expect(client.getState()).toEqual({ phase: 'refused', url: 'memory://signaling', code: 'rate_limited', message: 'Too many requests.' });
    expect(transport.sockets).toEqual([]);
  });
});

describe('the fake call server', () => {
  it('parses every request with the server’s own schemas and answers with the server’s refusal', async () => {
    const server = new FakeCallServer();
    const alice = server.connect(ALICE);

    const refused = alice.request('presence:status', { status: 'asleep' } as never);

    await expect(refused).rejects.toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('status') });
    server.dispose();
  });

  it('welcomes each device and tells the others it came online, as the real server does', async () => {
    const timers = new ManualTimers();
    const server = new FakeCallServer({}, manualClock(timers));
    const alice = server.connect(ALICE);
    const joined: string[] = [];
    alice.events.on('presence:joined', (user) => joined.push(user.userId));
    alice.events.on('presence:batch', (batch) => joined.push(...batch.users.map((u) => `${u.userId} (batched)`)));
    await settle(1);
    expect(alice.getState()).toMatchObject({ phase: 'online', welcome: { self: { userId: ALICE.userId }, users: [] } });

    const bob = server.connect(BOB);
    await settle(1);
    expect(bob.getState()).toMatchObject({ phase: 'online', welcome: { users: [{ userId: ALICE.userId, status: 'available' }] } });
    // Alice's welcome opened her presence window: Bob comes in its batch, not on his own.
    expect(joined).toEqual([]);
    timers.advance(PRESENCE_WINDOW_MS);
    await settle(1);
    expect(joined).toEqual([`${BOB.userId} (batched)`]);

    // Once the window has closed quietly, the next news goes at once.
    timers.advance(PRESENCE_WINDOW_MS);
    server.connect(CAROL);
    await settle(1);
    expect(joined).toEqual([`${BOB.userId} (batched)`, CAROL.userId]);
    server.dispose();
  });
});
