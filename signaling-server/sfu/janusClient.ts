/**
 * A small typed client of Janus's WebSocket API (subprotocol `janus-protocol`),
 * enough for the VideoRoom plugin: one Janus session per connection, kept alive
 * every KEEPALIVE_MS (Janus drops a session after 60 s of silence by default),
 * plugin handles, and requests matched to answers by transaction with a timeout.
 *
 * Janus answers a request in one of three ways: `success` (synchronous: room
 * create/destroy/list, attach, detach), `ack` then a later `event` carrying the
 * same transaction (asynchronous plugin requests such as VideoRoom `join` or
 * `configure`, with the JSEP), or `error`. A plugin refusal comes as `success` or
 * `event` whose `plugindata.data` holds `error_code`/`error`: `request` turns it
 * into a JanusError, as it does with a Janus `error` and a timeout.
 *
 * Why not Janode: it is an ESM-only package built for its own app structure;
 * this server needs four requests, per-handle events and a clear death signal
 * when the socket closes or a keepalive fails (JanusConnection.onClose), and
 * the `ws` package it already uses.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { z } from 'zod';
import { describeError } from '../logger';

export const KEEPALIVE_MS = 25_000;
export const REQUEST_TIMEOUT_MS = 15_000;

/** A JSEP as Janus carries it. */
export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

const jsepSchema = z.object({ type: z.enum(['offer', 'answer']), sdp: z.string() });

/** The parts of a Janus message this client reads; the rest is kept as `unknown`. */
const janusMessageSchema = z.object({
  janus: z.string(),
  transaction: z.string().optional(),
  session_id: z.number().optional(),
  sender: z.number().optional(),
  data: z.object({ id: z.number() }).passthrough().optional(),
  error: z.object({ code: z.number(), reason: z.string() }).optional(),
  plugindata: z.object({ plugin: z.string(), data: z.record(z.string(), z.unknown()) }).optional(),
  jsep: jsepSchema.optional(),
  candidate: z.unknown().optional(),
  reason: z.string().optional(),
});
export type JanusMessage = z.infer<typeof janusMessageSchema>;

/** What a plugin request resolves to: the plugin's data and, when Janus sent one, a JSEP. */
export interface PluginAnswer {
  data: Record<string, unknown>;
  jsep?: Jsep;
}

export class JanusError extends Error {
  constructor(
    message: string,
    /** Janus's or the plugin's error code; 0 for a timeout or a closed connection. */
    readonly code: number,
  ) {
    super(message);
    this.name = 'JanusError';
  }
}

interface Pending {
  resolve: (message: JanusMessage) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Wait past `ack` for the `event` (asynchronous plugin requests). */
  awaitEvent: boolean;
  what: string;
}

/** Asynchronous news on one handle (events without a transaction of ours, trickles, hangups). */
export type HandleListener = (message: JanusMessage) => void;

export interface JanusConnectionOptions {
  /** Janus's `api_secret`, sent as `apisecret` with every request. */
  apiSecret?: string | undefined;
  requestTimeoutMs?: number;
  keepaliveMs?: number;
  /** Where a message Janus should never send (not JSON, an unknown shape) is reported. */
  log?: Logger | undefined;
}

/** One WebSocket to one Janus instance, with one session on it. */
export class JanusConnection {
  private readonly pending = new Map<string, Pending>();
  private readonly handles = new Map<number, HandleListener>();
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private keepalive: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private sessionId = 0;

  private constructor(
    readonly url: string,
    private readonly socket: WebSocket,
    private readonly options: JanusConnectionOptions,
  ) {
    socket.on('message', (raw: WebSocket.RawData) => this.receive(raw));
    socket.on('close', (code: number) => this.shut(`the WebSocket to Janus closed (code ${code})`));
    socket.on('error', (err: Error) => this.shut(`the WebSocket to Janus failed: ${err.message}`));
  }

  /** Opens the WebSocket and creates the session; rejects with a clear reason. */
  static async open(url: string, options: JanusConnectionOptions = {}): Promise<JanusConnection> {
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, 'janus-protocol', { handshakeTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS });
      const fail = (err: Error): void => reject(new JanusError(`Cannot reach Janus at ${url}: ${err.message}`, 0));
      ws.once('open', () => {
        ws.off('error', fail);
        resolve(ws);
      });
      ws.once('error', fail);
    });
    const connection = new JanusConnection(url, socket, options);
    try {
      const created = await connection.send({ janus: 'create' }, false, 'create a session');
      const id = created.data?.id;
      if (typeof id !== 'number') throw new JanusError(`Janus at ${url} created a session without an id`, 0);
      connection.sessionId = id;
    } catch (err) {
      connection.close();
      throw err;
    }
    connection.keepalive = setInterval(() => {
      connection.send({ janus: 'keepalive', session_id: connection.sessionId }, false, 'keepalive').catch((err: unknown) => {
        connection.shut(`a keepalive to Janus failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }, options.keepaliveMs ?? KEEPALIVE_MS);
    return connection;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Called once, when the socket closes or a keepalive fails (not after close()). */
  onClose(listener: (reason: string) => void): void {
    this.closeListeners.push(listener);
  }

  /** Attaches a handle to `plugin`; `listener` gets that handle's asynchronous news. */
  async attach(plugin: string, listener: HandleListener): Promise<number> {
    const answer = await this.send({ janus: 'attach', plugin, session_id: this.sessionId }, false, `attach to ${plugin}`);
    const id = answer.data?.id;
    if (typeof id !== 'number') throw new JanusError(`Janus attached to ${plugin} without a handle id`, 0);
    this.handles.set(id, listener);
    return id;
  }

  async detach(handleId: number): Promise<void> {
    if (!this.handles.delete(handleId) || this.closed) return;
    await this.send({ janus: 'detach', session_id: this.sessionId, handle_id: handleId }, false, 'detach a handle');
  }

  /**
   * A plugin request. `awaitEvent`: asynchronous requests (those answered with
   * `ack` and then an `event`): VideoRoom join, joinandconfigure, configure,
   * update, start.
   */
  async message(handleId: number, body: Record<string, unknown>, options: { jsep?: Jsep; awaitEvent?: boolean } = {}): Promise<PluginAnswer> {
    const what = `the VideoRoom request "${String(body.request)}"`;
    const answer = await this.send(
      { janus: 'message', session_id: this.sessionId, handle_id: handleId, body, ...(options.jsep ? { jsep: options.jsep } : {}) },
      options.awaitEvent ?? false,
      what,
    );
    const data = answer.plugindata?.data ?? {};
    if (typeof data.error_code === 'number' || typeof data.error === 'string') {
      throw new JanusError(`Janus refused ${what}: ${String(data.error ?? 'no reason given')}`, typeof data.error_code === 'number' ? data.error_code : 0);
    }
    return { data, ...(answer.jsep ? { jsep: answer.jsep } : {}) };
  }

  /** Trickles a candidate (null: end of candidates) on a handle. */
  async trickle(handleId: number, candidate: unknown): Promise<void> {
    const body = candidate === null ? { candidate: { completed: true } } : { candidate };
    await this.send({ janus: 'trickle', session_id: this.sessionId, handle_id: handleId, ...body }, false, 'trickle a candidate');
  }

  /** Closes the socket; the close listeners are not called (this was wanted). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopAll('the connection to Janus was closed');
    this.socket.close();
  }

  private send(payload: Record<string, unknown>, awaitEvent: boolean, what: string): Promise<JanusMessage> {
    if (this.closed) return Promise.reject(new JanusError(`Janus at ${this.url} is not connected (${what})`, 0));
    const transaction = randomBytes(9).toString('base64url');
    const timeoutMs = this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    return new Promise<JanusMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(transaction);
        reject(new JanusError(`Janus at ${this.url} did not answer ${what} within ${timeoutMs} ms`, 0));
      }, timeoutMs);
      this.pending.set(transaction, { resolve, reject, timer, awaitEvent, what });
      const message = { ...payload, transaction, ...(this.options.apiSecret === undefined ? {} : { apisecret: this.options.apiSecret }) };
      this.socket.send(JSON.stringify(message), (err) => {
        if (!err) return;
        const entry = this.pending.get(transaction);
        if (!entry) return;
        clearTimeout(entry.timer);
        this.pending.delete(transaction);
        reject(new JanusError(`Could not send ${what} to Janus at ${this.url}: ${err.message}`, 0));
      });
    });
  }

  private receive(raw: WebSocket.RawData): void {
    let parsed: JanusMessage;
    try {
      const result = janusMessageSchema.safeParse(JSON.parse(raw.toString()));
      if (!result.success) {
        this.options.log?.warn({ url: this.url, problem: result.error.issues[0]?.message }, 'Janus sent a message of an unknown shape; ignored');
        return;
      }
      parsed = result.data;
    } catch (err) {
      this.options.log?.warn({ url: this.url, err: describeError(err) }, 'Janus sent a message that is not JSON; ignored');
      return;
    }
    const entry = parsed.transaction === undefined ? undefined : this.pending.get(parsed.transaction);
    if (entry) {
      if (parsed.janus === 'ack' && entry.awaitEvent) return;
      clearTimeout(entry.timer);
      this.pending.delete(parsed.transaction as string);
      if (parsed.janus === 'error') {
        entry.reject(new JanusError(`Janus refused ${entry.what}: ${parsed.error?.reason ?? 'no reason given'}`, parsed.error?.code ?? 0));
      } else {
        entry.resolve(parsed);
      }
      return;
    }
    if (parsed.sender !== undefined) this.handles.get(parsed.sender)?.(parsed);
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopAll(reason);
    this.socket.terminate();
    for (const listener of this.closeListeners) listener(reason);
  }

  private stopAll(reason: string): void {
    if (this.keepalive) clearInterval(this.keepalive);
    this.keepalive = null;
    for (const [transaction, entry] of this.pending) {
      clearTimeout(entry.timer);
      entry.reject(new JanusError(`${reason} before it answered ${entry.what}`, 0));
      this.pending.delete(transaction);
    }
    this.handles.clear();
  }
}
