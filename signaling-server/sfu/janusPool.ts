/**
 * The Janus instances this server drives (`--janus-url`, repeatable): a connection
 * to each (reconnected every RECONNECT_MS while it is down), VideoRoom rooms
 * created with a random numeric id, pin and secret, and placement on the least
 * loaded live instance (fewest participants, then fewest rooms). When a live
 * instance's WebSocket closes or a keepalive fails, `onInstanceDown` says so, and
 * the desk (desk.ts) moves its rooms.
 *
 * Placement is per Parley node: in a cluster (Redis) the coordinator would have
 * to own it; clustered servers do not drive Janus yet (clusterCoordinator.ts).
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
}

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
}

export class JanusPool {
  readonly instances: JanusInstance[];
  private readonly downListeners: ((instance: JanusInstance, reason: string) => void)[] = [];
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

  async createRoom(instance: JanusInstance, description: string): Promise<RoomRef> {
    const connection = instance.connection;
    if (!connection || instance.control === null) throw new Error(`Janus at ${instance.url} is not connected`);
    const pin = randomBytes(18).toString('base64url');
    const secret = randomBytes(18).toString('base64url');
    // Janus's numeric room ids are guint64 but travel as JSON numbers: stay within 2^53.
    for (let attempt = 0; ; attempt += 1) {
      const roomId = randomInt(1, 2 ** 47);
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
        return { instance, connection, roomId, pin, secret };
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
    } catch (err) {
      const level = this.warned.has(instance) ? 'debug' : 'warn';
      this.warned.add(instance);
      this.options.log[level]({ url: instance.url, err: describeError(err) }, 'cannot connect to Janus; trying again every few seconds');
    } finally {
      this.connecting.delete(instance);
    }
  }
}
