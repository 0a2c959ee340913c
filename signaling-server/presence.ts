/**
 * Who is online: users, their devices, the socket of each device, and the status
 * their contacts see. (In a cluster the coordinator holds it for every node, with socket
 * ids for sockets.) Generic over the socket type and free of socket.io, so
 * it is unit-testable; switchboard.ts turns its answers into broadcasts.
 *
 * Status: a user chooses available / dnd / away (default available); while any of
 * their devices is a call member, everyone sees `in_call` instead.
 *
 * Block lists (`block:set`) live here too, for as long as the user has a device
 * online: the client keeps the list and sends it again after every welcome, so
 * the server holds no state about users who are away.
 *
 * Contacts: each online user's contact list (handshake, then `contacts:set`) and
 * stranger-call setting, and their verified user key. Two users are contacts only
 * when BOTH list each other (mutual): listing someone alone gives no presence of
 * them. Everything presence sends goes to mutual contacts only, found by walking
 * the user's own list (O(contacts), never O(everyone online)).
 */
import type { Party } from './callRecord';
import type { PublicKey } from './identity';
import type { ChosenStatus, DeviceId, PresenceStatus, PresenceUser, StrangerCalls, UserId } from './protocol';

/** What a device's handshake says about its user besides the party: key, contacts, stranger calls. */
export interface Profile {
  /** Verified by the handshake: `idOfKey(userKey) === userId`. */
  userKey: PublicKey;
  contacts: readonly UserId[];
  strangerCalls: StrangerCalls;
}

/** Whose mutual-contact relation with a user changed (both online). */
export interface ContactChange {
  became: UserId[];
  ceased: UserId[];
}

interface UserEntry<S> {
  userId: UserId;
  displayName: string;
  chosen: ChosenStatus;
  /** The status last shown to others, to broadcast only real changes. */
  shown: PresenceStatus;
  devices: Map<DeviceId, S>;
  /** Users whose invites this user refuses. */
  blocked: ReadonlySet<UserId>;
  userKey: PublicKey;
  /**
   * Each device's own list. A user's devices keep their contact books apart (a
   * device linked today starts with an empty one), so no device's list may wipe
   * another's: the user lists whom any of their devices of this online spell
   * lists. A device's list is replaced by its next `contacts:set` and forgotten
   * with the user when their last device goes.
   */
  deviceContacts: DeviceList[];
  /** The union of `deviceContacts` (not necessarily mutual). */
  contacts: ContactList;
  strangerCalls: StrangerCalls;
}

export interface ConnectResult<S> {
  /** The user was offline until now: announce them. */
  firstDevice: boolean;
  /** An older socket of the same device, to disconnect (it is no longer current). */
  replaced: S | undefined;
  /** The user's entry changed (a new display name): tell their contacts. */
  changed: PresenceUser | null;
  /** This device's contact list differed from the user's: who became or ceased to be a mutual contact. */
  contactChange: ContactChange;
}

export class Presence<S> {
  private readonly users = new Map<UserId, UserEntry<S>>();
  private readonly deviceUser = new Map<DeviceId, UserId>();
  /** One copy of each id that an online user's list names, and in how many lists (keepList). */
  private readonly sharedIds = new Map<UserId, { id: UserId; lists: number }>();

  /** `inCall` answers from the call registry. */
  constructor(private readonly inCall: (userId: UserId) => boolean) {}

  get usersOnline(): number {
    return this.users.size;
  }

  /** How many distinct ids the online users' lists name (each kept once: keepList). */
  get listedIds(): number {
    return this.sharedIds.size;
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

  /**
   * The user's online devices in the order they connected, the most recent last
   * (a device that reconnects moves to the end: see connect). In a cluster that is
   * the order the coordinator registered them; a new coordinator adopts the
   * sockets it finds in no particular order.
   */
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

  /** The mutual contacts of `userId` who are online now (the welcome roster). */
  roster(userId: UserId): PresenceUser[] {
    return this.contactsOnline(userId).map((id) => view(this.users.get(id) as UserEntry<S>));
  }

  /** The online users who list `userId` and whom `userId` lists. O(contacts of `userId`). */
  contactsOnline(userId: UserId): UserId[] {
    const entry = this.users.get(userId);
    if (!entry) return [];
    const found: UserId[] = [];
    for (const other of entry.contacts) {
      if (lists(this.users.get(other)?.contacts, userId)) found.push(other);
    }
    return found;
  }

  /** Do `a` and `b` list each other (both online)? */
  mutual(a: UserId, b: UserId): boolean {
    return a !== b && lists(this.users.get(a)?.contacts, b) && lists(this.users.get(b)?.contacts, a);
  }

  /** The sockets of `userId`'s devices. */
  socketsOf(userId: UserId): S[] {
    return [...(this.users.get(userId)?.devices.values() ?? [])];
  }

  /** The sockets of every device of every online mutual contact of `userId`: who sees their presence. */
  audience(userId: UserId): S[] {
    const sockets: S[] = [];
    for (const other of this.contactsOnline(userId)) {
      for (const socket of (this.users.get(other) as UserEntry<S>).devices.values()) sockets.push(socket);
    }
    return sockets;
  }

  /** The verified user key of an online user. */
  userKey(userId: UserId): PublicKey | undefined {
    return this.users.get(userId)?.userKey;
  }

  strangerCalls(userId: UserId): StrangerCalls | undefined {
    return this.users.get(userId)?.strangerCalls;
  }

  /** Every online user (the directory searches them). */
  *everyone(): Generator<PresenceUser> {
    for (const entry of this.users.values()) yield view(entry);
  }

  /** A socket authenticated as `party`. The caller has checked device ownership. */
  connect(party: Party, profile: Profile, socket: S): ConnectResult<S> {
    let entry = this.users.get(party.userId);
    const firstDevice = entry === undefined;
    let changed: PresenceUser | null = null;
    let contactChange: ContactChange = { became: [], ceased: [] };
    if (entry === undefined) {
      const own = this.keepList(party.userId, profile.contacts);
      entry = {
        userId: party.userId,
        displayName: party.displayName,
        chosen: 'available',
        shown: 'available',
        devices: new Map(),
        blocked: BLOCKS_NOBODY,
        userKey: profile.userKey,
        deviceContacts: [{ deviceId: party.deviceId, list: own }],
        contacts: own,
        strangerCalls: profile.strangerCalls,
      };
      this.users.set(party.userId, entry);
      entry.shown = this.effective(entry);
    } else {
      if (entry.displayName !== party.displayName) {
        // The latest handshake wins: a renamed device renames the user everywhere.
        entry.displayName = party.displayName;
        changed = view(entry);
      }
      // This device's list joins the others' (see deviceContacts); the latest stranger setting wins.
      contactChange = this.setContacts(party, profile.contacts, profile.strangerCalls) ?? contactChange;
    }
    const replaced = entry.devices.get(party.deviceId);
    if (replaced !== socket) {
      // Deleted first, so a device that reconnects moves to the end: devicesOf
      // lists devices in the order they connected, and a caller's first offer
      // goes to the last (callRegistry.ts, issue 15).
      entry.devices.delete(party.deviceId);
      entry.devices.set(party.deviceId, socket);
    }
    this.deviceUser.set(party.deviceId, party.userId);
    return { firstDevice, replaced: replaced === socket ? undefined : replaced, changed, contactChange };
  }

  /**
   * Replaces this device's contact list and the user's stranger-call setting;
   * returns who became and who ceased to be an online mutual contact (null when
   * the user is not online).
   */
  setContacts(party: Pick<Party, 'userId' | 'deviceId'>, contacts: readonly UserId[], strangerCalls: StrangerCalls): ContactChange | null {
    const { userId } = party;
    const entry = this.users.get(userId);
    if (!entry) return null;
    const before = new Set(this.contactsOnline(userId));
    const list = this.keepList(userId, contacts);
    const mine = entry.deviceContacts.find((d) => d.deviceId === party.deviceId);
    if (mine) {
      this.dropList(mine.list);
      mine.list = list;
    } else {
      entry.deviceContacts.push({ deviceId: party.deviceId, list });
    }
    entry.contacts = unionOf(entry.deviceContacts.map((d) => d.list));
    entry.strangerCalls = strangerCalls;
    const after = this.contactsOnline(userId);
    const became = after.filter((id) => !before.has(id));
    const afterSet = new Set(after);
    const ceased = [...before].filter((id) => !afterSet.has(id));
    return { became, ceased };
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
    for (const { list } of entry.deviceContacts) this.dropList(list);
    return { lastDevice: true };
  }

  /**
   * A device's contact list as kept (never the user's own id), its ids shared with
   * every other list that names the same user: each client's list arrives as its own
   * parsed strings, and 50 ids of ~22 characters are ~2 KiB of heap per client
   * when every one of them is a copy (issue 15: capacity, heap per client).
   */
  private keepList(userId: UserId, contacts: readonly UserId[]): ContactList {
    const list = new Set<UserId>();
    for (const id of contacts) {
      if (id === userId || list.has(id)) continue;
      let one = this.sharedIds.get(id);
      if (one === undefined) {
        one = { id, lists: 0 };
        this.sharedIds.set(id, one);
      }
      one.lists += 1;
      list.add(one.id);
    }
    return [...list].sort();
  }

  /** A list made by keepList is gone: its ids are shared by one list fewer. */
  private dropList(list: ContactList): void {
    for (const id of list) {
      const one = this.sharedIds.get(id);
      if (one === undefined) continue;
      one.lists -= 1;
      if (one.lists <= 0) this.sharedIds.delete(id);
    }
  }

  /** Replaces the user's block list; false when the user is not online (nothing kept). */
  setBlocked(userId: UserId, blocked: readonly UserId[]): boolean {
    const entry = this.users.get(userId);
    if (!entry) return false;
    entry.blocked = blocked.length === 0 ? BLOCKS_NOBODY : new Set(blocked);
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

/** The block list of every user who blocks nobody (most): one empty set, not one per user. */
const BLOCKS_NOBODY: ReadonlySet<UserId> = new Set();

/**
 * A contact list as kept: its ids sorted (code unit order) and unique, searched by
 * bisection. Lists are never changed in place, only replaced. An array of 50 ids is
 * about a third of a Set of them (issue 15: capacity, heap per client).
 */
type ContactList = readonly UserId[];

/**
 * One device's own list. A user's devices are few (one, mostly): a small array of
 * these, not a Map per user (issue 15: capacity, heap per client).
 */
interface DeviceList {
  deviceId: DeviceId;
  list: ContactList;
}

/** Does `list` name `id`? False for no list. */
function lists(list: ContactList | undefined, id: UserId): boolean {
  if (list === undefined) return false;
  let low = 0;
  let high = list.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const at = list[middle] as UserId;
    if (at === id) return true;
    if (at < id) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

/**
 * The union of a user's device lists. With one device (the usual case) it is that
 * device's own list, not a copy: a second list of 50 contacts per online user was
 * about 1.3 KiB of heap per connection as a Set (issue 15: capacity).
 */
function unionOf(all: readonly ContactList[]): ContactList {
  if (all.length === 1 && all[0]) return all[0];
  return [...new Set(all.flat())].sort();
}

function view<S>(entry: UserEntry<S>): PresenceUser {
  return { userId: entry.userId, displayName: entry.displayName, status: entry.shown };
}
