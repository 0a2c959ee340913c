/**
 * A single node (no Redis): presence and calls in this process, delivered to this
 * node's own sockets directly. The relay path is socket → schema → registry →
 * socket.emit, with nothing in between.
 */
import type { Logger } from 'pino';
import type { Party } from './callRecord';
import { installEventDispatch } from './eventDispatch';
import { releaseHandshake } from './handshakeRelease';
import type { HealthStats } from './http';
import { describeError } from './logger';
import type { ResolvedOptions } from './options';
import type { Profile } from './presence';
import type { UserId } from './protocol';
import { installHandshake, logSocketErrors, sayGoodbye, type IoServer, type IoSocket } from './socketServer';
import { JanusPool } from './sfu/janusPool';
import { Switchboard, type Transport } from './switchboard';
import { iceServersFor } from './turnCredentials';

/** What a socket holds of its contact list once presence has its own copy: one frozen empty list for all (not an array per socket). */
const HANDED_OVER = Object.freeze([]) as unknown as UserId[];

/** What createSignalingServer needs from a node, standalone or clustered. */
export interface NodeRole {
  stats(): Omit<HealthStats, 'uptimeSeconds'>;
  /** Before io.close(): tell this node's clients goodbye, leave the cluster. */
  shutdown(): Promise<void>;
  /** After io.close(): release what outlives socket.io (Redis connections). */
  release(): Promise<void>;
}

/** `membershipKey`: from loadMembershipKey (serverSecret.ts), once per process. */
export function switchboardOptions(options: ResolvedOptions, log: Logger, membershipKey: Buffer) {
  return {
    maxParticipants: options.maxParticipants,
    ringTimeoutMs: options.ringTimeoutMs,
    rejoinGraceMs: options.rejoinGraceMs,
    membershipKey,
    inviteLimits: options.inviteLimits,
    maxDevicesPerUser: options.maxDevicesPerUser,
    iceServers: (userId: string) => iceServersFor(userId, options.turn, options.stunUrls, Date.now()),
    directory: options.directory,
    log,
  };
}

/** `membershipKey`: from loadMembershipKey (serverSecret.ts), read once by createSignalingServer. */
export function startStandalone(io: IoServer, options: ResolvedOptions, log: Logger, membershipKey: Buffer): NodeRole {
  let closing = false;
  const transport: Transport<IoSocket> = {
    send: (socket, event, ...args) => {
      // socket.io's emit cannot follow the generic pair (event, args) through its
      // own conditional types; Transport's signature has already checked the pair.
      (socket.emit as (event: string, ...rest: unknown[]) => boolean).call(socket, event, ...args);
    },
    sendToMany: (sockets, event, ...args) => {
      // Nothing to send; and io.to([]) would mean every socket.
      if (sockets.length === 0) return;
      const [only] = sockets;
      if (sockets.length === 1 && only !== undefined) {
        (only.emit as (event: string, ...rest: unknown[]) => boolean).call(only, event, ...args);
        return;
      }
      // One broadcast to the sockets' own rooms (each socket is in the room of its id):
      // socket.io encodes the packet and its WebSocket frame once for all of them,
      // instead of a JSON text, a UTF-8 copy and a frame per socket (a presence
      // change goes to every online contact, a connect storm sends hundreds of
      // thousands). Still exactly these sockets; one that is gone is skipped.
      (io.to(sockets.map((socket) => socket.id)).emit as (event: string, ...rest: unknown[]) => boolean)(event, ...args);
    },
    kick: (socket, error) => {
      socket.emit('session:kicked', error);
      socket.disconnect(true);
    },
  };
  // Group calls through Janus (issue 17): only a single node drives Janus for now.
  const janus =
    options.janusUrls.length === 0
      ? undefined
      : new JanusPool({
          urls: options.janusUrls,
          apiSecret: options.janusSecret,
          adminKey: options.janusAdminKey,
          maxPublishers: options.maxSfuParticipants,
          log: log.child({ part: 'sfu' }),
        });
  const board = new Switchboard<IoSocket>(
    { ...switchboardOptions(options, log, membershipKey), janus, maxSfuParticipants: options.maxSfuParticipants },
    transport,
  );
  janus?.start().catch((err: unknown) => log.error({ err: describeError(err) }, 'could not start the Janus connections'));

  installHandshake(io, {
    allowedOrigins: options.allowedOrigins,
    password: options.password,
    deviceOwner: (deviceId) => board.deviceOwner(deviceId),
    devicesOnline: (userId) => board.presence.devicesOf(userId),
    maxDevicesPerUser: options.maxDevicesPerUser,
  }, log);

  io.on('connection', (socket) => {
    try {
      onConnection(socket);
    } catch (err) {
      log.error({ err: describeError(err) }, 'connection setup failed');
      socket.disconnect(true);
    }
  });

  function onConnection(socket: IoSocket): void {
    const party: Party = { userId: socket.data.userId, deviceId: socket.data.deviceId, displayName: socket.data.displayName };
    const profile: Profile = { userKey: socket.data.userKey, contacts: socket.data.contacts, strangerCalls: socket.data.strangerCalls };
    logSocketErrors(io, socket, log);
    if (closing) {
      socket.disconnect(true);
      return;
    }
    if (!board.connect(party, profile, socket)) return;
    // Presence keeps its own copy of the contact list; the socket need not hold one.
    socket.data.contacts = HANDED_OVER;
    // One middleware per socket parses, limits and answers every client event
    // (eventDispatch.ts); the upgrade request is let go once the handshake is done.
    // Together they save ~4 KiB of heap per connection (npm run bench).
    releaseHandshake(socket);
    installEventDispatch(socket, (event, payload) => board.handle(party, event, payload), options.rateLimit, log);
    socket.on('disconnect', () => {
      if (closing) return;
      try {
        board.disconnect(party, socket);
      } catch (err) {
        log.error({ err: describeError(err), deviceId: party.deviceId }, 'disconnect handling failed');
      }
    });
    log.debug({ userId: party.userId, deviceId: party.deviceId }, 'device connected');
  }

  return {
    stats: () => board.stats(),
    shutdown: async () => {
      closing = true;
      board.dispose();
      janus?.close();
      await sayGoodbye(io);
    },
    release: async () => {},
  };
}
