/**
 * A cluster node (the server started with a Redis URL). Nodes sharing a Redis
 * share presence, calls and relay:
 *
 * - every node is a gateway for its own sockets (clusterGateway.ts): handshake,
 *   rate limit and payload checks happen where the socket is;
 * - one node at a time is the coordinator (clusterCoordinator.ts), elected with a
 *   lease in Redis (clusterLease.ts); it runs the same Switchboard as a single
 *   node and reaches sockets on any node through socket.io's Redis Streams
 *   adapter (clusterRedis.ts);
 * - when the coordinator goes, another node takes the lease within
 *   LEASE.ttlMs + LEASE.intervalMs (at once after a clean shutdown), rebuilds
 *   presence from the sockets and welcomes them again; clients re-attach their
 *   calls with `call:rejoin`.
 *
 * Redis holds only the lease (`parley:coordinator`), the adapter's stream
 * (`parley:socket.io`, capped at ~10 000 entries) and its pub/sub channels: no
 * presence or call state, nothing to migrate or clean up. With `--janus-url`
 * (the same list on every node), the coordinator drives Janus (clusterSfu.ts)
 * and Redis also holds which Janus room each call on the SFU has
 * (`parley:sfu-rooms`) and the coordinator's URL list (`parley:janus-urls`), so
 * that the next coordinator can move those calls and destroy the old rooms.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { Coordinator } from './clusterCoordinator';
import { Gateway } from './clusterGateway';
import { CoordinatorLease } from './clusterLease';
import { coordinatorReleasedSchema, nodeClientEventSchema, nodeLateAckSchema, nodeSocketRefSchema } from './clusterMessages';
import { ClusterRedis, KEY_PREFIX } from './clusterRedis';
import { ClusterSfu } from './clusterSfu';
import { describeError } from './logger';
import type { ResolvedOptions } from './options';
import type { InterServerEvents, NodeReply } from './clusterProtocol';
import type { Ack } from './protocol';
import { installHandshake, sayGoodbye, type IoServer } from './socketServer';
import { switchboardOptions, type NodeRole } from './standalone';

export const LEASE = {
  key: `${KEY_PREFIX}coordinator`,
  ttlMs: 3_000,
  intervalMs: 500,
  /** A holder steps down this long before Redis would let another node take over. */
  marginMs: 500,
} as const;

const NOT_HANDLED: NodeReply = { handled: false };
/**
 * A request that answers later, forwarded by a gateway that gave no requestId (an
 * older node): answered within the adapter's reply window (5 s, socket.io-adapter's
 * DEFAULT_TIMEOUT), or refused.
 */
const INLINE_ACK_MS = 4_000;

/** `membershipKey`: read once by createSignalingServer; every coordinator this node becomes signs and checks with it. */
export function startClusterNode(
  io: IoServer,
  options: ResolvedOptions & { redisUrl: string },
  baseLog: Logger,
  membershipKey: Buffer,
): NodeRole {
  const nodeId = `node-${randomBytes(9).toString('base64url')}`;
  const log = baseLog.child({ nodeId });
  if (options.membershipSecret === undefined) {
    log.warn(
      options.janusUrls.length === 0
        ? 'no membership secret shared by the cluster (membershipSecret, PARLEY_MEMBERSHIP_SECRET): after a coordinator change, calls can be rejoined only if every node reads the same key file'
        : 'no membership secret shared by the cluster (membershipSecret, PARLEY_MEMBERSHIP_SECRET): after a coordinator change, calls can be rejoined, and the previous coordinator\'s Janus rooms destroyed, only if every node reads the same key file',
    );
  }
  let coordinator: Coordinator | null = null;
  let closing = false;
  const ready = (): Coordinator | null => (coordinator?.ready ? coordinator : null);

  const redis = new ClusterRedis(options.redisUrl, io, log, () => lease.tryNow());
  const lease = new CoordinatorLease({
    ...LEASE,
    store: redis.lease,
    holder: nodeId,
    canTry: () => redis.ready,
    onChange: (held) => (held ? takeOver() : stepDown()),
    log,
  });
  const gateway = new Gateway({
    io,
    nodeId,
    rateLimit: options.rateLimit,
    localCoordinator: ready,
    canAsk: () => redis.ready,
    log,
  });

  function takeOver(): void {
    if (closing) return;
    // Every node has the same --janus-url list; only the coordinator connects to Janus.
    const sfu =
      options.janusUrls.length === 0
        ? undefined
        : new ClusterSfu({
            urls: options.janusUrls,
            apiSecret: options.janusSecret,
            adminKey: options.janusAdminKey,
            maxPublishers: options.maxSfuParticipants,
            membershipKey,
            store: redis.sfuRooms,
            log: log.child({ part: 'sfu' }),
          });
    const role = new Coordinator(
      io,
      { ...switchboardOptions(options, log, membershipKey), maxSfuParticipants: options.maxSfuParticipants },
      log,
      sfu,
    );
    coordinator = role;
    log.info('this node is now the coordinator; rebuilding presence from the sockets of every node');
    role.start().catch((err: unknown) => log.error({ err: describeError(err) }, 'coordinator start failed'));
  }

  function stepDown(): void {
    if (!coordinator) return;
    coordinator.stop();
    coordinator = null;
    if (!closing) log.warn('this node lost the coordinator lease (Redis unreachable or too slow); another node takes over');
  }

  // ─── requests from other nodes' gateways ─────────────────────────────────
  // Every node hears them; only a ready coordinator handles them. `ack` is
  // checked: whatever published the message may not have asked for an answer.
  const answer = (ack: unknown, reply: () => object): void => {
    if (typeof ack === 'function') (ack as (reply: object) => void)(reply());
  };
  const unreadable = (event: string, problem: unknown): NodeReply => {
    // A node of another version, most likely; its gateway retries, then gives up.
    log.warn({ event, problem: String(problem) }, 'a forwarded request could not be read; ignored');
    return NOT_HANDLED;
  };
  io.on('node:connect', (payload: unknown, ack: unknown) =>
    answer(ack, () => {
      const role = ready();
      if (!role) return NOT_HANDLED;
      const ref = nodeSocketRefSchema.safeParse(payload);
      if (!ref.success) return unreadable('node:connect', ref.error.issues[0]?.message);
      return { handled: true, nodeId, admitted: role.connect(ref.data) };
    }),
  );
  io.on('node:disconnect', (payload: unknown, ack: unknown) =>
    answer(ack, () => {
      const role = ready();
      if (!role) return NOT_HANDLED;
      const ref = nodeSocketRefSchema.safeParse(payload);
      if (!ref.success) return unreadable('node:disconnect', ref.error.issues[0]?.message);
      try {
        role.disconnect(ref.data.socketId);
      } catch (err) {
        log.error({ err: describeError(err), deviceId: ref.data.party.deviceId }, 'disconnect handling failed');
      }
      return { handled: true, nodeId };
    }),
  );
  /** To every other node, through the adapter (see Gateway.askOthers for why not io.serverSideEmit). */
  const tellOthers = <E extends 'node:ack'>(event: E, payload: Parameters<InterServerEvents[E]>[0]): void => {
    const adapter = io.of('/').adapter as unknown as { serverSideEmit(packet: unknown[]): unknown };
    Promise.resolve()
      .then(() => adapter.serverSideEmit([event, payload]))
      .catch((err: unknown) => log.warn({ err: describeError(err), event }, 'could not reach the other nodes; a forwarded request goes unanswered'));
  };
  io.on('node:event', (payload: unknown, ack: unknown) => {
    if (typeof ack !== 'function') return;
    const reply = ack as (reply: object) => void;
    const role = ready();
    if (!role) return reply(NOT_HANDLED);
    const message = nodeClientEventSchema.safeParse(payload);
    if (!message.success) return reply(unreadable('node:event', message.error.issues[0]?.message));
    const { event, requestId, nodeId: gatewayId } = message.data;
    const failed = (err: unknown): Ack<object> => {
      log.error({ err: describeError(err), event }, 'a handler threw');
      return { ok: false, error: { code: 'internal', message: `The server failed to handle "${event}". Try again.` } };
    };
    let result: Ack<object> | Promise<Ack<object>>;
    try {
      result = role.event(message.data);
    } catch (err) {
      result = failed(err);
    }
    if (!(result instanceof Promise)) return reply({ handled: true, nodeId, ack: result });
    // An `sfu:*` request: Janus answers in its own time. The gateway hears it was
    // taken now, and gets the ack as `node:ack` (it gives up after its own patience).
    const later = result.catch(failed);
    if (requestId === undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<Ack<object>>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, error: { code: 'sfu_failed', message: `The media server did not answer "${event}" in time. Try again.` } }),
          INLINE_ACK_MS,
        );
      });
      void Promise.race([later, late]).then((done) => {
        clearTimeout(timer);
        reply({ handled: true, nodeId, ack: done });
      });
      return;
    }
    reply({ handled: true, nodeId, pending: true });
    void later.then((done) => tellOthers('node:ack', { nodeId: gatewayId, requestId, ack: done }));
  });
  io.on('node:ack', (payload: unknown) => {
    const message = nodeLateAckSchema.safeParse(payload);
    if (!message.success) {
      log.warn({ problem: String(message.error.issues[0]?.message) }, 'a forwarded ack could not be read; ignored');
      return;
    }
    if (message.data.nodeId === nodeId) gateway.lateAck(message.data);
  });
  io.on('node:coordinator-released', (payload: unknown) => {
    if (coordinatorReleasedSchema.safeParse(payload).success) lease.tryNow();
  });

  // ─── this node's sockets ─────────────────────────────────────────────────
  installHandshake(
    io,
    {
      allowedOrigins: options.allowedOrigins,
      password: options.password,
      // Device ownership and the device cap are the coordinator's to check (Switchboard.adopt kicks).
      deviceOwner: () => undefined,
      devicesOnline: () => [],
      maxDevicesPerUser: options.maxDevicesPerUser,
    },
    log,
    () =>
      redis.ready
        ? null
        : {
            code: 'internal',
            message: 'This Parley server cannot reach the rest of its cluster (Redis) right now. Parley retries, or tries another server.',
          },
  );
  io.on('connection', (socket) => {
    try {
      gateway.onConnection(socket);
    } catch (err) {
      log.error({ err: describeError(err) }, 'connection setup failed');
      socket.disconnect(true);
    }
  });
  lease.start();

  return {
    stats: () => {
      const users = new Set<string>();
      const devices = new Set<string>();
      for (const socket of io.of('/').sockets.values()) {
        users.add(socket.data.userId);
        devices.add(socket.data.deviceId);
      }
      return {
        // This node's own connections; calls are counted by the coordinator.
        usersOnline: users.size,
        devicesOnline: devices.size,
        activeCalls: ready()?.stats().activeCalls ?? 0,
        nodeId,
        cluster: { redis: redis.ready ? 'connected' : 'disconnected', coordinator: ready() !== null },
      };
    },
    shutdown: async () => {
      closing = true;
      gateway.refuseNewSockets();
      const wasCoordinator = coordinator !== null;
      // Hand over first, so that another node is rebuilding while this node's
      // clients reconnect to it.
      await lease.stop();
      stepDown();
      if (wasCoordinator && redis.ready) io.serverSideEmit('node:coordinator-released', { nodeId });
      await sayGoodbye(io);
      await gateway.drain(1_000);
    },
    release: () => redis.close(),
  };
}
