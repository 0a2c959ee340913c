/**
 * A cluster node's connection to Redis: the client, socket.io's Redis Streams
 * adapter on top of it, whether the node can serve (`ready`), the commands of
 * the coordinator lease, and a shutdown that leaves nothing running.
 *
 * Redis errors are logged and never thrown: a node whose Redis is down keeps its
 * HTTP side up (healthz says so) and refuses new sockets until Redis is back.
 */
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import { z } from 'zod';
import type { LeaseStore } from './clusterLease';
import { describeError } from './logger';
import type { RoomRecord } from './sfu/janusPool';
import type { IoServer } from './socketServer';

type RedisClient = ReturnType<typeof createClient>;

/** Redis keys and channels all start with this, so Parley can share a Redis. */
export const KEY_PREFIX = 'parley:';
/** Hash: `<url> <roomId>` → RoomRecord (JSON) of every Janus room a coordinator created and has not destroyed. */
export const SFU_ROOMS_KEY = `${KEY_PREFIX}sfu-rooms`;
/** The `--janus-url` list (sorted JSON) of the last coordinator, to notice nodes started with different lists. */
export const JANUS_URLS_KEY = `${KEY_PREFIX}janus-urls`;

/**
 * The Janus rooms of the cluster's coordinators, kept in Redis so that the next
 * coordinator knows which calls were on the SFU and which rooms to destroy
 * (clusterSfu.ts). No user data: instance URL, room id and call id.
 */
export interface SfuRoomStore {
  all(): Promise<RoomRecord[]>;
  add(room: RoomRecord): Promise<void>;
  remove(room: RoomRecord): Promise<void>;
  /** Records this node's `--janus-url` list and returns the previous coordinator's (null: none recorded). */
  swapJanusUrls(urls: readonly string[]): Promise<string[] | null>;
}

const roomRecordSchema = z.object({
  url: z.string().min(1).max(2_048),
  roomId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  callId: z.string().min(1).max(64),
});
const janusUrlsSchema = z.array(z.string().max(2_048)).max(64);
const roomField = (room: RoomRecord): string => `${room.url} ${room.roomId}`;

/** Acquire the lease when nobody holds it (SET NX PX), or extend it when we do. */
const ACQUIRE_OR_RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
  return 1
end
return 0`;
/** Delete the lease only if we still hold it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export class ClusterRedis {
  private readonly client: RedisClient;
  /** The adapter's own connections (it duplicates ours: a stream reader, a subscriber). */
  private readonly duplicates: RedisClient[] = [];
  private adapterInstalled = false;
  private up = false;
  private closed = false;

  constructor(
    url: string,
    private readonly io: IoServer,
    private readonly log: Logger,
    /** Redis became reachable (first time or again). */
    private readonly onUp: () => void,
  ) {
    this.client = createClient({
      url,
      socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2_000) },
    });
    this.client.on('error', (err: unknown) => this.noteDown(err));
    this.client.on('ready', () => this.noteUp());
    this.trackDuplicates();
    log.info({ redis: redacted(url) }, 'connecting to Redis');
    // connect() keeps retrying (reconnectStrategy) while Redis is down; 'ready'
    // says when it is up. A rejection here (bad credentials) is logged, not thrown.
    this.client.connect().catch((err: unknown) => {
      if (!this.closed) log.error({ err: describeError(err), redis: redacted(url) }, 'cannot connect to Redis');
    });
  }

  /**
   * The node can serve sockets: Redis answers and the adapter's connections are
   * up (a socket accepted before the stream reader runs would miss its welcome).
   */
  get ready(): boolean {
    return this.adapterInstalled && this.client.isReady && this.duplicates.every((d) => d.isReady);
  }


  readonly lease: LeaseStore = {
    acquireOrRenew: async (key, holder, ttlMs) =>
      Number(await this.client.eval(ACQUIRE_OR_RENEW, { keys: [key], arguments: [holder, String(ttlMs)] })) === 1,
    release: async (key, holder) => {
      await this.client.eval(RELEASE, { keys: [key], arguments: [holder] });
    },
  };

  readonly sfuRooms: SfuRoomStore = {
    all: async () => {
      const rooms: RoomRecord[] = [];
      for (const [field, value] of Object.entries(await this.client.hGetAll(SFU_ROOMS_KEY))) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          parsed = undefined;
        }
        const record = roomRecordSchema.safeParse(parsed);
        if (record.success) rooms.push(record.data);
        else this.log.warn({ field: field.slice(0, 200) }, 'an SFU room record in Redis is not readable; ignored');
      }
      return rooms;
    },
    add: async (room) => {
      await this.client.hSet(SFU_ROOMS_KEY, roomField(room), JSON.stringify(room));
    },
    remove: async (room) => {
      await this.client.hDel(SFU_ROOMS_KEY, roomField(room));
    },
    swapJanusUrls: async (urls) => {
      const before = await this.client.set(JANUS_URLS_KEY, JSON.stringify([...urls].sort()), { GET: true });
      if (before === null) return null;
      try {
        const parsed = janusUrlsSchema.safeParse(JSON.parse(String(before)));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
  };

  /** Closes every connection, the adapter's included; call after io.close(), which stops the adapter. */
  async close(): Promise<void> {
    this.closed = true;
    for (const dup of this.duplicates) if (dup.isOpen) dup.destroy();
    if (!this.client.isOpen) return;
    if (this.client.isReady) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, 1_000)));
      await Promise.race([this.client.close().catch(() => undefined), late]);
      clearTimeout(timer);
    }
    if (this.client.isOpen) this.client.destroy();
  }

  private noteUp(): void {
    if (this.closed) return;
    if (!this.adapterInstalled) {
      // Installed once Redis answers, before any socket is accepted (see `ready`):
      // socket.io swaps a namespace's adapter without moving the sockets it holds.
      this.io.adapter(
        createAdapter(this.client, {
          streamName: `${KEY_PREFIX}socket.io`,
          channelPrefix: `${KEY_PREFIX}socket.io`,
          // Parley sends JSON only: skip the per-packet search for binary data.
          onlyPlaintext: true,
        }),
      );
      this.adapterInstalled = true;
    }
    if (!this.up) this.log.info('connected to Redis');
    this.up = true;
    this.onUp();
  }

  private noteDown(err: unknown): void {
    if (this.closed) return;
    // The client retries every ≤2 s and says so each time: warn once per outage.
    if (this.up) this.log.warn({ err: describeError(err) }, 'lost the connection to Redis; retrying');
    else this.log.debug({ err: describeError(err) }, 'Redis is still unreachable');
    this.up = false;
  }

  /**
   * @socket.io/redis-streams-adapter 0.3.1 drops the promise of some calls on
   * its clients: `publish` for every ephemeral message (adapter.js, doPublish),
   * `subscribe` once a duplicate connected, and `disconnect()` when it closes
   * (startPolling and the abort listener). node-redis 5 rejects a command whose
   * connection drops before the reply, and throws ClientClosedError on a closed
   * client, so a Redis outage, or our own shutdown, would turn those into
   * unhandled rejections that end the process. Observe every such promise
   * (the adapter learns nothing from them anyway), make the calls no-ops on a
   * closed client, and keep the duplicates so that shutdown can close them.
   */
  private trackDuplicates(): void {
    guardDroppedPromises(this.client, this.log);
    const duplicate = this.client.duplicate.bind(this.client);
    const tracked = (...args: Parameters<typeof duplicate>): ReturnType<typeof duplicate> => {
      const dup = duplicate(...args);
      guardDroppedPromises(dup, this.log);
      // The node is ready once the adapter's connections are: say so at once.
      dup.on('ready', () => {
        if (!this.closed && this.ready) this.onUp();
      });
      this.duplicates.push(dup as unknown as RedisClient);
      return dup;
    };
    this.client.duplicate = tracked as typeof this.client.duplicate;
  }
}

const DROPPED_BY_ADAPTER = ['publish', 'sPublish', 'subscribe', 'sSubscribe', 'disconnect'] as const;

function guardDroppedPromises(client: { readonly isOpen: boolean }, log: Logger): void {
  const methods = client as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  for (const name of DROPPED_BY_ADAPTER) {
    const original = methods[name]?.bind(client);
    if (!original) continue;
    methods[name] = (...args: unknown[]) => {
      if (!client.isOpen) return Promise.resolve();
      const result = original(...args);
      if (result instanceof Promise) {
        result.catch((err: unknown) => log.debug({ err: describeError(err), command: name }, 'a Redis command of the adapter failed'));
      }
      return result;
    };
  }
}

/** The URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an invalid URL';
  }
}
