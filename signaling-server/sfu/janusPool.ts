/**
 * The Janus instances this server drives (`--janus-url`, repeatable): a connection
 * to each (reconnected every RECONNECT_MS while it is down), VideoRoom rooms
 * created with a random numeric id, pin and secret, and placement on the least
 * loaded live instance (fewest participants, then fewest rooms). When a live
 * instance's WebSocket closes or a keepalive fails, `onInstanceDown` says so, and
 * the desk (desk.ts) moves its rooms.
 *
 * In a cluster (Redis) the coordinator owns the pool (clusterCoordinator.ts): it
 * derives each room's secret from the cluster's shared key (`roomSecret`), so the
 * next coordinator can destroy the rooms its predecessor left, and records every
 * room it creates or destroys (`ledger`). Room descriptions start with
 * `descriptionPrefix` (default "parley"), so Parley's rooms are recognisable in
 * Janus's `list`.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { describeError } from '../logger';
import { JanusConnection, type HandleListener } from './janusClient';

export const VIDEOROOM = 'janus.plugin.videoroom';
export const RECONNECT_MS = 3_000;

export interface JanusPoolOptions {
  urls: readonly string[];
  apiSecret?: string | undefined;
  /** VideoRoom's `admin_key`, when the operator configured one (room creation needs it). */
  adminKey?: string | undefined;
  /** The most publishers a room takes (`--max-sfu-participants`). */
  maxPublishers: number;
  log: Logger;
  requestTimeoutMs?: number;
  keepaliveMs?: number;
  reconnectMs?: number;
  /** Each room's secret from its instance URL and room id (default: random, known to this process only). */
  roomSecret?: ((url: string, roomId: number) => string) | undefined;
  /** The start of every room's description (default "parley"); a room's is `<prefix> <first 8 of its call id>`. */
  descriptionPrefix?: string | undefined;
  /** Told of every room created and destroyed here. */
  ledger?: RoomLedger | undefined;
}

/** A room as a ledger keeps it. */
export interface RoomRecord {
  url: string;
  roomId: number;
  callId: string;
}

export interface RoomLedger {
  created(room: RoomRecord): void;
  destroyed(room: RoomRecord): void;
}

/** VideoRoom's "no such room" (JANUS_VIDEOROOM_ERROR_NO_SUCH_ROOM). */
export const NO_SUCH_ROOM = 426;

export class JanusInstance {
  connection: JanusConnection | null = null;
  /** A VideoRoom handle for room create/destroy/list. */
  control: number | null = null;
  rooms = 0;
  participants = 0;
  constructor(readonly url: string) {}
  get live(): boolean {
    return this.connection?.isOpen === true && this.control !== null;
  }
}

/** A room on one instance; the pin and secret never leave the Parley server. */
export interface RoomRef {
  instance: JanusInstance;
  connection: JanusConnection;
  roomId: number;
  pin: string;
  secret: string;
  callId: string;
}

export class JanusPool {
  readonly instances: JanusInstance[];
  private readonly downListeners: ((instance: JanusInstance, reason: string) => void)[] = [];
  private readonly upListeners: ((instance: JanusInstance) => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly connecting = new Set<JanusInstance>();
  /** Instances whose failure to connect was logged as a warning (the retries every few seconds log at debug). */
  private readonly warned = new Set<JanusInstance>();

  constructor(private readonly options: JanusPoolOptions) {
    this.instances = options.urls.map((url) => new JanusInstance(url));
  }

  onInstanceDown(listener: (instance: JanusInstance, reason: string) => void): void {
    this.downListeners.push(listener);
  }

  /** An instance is connected (at start, or again after it was down). */
  onInstanceUp(listener: (instance: JanusInstance) => void): void {
    this.upListeners.push(listener);
  }

  get descriptionPrefix(): string {
    return this.options.descriptionPrefix ?? 'parley';
  }

  /** Connects every instance now and keeps reconnecting those that are down. Resolves after the first round. */
  async start(): Promise<void> {
    this.timer = setInterval(() => void this.connectAll(), this.options.reconnectMs ?? RECONNECT_MS);
    await this.connectAll();
  }

  /** Is any instance live now? (A call moves to the SFU only then.) */
  get available(): boolean {
    return this.instances.some((i) => i.live);
  }

  /** The least loaded live instance other than `except`, or null. */
  pick(except?: JanusInstance): JanusInstance | null {
    const live = this.instances.filter((i) => i.live && i !== except);
    live.sort((a, b) => a.participants - b.participants || a.rooms - b.rooms);
    return live[0] ?? null;
  }

  async createRoom(instance: JanusInstance, callId: string): Promise<RoomRef> {
    const connection = instance.connection;
    if (!connection || instance.control === null) throw new Error(`Janus at ${instance.url} is not connected`);
    const pin = randomBytes(18).toString('base64url');
    const description = `${this.descriptionPrefix} ${callId.slice(0, 8)}`;
    // Janus's numeric room ids are guint64 but travel as JSON numbers: stay within 2^53.
    for (let attempt = 0; ; attempt += 1) {
      const roomId = randomInt(1, 2 ** 47);
      const secret = this.options.roomSecret?.(instance.url, roomId) ?? randomBytes(18).toString('base64url');
      try {
        await connection.message(instance.control, {
          request: 'create',
          room: roomId,
          description: description.slice(0, 60),
          pin,
          secret,
          is_private: true,
          permanent: false,
          publishers: this.options.maxPublishers * 2, // a camera and a screen each
          videocodec: 'vp8',
          audiocodec: 'opus',
          bitrate: 0,
          fir_freq: 10,
          notify_joining: false,
          ...(this.options.adminKey === undefined ? {} : { admin_key: this.options.adminKey }),
        });
        instance.rooms += 1;
        this.options.ledger?.created({ url: instance.url, roomId, callId });
        return { instance, connection, roomId, pin, secret, callId };
      } catch (err) {
        // 427: the room id exists (chance 1 in 2^47 per room); anything else is final.
        if (attempt < 3 && (err as { code?: number }).code === 427) continue;
        throw err;
      }
    }
  }

  async destroyRoom(room: RoomRef): Promise<void> {
    room.instance.rooms = Math.max(0, room.instance.rooms - 1);
    if (!room.connection.isOpen || room.instance.control === null || room.instance.connection !== room.connection) return;
    await room.connection.message(room.instance.control, {
      request: 'destroy',
      room: room.roomId,
      secret: room.secret,
      permanent: false,
      ...(this.options.adminKey === undefined ? {} : { admin_key: this.options.adminKey }),
    });
    this.options.ledger?.destroyed({ url: room.instance.url, roomId: room.roomId, callId: room.callId });
  }

  /**
   * Destroys a room this pool did not create (another coordinator's) by its id; its
   * secret comes from `roomSecret`. 'gone': Janus has no such room (any more).
   */
  async destroyRoomById(instance: JanusInstance, roomId: number): Promise<'destroyed' | 'gone'> {
    const secret = this.options.roomSecret?.(instance.url, roomId);
    if (secret === undefined) throw new Error('this pool cannot destroy rooms it did not create (no roomSecret)');
    if (!instance.connection || instance.control === null) throw new Error(`Janus at ${instance.url} is not connected`);
    try {
      await instance.connection.message(instance.control, {
        request: 'destroy',
        room: roomId,
        secret,
        permanent: false,
        ...(this.options.adminKey === undefined ? {} : { admin_key: this.options.adminKey }),
      });
      return 'destroyed';
    } catch (err) {
      if ((err as { code?: number }).code === NO_SUCH_ROOM) return 'gone';
      throw err;
    }
  }

  /**
   * The Parley rooms on an instance (description starting with the prefix), or null
   * when Janus would not show them: VideoRoom lists private rooms only to a request
   * with its `admin_key`, so without `--janus-admin-key` they are invisible.
   */
  async listParleyRooms(instance: JanusInstance): Promise<{ roomId: number; description: string }[] | null> {
    if (this.options.adminKey === undefined) return null;
    if (!instance.connection || instance.control === null) throw new Error(`Janus at ${instance.url} is not connected`);
    const answer = await instance.connection.message(instance.control, { request: 'list', admin_key: this.options.adminKey });
    const list = Array.isArray(answer.data.list) ? (answer.data.list as { room?: unknown; description?: unknown }[]) : [];
    const prefix = `${this.descriptionPrefix} `;
    const rooms: { roomId: number; description: string }[] = [];
    for (const entry of list) {
      if (typeof entry.room === 'number' && typeof entry.description === 'string' && entry.description.startsWith(prefix)) {
        rooms.push({ roomId: entry.room, description: entry.description });
      }
    }
    return rooms;
  }

  /** Attaches a VideoRoom handle for a publisher or subscriber on the room's connection. */
  attach(room: RoomRef, listener: HandleListener): Promise<number> {
    return room.connection.attach(VIDEOROOM, listener);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const instance of this.instances) {
      instance.connection?.close();
      instance.connection = null;
      instance.control = null;
    }
  }

  private async connectAll(): Promise<void> {
    await Promise.all(this.instances.filter((i) => !i.live && !this.connecting.has(i)).map((i) => this.connect(i)));
  }

  private async connect(instance: JanusInstance): Promise<void> {
    if (this.closed) return;
    this.connecting.add(instance);
    try {
      const connection = await JanusConnection.open(instance.url, {
        apiSecret: this.options.apiSecret,
        log: this.options.log,
        ...(this.options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: this.options.requestTimeoutMs }),
        ...(this.options.keepaliveMs === undefined ? {} : { keepaliveMs: this.options.keepaliveMs }),
      });
      const control = await connection.attach(VIDEOROOM, () => {});
      if (this.closed) {
        connection.close();
        return;
      }
      instance.connection = connection;
      instance.control = control;
      instance.rooms = 0;
      instance.participants = 0;
      connection.onClose((reason) => {
        if (instance.connection !== connection) return;
        instance.connection = null;
        instance.control = null;
        this.options.log.warn({ url: instance.url, reason }, 'lost a Janus instance; its calls move to another');
        for (const listener of this.downListeners) listener(instance, reason);
      });
      this.warned.delete(instance);
      this.options.log.info({ url: instance.url }, 'connected to Janus');
      for (const listener of this.upListeners) listener(instance);
    } catch (err) {
      const level = this.warned.has(instance) ? 'debug' : 'warn';
      this.warned.add(instance);
      this.options.log[level]({ url: instance.url, err: describeError(err) }, 'cannot connect to Janus; trying again every few seconds');
    } finally {
      this.connecting.delete(instance);
    }
  }
}
