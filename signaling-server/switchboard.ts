/**
 * The server's state and what happens to it: presence and calls, a device
 * connecting, acting and going away, and what each device is told. It does not
 * know how a device is reached: a `Transport` delivers. A single node hands it its
 * own sockets (standalone.ts); in a cluster the coordinator hands it socket ids
 * that `io.to(id)` reaches on any node (clusterCoordinator.ts). So both run the
 * same tested logic, generic over the socket handle `S`.
 */
import type { Logger } from 'pino';
import { CallRegistry, type Clock } from './callRegistry';
import type { Party } from './callRecord';
import { createHandlers, type ClientPayloads, type Handlers } from './handlers';
import { tooManyDevices } from './handshake';
import { describeError } from './logger';
import type { InviteLimitOptions } from './options';
import { Presence } from './presence';
import type {
  Ack,
  ChosenStatus,
  ClientEventName,
  DeviceId,
  IceServer,
  PresenceUser,
  ProtocolError,
  ServerToClientEvents,
  UserId,
} from './protocol';
import { SERVER_VERSION } from './version';

type ServerEvent = keyof ServerToClientEvents;
type ArgsOf<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>;

export interface Transport<S> {
  /** To one socket; a socket that is gone is skipped. */
  send<E extends ServerEvent>(socket: S, event: E, ...args: ArgsOf<E>): void;
  /** To every connected socket, except `except` when given. */
  broadcast<E extends ServerEvent>(except: S | null, event: E, ...args: ArgsOf<E>): void;
  /** Tell the socket why (`session:kicked`), then disconnect it. */
  kick(socket: S, error: ProtocolError): void;
}

export interface SwitchboardOptions {
  maxParticipants: number;
  ringTimeoutMs: number;
  rejoinGraceMs: number;
  /** Signs rejoin tokens (serverSecret.ts). */
  membershipKey: Buffer;
  inviteLimits: InviteLimitOptions;
  /** Devices one user may have online at once. */
  maxDevicesPerUser: number;
  iceServers: (userId: UserId) => { iceServers: IceServer[]; ttlSeconds: number };
  log: Logger;
  /** Time for the call timers (ring timeout, grace period); default the system clock. Tests pass a manual one. */
  clock?: Clock;
}

export interface SwitchboardStats {
  usersOnline: number;
  devicesOnline: number;
  activeCalls: number;
}

const deviceTaken = (deviceId: DeviceId): ProtocolError => ({
  code: 'invalid_identity',
  message: `The device id ${deviceId} is already in use by another user. Reset this app's identity to get a new device id.`,
});
const REPLACED: ProtocolError = {
  code: 'invalid_identity',
  message: 'This device connected again from another window or connection, which took over. Close one of them.',
};

export class Switchboard<S> {
  readonly presence: Presence<S>;
  readonly registry: CallRegistry;
  private readonly handlers: Handlers;

  constructor(
    private readonly options: SwitchboardOptions,
    private readonly transport: Transport<S>,
  ) {
    const presence = new Presence<S>((userId) => registry.isUserInCall(userId));
    const registry = new CallRegistry({
      maxParticipants: options.maxParticipants,
      ringTimeoutMs: options.ringTimeoutMs,
      rejoinGraceMs: options.rejoinGraceMs,
      membershipKey: options.membershipKey,
      inviteLimits: options.inviteLimits,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
      sink: {
        send: (deviceId, event, ...args) => {
          const socket = presence.socketOf(deviceId);
          if (socket !== undefined) transport.send(socket, event, ...args);
        },
        membershipChanged: (userId) => {
          const changed = presence.refresh(userId);
          if (changed) transport.broadcast(null, 'presence:updated', changed);
        },
      },
      onError: (err, where) => options.log.error({ err: describeError(err), where }, 'a call timer failed'),
    });
    this.presence = presence;
    this.registry = registry;
    this.handlers = createHandlers({
      registry,
      presence,
      broadcastPresence: (user) => transport.broadcast(null, 'presence:updated', user),
      iceServers: options.iceServers,
    });
  }

  /** The user a device id belongs to now (online, or a call member in its grace period). */
  deviceOwner(deviceId: DeviceId): UserId | undefined {
    return this.presence.ownerOf(deviceId) ?? this.registry.memberOwner(deviceId);
  }

  /**
   * A socket authenticated as `party`: admit it (false: it was kicked, its device
   * id is another user's or its user has too many devices), welcome it with its call and ringing invites, and
   * announce it.
   */
  connect(party: Party, socket: S): boolean {
    const admitted = this.adopt(party, socket);
    if (admitted === null) return false;
    this.welcome(party, socket);
    const self = this.presence.user(party.userId);
    if (admitted.firstDevice && self) this.transport.broadcast(socket, 'presence:joined', self);
    else if (admitted.changed) this.transport.broadcast(null, 'presence:updated', admitted.changed);
    return true;
  }

  /**
   * Registers a socket without telling anyone but a socket it replaces (a new
   * coordinator rebuilding presence from sockets that are already connected
   * `welcome`s them afterwards). Null when the socket was kicked.
   */
  adopt(party: Party, socket: S): { firstDevice: boolean; changed: PresenceUser | null } | null {
    const owner = this.deviceOwner(party.deviceId);
    // The handshake checked ownership too, but socket.io connects a tick later:
    // two handshakes for one device id by different users can both pass before
    // either connects. The second to connect loses.
    if (owner !== undefined && owner !== party.userId) {
      this.transport.kick(socket, deviceTaken(party.deviceId));
      return null;
    }
    // Checked at the handshake too (handshake.ts); this covers two handshakes racing, and a cluster.
    const devices = this.presence.devicesOf(party.userId);
    if (!devices.includes(party.deviceId) && devices.length >= this.options.maxDevicesPerUser) {
      this.transport.kick(socket, tooManyDevices(party.displayName, this.options.maxDevicesPerUser));
      return null;
    }
    const { firstDevice, replaced, changed } = this.presence.connect(party, socket);
    if (replaced !== undefined) {
      // The device reconnected before its old socket was known dead: the newest
      // wins. If the old one is in fact alive (two windows sharing a device id),
      // it learns why, so it can stop instead of taking the id back in a loop.
      this.transport.kick(replaced, REPLACED);
    }
    return { firstDevice, changed };
  }

  /** Sends the socket its welcome, then the signals queued for it meanwhile. */
  welcome(party: Party, socket: S): void {
    const attached = this.registry.attach(party);
    const self = this.presence.user(party.userId);
    this.transport.send(socket, 'session:welcome', {
      self: { ...party, status: self?.status ?? 'available' },
      users: this.presence.roster(party.userId),
      limits: {
        maxParticipants: this.options.maxParticipants,
        ringTimeoutMs: this.options.ringTimeoutMs,
        rejoinGraceMs: this.options.rejoinGraceMs,
      },
      call: attached.call,
      ringing: attached.ringing,
      serverVersion: SERVER_VERSION,
    });
    attached.flush();
  }

  /** Restores a status chosen before this state existed; nobody is told (welcomes follow). */
  restoreChosen(userId: UserId, status: ChosenStatus): void {
    this.presence.choose(userId, status);
  }

  /** The socket is gone; a socket that a newer one replaced changes nothing. */
  disconnect(party: Party, socket: S): void {
    const gone = this.presence.disconnect(party, socket);
    if (gone === null) return;
    this.registry.detach(party);
    if (gone.lastDevice) this.transport.broadcast(null, 'presence:left', { userId: party.userId });
  }

  /** A client event whose payload its schema has parsed. */
  handle<E extends ClientEventName>(party: Party, event: E, payload: ClientPayloads[E]): Ack<object> {
    const handler: Handlers[E] = this.handlers[event];
    return handler(party, payload);
  }

  stats(): SwitchboardStats {
    return {
      usersOnline: this.presence.usersOnline,
      devicesOnline: this.presence.devicesOnline,
      activeCalls: this.registry.activeCalls,
    };
  }

  /** Stops every timer and forgets every call (see CallRegistry.dispose). */
  dispose(): void {
    this.registry.dispose();
  }
}
