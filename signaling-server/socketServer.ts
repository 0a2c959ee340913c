/**
 * The socket.io shell shared by a single node and a cluster node: the typed
 * server, the handshake middleware, and the goodbye on shutdown.
 */
import type { Server, Socket } from 'socket.io';
import type { ConnectionGate } from './connectionGate';
import { checkHandshake, type HandshakePolicy, type HandshakeResult } from './handshake';
import type { Logger } from 'pino';
import { describeError } from './logger';
import type {
  ClientToServerEvents,
  ConnectRefusal,
  ServerToClientEvents,
  SocketData,
} from './protocol';
import type { InterServerEvents } from './clusterProtocol';

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const gates = new WeakMap<IoServer, ConnectionGate>();

/**
 * The server's connection gate (connectionGate.ts), set by createSignalingServer
 * before a node role installs its handshake: the handshake reports its refusals
 * there (failed sign-ins per address, one log line per address per window, and
 * the connection closed after the refusal) whichever role installed it.
 */
export function attachConnectionGate(io: IoServer, gate: ConnectionGate): void {
  gates.set(io, gate);
}

/**
 * Logs a socket's 'error' events — malformed packets, which socket.io reports
 * there before closing the connection — as one short line per address per
 * window (connectionGate.ts): never the payload, never a stack.
 */
export function logSocketErrors(io: IoServer, socket: IoSocket, log: Logger): void {
  const deviceId = socket.data.deviceId;
  socket.on('error', (err: unknown) => {
    const gate = gates.get(io);
    if (gate) gate.socketError(socket, deviceId, err);
    else log.debug({ reason: describeError(err).message.slice(0, 120), deviceId }, 'malformed input from a client');
  });
}

/**
 * The Engine.IO session id of the socket's connection: the fresh random value the
 * server sent in the transport's open packet, which the client reads as
 * `socket.io.engine.id` and signs. engine.io's typings mark it private because it
 * must not be shared with OTHER clients (it authorises HTTP polling requests);
 * here it is only compared with what this connection's own client signed.
 */
function engineSessionId(socket: IoSocket): string {
  return (socket.conn as unknown as { id: string }).id;
}

/**
 * Runs `checkHandshake` (async: it verifies signatures) on every (re)connection; a refusal reaches the client as
 * `connect_error` with `data: ConnectRefusal`. `unavailable` refuses everyone
 * for a reason of the server's own (a cluster node cut off from Redis), after the
 * client's own mistakes were reported.
 */
export function installHandshake(
  io: IoServer,
  policy: HandshakePolicy,
  log: Logger,
  unavailable: () => ConnectRefusal | null = () => null,
): void {
  io.use((socket, next) => {
    void decide(socket).then((result) => finish(socket, result, next));
  });

  async function decide(socket: IoSocket): Promise<HandshakeResult> {
    try {
      const result = await checkHandshake({ headers: socket.handshake.headers, sessionId: engineSessionId(socket) }, socket.handshake.auth, policy);
      const refusal = result.ok ? unavailable() : null;
      return refusal ? { ok: false, refusal } : result;
    } catch (err) {
      log.error({ err: describeError(err) }, 'handshake check failed');
      return { ok: false, refusal: { code: 'internal', message: 'The server could not check this connection. Try again.' } };
    }
  }

  function finish(socket: IoSocket, result: HandshakeResult, next: (err?: Error) => void): void {
    if (!result.ok) {
      const err = new Error(result.refusal.message) as Error & { data: ConnectRefusal };
      err.data = result.refusal;
      next(err);
      const gate = gates.get(io);
      if (gate) {
        gate.handshakeRefused(socket, result.refusal);
      } else {
        // Only a server built without createSignalingServer has no gate: still close.
        log.info({ code: result.refusal.code, address: socket.handshake.address }, 'connection refused');
        setImmediate(() => socket.conn.close());
      }
      return;
    }
    // Written out rather than spread: V8 gives every object a spread builds on this path a
    // hidden class of its own (~250 bytes per socket in a heap snapshot of 3,000 clients).
    const { party, profile } = result;
    socket.data = {
      userId: party.userId,
      deviceId: party.deviceId,
      displayName: party.displayName,
      userKey: profile.userKey,
      contacts: [...profile.contacts],
      strangerCalls: profile.strangerCalls,
    };
    gates.get(io)?.handshakeAdmitted(socket);
    next();
  }
}

/**
 * Say goodbye to this node's sockets, then close each connection once its last
 * packets are written: `io.close()` alone discards what is still buffered, so
 * clients would never see 'server:shutdown'. The transport is closed without a
 * socket.io DISCONNECT packet, so clients see "transport close" and reconnect by
 * themselves (after an "io server disconnect" socket.io-client would wait to be
 * told to reconnect). `io.local`: in a cluster, other nodes' clients stay.
 */
export async function sayGoodbye(io: IoServer): Promise<void> {
  io.local.emit('server:shutdown', { message: 'The Parley server is shutting down. Parley reconnects by itself when it is back.' });
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
