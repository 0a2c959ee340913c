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
import { systemClock } from './callLifecycle';
import { ContactDesk } from './contactDesk';
import { createHandlers, type ClientPayloads, type Handlers } from './handlers';
import { tooManyDevices } from './handshake';
import { describeError } from './logger';
import type { InviteLimitOptions } from './options';
import { Presence, type ContactChange, type Profile } from './presence';
import { PresenceBatcher, type PresenceNews } from './presenceBatcher';
import type {
  Ack,
  AckData,
  CallId,
  ChosenStatus,
  ClientEventName,
  DeviceId,
  IceServer,
  PresenceUser,
  ProtocolError,
  ServerToClientEvents,
  StrangerCalls,
  UserId,
} from './protocol';
import { LIMITS } from './protocol';
import { SfuDesk } from './sfu/desk';
import type { JanusPool } from './sfu/janusPool';
import { credentialFree } from './turnCredentials';
import { SERVER_VERSION } from './version';

type ServerEvent = keyof ServerToClientEvents;
type ArgsOf<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>;

export interface Transport<S> {
  /** To one socket; a socket that is gone is skipped. */
  send<E extends ServerEvent>(socket: S, event: E, ...args: ArgsOf<E>): void;
  /**
   * The same event to each of these sockets (presence goes to a user's contacts,
   * never to everyone: the list is O(contacts)). Nothing when the list is empty.
   */
  sendToMany<E extends ServerEvent>(sockets: readonly S[], event: E, ...args: ArgsOf<E>): void;
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
  /** `directory:search` answers (`--directory on`); default off. */
  directory?: boolean;
  /** The Janus instances (`--janus-url`): calls of more than 4, and meetings, go through them. */
  janus?: JanusPool | undefined;
  /** The largest call on the SFU (default 16). */
  maxSfuParticipants?: number;
  /**
   * Was this call on the SFU before this state existed (a cluster's previous
   * coordinator)? Such a call, rebuilt by `call:rejoin`, is rebuilt on the SFU.
   */
  sfuCallsBefore?: (callId: CallId) => boolean;
}

/**
 * A device hears of its contacts at most once a second: the first news at once, what
 * follows within the window in one `presence:batch` (presenceBatcher.ts). Its welcome
 * (the roster) counts as its first news.
 */
export const PRESENCE_WINDOW_MS = 1_000;

export interface SwitchboardStats {
  usersOnline: number;
  devicesOnline: number;
  activeCalls: number;
}

const deviceTaken = (deviceId: DeviceId): ProtocolError => ({
  code: 'invalid_identity',
  message: `This device (${deviceId}) is still signed in as another account, for example just before it was linked to this one. Wait a minute, then connect again.`,
});
const REPLACED: ProtocolError = {
  code: 'invalid_identity',
  message: 'This device connected again from another window or connection, which took over. Close one of them.',
};

export class Switchboard<S> {
  readonly presence: Presence<S>;
  readonly registry: CallRegistry;
  /** Pending contact and link requests. */
  private readonly desk: ContactDesk<S>;
  private readonly handlers: Handlers;
  /** Every presence message goes through it: one per device per window. */
  private readonly news: PresenceBatcher<S>;
  /** The SFU side of calls, when the server has Janus. */
  readonly sfu: SfuDesk | undefined;

  constructor(
    private readonly options: SwitchboardOptions,
    private readonly transport: Transport<S>,
  ) {
    const presence: Presence<S> = new Presence<S>((userId) => registry.isUserInCall(userId));
    const janus = options.janus;
    // The desk needs the registry and the registry tells the desk: bound once both exist.
    let desk: SfuDesk | undefined;
    const registry: CallRegistry = new CallRegistry({
      sfu: janus && {
        maxParticipants: options.maxSfuParticipants ?? 16,
        available: () => janus.available,
        ...(options.sfuCallsBefore === undefined ? {} : { wasOnSfu: options.sfuCallsBefore }),
        events: {
          callMovedToSfu: (callId) => desk?.callMovedToSfu(callId),
          memberLeft: (callId, deviceId) => desk?.memberLeft(callId, deviceId),
          callEnded: (callId) => desk?.callEnded(callId),
        },
      },
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
          if (changed) this.tellUpdated(changed);
        },
        showsDevices: (viewer: UserId, owner: UserId): boolean => presence.mutual(viewer, owner),
        // A ringing device may have them (handlers.ts `ice:servers`): they come with the ring.
        iceServers: options.iceServers,
      },
      onError: (err, where) => options.log.error({ err: describeError(err), where }, 'a call timer failed'),
    });
    this.presence = presence;
    this.registry = registry;
    if (janus) {
      desk = new SfuDesk(
        janus,
        registry,
        (deviceId, event, ...args) => {
          const socket = presence.socketOf(deviceId);
          if (socket !== undefined) transport.send(socket, event, ...args);
        },
        options.log.child({ part: 'sfu' }),
      );
    }
    this.sfu = desk;
    const clock = options.clock ?? systemClock;
    this.news = new PresenceBatcher(transport, clock, PRESENCE_WINDOW_MS, LIMITS.maxContacts, (err) =>
      options.log.error({ err: describeError(err) }, 'sending a presence batch failed; the device gets the next one'),
    );
    this.desk = new ContactDesk(presence, transport, () => clock.now());
    this.handlers = createHandlers({
      registry,
      presence,
      broadcastPresence: (user) => this.tellUpdated(user),
      setContacts: (party, userIds, strangerCalls) => this.setContacts(party, userIds, strangerCalls),
      desk: this.desk,
      directory: options.directory ?? false,
      iceServers: options.iceServers,
      sfu: desk,
    });
  }

  /** The user a device id belongs to now (online, or a call member in its grace period). */
  deviceOwner(deviceId: DeviceId): UserId | undefined {
    return this.presence.ownerOf(deviceId) ?? this.registry.memberOwner(deviceId);
  }

  /**
   * A socket authenticated as `party`: admit it (false: it was kicked, its device
   * id is another user's or its user has too many devices), welcome it with its call and ringing invites, and
   * announce it. `chosen`: the status its user had chosen before this state
   * existed (a cluster coordinator registering a socket it missed), applied when
   * it is the user's first device here.
   */
  connect(party: Party, profile: Profile, socket: S, chosen?: ChosenStatus): boolean {
    const admitted = this.adopt(party, profile, socket);
    if (admitted === null) return false;
    if (chosen !== undefined && admitted.firstDevice) this.presence.choose(party.userId, chosen);
    this.welcome(party, socket);
    const self = this.presence.user(party.userId);
    if (admitted.firstDevice && self) this.news.tell(this.presence.audience(party.userId), { event: 'presence:joined', user: self });
    else if (admitted.changed) this.tellUpdated(admitted.changed);
    this.tellContactChange(party.userId, admitted.contactChange, socket);
    return true;
  }

  /**
   * Registers a socket without telling anyone but a socket it replaces (a new
   * coordinator rebuilding presence from sockets that are already connected
   * `welcome`s them afterwards). Null when the socket was kicked.
   */
  adopt(party: Party, profile: Profile, socket: S): { firstDevice: boolean; changed: PresenceUser | null; contactChange: ContactChange } | null {
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
    const { firstDevice, replaced, changed, contactChange } = this.presence.connect(party, profile, socket);
    if (replaced !== undefined) {
      // The device reconnected before its old socket was known dead: the newest
      // wins. If the old one is in fact alive (two windows sharing a device id),
      // it learns why, so it can stop instead of taking the id back in a loop.
      this.transport.kick(replaced, REPLACED);
    }
    return { firstDevice, changed, contactChange };
  }

  /** Sends the socket its welcome, then the signals queued for it meanwhile. */
  welcome(party: Party, socket: S): void {
    const attached = this.registry.attach(party);
    const self = this.presence.user(party.userId);
    // Without TURN the ICE servers hold no secret: with them at hand from the start, a
    // device's first call after it connects makes its first offer too (issue 15).
    const ice = this.options.iceServers(party.userId);
    this.transport.send(socket, 'session:welcome', {
      self: { ...party, status: self?.status ?? 'available' },
      users: this.presence.roster(party.userId),
      limits: {
        maxParticipants: this.options.maxParticipants,
        ringTimeoutMs: this.options.ringTimeoutMs,
        rejoinGraceMs: this.options.rejoinGraceMs,
        ...(this.options.janus === undefined ? {} : { meetings: true }),
      },
      call: attached.call,
      ringing: attached.ringing,
      ...(credentialFree(ice) ? { ice } : {}),
      serverVersion: SERVER_VERSION,
    });
    // The roster is this device's presence news: what its contacts do next follows in one batch.
    this.news.opened(socket);
    attached.flush();
    this.desk.welcomed(party.userId, socket);
  }

  /** Restores a status chosen before this state existed; nobody is told (welcomes follow). */
  restoreChosen(userId: UserId, status: ChosenStatus): void {
    this.presence.choose(userId, status);
  }

  /** The socket is gone; a socket that a newer one replaced changes nothing. */
  disconnect(party: Party, socket: S): void {
    this.news.forget(socket);
    // Who sees this user, asked before presence forgets them.
    const audience = this.presence.socketOf(party.deviceId) === socket ? this.presence.audience(party.userId) : [];
    const gone = this.presence.disconnect(party, socket);
    if (gone === null) return;
    this.desk.deviceGone(party.deviceId);
    this.registry.detach(party);
    if (gone.lastDevice) this.news.tell(audience, { event: 'presence:left', userId: party.userId });
  }

  /** `contacts:set`: the device's new list; whoever became or ceased to be a mutual contact is told, both ways. */
  setContacts(party: Party, userIds: readonly UserId[], strangerCalls: StrangerCalls): void {
    const change = this.presence.setContacts(party, userIds, strangerCalls);
    if (change) this.tellContactChange(party.userId, change, null);
  }

  /** A user's presence changed: their mutual contacts and their own devices hear it. */
  private tellUpdated(user: PresenceUser): void {
    const sockets = [...this.presence.audience(user.userId), ...this.presence.socketsOf(user.userId)];
    this.news.tell(sockets, { event: 'presence:updated', user });
  }

  /**
   * New mutual contacts see each other join, former ones see each other leave.
   * `fresh`, a socket of `userId` just welcomed, already has the roster.
   */
  private tellContactChange(userId: UserId, change: ContactChange, fresh: S | null): void {
    if (change.became.length === 0 && change.ceased.length === 0) return;
    const mine = this.presence.socketsOf(userId).filter((s) => s !== fresh);
    const self = this.presence.user(userId);
    const joinedSelf: PresenceNews | null = self ? { event: 'presence:joined', user: self } : null;
    for (const other of change.became) {
      const them = this.presence.user(other);
      if (them) this.news.tell(mine, { event: 'presence:joined', user: them });
      if (joinedSelf) this.news.tell(this.presence.socketsOf(other), joinedSelf);
    }
    const leftSelf: PresenceNews = { event: 'presence:left', userId };
    for (const other of change.ceased) {
      this.news.tell(mine, { event: 'presence:left', userId: other });
      this.news.tell(this.presence.socketsOf(other), leftSelf);
    }
  }

  /** A client event whose payload its schema has parsed; the ack is the one its schema promises (`call:invite`: InviteAck). */
  handle<E extends ClientEventName>(party: Party, event: E, payload: ClientPayloads[E]): Ack<AckData<E>> | Promise<Ack<AckData<E>>> {
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
    this.news.dispose();
    this.sfu?.dispose();
    this.registry.dispose();
  }
}
