/**
 * The door before the handshake: per-address limits (addressGuard.ts) decided in
 * engine.io's `allowRequest`, before any socket.io work, and delivered by the
 * first socket.io middleware as a `connect_error` the client can show
 * (`too_many_connections`, `rate_limited`). After any refusal — here or in the
 * handshake (socketServer.ts) — the connection is closed once the refusal is
 * written: socket.io would otherwise let the same connection send CONNECT again,
 * and one socket made ~17,000 password guesses a second (issue 10).
 *
 * One CONNECT per connection: socket.io lets a second CONNECT on a connection
 * open a second session beside the first, which would slip past the cap on
 * connections per address. Parley's clients open one session per connection.
 *
 * An address refused again and again within a window (a flood) is turned away
 * before engine.io sees the upgrade, with a plain HTTP 429 and the same message:
 * no WebSocket, no socket.io, nothing but that reply (`floodRefusal`).
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ADDRESS_WINDOW_MS, AddressGuard, addressKey, type AddressRefusal } from './addressGuard';
import { clientAddress, isLoopback, normalizeAddress, trustedSet } from './clientAddress';
import { LogThrottle } from './logThrottle';
import type { AddressLimitOptions } from './options';
import type { ConnectRefusal, ErrorCode } from './protocol';

/** Refusals of one address within a window after which it gets no WebSocket at all. */
export const DROP_AFTER_REFUSALS = 20;

/** Refusals that are the client's own mistake: these count towards failedHandshakesPerMinute. */
const CLIENT_MISTAKES: ReadonlySet<ErrorCode> = new Set(['auth_failed', 'invalid_identity', 'protocol_mismatch', 'origin_forbidden']);

export interface ConnectionGateOptions {
  addressLimits: AddressLimitOptions;
  trustedProxies: readonly string[];
  limitLoopback: boolean;
}

/** What the gate knows of one engine.io connection. */
interface Admission {
  /** The key the address is limited under; null for an exempt (loopback) client. */
  key: string | null;
  /** For the logs: the address as resolved. */
  address: string;
  refusal: AddressRefusal | null;
  connects: number;
  refused: boolean;
  /** The first CONNECT's handshake is still being checked (it verifies signatures, asynchronously). */
  deciding: boolean;
}

/** The parts of an engine.io connection the gate uses. */
export interface GateConn {
  readonly readyState: string;
  once(event: 'close', listener: () => void): unknown;
  close(): unknown;
}

/** The parts of a socket.io socket the gate uses. */
export interface GateSocket {
  readonly conn: GateConn;
}

export class ConnectionGate {
  private readonly guard: AddressGuard;
  private readonly trusted: ReadonlySet<string>;
  private readonly byRequest = new WeakMap<IncomingMessage, Admission>();
  private readonly byConn = new WeakMap<GateConn, Admission>();
  private readonly refusals = new Map<string, { count: number; since: number; last: AddressRefusal }>();
  readonly refusalLog: LogThrottle;
  /** Malformed input (socket.io closes the connection after each): one short line per address per window. */
  private readonly inputLog: LogThrottle;

  constructor(
    private readonly options: ConnectionGateOptions,
    log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.guard = new AddressGuard(options.addressLimits, now());
    this.trusted = trustedSet(options.trustedProxies);
    this.refusalLog = new LogThrottle(log, { what: 'connection refused', level: 'info', windowMs: ADDRESS_WINDOW_MS, maxKeys: 1_000 });
    this.inputLog = new LogThrottle(log, { what: 'malformed input from a client', level: 'warn', windowMs: ADDRESS_WINDOW_MS, maxKeys: 1_000 });
  }

  /** The address a request comes from, as the limits see it. */
  addressOf(req: IncomingMessage): string {
    return clientAddress({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'] }, this.trusted);
  }

  /** engine.io's allowRequest: decides once per connection, before the WebSocket exists. */
  allowRequest = (req: IncomingMessage, callback: (message: string | null | undefined, success: boolean) => void): void => {
    const address = this.addressOf(req);
    const exempt = isLoopback(normalizeAddress(address)) && !this.options.limitLoopback;
    const key = exempt ? null : addressKey(address);
    const refusal = key === null ? null : this.guard.admit(key, this.now());
    if (key !== null && refusal !== null && this.countRefusal(key, refusal) > DROP_AFTER_REFUSALS) {
      this.refusalLog.note(key, refusal.code, { code: refusal.code, limit: refusal.limit, stage: 'upgrade' });
      callback(refusal.message, false);
      return;
    }
    this.byRequest.set(req, { key, address, refusal, connects: 0, refused: false, deciding: false });
    callback(null, true);
  };

  /**
   * Before engine.io sees an upgrade (hostGuard.ts, refuseUpgradesWhen): an
   * address refused more than DROP_AFTER_REFUSALS times this window gets a short
   * 429 with the last refusal's words, and costs nothing more. Its connections
   * are not counted against the rate meanwhile: they never open.
   */
  floodRefusal = (req: IncomingMessage): { status: string; text: string } | null => {
    if (this.refusals.size === 0) return null;
    const address = this.addressOf(req);
    if (isLoopback(normalizeAddress(address)) && !this.options.limitLoopback) return null;
    const key = addressKey(address);
    const entry = this.refusals.get(key);
    if (entry === undefined || entry.count <= DROP_AFTER_REFUSALS || this.now() - entry.since >= ADDRESS_WINDOW_MS) return null;
    entry.count += 1;
    this.refusalLog.note(key, entry.last.code, { code: entry.last.code, limit: entry.last.limit, stage: 'upgrade' });
    return { status: '429 Too Many Requests', text: `${entry.last.message}\n` };
  };

  /** engine.io's 'connection': counts the connection open until it closes. */
  onEngineConnection = (conn: GateConn & { request: IncomingMessage | null }): void => {
    const admission = conn.request ? this.byRequest.get(conn.request) : undefined;
    if (admission === undefined) return;
    // engine.io keeps the upgrade request for the connection's life (handshakeRelease.ts): let go of it here.
    if (conn.request) this.byRequest.delete(conn.request);
    this.byConn.set(conn, admission);
    const { key } = admission;
    if (key === null || admission.refusal !== null) return;
    this.guard.opened(key, this.now());
    conn.once('close', () => this.guard.closed(key, this.now()));
  };

  /** The first socket.io middleware: what allowRequest decided, and one CONNECT per connection. */
  middleware = (socket: GateSocket, next: (err?: Error) => void): void => {
    const admission = this.byConn.get(socket.conn);
    if (admission === undefined) return next();
    admission.connects += 1;
    // A second CONNECT while the first is still being checked: the connection is
    // misbehaving, and its first answer may yet be a refusal; treat it as refused
    // (closed, nothing answered) rather than answer CONNECTs one after another.
    if (admission.refused || (admission.deciding && admission.connects > 1)) {
      admission.refused = true;
      // Refused already: close first, then fail, so that socket.io finds the
      // connection closing and answers nothing (failing still frees its pending socket).
      setImmediate(() => {
        if (socket.conn.readyState === 'open') socket.conn.close();
        next(new Error('refused'));
      });
      return;
    }
    if (admission.refusal !== null) {
      const { code, message, limit } = admission.refusal;
      return this.refuse(socket, { code, message }, next, { limit });
    }
    if (admission.connects > 1) {
      return this.refuse(socket, { code: 'too_many_connections', message: 'This connection already carries a session. Open a new connection.' }, next, {});
    }
    admission.deciding = true;
    next();
  };

  /** The handshake (socketServer.ts) admitted `socket`. */
  handshakeAdmitted(socket: GateSocket): void {
    const admission = this.byConn.get(socket.conn);
    if (admission) admission.deciding = false;
  }

  /** The handshake (socketServer.ts) refused `socket`: count the client's mistakes, log once per window, close. */
  handshakeRefused(socket: GateSocket, refusal: ConnectRefusal): void {
    const admission = this.byConn.get(socket.conn);
    const key = admission?.key ?? null;
    if (key !== null && CLIENT_MISTAKES.has(refusal.code)) this.guard.failed(key, this.now());
    this.refusalLog.note(key ?? admission?.address ?? 'unknown', refusal.code, { code: refusal.code, stage: 'handshake' });
    if (admission) {
      admission.refused = true;
      admission.deciding = false;
    }
    this.closeSoon(socket.conn);
  }

  /**
   * A socket's 'error': what socket.io reports when a client sends a packet it
   * cannot decode (it closes the connection afterwards). One short line — no
   * stack, no payload — per address per window.
   */
  socketError(socket: GateSocket, deviceId: string, err: unknown): void {
    const admission = this.byConn.get(socket.conn);
    const reason = (err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error').slice(0, 120);
    this.inputLog.note(admission?.key ?? admission?.address ?? 'unknown', reason, { deviceId, reason });
  }

  dispose(): void {
    this.refusalLog.dispose();
    this.inputLog.dispose();
  }

  private refuse(socket: GateSocket, refusal: ConnectRefusal, next: (err?: Error) => void, fields: Record<string, unknown>): void {
    const admission = this.byConn.get(socket.conn);
    if (admission) admission.refused = true;
    this.refusalLog.note(admission?.key ?? admission?.address ?? 'unknown', refusal.code, { code: refusal.code, stage: 'handshake', ...fields });
    const err = new Error(refusal.message) as Error & { data: ConnectRefusal };
    err.data = refusal;
    next(err);
    this.closeSoon(socket.conn);
  }

  /**
   * socket.io writes CONNECT_ERROR on the next tick after the middleware failed
   * (namespace.ts, `_add`); engine.io's close() then waits for its buffer to
   * drain, so the client reads the refusal before the connection ends.
   */
  private closeSoon(conn: GateConn): void {
    setImmediate(() => {
      if (conn.readyState === 'open') conn.close();
    });
  }

  /** Counts a refusal of `key` in the current window; returns the count. */
  private countRefusal(key: string, refusal: AddressRefusal): number {
    const now = this.now();
    let entry = this.refusals.get(key);
    if (entry === undefined || now - entry.since >= ADDRESS_WINDOW_MS) {
      if (entry === undefined && this.refusals.size >= 10_000) this.pruneRefusals(now);
      entry = { count: 0, since: now, last: refusal };
      this.refusals.set(key, entry);
    }
    entry.count += 1;
    entry.last = refusal;
    return entry.count;
  }

  private pruneRefusals(now: number): void {
    for (const [key, entry] of this.refusals) if (now - entry.since >= ADDRESS_WINDOW_MS) this.refusals.delete(key);
    // Still full: an address flood from more sources than the table holds; start over rather than grow.
    if (this.refusals.size >= 10_000) this.refusals.clear();
  }
}
