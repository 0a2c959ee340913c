/**
 * The renderer's connection to the signaling server: one typed socket.io client,
 * a visible connection state, and acks turned into promises.
 *
 * Every server event is parsed once, here, with protocol.ts's `serverEventSchemas`
 * (ServerEventHub): `events` hands listeners typed payloads, and an event that
 * fails its schema is dropped and reported. The raw `socket` is typed as what it
 * really delivers — `unknown` — so nothing can listen to it and skip the schemas.
 * Acks are parsed the same way, with `serverAckSchemas`.
 */
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  ackRefusalSchema,
  connectRefusalSchema,
  PROTOCOL_VERSION,
  SERVER_EVENT_NAMES,
  serverAckSchemas,
  type ClientToServerEvents,
  type ErrorCode,
  type ProtocolError,
  type ServerEventName,
  type StrangerCalls,
  type WelcomePayload,
} from '../../signaling-server/protocol';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import { log } from '../log';
import { ServerEventHub, warnDroppedEvent, type DroppedEventReport, type ServerEventSource } from './serverEventHub';

/** What the socket delivers before the hub parsed it: nothing is trusted yet. */
export type RawServerEvents = { [E in ServerEventName]: (payload: unknown) => void };
export type ParleySocket = Socket<RawServerEvents, ClientToServerEvents>;

/** What the handshake of a connection told the server about this user besides who they are. */
export interface HandshakeProfile {
  contacts: readonly string[];
  strangerCalls: StrangerCalls;
}

export type ConnectionState =
  | { phase: 'connecting'; url: string }
  /** `profile`: what this connection's handshake gave the server (absent: not known, e.g. a test's fake). */
  | { phase: 'online'; url: string; welcome: WelcomePayload; profile?: HandshakeProfile }
  | { phase: 'reconnecting'; url: string; attempt: number; lastError: string | null }
  /** The server refused us; retrying will not help until something changes. */
  | { phase: 'refused'; url: string; code: ErrorCode; message: string }
  | { phase: 'closed' };

export interface SignalingOptions {
  /** One or more server URLs; on repeated failure the client moves to the next. */
  urls: string[];
  /** Who this device is: its credential goes with every handshake, and it signs each connection's proof. */
  identity: DeviceIdentity;
  displayName: string;
  password: string;
  /** Each URL's own password, in the order of `urls` (failover to a server with another password); default `password` for all. */
  passwords?: readonly string[];
  /** The userIds of this user's contacts, read for every handshake (presence flows between mutual contacts). */
  contacts?: () => readonly string[];
  /** What happens when someone who is not a mutual contact calls, read for every handshake. */
  strangerCalls?: () => StrangerCalls;
  /** How long one request may wait for its ack. */
  ackTimeoutMs?: number;
  /** Tests inject their own socket.io `io` to observe it. */
  connect?: typeof io;
  /** Told about each server event (or refusal) dropped because it failed its schema; the renderer log by default. */
  onDropped?: DroppedEventReport;
}

/**
 * Codes after which reconnecting by ourselves is pointless or harmful: the
 * credentials are wrong, or the server limits our network address and closes
 * the connection (too_many_connections, rate_limited — retrying at once would
 * only spend the address's allowance). socket.io-client does not retry after a
 * refusal anyway; the person sees the server's words and a "Try again".
 */
const FATAL_CODES: ReadonlySet<string> = new Set([
  'protocol_mismatch',
  'auth_failed',
  'invalid_identity',
  'origin_forbidden',
  'too_many_connections',
  'rate_limited',
]);

export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode | 'timeout' | 'offline',
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}

/** `ok: true`, checked on its own: the data schemas are loose objects that would not notice it missing. */
const okAckSchema = z.object({ ok: z.literal(true) });

export type RequestEvent = keyof ClientToServerEvents;
type PayloadOf<E extends RequestEvent> = Parameters<ClientToServerEvents[E]>[0];
type AckOf<E extends RequestEvent> =
  Parameters<ClientToServerEvents[E]>[1] extends (response: infer R) => void ? R : never;
export type OkOf<E extends RequestEvent> = Extract<AckOf<E>, { ok: true }>;

/**
 * An ack parsed with protocol.ts's `serverAckSchemas`: its data when it is ok, a
 * RequestError with the server's code and words when it refuses, and an
 * 'internal' RequestError (reported to `dropped`) when it is neither. Every ack a
 * client receives passes here once, so its users take the typed result as is.
 */
export function readAck<E extends RequestEvent>(event: E, response: unknown, dropped: DroppedEventReport): OkOf<E> {
  const refused = ackRefusalSchema.safeParse(response);
  if (refused.success) throw new RequestError(refused.data.error.code, refused.data.error.message);
  const ok = okAckSchema.safeParse(response);
  const data = serverAckSchemas[event].safeParse(response);
  if (!ok.success || !data.success) {
    dropped(`${event} ack`, [...(ok.error?.issues ?? []), ...(data.error?.issues ?? [])]);
    throw new RequestError('internal', `The server's answer to "${event}" could not be read. Try again; if it keeps failing, the server may be newer or older than this app.`);
  }
  // The table's schema for `event` gives exactly the ack data of OkOf<E>; a
  // generic index cannot show that to the compiler.
  return { ...data.data, ok: true } as OkOf<E>;
}

export class SignalingClient {
  readonly socket: ParleySocket;
  /** Every server event, parsed: listen here, not on `socket`. */
  readonly events: ServerEventSource;
  private state: ConnectionState;
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private urlIndex = 0;
  private failuresOnUrl = 0;
  /** What the latest handshake gave the server; its welcome's `online` state carries it. */
  private sentProfile: HandshakeProfile | null = null;
  private readonly ackTimeoutMs: number;
  private readonly dropped: DroppedEventReport;

  constructor(private readonly options: SignalingOptions) {
    if (options.urls.length === 0) throw new Error('SignalingClient needs at least one server URL');
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    const url = options.urls[0] as string;
    this.state = { phase: 'connecting', url };
    const connect = options.connect ?? io;
    this.socket = connect(url, {
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5_000,
      randomizationFactor: 0.5,
      // The handshake is built again for every (re)connection: the proof signs this
      // connection's Engine.IO session id (the server's fresh challenge) and the
      // host as dialled now, which changes when the client fails over.
      auth: (cb) => void this.handshake().then(cb, (error: unknown) => this.cannotProve(error)),
    }) as ParleySocket;

    const dropped = options.onDropped ?? warnDroppedEvent;
    this.dropped = dropped;
    const hub = new ServerEventHub(dropped);
    this.events = hub;
    // The client's own listeners go first, so the state is 'online' before any
    // other listener of the same welcome runs.
    hub.on('session:welcome', (welcome) => {
      this.failuresOnUrl = 0;
      this.setState({ phase: 'online', url: this.currentUrl(), welcome, ...(this.sentProfile ? { profile: this.sentProfile } : {}) });
    });
    for (const event of SERVER_EVENT_NAMES) {
      this.socket.on(event, (payload: unknown) => void hub.receive(event, payload));
    }
    this.socket.on('connect_error', (err: Error & { data?: unknown }) => {
      const refusal = this.refusalOf(err);
      if (refusal && FATAL_CODES.has(refusal.code)) {
        this.socket.disconnect();
        this.setState({ phase: 'refused', url: this.currentUrl(), code: refusal.code, message: refusal.message });
        return;
      }
      this.noteFailure(err.message);
    });
    // The server kicks a socket that floods it, or whose device id another socket
    // took over; reconnecting would only repeat it, so stop and say why.
    hub.on('session:kicked', (error) => {
      this.setState({ phase: 'refused', url: this.currentUrl(), code: error.code, message: error.message });
      this.socket.disconnect();
    });
    this.socket.on('disconnect', (reason) => {
      if (this.state.phase === 'refused' || this.state.phase === 'closed') return;
      if (reason === 'io client disconnect') return;
      // socket.io reconnects by itself except after a server-side kick.
      if (reason === 'io server disconnect') this.socket.connect();
      this.setState({ phase: 'reconnecting', url: this.currentUrl(), attempt: 0, lastError: reason });
    });
    this.socket.io.on('reconnect_attempt', (attempt) => {
      if (this.state.phase === 'reconnecting') this.setState({ ...this.state, attempt });
    });
  }

  start(): void {
    this.socket.connect();
  }

  /** The `auth` payload of this connection, with its proof. */
  private async handshake(): Promise<object> {
    const { identity } = this.options;
    const host = new URL(this.currentUrl()).host;
    const sessionId = this.socket.io.engine.id;
    const proof = await identity.proveConnection(host, sessionId);
    const profile: HandshakeProfile = {
      contacts: [...(this.options.contacts?.() ?? [])],
      strangerCalls: this.options.strangerCalls?.() ?? 'ask',
    };
    // The welcome that answers this handshake comes with it: the server has this list already.
    this.sentProfile = profile;
    return {
      protocolVersion: PROTOCOL_VERSION,
      credential: identity.credential,
      proof,
      displayName: this.options.displayName,
      password: (this.options.passwords?.[this.urlIndex] ?? this.options.password) || undefined,
      contacts: profile.contacts,
      strangerCalls: profile.strangerCalls,
    };
  }

  /** The device could not sign (its key is gone or WebCrypto failed): no handshake is sent, and the person is told. */
  private cannotProve(error: unknown): void {
    log.child('signaling').error('could not sign the handshake proof for this connection', error);
    this.socket.disconnect();
    this.setState({
      phase: 'refused',
      url: this.currentUrl(),
      code: 'invalid_identity',
      message: `This device could not sign in with its key: ${error instanceof Error ? error.message : String(error)}`,
    });
  }

  getState(): ConnectionState {
    return this.state;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Emits `event` and resolves with the ok ack, or rejects with a RequestError. */
  async request<E extends RequestEvent>(event: E, payload: PayloadOf<E>): Promise<OkOf<E>> {
    if (!this.socket.connected) {
      throw new RequestError('offline', 'Not connected to the server. Check your connection and try again.');
    }
    let response: unknown;
    try {
      // socket.io's typed emit cannot follow a generic event name; the event map
      // above still types the payload for every caller, and the ack is parsed below.
      const emitter = this.socket.timeout(this.ackTimeoutMs) as unknown as {
        emitWithAck(event: string, payload: unknown): Promise<unknown>;
      };
      response = await emitter.emitWithAck(event, payload);
    } catch (error) {
      // socket.io rejects emitWithAck only when the ack timer runs out (or the socket closes first).
      log.child('signaling').info(`no answer to "${event}" within ${this.ackTimeoutMs} ms`, error);
      throw new RequestError('timeout', `The server did not answer "${event}" in time.`);
    }
    return readAck(event, response, this.dropped);
  }

  close(): void {
    this.setState({ phase: 'closed' });
    this.socket.disconnect();
    this.listeners.clear();
  }

  /**
   * The server's refusal carried by a connect_error, or null when there is none (a
   * network failure) or it does not parse: then it is only a failed attempt, as
   * the server's words cannot be trusted to say that retrying is pointless.
   */
  private refusalOf(err: Error & { data?: unknown }): ProtocolError | null {
    if (err.data === undefined) return null;
    const parsed = connectRefusalSchema.safeParse(err.data);
    if (parsed.success) return parsed.data;
    this.dropped('connect_error', parsed.error.issues);
    return null;
  }

  private currentUrl(): string {
    return this.options.urls[this.urlIndex] as string;
  }

  /** After three failures on one URL, move to the next one (failover). */
  private noteFailure(message: string): void {
    this.failuresOnUrl += 1;
    if (this.options.urls.length > 1 && this.failuresOnUrl >= 3) {
      this.failuresOnUrl = 0;
      this.urlIndex = (this.urlIndex + 1) % this.options.urls.length;
      const next = this.currentUrl();
      // socket.io-client's Manager builds a new engine from `this.uri` on every
      // (re)connection attempt (Manager.open), so pointing it at the next server
      // fails over while every listener registered above stays in place. Its
      // backoff starts over too: the next server has not failed yet, so it is
      // tried after the shortest delay, not the longest one the last server earned.
      const manager = this.socket.io as unknown as { uri: string; backoff?: { reset(): void } };
      manager.uri = next;
      manager.backoff?.reset();
    }
    const attempt = this.state.phase === 'reconnecting' ? this.state.attempt : 0;
    this.setState({ phase: 'reconnecting', url: this.currentUrl(), attempt, lastError: message });
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}
