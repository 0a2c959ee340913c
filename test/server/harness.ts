/**
 * Test harness for the signaling server: real servers on 127.0.0.1 port 0, real
 * socket.io clients over WebSocket. Every client records every server event it
 * receives, so tests wait for conditions instead of sleeping. `cleanup()` (in
 * afterEach) closes every client and server this harness started.
 *
 * A client reads a `presence:batch` as an app does: each user in it joined (not
 * online for this client before) or was updated, each in `left` left. It records
 * the batch and then those single events (`batched: true`), so a test waits for
 * `presence:joined` however the server grouped it; tests of the grouping itself
 * look at `presence:batch` or at `batched`.
 */
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { expect } from 'vitest';
import { dtlsFingerprints, dtlsFirstOfferMessage, sign } from '../../signaling-server/identity';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling-server/index';
import {
  SERVER_EVENT_NAMES,
  type ClientToServerEvents,
  type ConnectRefusal,
  type FirstOffer,
  type ServerToClientEvents,
  type SignalData,
  type StrangerCalls,
  type WelcomePayload,
} from '../../signaling-server/protocol';
import { anotherDevice, authenticate, makeIdentity, type TestIdentity } from '../support/testIdentity';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ServerEvent = keyof ServerToClientEvents;
export type PayloadOf<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];
type RequestEvent = keyof ClientToServerEvents;
export type AckOf<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]>[1] extends (response: infer R) => void ? R : never;

/** Every server→client event, so a client can record them all (onAny is off-limits): protocol.ts's table. */
export const SERVER_EVENTS: readonly ServerEvent[] = SERVER_EVENT_NAMES;

export interface Received {
  event: ServerEvent;
  payload: unknown;
  /** A `presence:*` news this client read out of a `presence:batch` (recorded just after the batch). */
  batched?: true;
}

const DEFAULT_WAIT_MS = 10_000;

export class TestClient {
  readonly received: Received[] = [];
  private readonly consumed = new Set<number>();
  private readonly waiters = new Set<() => void>();
  welcome: WelcomePayload | null = null;
  disconnectReason: string | null = null;
  /** The contact list this client last sent (handshake, then `contacts:set` through `setContacts`). */
  contacts: string[];
  strangerCalls: StrangerCalls;
  readonly userId: string;
  readonly deviceId: string;

  constructor(
    readonly name: string,
    readonly identity: TestIdentity,
    readonly displayName: string,
    readonly socket: ClientSocket,
    profile: { contacts: readonly string[]; strangerCalls: StrangerCalls } = { contacts: [], strangerCalls: 'ring' },
  ) {
    this.userId = identity.userId;
    this.deviceId = identity.deviceId;
    this.contacts = [...profile.contacts];
    this.strangerCalls = profile.strangerCalls;
    for (const event of SERVER_EVENTS) {
      (socket as unknown as { on(e: string, l: (p: unknown) => void): void }).on(event, (payload: unknown) => {
        if (event === 'session:welcome') this.welcome = payload as WelcomePayload;
        const unpacked = event === 'presence:batch' ? this.unpack(payload as PayloadOf<'presence:batch'>) : [];
        this.received.push({ event, payload }, ...unpacked);
        this.wake();
      });
    }
    socket.on('disconnect', (reason) => {
      this.disconnectReason = reason;
      this.wake();
    });
  }

  /** The first not yet taken `event` that matches; waits for it if needed. */
  async next<E extends ServerEvent>(
    event: E,
    predicate: (payload: PayloadOf<E>) => boolean = () => true,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<PayloadOf<E>> {
    const find = (): PayloadOf<E> | undefined => {
      for (let i = 0; i < this.received.length; i++) {
        const r = this.received[i] as Received;
        if (this.consumed.has(i) || r.event !== event) continue;
        const payload = r.payload as PayloadOf<E>;
        if (predicate(payload)) {
          this.consumed.add(i);
          return payload;
        }
      }
      return undefined;
    };
    const found = await this.until(find, timeoutMs, () => `"${event}" at ${this.name}`);
    return found;
  }

  /** Every `event` received so far that matches (taken or not). */
  all<E extends ServerEvent>(event: E, predicate: (payload: PayloadOf<E>) => boolean = () => true): PayloadOf<E>[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload as PayloadOf<E>).filter(predicate);
  }

  /** Waits until the socket is disconnected. */
  async disconnected(timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    return this.until(() => this.disconnectReason ?? undefined, timeoutMs, () => `disconnect of ${this.name}`);
  }

  /** A typed request with its ack. */
  async request<E extends RequestEvent>(event: E, payload: Parameters<ClientToServerEvents[E]>[0]): Promise<AckOf<E>> {
    return (await this.raw(event, payload)) as AckOf<E>;
  }

  /** Any event name, any arguments, waiting for an ack. */
  async raw(event: string, ...args: unknown[]): Promise<unknown> {
    const emitter = this.socket.timeout(DEFAULT_WAIT_MS) as unknown as {
      emitWithAck(event: string, ...args: unknown[]): Promise<unknown>;
    };
    return emitter.emitWithAck(event, ...args);
  }

  /** Fire and forget (no ack requested). */
  send(event: string, ...args: unknown[]): void {
    (this.socket as unknown as { emit(event: string, ...args: unknown[]): void }).emit(event, ...args);
  }

  /** Sends `contacts:set` and remembers the list; throws when the server refuses it. */
  async setContacts(userIds: readonly string[], strangerCalls: StrangerCalls = this.strangerCalls): Promise<void> {
    const ack = await this.request('contacts:set', { userIds: [...userIds], strangerCalls });
    if (!ack.ok) throw new Error(`${this.name}'s contacts:set was refused: ${ack.error.code} ${ack.error.message}`);
    this.contacts = [...userIds];
    this.strangerCalls = strangerCalls;
  }

  close(): void {
    this.socket.disconnect();
  }

  private unpack(batch: PayloadOf<'presence:batch'>): Received[] {
    const news: Received[] = batch.users.map((user) => ({
      event: user.userId !== this.userId && !sees(this, user.userId) ? 'presence:joined' : 'presence:updated',
      payload: user,
      batched: true,
    }));
    for (const userId of batch.left) news.push({ event: 'presence:left', payload: { userId }, batched: true });
    return news;
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.received.map((r) => r.event).join(', ') || 'nothing';
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}; received: ${seen}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }
}

const servers = new Set<SignalingServer>();
const clients = new Set<TestClient>();
const sockets = new Set<ClientSocket>();

export async function startServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  const server = await createSignalingServer({ host: '127.0.0.1', port: 0, logLevel: 'silent', ...options });
  servers.add(server);
  return server;
}

let counter = 0;
/** A fresh string, readable in failures: `alice-3-k2Jx…` (not a userId: those are derived from keys). */
export function freshId(label: string): string {
  counter += 1;
  return `${label.replace(/[^A-Za-z0-9_-]/g, '')}-${counter}-${randomBytes(6).toString('base64url')}`.slice(0, 64);
}

export interface ClientSpec {
  name: string;
  /** This device's keys (default: a new user with a new device). */
  identity?: TestIdentity;
  /** Another device of this client's user (a new device key, certified by the same user key). */
  sameUserAs?: TestClient | TestIdentity;
  displayName?: string;
  password?: string;
  /** The handshake's contact list (default none) and stranger-call setting (default 'ring'). */
  contacts?: readonly string[];
  strangerCalls?: StrangerCalls;
  /** Sign the proof for this host instead of the one dialled. */
  proofHost?: string;
  /** Replaces the whole handshake `auth` (an object, or socket.io's auth function). */
  auth?: unknown;
  headers?: Record<string, string>;
  /** socket.io-client's own reconnection (off by default, so nothing outlives a test). */
  reconnection?: boolean;
}

/** The spec's identity: given, another device of a given user, or a new user. */
export async function identityFor(spec: Pick<ClientSpec, 'identity' | 'sameUserAs'>): Promise<TestIdentity> {
  if (spec.identity) return spec.identity;
  if (spec.sameUserAs) return anotherDevice(spec.sameUserAs instanceof TestClient ? spec.sameUserAs.identity : spec.sameUserAs);
  return makeIdentity();
}

function openSocket(url: string, spec: ClientSpec, identity: TestIdentity): ClientSocket {
  const socket: ClientSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    autoConnect: false,
    reconnection: spec.reconnection ?? false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 200,
    extraHeaders: spec.headers,
  });
  if (spec.auth !== undefined) {
    socket.auth = spec.auth as Record<string, unknown>;
  } else {
    authenticate(socket, url, identity, {
      displayName: spec.displayName ?? spec.name,
      ...(spec.password === undefined ? {} : { password: spec.password }),
      contacts: spec.contacts ?? [],
      strangerCalls: spec.strangerCalls ?? 'ring',
      ...(spec.proofHost === undefined ? {} : { host: spec.proofHost }),
    });
  }
  sockets.add(socket);
  socket.connect();
  return socket;
}

/** Connects and resolves once 'session:welcome' arrived. */
export async function connectClient(server: SignalingServer | string, spec: ClientSpec): Promise<TestClient> {
  const url = typeof server === 'string' ? server : server.url;
  const identity = await identityFor(spec);
  const socket = openSocket(url, spec, identity);
  const client = new TestClient(spec.name, identity, spec.displayName ?? spec.name, socket, {
    contacts: spec.contacts ?? [],
    strangerCalls: spec.strangerCalls ?? 'ring',
  });
  clients.add(client);
  const failure = new Promise<never>((_, reject) => {
    socket.once('connect_error', (err) => reject(new Error(`${spec.name} could not connect: ${err.message}`)));
  });
  await Promise.race([client.next('session:welcome'), failure]);
  return client;
}

/** Connects expecting a refusal; resolves with the refusal's `data`. */
export async function connectRefused(server: SignalingServer | string, spec: ClientSpec): Promise<ConnectRefusal> {
  const url = typeof server === 'string' ? server : server.url;
  const socket = openSocket(url, spec, await identityFor(spec));
  return new Promise<ConnectRefusal>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.name} was neither refused nor welcomed`)), DEFAULT_WAIT_MS);
    socket.once('connect_error', (err: Error & { data?: ConnectRefusal }) => {
      clearTimeout(timer);
      socket.disconnect();
      if (err.data) resolve(err.data);
      else reject(new Error(`refused without a code: ${err.message}`));
    });
    socket.once('session:welcome', () => {
      clearTimeout(timer);
      socket.disconnect();
      reject(new Error(`${spec.name} was welcomed, not refused`));
    });
  });
}

/**
 * Makes every pair of these clients mutual contacts (each adds the others to the
 * list it holds and sends `contacts:set`), then waits until each device has seen
 * every other user join. Devices of one user share a list, so a user's devices
 * count once.
 */
export async function befriend(...group: TestClient[]): Promise<void> {
  const users = [...new Set(group.map((c) => c.userId))];
  for (const client of group) {
    const others = users.filter((u) => u !== client.userId && !client.contacts.includes(u));
    if (others.length > 0) await client.setContacts([...client.contacts, ...others]);
  }
  // Devices of one user hold one list on the server: keep every copy in the harness in step.
  for (const client of group) {
    const merged = new Set(group.filter((c) => c.userId === client.userId).flatMap((c) => c.contacts));
    client.contacts = [...merged];
  }
  await Promise.all(
    group.map((client) =>
      eventually(
        () => users.every((u) => u === client.userId || sees(client, u)),
        `${client.name} sees ${users.length - 1} contacts online`,
      ),
    ),
  );
}

/** Does this client's roster (welcome, then joined/left) hold `userId` now? */
export function sees(client: TestClient, userId: string): boolean {
  let online = client.welcome?.users.some((u) => u.userId === userId) ?? false;
  for (const r of client.received) {
    if (r.event === 'presence:joined' && (r.payload as PayloadOf<'presence:joined'>).userId === userId) online = true;
    if (r.event === 'presence:left' && (r.payload as PayloadOf<'presence:left'>).userId === userId) online = false;
  }
  return online;
}

/** Closes every client and server started through this harness. */
export async function cleanup(): Promise<void> {
  for (const socket of sockets) socket.disconnect();
  sockets.clear();
  clients.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
}

/** Polls `probe` until it returns true. */
export async function eventually(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const offer = (sdp = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n'): SignalData => ({
  kind: 'description',
  description: { type: 'offer', sdp },
});
export const answer = (sdp = 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n'): SignalData => ({
  kind: 'description',
  description: { type: 'answer', sdp },
});
export const candidate = (n: number): SignalData => ({
  kind: 'candidate',
  candidate: { candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 },
});

/**
 * A caller's first offer for `call:invite` (issue 15), as the app makes it: an SDP
 * with a DTLS fingerprint (`tag` makes it unique, to find it wherever it went) and
 * the caller's device signature over `dtlsFirstOfferMessage` for the callee.
 */
export async function firstOfferFrom(caller: TestClient, toUserId: string, tag = 'first-offer'): Promise<FirstOffer> {
  const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + tag.length).toString(16).padStart(2, '0').toUpperCase()).join(':');
  const sdp = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=${tag}\r\na=fingerprint:sha-256 ${fingerprint}\r\n`;
  const { identity } = caller;
  const message = dtlsFirstOfferMessage({ fromDeviceId: identity.deviceId, toUserId, fingerprints: dtlsFingerprints(sdp) });
  return { sdp, proof: { ...identity.credential, signature: await sign(identity.device.pair.privateKey, identity.device.alg, message) } };
}

/** Every event `client` received whose payload holds `text` (an SDP's tag): where a first offer went. */
export function eventsHolding(client: TestClient, text: string): ServerEvent[] {
  return client.received.filter((r) => JSON.stringify(r.payload).includes(text)).map((r) => r.event);
}

/**
 * The membership token of the last snapshot of `callId` that `client` received as
 * a member (welcome or call:updated): what a real client keeps to rejoin with.
 */
export function rejoinTokenOf(client: TestClient, callId: string): string {
  const snapshots = client.received
    .flatMap((r) => (r.event === 'session:welcome' ? [(r.payload as WelcomePayload).call] : r.event === 'call:updated' ? [(r.payload as PayloadOf<'call:updated'>).call] : []))
    .filter((c) => c !== null && c.callId === callId && c.rejoinToken !== null);
  const token = snapshots.at(-1)?.rejoinToken;
  if (!token) throw new Error(`${client.name} never received a membership token for ${callId}`);
  return token;
}

/** Invites `callee` from `caller` and has it accepted; returns the call id. */
export async function establishCall(caller: TestClient, callee: TestClient, media: 'audio' | 'video' = 'audio'): Promise<string> {
  const invited = await caller.request('call:invite', { to: callee.userId, media });
  if (!invited.ok) throw new Error(`invite failed: ${invited.error.code} ${invited.error.message}`);
  const callId = invited.call.callId;
  await callee.next('call:incoming', (p) => p.callId === callId);
  const accepted = await callee.request('call:accept', { callId, audio: true, video: media === 'video' });
  if (!accepted.ok) throw new Error(`accept failed: ${accepted.error.code} ${accepted.error.message}`);
  // Both sides hold the two-member snapshot (and with it their rejoin token) before
  // the test goes on: in a cluster the callee's copy crosses Redis, and a test that
  // kills Redis right after must not race it.
  await Promise.all(
    [caller, callee].map((c) => c.next('call:updated', (p) => p.call.callId === callId && p.call.members.length === 2)),
  );
  return callId;
}

/**
 * One user on two devices ("bob-desk" and "bob-tab"), and a call from `caller` that
 * rings both: resolves once each device has its 'call:incoming'.
 */
export async function ringTwoDevices(server: SignalingServer, caller: TestClient) {
  const desk = await connectClient(server, { name: 'bob-desk' });
  const tab = await connectClient(server, { name: 'bob-tab', sameUserAs: desk });
  const bobUser = desk.userId;
  // Contacts, so the caller's snapshot lists both ringing devices.
  await befriend(caller, desk, tab);
  const invited = await caller.request('call:invite', { to: bobUser, media: 'audio' });
  if (!invited.ok) throw new Error(invited.error.message);
  await desk.next('call:incoming');
  await tab.next('call:incoming');
  return { bobUser, desk, tab, call: invited.call, callId: invited.call.callId };
}

/** A fresh pair calls, signals both ways and hangs up: the server still serves honest users. */
export async function expectHonestCallWorks(server: SignalingServer, password?: string): Promise<void> {
  const a = await connectClient(server, { name: 'honest-a', password });
  const b = await connectClient(server, { name: 'honest-b', password });
  const callId = await establishCall(a, b);
  expect(await a.request('signal', { callId, to: b.deviceId, data: offer() })).toEqual({ ok: true });
  const atB = await b.next('signal', (p) => p.callId === callId);
  expect(atB).toMatchObject({ from: a.deviceId, fromUserId: a.userId, data: offer() });
  expect(await b.request('signal', { callId, to: a.deviceId, data: answer() })).toEqual({ ok: true });
  expect(await a.next('signal', (p) => p.callId === callId)).toMatchObject({ from: b.deviceId, data: answer() });
  expect(await a.request('call:leave', { callId })).toEqual({ ok: true });
  expect(await b.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup' });
  a.close();
  b.close();
}
