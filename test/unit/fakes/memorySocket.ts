/**
 * An in-memory stand-in for socket.io, so call engines can run against the real
 * Switchboard in one Node process (fakeCallServer.ts).
 *
 * A `MemoryClient` is one device's signaling connection and offers what the
 * engine's CallSignaling needs: requests answered by acks, server events parsed
 * by the client's own ServerEventHub (protocol.ts's schemas, as SignalingClient
 * parses them), and the connection state. Each connection (the first, and each
 * `reconnect`) gets a new `MemoryServerSocket`: the handle the server's Transport
 * sends to, with socket.io's `use` middleware (installEventDispatch runs on it as
 * on a real socket) and 'disconnect' listeners.
 *
 * Like the wire:
 * - every packet, both ways, is copied through JSON when it is sent, so nothing is
 *   shared by reference and a later change to the sender's object is not seen;
 * - each direction is delivered in order, in batches one macrotask later, as
 *   socket.io hands over the packets of one WebSocket read: an ack only resolves
 *   a promise whose continuation runs later, so the events right behind it are
 *   handled first;
 * - an event the client's schemas refuse is a drift between server and client:
 *   it throws (out of a timer, so the test run fails) instead of being dropped;
 * - a connection the network drops (`disconnect`) loses what was in flight both
 *   ways, and the requests waiting for an ack fail as socket.io-client fails them
 *   on a disconnect (SignalingClient reports that as 'timeout'); a connection the
 *   server closes (a kick, a shutdown) first delivers what the server sent before.
 * Simplifications: the handshake always passes and connecting is immediate (the
 * server takes the socket inside `connect`/`reconnect`); the server hears of a
 * drop at once; the client reconnects only when told to.
 */
import type { CallSignaling } from '../../../renderer/call/serverEvents';
import { RequestError, readAck, type ConnectionState } from '../../../renderer/signaling/client';
import { ServerEventHub } from '../../../renderer/signaling/serverEventHub';
import type { PublicKey } from '../../../signaling-server/identity';
import {
  SERVER_EVENT_NAMES,
  type ClientEventName,
  type ProtocolError,
  type ServerEventName,
  type StrangerCalls,
} from '../../../signaling-server/protocol';
import type { Transport } from '../../../signaling-server/switchboard';

export interface Identity {
  userId: string;
  deviceId: string;
  displayName: string;
  /** The user key the server relays with contact requests (FakeCallServer: a placeholder when absent). */
  userKey?: PublicKey;
  /** The handshake's contact list; FakeCallServer: absent = everyone is a mutual contact of everyone. */
  contacts?: readonly string[];
  /** Default 'ring'. */
  strangerCalls?: StrangerCalls;
}

/** What a server does with the connections it is given. */
export interface MemoryServer {
  /** A connection's handshake passed: take its socket (use, on('disconnect')), or disconnect it. */
  accept(socket: MemoryServerSocket): void;
  /** Each packet the server sends, after its JSON copy: lets a test play a different server. */
  rewrite?(packet: unknown): unknown;
}

export const MEMORY_URL = 'memory://signaling';

/** What JSON.stringify then JSON.parse make of a value, as socket.io's parser does to a payload. */
export function wireCopy(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** One direction of one connection: packets in order, delivered in batches a macrotask later. */
class Wire {
  private queue: (() => void)[] = [];
  private cut = false;

  post(deliver: () => void): void {
    if (this.cut) return;
    this.queue.push(deliver);
    if (this.queue.length === 1) setTimeout(() => this.flush(), 0);
  }

  /** Nothing queued or posted from now on arrives. */
  cutOff(): void {
    this.cut = true;
    this.queue = [];
  }

  private flush(): void {
    for (const deliver of this.queue.splice(0)) {
      if (this.cut) return;
      deliver();
    }
  }
}

interface Pending {
  event: ClientEventName;
  settle(response: unknown): void;
  fail(error: RequestError): void;
}

type Middleware = (packet: unknown[], next: (err?: Error) => void) => void;

/** One connection between a client and a server. */
class Link {
  open = true;
  readonly up = new Wire();
  readonly down = new Wire();
  readonly pending = new Set<Pending>();
  readonly socket: MemoryServerSocket;

  constructor(
    id: string,
    identity: Identity,
    private readonly server: MemoryServer,
    private readonly client: { receive(event: string, payload: unknown): void; closed(link: Link, reason: string): void },
  ) {
    this.socket = new MemoryServerSocket(id, identity, this);
  }

  /** Server → client: copied now, delivered later. False once the connection is closed. */
  send(event: string, payload: unknown): boolean {
    if (!this.open) return false;
    const packet = this.outgoing(payload);
    this.down.post(() => this.client.receive(event, packet));
    return true;
  }

  /** Client → server: a request and what answers it. */
  request(pending: Pending, payload: unknown): void {
    this.pending.add(pending);
    const packet: unknown[] = [pending.event, wireCopy(payload), (response: unknown) => this.answer(pending, response)];
    this.up.post(() => this.socket.receive(packet, () => this.answer(pending, undefined)));
  }

  /** The network dropped it: what was in flight is lost. */
  drop(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.up.cutOff();
    this.down.cutOff();
    this.client.closed(this, reason);
    this.socket.closed(reason);
  }

  /** The server closed it: what it sent before still arrives, then the client sees it close. */
  closeFromServer(reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.up.cutOff();
    this.down.post(() => this.client.closed(this, reason));
    this.socket.closed(reason);
  }

  private answer(pending: Pending, response: unknown): void {
    if (!this.open) return;
    const packet = this.outgoing(response);
    this.down.post(() => {
      this.pending.delete(pending);
      pending.settle(packet);
    });
  }

  private outgoing(payload: unknown): unknown {
    const copy = wireCopy(payload);
    return this.server.rewrite ? this.server.rewrite(copy) : copy;
  }
}

/** The server's end of one connection: what a Transport sends to and installEventDispatch reads from. */
export class MemoryServerSocket {
  /** Who the handshake said this is (socket.io's `socket.data`). */
  readonly data: Identity;
  private readonly middlewares: Middleware[] = [];
  private readonly disconnectListeners: ((reason: string) => void)[] = [];

  constructor(
    readonly id: string,
    identity: Identity,
    private readonly link: Link,
  ) {
    this.data = { ...identity };
  }

  get connected(): boolean {
    return this.link.open;
  }

  use(fn: Middleware): this {
    this.middlewares.push(fn);
    return this;
  }

  on(event: 'disconnect', listener: (reason: string) => void): this {
    this.disconnectListeners.push(listener);
    return this;
  }

  /** To the client; dropped once the connection is closed. Every server event has one payload. */
  emit(event: string, ...args: unknown[]): boolean {
    return this.link.send(event, args[0]);
  }

  /** The server closes the connection (socket.io's `disconnect(true)`). */
  disconnect(): this {
    this.link.closeFromServer('io server disconnect');
    return this;
  }

  /** A client packet, through the middlewares; `unanswered` when every one passed it on (no handler). */
  receive(packet: unknown[], unanswered: () => void): void {
    let index = 0;
    const next = (err?: Error): void => {
      if (err !== undefined) throw err;
      const middleware = this.middlewares[index++];
      if (middleware) middleware(packet, next);
      else unanswered();
    };
    next();
  }

  /** The connection closed, from either end: the server's 'disconnect' listeners run. */
  closed(reason: string): void {
    for (const listener of this.disconnectListeners) listener(reason);
  }
}

/** The Switchboard's Transport over memory sockets: it knows every open one (a restart says goodbye to each). */
export class MemoryTransport implements Transport<MemoryServerSocket> {
  private readonly open = new Set<MemoryServerSocket>();

  /** A socket the server took; it is forgotten when it disconnects. */
  add(socket: MemoryServerSocket): void {
    this.open.add(socket);
    socket.on('disconnect', () => this.open.delete(socket));
  }

  get sockets(): readonly MemoryServerSocket[] {
    return [...this.open];
  }

  send: Transport<MemoryServerSocket>['send'] = (socket, event, ...args) => {
    socket.emit(event, ...args);
  };

  sendToMany: Transport<MemoryServerSocket>['sendToMany'] = (sockets, event, ...args) => {
    for (const socket of sockets) socket.emit(event, ...args);
  };

  kick(socket: MemoryServerSocket, error: ProtocolError): void {
    socket.emit('session:kicked', error);
    socket.disconnect();
  }
}

let nextSocket = 1;
/** session:welcome and session:kicked, which the client itself follows. */
const OWN_LISTENERS = 2;
const isServerEvent = (event: string): event is ServerEventName => (SERVER_EVENT_NAMES as readonly string[]).includes(event);

/** One device's signaling connection, as the call engine sees it. */
export class MemoryClient implements CallSignaling {
  /** Server events, parsed; one across reconnections, as SignalingClient's. */
  readonly events = new ServerEventHub((event, issues) => this.refused(event, issues));
  /** Every request this device made, in order, as the engine passed it. */
  readonly requests: { event: ClientEventName; payload: unknown }[] = [];
  private link: Link | null = null;
  private state: ConnectionState = { phase: 'connecting', url: MEMORY_URL };
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(
    private readonly server: MemoryServer,
    readonly self: Identity,
  ) {
    // The client's own listeners, first, as SignalingClient's: the state changes
    // before the engine hears the event.
    this.events.on('session:welcome', (welcome) => this.setState({ phase: 'online', url: MEMORY_URL, welcome }));
    this.events.on('session:kicked', (error) => this.setState({ phase: 'refused', url: MEMORY_URL, code: error.code, message: error.message }));
    this.open();
  }

  get isOnline(): boolean {
    return this.link?.open ?? false;
  }

  /** The server's end of the current connection (null before the first one). */
  get serverSocket(): MemoryServerSocket | null {
    return this.link?.socket ?? null;
  }

  getState(): ConnectionState {
    return this.state;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  request: CallSignaling['request'] = (event, payload) => {
    this.requests.push({ event, payload });
    const link = this.link;
    if (!link?.open) return Promise.reject(new RequestError('offline', 'Not connected to the server. Check your connection and try again.'));
    return new Promise((resolve, reject) => {
      link.request(
        {
          event,
          settle: (response) => {
            if (response === undefined) return reject(new RequestError('timeout', `The server did not answer "${event}" in time.`));
            // Parsed as SignalingClient parses every ack, so the engine gets what it gets in production.
            try {
              resolve(readAck(event, response, (what, issues) => this.refused(what, issues)));
            } catch (err) {
              reject(err);
            }
          },
          fail: reject,
        },
        payload,
      );
    });
  };

  /** The real server sent something the client's schemas refuse: the client and the server drifted apart. */
  private refused(what: string, issues: unknown): never {
    throw new Error(`${this.self.deviceId} got a "${what}" its schema refuses: ${JSON.stringify(issues)}`);
  }

  /** The network drops the connection: requests fail 'offline' until `reconnect`. */
  disconnect(): void {
    this.link?.drop('transport close');
  }

  /** A new connection, as socket.io reconnects: the server takes it and welcomes it. */
  reconnect(): void {
    if (this.link?.open) throw new Error(`${this.self.deviceId} is still connected`);
    this.open();
  }

  sent(event: ClientEventName): unknown[] {
    return this.requests.filter((r) => r.event === event).map((r) => r.payload);
  }

  /** The listeners others subscribed to `events` (the client's own two are not counted). */
  listenerCount(): number {
    return this.events.listenerCount() - OWN_LISTENERS;
  }

  private open(): void {
    const link = new Link(`memory-${nextSocket++}`, this.self, this.server, {
      receive: (event, payload) => this.receive(event, payload),
      closed: (closed, reason) => this.closed(closed, reason),
    });
    this.link = link;
    this.setState({ phase: 'connecting', url: MEMORY_URL });
    this.server.accept(link.socket);
  }

  private receive(event: string, payload: unknown): void {
    if (!isServerEvent(event)) throw new Error(`${this.self.deviceId} got "${event}", which is no server event of protocol.ts`);
    this.events.receive(event, payload);
  }

  private closed(link: Link, reason: string): void {
    for (const pending of link.pending) pending.fail(new RequestError('timeout', `The server did not answer "${pending.event}" in time.`));
    link.pending.clear();
    if (link === this.link && this.state.phase !== 'refused') {
      this.setState({ phase: 'reconnecting', url: MEMORY_URL, attempt: 0, lastError: reason });
    }
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }
}
