/**
 * The coordinator role of a cluster node: the one Switchboard of the cluster,
 * fed by every node's gateway, reaching sockets on any node by id through the
 * Redis adapter (`io.to(socketId)` is published on the adapter's stream and
 * delivered by the node that holds the socket, in order).
 *
 * Why one owner instead of state in Redis: presence and calls keep the exact,
 * tested single-node rules and timers (ring timeout, grace period, queued
 * signals) with no distributed locking per call; Redis carries only the lease
 * and the messages. The price is that a coordinator's death loses call state:
 * the next coordinator rebuilds presence from the sockets themselves
 * (`fetchSockets`, socket.data has who each one is), welcomes every socket
 * again (`call: null`), and clients re-attach their calls with `call:rejoin`,
 * which rebuilds an unknown call id for members that bring their membership
 * token (callReattach.ts; every node signs with the same secret). Media keeps
 * flowing peer to peer meanwhile; a call that was on the SFU is rebuilt there in
 * a new room and its members restart their Janus connections (clusterSfu.ts). Block lists, invite limits and the device cap
 * are the coordinator's too: lists are sent again by the clients after the new
 * welcome; the limits start afresh. Contact lists come back from the sockets
 * (the gateway keeps each socket's list current in socket.data); pending contact
 * and link requests are lost with the coordinator (the apps ask again after the
 * next welcome).
 */
import type { Logger } from 'pino';
import type { Party } from './callRecord';
import type { Profile } from './presence';
import { socketDataSchema } from './clusterMessages';
import { describeError } from './logger';
import { clientSchemas } from './handlers';
import type { ChosenStatusMark, NodeClientEvent, NodeSocketRef } from './clusterProtocol';
import type { ClusterSfu } from './clusterSfu';
import type { Ack, CallSnapshot, ChosenStatus, ClientEventName, UserId } from './protocol';
import type { IoServer } from './socketServer';
import { Switchboard, type SwitchboardOptions, type SwitchboardStats, type Transport } from './switchboard';
import { describeIssues } from './eventGuard';

/**
 * How often the coordinator compares its sockets with those the nodes really
 * hold. A node killed without goodbye never forwards its sockets' disconnects:
 * until this runs, their users look online and their call places look connected
 * (signals to them are lost, not queued; a device that reconnects elsewhere
 * replaces its old socket at once).
 */
const RECONCILE_EVERY_MS = 3_000;
/** A listing that found sockets nobody registered is checked again this soon (see adoptStrays). */
const CONFIRM_STRAYS_MS = 1_000;
const RETRY_REBUILD_MS = 500;

type Emitter = { emit: (event: string, ...args: unknown[]) => boolean };
const emitOn = (target: object, event: string, args: unknown[]): void => {
  // socket.io's emit cannot follow the generic pair (event, args) through its
  // own conditional types; Transport's signature has already checked the pair.
  (target as Emitter).emit(event, ...args);
};

const notRegistered: Ack = {
  ok: false,
  error: { code: 'internal', message: 'This connection is not registered with the server any more. Reconnect and try again.' },
};

export class Coordinator {
  private readonly board: Switchboard<string>;
  /** Every socket the board was given, with the generation it came in (see reconcile). */
  private readonly known = new Map<string, { party: Party; generation: number }>();
  private generation = 0;
  private state: 'rebuilding' | 'ready' | 'stopped' = 'rebuilding';
  private reconcileTimer: ReturnType<typeof setInterval> | null = null;
  private reconciling = false;
  /** Live sockets the last listing found unregistered, and those whose data did not parse (warned once). */
  private strays = new Set<string>();
  private unreadable = new Set<string>();
  private confirmTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly transport: Transport<string>;

  /** `sfu`: the Janus side when the cluster has `--janus-url`s (clusterSfu.ts); the coordinator owns and closes it. */
  constructor(
    private readonly io: IoServer,
    options: SwitchboardOptions,
    private readonly log: Logger,
    private readonly sfu?: ClusterSfu,
  ) {
    const transport: Transport<string> = {
      send: (socketId, event, ...args) => emitOn(io.to(socketId), event, args),
      // One publish for the lot: io.to(ids) reaches each socket on whichever node holds it.
      sendToMany: (socketIds, event, ...args) => {
        if (socketIds.length > 0) emitOn(io.to([...socketIds]), event, args);
      },
      kick: (socketId, error) => {
        io.to(socketId).emit('session:kicked', error);
        io.in(socketId).disconnectSockets(true);
      },
    };
    this.transport = transport;
    this.board = new Switchboard(
      sfu ? { ...options, janus: sfu.pool, sfuCallsBefore: (callId) => sfu.wasOnSfu(callId) } : options,
      transport,
    );
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Rebuilds presence from the sockets of every node, welcomes them all, then serves. */
  async start(): Promise<void> {
    // Janus first: a call rebuilt on the SFU needs a reachable instance, and the
    // earlier coordinator's rooms are listed before this one creates any.
    if (this.sfu) await this.sfu.prepare();
    while (this.state === 'rebuilding') {
      try {
        const sockets = await this.io.fetchSockets();
        if (this.state !== 'rebuilding') return;
        this.rebuild(sockets);
        this.state = 'ready';
      } catch (err) {
        this.log.warn({ err: describeError(err) }, 'could not list the sockets of every node; retrying');
        await new Promise((resolve) => setTimeout(resolve, RETRY_REBUILD_MS));
      }
    }
    if (this.state !== 'ready') return;
    this.log.info({ sockets: this.known.size }, 'coordinator ready');
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
  }

  /** Forgets everything (lease lost, or shutdown). Clients are not told: the next coordinator welcomes them. */
  stop(): void {
    this.state = 'stopped';
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.reconcileTimer = null;
    if (this.confirmTimer) clearTimeout(this.confirmTimer);
    this.confirmTimer = null;
    this.board.dispose();
    this.sfu?.close();
    this.known.clear();
  }

  stats(): SwitchboardStats {
    return this.board.stats();
  }

  // ─── what gateways forward (local calls, or parsed messages from other nodes) ──

  /** A gateway's new socket: false when it was refused (kicked) or could not be registered (disconnected). */
  connect(ref: NodeSocketRef): boolean {
    return this.register(ref.socketId, ref.party, ref.profile);
  }

  disconnect(socketId: string): void {
    const entry = this.known.get(socketId);
    if (!entry) return;
    this.known.delete(socketId);
    this.board.disconnect(entry.party, socketId);
  }

  /** A client event; the payload is parsed again here, whoever forwarded it. `sfu:*` answer later (Janus). */
  event(message: NodeClientEvent): Ack<object> | Promise<Ack<object>> {
    const entry = this.known.get(message.socketId);
    // Acting as the party we registered, not as whatever the message claims.
    if (!entry || this.board.presence.socketOf(entry.party.deviceId) !== message.socketId) return notRegistered;
    return this.handle(entry.party, message.event, message.payload);
  }

  // ─── internals ───────────────────────────────────────────────────────────

  private handle<E extends ClientEventName>(party: Party, event: E, payload: unknown): Ack<object> | Promise<Ack<object>> {
    const parsed = clientSchemas[event].safeParse(payload);
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'invalid_payload', message: `The "${event}" request is not valid: ${describeIssues(parsed.error)}.` },
      };
    }
    const ack = this.board.handle(party, event, parsed.data);
    if (ack instanceof Promise) {
      // Only `sfu:*` answer later; the desk answers its own failures, so a rejection is a bug.
      return ack.catch((err: unknown): Ack<object> => {
        this.log.error({ err: describeError(err), event }, 'an SFU request failed');
        return { ok: false, error: { code: 'internal', message: `The server failed to handle "${event}". Try again.` } };
      });
    }
    if (event === 'call:rejoin' && ack.ok) this.restartIfMoved(party, (ack as unknown as { call: CallSnapshot }).call);
    return ack;
  }

  /**
   * A member rejoined a call that was on the SFU under an earlier coordinator: its
   * room is gone with that coordinator, so it publishes and subscribes again in
   * the new room (`sfu:restart`, the path of a Janus instance that died). Sent
   * after the ack, so the client knows the call again first.
   */
  private restartIfMoved(party: Party, call: CallSnapshot): void {
    if (call.topology !== 'sfu' || !this.sfu?.restartFor(call.callId, party.deviceId)) return;
    setImmediate(() => {
      const socketId = this.board.presence.socketOf(party.deviceId);
      if (socketId === undefined || this.state !== 'ready') return;
      this.log.info({ callId: call.callId, deviceId: party.deviceId }, 'a member rejoined a call that was on the SFU before this coordinator: sfu:restart');
      this.transport.send(socketId, 'sfu:restart', {
        callId: call.callId,
        reason: 'The server changed its coordinator, which drives the media server; connecting to a new room.',
      });
    });
  }

  /** A socket into the board, welcomed and announced; `chosen` as Switchboard.connect. */
  private register(socketId: string, party: Party, profile: Profile, chosen?: ChosenStatus): boolean {
    // Adopted (and welcomed) while rebuilding or reconciling, before its gateway's connect got through.
    if (this.known.has(socketId)) return true;
    try {
      const admitted = this.board.connect(party, profile, socketId, chosen);
      if (admitted) this.remember(socketId, party);
      return admitted;
    } catch (err) {
      // Disconnected without a kick, so the client connects again by itself.
      this.log.error({ err: describeError(err), deviceId: party.deviceId }, 'could not register a socket');
      this.io.in(socketId).disconnectSockets(true);
      try {
        this.board.disconnect(party, socketId);
      } catch {
        // Already logged once; nothing more to undo.
      }
      return false;
    }
  }

  private remember(socketId: string, party: Party): void {
    this.generation += 1;
    this.known.set(socketId, { party, generation: this.generation });
  }

  private rebuild(sockets: readonly { id: string; data: unknown }[]): void {
    const adopted: { socketId: string; party: Party }[] = [];
    const chosen = new Map<UserId, ChosenStatusMark>();
    for (const socket of sockets) {
      const read = this.readSocket(socket);
      if (!read) continue;
      const { party, profile, chosen: mark } = read;
      if (this.board.adopt(party, profile, socket.id) === null) continue;
      this.remember(socket.id, party);
      adopted.push({ socketId: socket.id, party });
      if (mark && mark.at > (chosen.get(party.userId)?.at ?? -Infinity)) chosen.set(party.userId, mark);
    }
    for (const [userId, mark] of chosen) this.board.restoreChosen(userId, mark.status);
    for (const { socketId, party } of adopted) {
      // A later socket of the same device may have replaced this one.
      if (this.board.presence.socketOf(party.deviceId) === socketId) this.board.welcome(party, socketId);
    }
  }

  /**
   * Treats as disconnected every socket no node holds any more. Only sockets
   * registered before the listing began are judged: one that connected while
   * the nodes answered may be missing from the answer.
   */
  private async reconcile(): Promise<void> {
    if (this.state !== 'ready' || this.reconciling) return;
    this.reconciling = true;
    const before = this.generation;
    try {
      const sockets = await this.io.fetchSockets();
      if (this.state !== 'ready') return;
      const live = new Set(sockets.map((s) => s.id));
      for (const [socketId, entry] of [...this.known]) {
        if (entry.generation > before || live.has(socketId)) continue;
        this.log.info({ deviceId: entry.party.deviceId }, 'a socket vanished with its node; it counts as disconnected');
        this.disconnect(socketId);
      }
      this.adoptStrays(sockets);
    } catch (err) {
      // A node that does not answer in time: try again at the next round.
      this.log.debug({ err: describeError(err) }, 'reconciliation skipped');
    } finally {
      this.reconciling = false;
    }
  }

  /** Who a node says a socket is (its socket.data), or null when that does not parse: warned, unless `warned` has its id. */
  private readSocket(
    socket: { id: string; data: unknown },
    warned?: ReadonlySet<string>,
  ): { party: Party; profile: Profile; chosen: ChosenStatusMark | undefined } | null {
    const data = socketDataSchema.safeParse(socket.data);
    if (!data.success) {
      if (!warned?.has(socket.id)) this.log.warn({ socketId: socket.id, problem: describeIssues(data.error) }, 'a node holds a socket with invalid data; ignored');
      return null;
    }
    const { chosen, userKey, contacts, strangerCalls, ...party } = data.data;
    return { party, profile: { userKey, contacts, strangerCalls }, chosen };
  }

  /**
   * Registers the sockets that a node holds and this coordinator never did. A
   * node that was out of reach of Redis is missing from a listing (the adapter
   * asks only the nodes subscribed at that moment): its sockets are left out of
   * a rebuild, or count as vanished above. Their gateways believe them
   * registered and never ask again, so without this their users would stay
   * connected but invisible, every request refused. A socket is taken once two
   * listings in a row show it: one that left between the two is absent from the
   * second; one still connecting is harmless (`register` is idempotent, its
   * gateway's node:connect finds it known). A device registered with another
   * socket keeps it: the stray is the stale one, and its node drops it.
   */
  private adoptStrays(sockets: readonly { id: string; data: unknown }[]): void {
    const seenBefore = this.strays;
    this.strays = new Set();
    const unreadable = new Set<string>();
    let firstSeen = 0;
    for (const socket of sockets) {
      if (this.known.has(socket.id)) continue;
      const read = this.readSocket(socket, this.unreadable);
      if (!read) {
        unreadable.add(socket.id);
        continue;
      }
      this.strays.add(socket.id);
      if (!seenBefore.has(socket.id)) {
        firstSeen += 1;
        continue;
      }
      const { party, profile, chosen } = read;
      if (this.board.presence.socketOf(party.deviceId) !== undefined) continue;
      this.log.info({ deviceId: party.deviceId }, 'a node holds a socket this coordinator never registered (that node was out of reach of Redis); registering it');
      if (this.register(socket.id, party, profile, chosen?.status)) this.strays.delete(socket.id);
    }
    this.unreadable = unreadable;
    if (firstSeen > 0 && this.confirmTimer === null) {
      this.confirmTimer = setTimeout(() => {
        this.confirmTimer = null;
        void this.reconcile();
      }, CONFIRM_STRAYS_MS);
    }
  }
}
