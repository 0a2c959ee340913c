/**
 * The gateway role of a cluster node (every node has it): for each of its own
 * sockets it applies the rate limit and the payload schemas, then forwards the
 * socket's arrival, each event (waiting for the ack) and its departure to the
 * coordinator — directly when this node is the coordinator, otherwise with
 * `serverSideEmit` through Redis, which every other node receives and only the
 * coordinator handles.
 *
 * While no coordinator answers (one died and the lease has not run out yet, or
 * the new one is still rebuilding), requests are retried: an arrival as long as
 * the socket stays, an event for up to EVENT_PATIENCE_MS (then the client is told
 * to try again), a departure for DEPARTURE_PATIENCE_MS. Retrying is safe because
 * a request that nobody handled changed nothing.
 *
 * Requests the coordinator answers later (`sfu:*`, which wait for Janus) are
 * replied `{ pending: true }` at once, and their ack follows as `node:ack` with
 * the request's id; the gateway waits LATE_ACK_PATIENCE_MS for it, then tells
 * the client the media server did not answer in time. They are never retried:
 * the coordinator has taken them.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Party } from './callRecord';
import { admitReplySchema, doneReplySchema, eventReplySchema } from './clusterMessages';
import type { Coordinator } from './clusterCoordinator';
import { installEventDispatch } from './eventDispatch';
import type { ClientPayloads } from './handlers';
import { releaseHandshake } from './handshakeRelease';
import { describeError } from './logger';
import type { RateLimitOptions } from './options';
import type { InterServerEvents, NodeLateAck, NodeSocketRef } from './clusterProtocol';
import type { Ack, ClientEventName } from './protocol';
import { logSocketErrors, type IoServer, type IoSocket } from './socketServer';

const RETRY_EVERY_MS = 200;
/** A client's request timeout is 10 s (renderer/signaling/client.ts): answer before it gives up. */
const EVENT_PATIENCE_MS = 8_000;
const DEPARTURE_PATIENCE_MS = 30_000;
/** One attempt at the other nodes; the adapter itself gives up after 5 s. */
const ASK_TIMEOUT_MS = 6_000;
/** How long an `sfu:*` request waits for the coordinator's ack: under the client's 10 s. */
export const LATE_ACK_PATIENCE_MS = 8_500;

type Forwarded = 'node:connect' | 'node:disconnect' | 'node:event';

const switchingOver = (event: string): Ack<object> => ({
  ok: false,
  error: {
    code: 'internal',
    message: `The server could not handle "${event}": its cluster is switching to a new coordinator. Try again in a few seconds.`,
  },
});

export interface GatewayDeps {
  io: IoServer;
  nodeId: string;
  rateLimit: RateLimitOptions;
  /** This node's coordinator when it is ready to serve, else null. */
  localCoordinator: () => Coordinator | null;
  /** Redis answers, so asking the other nodes can work. */
  canAsk: () => boolean;
  log: Logger;
}

export class Gateway {
  private closing = false;
  /** Cancels every pause between retries (shutdown). */
  private stopped = false;
  private readonly pauses = new Set<() => void>();
  private readonly departures = new Set<Promise<unknown>>();
  /** Forwarded requests whose ack comes later (`node:ack`), by request id. */
  private readonly lateAcks = new Map<string, (ack: Ack<object>) => void>();

  constructor(private readonly deps: GatewayDeps) {}

  onConnection(socket: IoSocket): void {
    const { log } = this.deps;
    const party: Party = { userId: socket.data.userId, deviceId: socket.data.deviceId, displayName: socket.data.displayName };
    const { userKey, contacts, strangerCalls } = socket.data;
    const ref: NodeSocketRef = { nodeId: this.deps.nodeId, socketId: socket.id, party, profile: { userKey, contacts, strangerCalls } };
    logSocketErrors(this.deps.io, socket, log);
    if (this.closing) {
      socket.disconnect(true);
      return;
    }
    let gone = false;
    const admitted = this.persist(() => this.admit(ref), () => !gone && !this.closing).then(
      (answer) => answer === true,
      (err: unknown) => {
        log.error({ err: describeError(err), deviceId: party.deviceId }, 'could not register a socket with the coordinator');
        return false;
      },
    );
    releaseHandshake(socket);
    installEventDispatch(socket, (event, payload) => this.forward(ref, socket, admitted, event, payload), this.deps.rateLimit, log);
    socket.on('disconnect', () => {
      gone = true;
      const departure = admitted
        .then((ok) => (ok ? this.persist(() => this.depart(ref), deadline(DEPARTURE_PATIENCE_MS)) : null))
        .catch((err: unknown) => log.error({ err: describeError(err), deviceId: party.deviceId }, 'disconnect handling failed'));
      this.departures.add(departure);
      void departure.finally(() => this.departures.delete(departure));
    });
  }

  /** No new sockets from now on. */
  refuseNewSockets(): void {
    this.closing = true;
  }

  /** Waits (at most `ms`) for departures to reach the coordinator, then stops retrying. */
  async drain(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...this.departures]), late]);
    clearTimeout(timer);
    this.stopped = true;
    for (const wake of [...this.pauses]) wake();
  }

  /** The coordinator's `node:ack` for one of this gateway's pending requests. */
  lateAck(message: NodeLateAck): void {
    const resolve = this.lateAcks.get(message.requestId);
    if (!resolve) {
      this.deps.log.debug({ requestId: message.requestId }, 'an ack came after its request gave up; dropped');
      return;
    }
    this.lateAcks.delete(message.requestId);
    resolve(message.ack);
  }

  // ─── requests ──────────────────────────────────────────────────────────────

  private async forward<E extends ClientEventName>(
    ref: NodeSocketRef,
    socket: IoSocket,
    admitted: Promise<boolean>,
    event: E,
    payload: ClientPayloads[E],
  ): Promise<Ack<object>> {
    if (!(await admitted)) return switchingOver(event);
    // A late ack is awaited only until the client's own timeout is near, however long finding a coordinator took.
    const respondBy = Date.now() + LATE_ACK_PATIENCE_MS;
    const ack = await this.persist(() => this.act(ref, event, payload, respondBy), deadline(EVENT_PATIENCE_MS));
    if (ack === null) return switchingOver(event);
    // Kept on the socket so that a new coordinator can restore the status (clusterCoordinator.ts).
    if (event === 'presence:status' && ack.ok) {
      const { status } = payload as ClientPayloads['presence:status'];
      socket.data.chosen = { status, at: Date.now() };
    }
    // Likewise the contact list, so that a new coordinator knows who sees whom.
    if (event === 'contacts:set' && ack.ok) {
      const { userIds, strangerCalls } = payload as ClientPayloads['contacts:set'];
      socket.data.contacts = [...userIds];
      socket.data.strangerCalls = strangerCalls;
    }
    return ack;
  }

  private async admit(ref: NodeSocketRef): Promise<boolean | null> {
    const local = this.deps.localCoordinator();
    if (local) return local.connect(ref);
    for (const reply of await this.askOthers('node:connect', ref)) {
      const parsed = admitReplySchema.safeParse(reply);
      if (parsed.success && parsed.data.handled) return parsed.data.admitted;
    }
    return null;
  }

  private async depart(ref: NodeSocketRef): Promise<true | null> {
    const local = this.deps.localCoordinator();
    if (local) {
      local.disconnect(ref.socketId);
      return true;
    }
    for (const reply of await this.askOthers('node:disconnect', ref)) {
      const parsed = doneReplySchema.safeParse(reply);
      if (parsed.success && parsed.data.handled) return true;
    }
    return null;
  }

  private async act(ref: NodeSocketRef, event: ClientEventName, payload: unknown, respondBy: number): Promise<Ack<object> | null> {
    const local = this.deps.localCoordinator();
    if (local) {
      const ack = local.event({ ...ref, event, payload });
      return ack instanceof Promise ? this.patiently(ack, event, respondBy) : ack;
    }
    // The coordinator reads the profile only on node:connect: no contact list on every event.
    const light: NodeSocketRef = { ...ref, profile: { ...ref.profile, contacts: [] } };
    // Waited for before asking: the late ack may overtake the reply (another Redis channel).
    const requestId = randomBytes(12).toString('base64url');
    const late = new Promise<Ack<object>>((resolve) => this.lateAcks.set(requestId, resolve));
    try {
      for (const reply of await this.askOthers('node:event', { ...light, event, payload, requestId })) {
        const parsed = eventReplySchema.safeParse(reply);
        if (!parsed.success || !parsed.data.handled) continue;
        return 'ack' in parsed.data ? parsed.data.ack : await this.patiently(late, event, respondBy);
      }
      return null;
    } finally {
      this.lateAcks.delete(requestId);
    }
  }

  /** A later ack, or at `respondBy` a clear refusal (the request may still complete on Janus). */
  private async patiently(ack: Promise<Ack<object>>, event: ClientEventName, respondBy: number): Promise<Ack<object>> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<Ack<object>>((resolve) => {
      timer = setTimeout(() => {
        this.deps.log.warn({ event, patienceMs: LATE_ACK_PATIENCE_MS }, 'the coordinator did not answer a media server request in time');
        resolve({
          ok: false,
          error: {
            code: 'sfu_failed',
            message: `The media server did not answer "${event}" within ${LATE_ACK_PATIENCE_MS / 1000} s (or its coordinator went away). Try again.`,
          },
        });
      }, Math.max(0, respondBy - Date.now()));
    });
    try {
      return await Promise.race([ack, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends to every other node and resolves with their replies (possibly fewer,
   * after a timeout). Not `io.serverSideEmitWithAck`: Namespace.serverSideEmit
   * drops the promise of ClusterAdapter.serverSideEmit, which rejects when Redis
   * fails during the request (its PUBSUB NUMSUB), and that would be an unhandled
   * rejection; calling the adapter lets us catch it.
   */
  private askOthers<E extends Forwarded>(event: E, payload: Parameters<InterServerEvents[E]>[0]): Promise<unknown[]> {
    if (!this.deps.canAsk()) return Promise.resolve([]);
    return new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => resolve([]), ASK_TIMEOUT_MS);
      const done = (replies: unknown): void => {
        clearTimeout(timer);
        resolve(Array.isArray(replies) ? (replies as unknown[]) : []);
      };
      // On error (a node did not answer in time) the adapter still passes the replies it got.
      const ack = (_err: unknown, replies: unknown): void => done(replies);
      const adapter = this.deps.io.of('/').adapter as unknown as { serverSideEmit(packet: unknown[]): unknown };
      Promise.resolve()
        .then(() => adapter.serverSideEmit([event, payload, ack]))
        .catch((err: unknown) => {
          this.deps.log.debug({ err: describeError(err), event }, 'could not reach the other nodes');
          done([]);
        });
    });
  }

  /** Asks until someone handles it; null when `keepTrying` gives up first. */
  private async persist<T>(ask: () => Promise<T | null>, keepTrying: () => boolean): Promise<T | null> {
    for (;;) {
      const answer = await ask();
      if (answer !== null) return answer;
      if (this.stopped || !keepTrying()) return null;
      await this.pause(RETRY_EVERY_MS);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.pauses.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pauses.add(wake);
    });
  }
}

function deadline(ms: number): () => boolean {
  const end = Date.now() + ms;
  return () => Date.now() < end;
}
