/**
 * Who is online: users, their devices, the socket of each device, and the status
 * everyone sees. (In a cluster the coordinator holds it for every node, with socket
 * ids for sockets.) Generic over the socket type and free of socket.io, so
 * it is unit-testable; switchboard.ts turns its answers into broadcasts.
 *
 * Status: a user chooses available / dnd / away (default available); while any of
 * their devices is a call member, everyone sees `in_call` instead.
 *
 * Block lists (`block:set`) live here too, for as long as the user has a device
 * online: the client keeps the list and sends it again after every welcome, so
 * the server holds no state about users who are away.
 */
import type { Party } from './callRecord';
import type { ChosenStatus, DeviceId, PresenceStatus, PresenceUser, UserId } from './protocol';

interface UserEntry<S> {
  userId: UserId;
  displayName: string;
  chosen: ChosenStatus;
  /** The status last shown to others, to broadcast only real changes. */
  shown: PresenceStatus;
  devices: Map<DeviceId, S>;
  /** Users whose invites this user refuses. */
  blocked: ReadonlySet<UserId>;
}

export interface ConnectResult<S> {
  /** The user was offline until now: announce them. */
  firstDevice: boolean;
  /** An older socket of the same device, to disconnect (it is no longer current). */
  replaced: S | undefined;
  /** The user's entry changed (a new display name): broadcast it. */
  changed: PresenceUser | null;
}

export class Presence<S> {
  private readonly users = new Map<UserId, UserEntry<S>>();
  private readonly deviceUser = new Map<DeviceId, UserId>();

  /** `inCall` answers from the call registry. */
  constructor(private readonly inCall: (userId: UserId) => boolean) {}

  get usersOnline(): number {
    return this.users.size;
  }

  get devicesOnline(): number {
    return this.deviceUser.size;
  }

  /** The user a device is connected as, if it is online. */
  ownerOf(deviceId: DeviceId): UserId | undefined {
    return this.deviceUser.get(deviceId);
  }

  socketOf(deviceId: DeviceId): S | undefined {
    const userId = this.deviceUser.get(deviceId);
    return userId === undefined ? undefined : this.users.get(userId)?.devices.get(deviceId);
  }

  devicesOf(userId: UserId): DeviceId[] {
    return [...(this.users.get(userId)?.devices.keys() ?? [])];
  }

  chosenStatus(userId: UserId): ChosenStatus | undefined {
    return this.users.get(userId)?.chosen;
  }

  user(userId: UserId): PresenceUser | undefined {
    const entry = this.users.get(userId);
    return entry && view(entry);
  }

  /** Everyone online except `userId`. */
  roster(exceptUserId: UserId): PresenceUser[] {
    return [...this.users.values()].filter((u) => u.userId !== exceptUserId).map(view);
  }

  /** A socket authenticated as `party`. The caller has checked device ownership. */
  connect(party: Party, socket: S): ConnectResult<S> {
    let entry = this.users.get(party.userId);
    const firstDevice = entry === undefined;
    let changed: PresenceUser | null = null;
    if (entry === undefined) {
      entry = {
        userId: party.userId,
        displayName: party.displayName,
        chosen: 'available',
        shown: 'available',
        devices: new Map(),
        blocked: new Set(),
      };
      this.users.set(party.userId, entry);
      entry.shown = this.effective(entry);
    } else if (entry.displayName !== party.displayName) {
      // The latest handshake wins: a renamed device renames the user everywhere.
      entry.displayName = party.displayName;
      changed = view(entry);
    }
    const replaced = entry.devices.get(party.deviceId);
    entry.devices.set(party.deviceId, socket);
    this.deviceUser.set(party.deviceId, party.userId);
    return { firstDevice, replaced: replaced === socket ? undefined : replaced, changed };
  }

  /**
   * A socket closed. Null when it was no longer the device's current socket (a
   * newer one replaced it), in which case nothing about the device changed.
   */
  disconnect(party: Party, socket: S): { lastDevice: boolean } | null {
    const entry = this.users.get(party.userId);
    if (!entry || entry.devices.get(party.deviceId) !== socket) return null;
    entry.devices.delete(party.deviceId);
    this.deviceUser.delete(party.deviceId);
    if (entry.devices.size > 0) return { lastDevice: false };
    this.users.delete(party.userId);
    return { lastDevice: true };
  }

  /** Replaces the user's block list; false when the user is not online (nothing kept). */
  setBlocked(userId: UserId, blocked: readonly UserId[]): boolean {
    const entry = this.users.get(userId);
    if (!entry) return false;
    entry.blocked = new Set(blocked);
    return true;
  }

  /** Does `userId` refuse calls from `callerId`? */
  blocks(userId: UserId, callerId: UserId): boolean {
    return this.users.get(userId)?.blocked.has(callerId) ?? false;
  }

  /** The user picked a status; returns what to broadcast if what others see changed. */
  choose(userId: UserId, status: ChosenStatus): PresenceUser | null {
    const entry = this.users.get(userId);
    if (!entry) return null;
    entry.chosen = status;
    return this.refresh(userId);
  }

  /** Recomputes the shown status (after a call membership change). */
  refresh(userId: UserId): PresenceUser | null {
    const entry = this.users.get(userId);
    if (!entry) return null;
    const status = this.effective(entry);
    if (status === entry.shown) return null;
    entry.shown = status;
    return view(entry);
  }

  private effective(entry: UserEntry<S>): PresenceStatus {
    return this.inCall(entry.userId) ? 'in_call' : entry.chosen;
  }
}

function view<S>(entry: UserEntry<S>): PresenceUser {
  return { userId: entry.userId, displayName: entry.displayName, status: entry.shown };
}
