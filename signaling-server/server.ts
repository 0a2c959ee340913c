/**
 * createSignalingServer: builds the HTTP server and the socket.io server, starts
 * the node's role — standalone (state in this process) or, with a Redis URL, a
 * cluster node — and listens. Everything a socket can do is in switchboard.ts
 * and handlers.ts; standalone.ts and clusterNode.ts deliver it.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { ConnectionGate } from './connectionGate';
import { guardHosts, refuseUpgradesWhen } from './hostGuard';
import { createRedirectHandler, createRequestHandler, type HealthStats } from './http';
import { createLogger, describeError } from './logger';
import { advertiseServer, type Advertisement } from './mdns';
import { resolveOptions, type ResolvedOptions, type SignalingServerOptions } from './options';
import { LIMITS } from './protocol';
import { attachConnectionGate, type IoServer } from './socketServer';
import { loadMembershipKey } from './serverSecret';
import { startStandalone, type NodeRole } from './standalone';
import { loadTls, plaintextLanWarning } from './tls';
import { SERVER_VERSION } from './version';

/** engine.io's Server.errors.FORBIDDEN: what allowRequest's refusals are reported as. */
const ENGINE_FORBIDDEN = 4;

export interface SignalingServer {
  /** e.g. http://127.0.0.1:54321 */
  readonly url: string;
  readonly address: { host: string; port: number };
  /** With TLS: the certificate's SHA-256 fingerprint (AB:CD:…), which clients pin; changes on reloadTls(). */
  readonly tlsFingerprint: string | null;
  /**
   * Reads the certificate and key again (a renewed certificate: parley-server does
   * this on SIGHUP) and serves them to new connections; the mDNS announcement
   * follows a changed fingerprint. Resolves with the fingerprint; a file that is
   * not a matching key and certificate rejects, and the old ones stay in use.
   * Without TLS it rejects.
   */
  reloadTls(): Promise<string>;
  /** With --http-redirect: the port of the plain-http listener that redirects to https. */
  readonly redirectPort: number | null;
  stats(): HealthStats;
  /**
   * Tells this node's clients 'server:shutdown', disconnects them, leaves the
   * cluster (a coordinator hands over at once), closes HTTP; idempotent.
   */
  close(): Promise<void>;
}

/** Resolves when listening; rejects with a clear Error (code kept, e.g. EADDRINUSE). */
export async function createSignalingServer(input: SignalingServerOptions = {}): Promise<SignalingServer> {
  const options = resolveOptions(input);
  const log = options.logger ?? createLogger(options.logLevel);
  // Before anything listens or is built: a bad key file is a startup error with
  // nothing to tear down.
  const membershipKey = loadMembershipKey(options, log);
  let tls = options.tls === null ? null : await loadTls(options.tls, options.dataDir, log);
  const plaintextWarning = plaintextLanWarning(options.host, options.tls);
  if (plaintextWarning !== null) log.warn({ host: options.host }, plaintextWarning);
  const startedAt = Date.now();
  let role: NodeRole | null = null;

  const stats = (): HealthStats => ({
    uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
    ...(role?.stats() ?? { usersOnline: 0, devicesOnline: 0, activeCalls: 0 }),
  });

  const handler = createRequestHandler({
    clientDir: options.clientDir,
    stats,
    version: SERVER_VERSION,
    tlsFingerprint: () => tls?.fingerprint ?? null,
    onError: (err, where) => log.warn({ err: describeError(err), where }, 'HTTP request failed'),
  });
  // https.Server is an http.Server over TLS sockets: the same events, the same guards.
  const httpsServer = tls === null ? null : createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  const httpServer: HttpServer = httpsServer ?? createServer(handler);
  // Per-address limits, decided before any socket.io work (connectionGate.ts).
  const gate = new ConnectionGate(
    { addressLimits: options.addressLimits, trustedProxies: options.trustedProxies, limitLoopback: options.limitLoopback },
    log,
  );
  const io: IoServer = new Server(httpServer, {
    transports: ['websocket'],
    allowRequest: gate.allowRequest,
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
    // FORBIDDEN is the connection gate's own refusal, already logged once per address per window.
    if (err.code === ENGINE_FORBIDDEN) return;
    log.debug({ code: err.code, message: err.message }, 'engine connection refused');
  });
  io.engine.on('connection', gate.onEngineConnection);
  // First of all middlewares: the node role's handshake comes after it.
  io.use(gate.middleware);
  attachConnectionGate(io, gate);
  // After socket.io attached its listeners: a flooding address is turned away in
  // front of engine.io, and the Host check goes in front of everything.
  refuseUpgradesWhen(httpServer, gate.floodRefusal);
  guardHosts(httpServer, options.allowedHosts, (host) =>
    gate.refusalLog.note(`host ${String(host).slice(0, 100)}`, 'host_forbidden', { code: 'host_forbidden', host: String(host).slice(0, 100) }),
  );

  if (options.redisUrl === undefined) {
    role = startStandalone(io, options, log, membershipKey);
  } else {
    // Loaded only when clustering, so a desktop app embedding the server never
    // loads the Redis client.
    const { startClusterNode } = await import('./clusterNode');
    role = startClusterNode(io, { ...options, redisUrl: options.redisUrl }, log, membershipKey);
  }
  const node = role;

  let address: { host: string; port: number };
  try {
    address = await listen(httpServer, options, io);
  } catch (err) {
    gate.dispose();
    await node.shutdown().catch(() => undefined);
    await node.release().catch(() => undefined);
    throw err;
  }
  httpServer.on('error', (err) => log.error({ err: describeError(err) }, 'HTTP server error'));
  httpServer.on('clientError', (_err, netSocket) => {
    if (netSocket.writable) netSocket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else netSocket.destroy();
  });
  let redirect: HttpServer | null = null;
  if (options.httpRedirectPort !== undefined) {
    redirect = createServer(createRedirectHandler(address.port, options.host));
    try {
      await listen(redirect, { ...options, port: options.httpRedirectPort }, null);
    } catch (err) {
      await node.shutdown().catch(() => undefined);
      await closeIo(io, httpServer);
      await node.release().catch(() => undefined);
      gate.dispose();
      // Named as the redirect's, so nobody is sent to change the https port.
      throw Object.assign(new Error(`the http redirect cannot start: ${(err as Error).message} (choose another --http-redirect port)`, { cause: err }), {
        code: 'ERR_PARLEY_REDIRECT_LISTEN',
      });
    }
    redirect.on('error', (err) => log.error({ err: describeError(err) }, 'HTTP redirect server error'));
  }
  const advertise = (): Advertisement =>
    advertiseServer({
      name: options.serverName,
      port: address.port,
      fingerprint: tls?.fingerprint ?? null,
      passwordRequired: options.password !== '',
      log,
    });
  let advertisement: Advertisement | null = options.mdns ? advertise() : null;
  log.info(
    { host: address.host, port: address.port, version: SERVER_VERSION, ...(tls ? { tlsFingerprint: tls.fingerprint } : {}) },
    'Parley server listening',
  );

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await advertisement?.stop();
      if (redirect !== null) {
        const server = redirect;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Connections that never sent a request would hold close() open.
          server.closeAllConnections();
        });
      }
      await node.shutdown();
      await closeIo(io, httpServer);
      await node.release();
      gate.dispose();
      log.info('Parley server closed');
    })();
    return closed;
  };

  const reloadTls = async (): Promise<string> => {
    if (options.tls === null || httpsServer === null || tls === null) throw new Error('this server has no TLS to reload');
    const before = tls.fingerprint;
    const fresh = await loadTls(options.tls, options.dataDir, log);
    httpsServer.setSecureContext({ key: fresh.key, cert: fresh.cert });
    tls = fresh;
    log.info({ fingerprint: fresh.fingerprint, changed: fresh.fingerprint !== before }, 'TLS certificate reloaded');
    if (advertisement !== null && fresh.fingerprint !== before && closed === null) {
      await advertisement.stop();
      advertisement = advertise();
    }
    return fresh.fingerprint;
  };

  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    url: `${tls === null ? 'http' : 'https'}://${host}:${address.port}`,
    address,
    get tlsFingerprint() {
      return tls?.fingerprint ?? null;
    },
    reloadTls,
    redirectPort: options.httpRedirectPort ?? null,
    stats,
    close,
  };
}

async function listen(httpServer: HttpServer, options: Pick<ResolvedOptions, 'host' | 'port'>, io: IoServer | null): Promise<{ host: string; port: number }> {
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(options.port, options.host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await io?.close().catch(() => undefined);
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
