/**
 * Janus in a cluster (issue 17): the coordinator drives it. Every node is started
 * with the same `--janus-url` list; the node holding the coordinator lease opens
 * the JanusPool, and its Switchboard places rooms as a single node does (least
 * loaded instance). The other nodes never talk to Janus: their gateways forward
 * `sfu:*` to the coordinator and get the acks back (clusterGateway.ts).
 *
 * When the coordinator changes, the old one's Janus sessions end with it, but its
 * rooms stay on Janus (VideoRoom rooms outlive sessions). So:
 * - every coordinator records the rooms it creates and destroys in Redis
 *   (SFU_ROOMS_KEY: instance URL, room id, call id; clusterRedis.ts);
 * - each room's secret is derived from the cluster's shared membership key and
 *   the room id, and its description starts with a prefix derived from that key
 *   ("parley:<tag> <call>"), so any coordinator of the cluster can recognise and
 *   destroy the rooms of a predecessor, and never touches another deployment's;
 * - a new coordinator, before it serves, reads the records (the calls that were
 *   on the SFU) and destroys every recorded room, plus, when Janus lists private
 *   rooms to it (`--janus-admin-key`), every room with the cluster's prefix: none
 *   of them belongs to a live call of this coordinator, which has none yet;
 * - a call rebuilt by `call:rejoin` that was on the SFU is rebuilt on the SFU in a
 *   new room (Switchboard's `sfuCallsBefore`), and each member that rejoins it is
 *   told `sfu:restart`, the same path as an instance dying under a call.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { SfuRoomStore } from './clusterRedis';
import { describeError } from './logger';
import type { CallId, DeviceId } from './protocol';
import { JanusPool, type JanusInstance, type RoomRecord } from './sfu/janusPool';

/** How long a new coordinator waits for Janus and the cleanup before it serves anyway. */
export const SFU_PREPARE_MS = 8_000;

export interface ClusterSfuOptions {
  urls: readonly string[];
  apiSecret?: string | undefined;
  adminKey?: string | undefined;
  maxPublishers: number;
  /** The cluster's shared membership key: room secrets and the description prefix derive from it. */
  membershipKey: Buffer;
  store: SfuRoomStore;
  log: Logger;
  /** Janus pool timings (tests). */
  reconnectMs?: number;
}

const derive = (key: Buffer, label: string): string => createHmac('sha256', key).update(label).digest('base64url');

/** The description prefix of this cluster's rooms: "parley:" and 8 characters derived from its key. */
export function roomPrefixFor(membershipKey: Buffer): string {
  return `parley:${derive(membershipKey, 'parley janus room prefix').slice(0, 8)}`;
}

export class ClusterSfu {
  readonly pool: JanusPool;
  /** Calls that were on the SFU under an earlier coordinator (their rooms are destroyed; rebuilt calls get new ones). */
  private readonly before = new Set<CallId>();
  /** Members of those calls told `sfu:restart` already. */
  private readonly restarted = new Set<string>();
  /** Rooms of earlier coordinators not destroyed yet (their instance was down), by URL. */
  private readonly leftovers = new Map<string, RoomRecord[]>();
  /** Every leftover ever queued, by `<url> <roomId>` (a listing does not queue them twice). */
  private readonly queued = new Set<string>();
  /** Rooms this coordinator created and has not destroyed, by `<url> <roomId>`. */
  private readonly own = new Map<string, RoomRecord>();
  private closed = false;

  constructor(private readonly options: ClusterSfuOptions) {
    const { membershipKey, log } = options;
    this.pool = new JanusPool({
      urls: options.urls,
      apiSecret: options.apiSecret,
      adminKey: options.adminKey,
      maxPublishers: options.maxPublishers,
      log,
      ...(options.reconnectMs === undefined ? {} : { reconnectMs: options.reconnectMs }),
      roomSecret: (_url, roomId) => derive(membershipKey, `parley janus room secret ${roomId}`),
      descriptionPrefix: roomPrefixFor(membershipKey),
      ledger: {
        created: (room) => {
          this.own.set(key(room), room);
          this.record('add', room);
        },
        destroyed: (room) => {
          this.own.delete(key(room));
          this.record('remove', room);
        },
      },
    });
    this.pool.onInstanceUp((instance) => void this.destroyLeftovers(instance));
    this.pool.onInstanceDown((instance) => {
      // Its rooms died with it (Janus keeps non-permanent rooms in memory only).
      for (const room of [...this.own.values()]) {
        if (room.url !== instance.url) continue;
        this.own.delete(key(room));
        this.record('remove', room);
      }
    });
  }

  /**
   * Before the coordinator serves: learns which calls were on the SFU, connects
   * to Janus and destroys the earlier coordinators' rooms. Bounded by
   * SFU_PREPARE_MS; a Janus that does not answer by then is cleaned up when it does.
   */
  async prepare(): Promise<void> {
    const { log, store } = this.options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SFU_PREPARE_MS)));
    const work = (async () => {
      const [records, previousUrls] = await Promise.all([
        store.all().catch((err: unknown) => {
          log.error({ err: describeError(err) }, 'could not read the SFU rooms of the previous coordinator from Redis; calls on the SFU come back as a mesh, and their rooms stay on Janus');
          return [] as RoomRecord[];
        }),
        store.swapJanusUrls(this.options.urls).catch((err: unknown) => {
          log.warn({ err: describeError(err) }, 'could not compare the --janus-url lists of the cluster in Redis');
          return null;
        }),
      ]);
      const mine = [...this.options.urls].sort();
      if (previousUrls !== null && JSON.stringify(previousUrls) !== JSON.stringify(mine)) {
        log.warn(
          { previous: previousUrls, mine },
          'the previous coordinator drove other Janus instances (--janus-url) than this node: start every node of a cluster with the same --janus-url list',
        );
      }
      for (const record of records) {
        this.before.add(record.callId);
        this.queued.add(key(record));
        const list = this.leftovers.get(record.url) ?? [];
        list.push(record);
        this.leftovers.set(record.url, list);
        if (!this.options.urls.includes(record.url)) {
          log.warn({ url: record.url, roomId: record.roomId }, 'a room of the previous coordinator is on a Janus this node does not drive (--janus-url); it stays there');
        }
      }
      if (this.closed) return;
      await this.pool.start();
      // Listed now, before this coordinator serves: every Parley room of this cluster is an earlier coordinator's.
      await Promise.all(this.pool.instances.filter((i) => i.live).map((i) => this.sweep(i)));
    })();
    try {
      if ((await Promise.race([work, late])) === 'late') {
        log.warn({ waitedMs: SFU_PREPARE_MS }, 'Janus did not answer in time while this node became the coordinator; serving anyway (calls stay peer to peer until it does)');
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Was this call on the SFU under an earlier coordinator? */
  wasOnSfu(callId: CallId): boolean {
    return this.before.has(callId);
  }

  /** A member rejoined such a call: tell it `sfu:restart`? (Once per member and call.) */
  restartFor(callId: CallId, deviceId: DeviceId): boolean {
    if (!this.before.has(callId)) return false;
    const id = `${callId} ${deviceId}`;
    if (this.restarted.has(id)) return false;
    this.restarted.add(id);
    return true;
  }

  /** Closes the Janus sessions; the rooms stay recorded for the next coordinator. */
  close(): void {
    this.closed = true;
    this.pool.close();
  }

  /** Destroys the recorded leftovers on `instance` and, when Janus lists them, this cluster's other rooms there. */
  private async sweep(instance: JanusInstance): Promise<void> {
    const listed = await this.pool.listParleyRooms(instance).catch((err: unknown) => {
      this.options.log.warn({ url: instance.url, err: describeError(err) }, 'could not list the rooms on a Janus instance');
      return null;
    });
    if (listed) {
      const list = this.leftovers.get(instance.url) ?? [];
      for (const room of listed) {
        const id = `${instance.url} ${room.roomId}`;
        if (this.queued.has(id) || this.own.has(id)) continue;
        this.queued.add(id);
        // The call id of an unrecorded room is not known (its description has 8 characters of it).
        list.push({ url: instance.url, roomId: room.roomId, callId: room.description });
      }
      if (list.length > 0) this.leftovers.set(instance.url, list);
    }
    await this.destroyLeftovers(instance);
  }

  private async destroyLeftovers(instance: JanusInstance): Promise<void> {
    const list = this.leftovers.get(instance.url);
    if (!list || this.closed) return;
    this.leftovers.delete(instance.url);
    const { log } = this.options;
    for (const room of list) {
      try {
        const outcome = await this.pool.destroyRoomById(instance, room.roomId);
        log.info({ url: room.url, roomId: room.roomId, call: room.callId, outcome }, 'destroyed an SFU room that belongs to no live call (an earlier coordinator\'s)');
        this.record('remove', room);
      } catch (err) {
        log.warn({ url: room.url, roomId: room.roomId, err: describeError(err) }, 'could not destroy an SFU room of an earlier coordinator; trying again when the instance reconnects');
        const again = this.leftovers.get(instance.url) ?? [];
        again.push(room);
        this.leftovers.set(instance.url, again);
      }
    }
  }

  private record(what: 'add' | 'remove', room: RoomRecord): void {
    if (this.closed && what === 'add') return;
    this.options.store[what](room).catch((err: unknown) =>
      this.options.log.warn({ err: describeError(err), url: room.url, roomId: room.roomId, what }, 'could not update the SFU room records in Redis'),
    );
  }
}

const key = (room: RoomRecord): string => `${room.url} ${room.roomId}`;
