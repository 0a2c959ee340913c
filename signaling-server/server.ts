/**
 * createSignalingServer: builds the HTTP server, the socket.io server and the
 * state (presence, calls), wires them together, and listens. The thin shell around
 * the pure parts; everything a socket can do is in handlers.ts.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { CallRegistry, type CallSink } from './callRegistry';
import { checkHandshake } from './handshake';
import type { ListenerHost } from './eventGuard';
import { registerHandlers } from './handlers';
import { createRequestHandler, type HealthStats } from './http';
import { createLogger, describeError } from './logger';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options';
import { Presence } from './presence';
import {
  LIMITS,
  type ClientToServerEvents,
  type ConnectRefusal,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from './protocol';
import { installRateLimit } from './rateGuard';
import { SERVER_VERSION } from './version';
import { iceServersFor } from './turnCredentials';

export interface SignalingServer {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly address: { host: string; port: number };
  stats(): HealthStats;
  /** Tells clients 'server:shutdown', disconnects them, closes HTTP; idempotent. */
  close(): Promise<void>;
}

type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Resolves when listening; rejects with a clear Error (code kept, e.g. EADDRINUSE). */
export async function createSignalingServer(input: SignalingServerOptions = {}): Promise<SignalingServer> {
  const options = resolveOptions(input);
  const log = options.logger ?? createLogger(options.logLevel);
  const startedAt = Date.now();
  let closing = false;

  const presence = new Presence<IoSocket>((userId) => registry.isUserInCall(userId));
  const sink: CallSink = {
    send: (deviceId, event, ...args) => {
      const socket = presence.socketOf(deviceId);
      // socket.io's emit cannot follow the generic pair (event, args) through its
      // own conditional types; CallSink's signature has already checked the pair.
      (socket?.emit as ((event: string, ...rest: unknown[]) => boolean) | undefined)?.call(socket, event, ...args);
    },
    membershipChanged: (userId) => {
      const changed = presence.refresh(userId);
      if (changed) io.emit('presence:updated', changed);
    },
  };
  const registry = new CallRegistry({
    maxParticipants: options.maxParticipants,
    ringTimeoutMs: options.ringTimeoutMs,
    rejoinGraceMs: options.rejoinGraceMs,
    sink,
    onError: (err, where) => log.error({ err: describeError(err), where }, 'a call timer failed'),
  });
  const stats = (): HealthStats => ({
    uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    usersOnline: presence.usersOnline,
    devicesOnline: presence.devicesOnline,
    activeCalls: registry.activeCalls,
  });

  const httpServer = createServer(
    createRequestHandler({
      clientDir: options.clientDir,
      stats,
      version: SERVER_VERSION,
      onError: (err, where) => log.warn({ err: describeError(err), where }, 'HTTP request failed'),
    }),
  );
  const io: IoServer = new Server(httpServer, {
    transports: ['websocket'],
    maxHttpBufferSize: LIMITS.maxPacketBytes,
    // A client that vanishes without closing is noticed after at most
    // pingInterval + pingTimeout = 13 s.
    pingInterval: 5_000,
    pingTimeout: 8_000,
    serveClient: false,
    // A client that opens the transport but never completes the socket.io handshake.
    connectTimeout: 10_000,
  });

  io.engine.on('connection_error', (err: { code?: number; message?: string }) => {
    log.debug({ code: err.code, message: err.message }, 'engine connection refused');
  });

  io.use((socket, next) => {
    let result: ReturnType<typeof checkHandshake>;
    try {
      result = checkHandshake(socket.handshake.headers, socket.handshake.auth, {
        allowedOrigins: options.allowedOrigins,
        password: options.password,
        deviceOwner: (deviceId) => presence.ownerOf(deviceId) ?? registry.memberOwner(deviceId),
      });
    } catch (err) {
      log.error({ err: describeError(err) }, 'handshake check failed');
      result = { ok: false, refusal: { code: 'internal', message: 'The server could not check this connection. Try again.' } };
    }
    if (!result.ok) {
      log.info({ code: result.refusal.code, address: socket.handshake.address }, 'connection refused');
      const err = new Error(result.refusal.message) as Error & { data: ConnectRefusal };
      err.data = result.refusal;
      next(err);
      return;
    }
    socket.data = { ...result.party };
    next();
  });

  io.on('connection', (socket) => {
    try {
      onConnection(socket);
    } catch (err) {
      log.error({ err: describeError(err) }, 'connection setup failed');
      socket.disconnect(true);
    }
  });

  function onConnection(socket: IoSocket): void {
    const party = { ...socket.data };
    socket.on('error', (err: unknown) => log.warn({ err: describeError(err), deviceId: party.deviceId }, 'socket error'));
    if (closing) {
      socket.disconnect(true);
      return;
    }
    // The middleware checked ownership, but socket.io connects a tick later: two
    // handshakes for one device id by different users can both pass before either
    // connects. The second to connect loses.
    const owner = presence.ownerOf(party.deviceId) ?? registry.memberOwner(party.deviceId);
    if (owner !== undefined && owner !== party.userId) {
      socket.emit('session:kicked', {
        code: 'invalid_identity',
        message: `The device id ${party.deviceId} is already in use by another user. Reset this app's identity to get a new device id.`,
      });
      socket.disconnect(true);
      return;
    }
    installRateLimit(socket, options.rateLimit, log);
    // socket.io types `on` by the event map, which a table-driven registration of
    // untrusted payloads cannot satisfy; eventGuard.ts parses every payload instead.
    registerHandlers(socket as unknown as ListenerHost, party, {
      registry,
      presence,
      broadcastPresence: (user) => io.emit('presence:updated', user),
      iceServers: (userId) => iceServersFor(userId, options.turn, options.stunUrls, Date.now()),
      log,
    });
    socket.on('disconnect', () => {
      if (closing) return;
      try {
        const gone = presence.disconnect(party, socket);
        if (gone === null) return; // a newer socket of the same device took over
        registry.detach(party);
        if (gone.lastDevice) io.emit('presence:left', { userId: party.userId });
      } catch (err) {
        log.error({ err: describeError(err), deviceId: party.deviceId }, 'disconnect handling failed');
      }
    });

    const { firstDevice, replaced, changed } = presence.connect(party, socket);
    if (replaced) {
      // The device reconnected before its old socket was known dead: the newest
      // wins. If the old one is in fact alive (two windows sharing a device id),
      // it learns why, so it can stop instead of taking the id back in a loop.
      replaced.emit('session:kicked', {
        code: 'invalid_identity',
        message: 'This device connected again from another window or connection, which took over. Close one of them.',
      });
      replaced.disconnect(true);
    }
    const attached = registry.attach(party);
    const self = presence.user(party.userId);
    socket.emit('session:welcome', {
      self: { ...party, status: self?.status ?? 'available' },
      users: presence.roster(party.userId),
      limits: {
        maxParticipants: options.maxParticipants,
        ringTimeoutMs: options.ringTimeoutMs,
        rejoinGraceMs: options.rejoinGraceMs,
      },
      call: attached.call,
      ringing: attached.ringing,
      serverVersion: SERVER_VERSION,
    });
    attached.flush();
    if (firstDevice && self) socket.broadcast.emit('presence:joined', self);
    else if (changed) io.emit('presence:updated', changed);
    log.debug({ userId: party.userId, deviceId: party.deviceId }, 'device connected');
  }

  const address = await listen(httpServer, options, io);
  httpServer.on('error', (err) => log.error({ err: describeError(err) }, 'HTTP server error'));
  httpServer.on('clientError', (_err, netSocket) => {
    if (netSocket.writable) netSocket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else netSocket.destroy();
  });
  log.info({ host: address.host, port: address.port, version: SERVER_VERSION }, 'Parley server listening');

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      registry.dispose();
      await disconnectEveryone(io);
      await closeIo(io, httpServer);
      log.info('Parley server closed');
    })();
    return closed;
  };

  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `http://${host}:${address.port}`,
    address,
    stats,
    close,
  };
}

async function listen(httpServer: HttpServer, options: ResolvedOptions, io: IoServer): Promise<{ host: string; port: number }> {
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await io.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${options.host} is already in use`
        : `cannot listen on ${options.host}:${options.port}: ${describeError(err).message}`;
    throw Object.assign(new Error(message, { cause: err }), { code });
  }
  const info = httpServer.address() as AddressInfo;
  return { host: options.host, port: info.port };
}

/**
 * Say goodbye, then close each connection once its last packets are written:
 * `io.close()` alone discards what is still buffered, so clients would never see
 * 'server:shutdown'. The transport is closed without a socket.io DISCONNECT
 * packet, so clients see "transport close" and reconnect by themselves (after an
 * "io server disconnect" socket.io-client would wait to be told to reconnect).
 */
async function disconnectEveryone(io: IoServer): Promise<void> {
  io.emit('server:shutdown', { message: 'The Parley server is shutting down. Parley reconnects by itself when it is back.' });
  const closedTransports = [...io.sockets.sockets.values()].map(
    (socket) =>
      new Promise<void>((resolve) => {
        if (socket.conn.readyState === 'closed') return resolve();
        const timer = setTimeout(resolve, 1_000);
        socket.conn.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.conn.close();
      }),
  );
  await Promise.all(closedTransports);
}

async function closeIo(io: IoServer, httpServer: HttpServer): Promise<void> {
  // httpServer.close() waits for keep-alive connections. It closes the idle ones
  // once, but a response that is still finishing (a static file being piped) turns
  // idle a moment later, so keep sweeping; cut whatever is left after 2 s.
  const sweep = setInterval(() => httpServer.closeIdleConnections(), 25);
  const force = setTimeout(() => httpServer.closeAllConnections(), 2_000);
  try {
    await io.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
}
