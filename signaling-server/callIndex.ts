/**
 * Where calls are kept on this node, with the lookups the registry needs to answer
 * quickly: which call a device is a member of, which users have a member device,
 * which calls ring a user, and which call ids ended (tombstones). The registry
 * changes calls only through these methods, so the indexes cannot drift.
 */
import type { Call, Invite, Member } from './callRecord';
import type { CallId, DeviceId, UserId } from './protocol';

/** How long an ended call's id is remembered, so a late rejoin cannot revive it. */
const TOMBSTONE_TTL_MS = 60 * 60_000;
/** ~5 MB at most. Past it the oldest go early, and `lostTombstones` says so (see CallRegistry.rejoin). */
export const MAX_TOMBSTONES = 50_000;

export class CallIndex {
  private readonly calls = new Map<CallId, Call>();
  private readonly memberCall = new Map<DeviceId, CallId>();
  private readonly userMembers = new Map<UserId, Set<DeviceId>>();
  private readonly userInvites = new Map<UserId, Set<CallId>>();
  /** callId → expiry; in expiry order, since the TTL is constant. */
  private readonly tombstones = new Map<CallId, number>();
  private evictedEarly = false;

  constructor(
    private readonly now: () => number,
    private readonly maxTombstones = MAX_TOMBSTONES,
  ) {}

  /**
   * True once an ended call's id was forgotten before its time (a flood of calls
   * overflowed the cap): from then on `hasEnded` can miss an ended call, so the
   * registry must not rebuild unknown calls any more.
   */
  get lostTombstones(): boolean {
    return this.evictedEarly;
  }

  get size(): number {
    return this.calls.size;
  }

  all(): IterableIterator<Call> {
    return this.calls.values();
  }

  get(callId: CallId): Call | undefined {
    return this.calls.get(callId);
  }

  /** The call `deviceId` is a member of. */
  callOf(deviceId: DeviceId): Call | undefined {
    const callId = this.memberCall.get(deviceId);
    return callId === undefined ? undefined : this.calls.get(callId);
  }

  /** The calls that ring `userId` now. */
  ringing(userId: UserId): Call[] {
    return [...(this.userInvites.get(userId) ?? [])].flatMap((id) => this.calls.get(id) ?? []);
  }

  isUserInCall(userId: UserId): boolean {
    return (this.userMembers.get(userId)?.size ?? 0) > 0;
  }

  isUserRinging(userId: UserId): boolean {
    return (this.userInvites.get(userId)?.size ?? 0) > 0;
  }

  hasEnded(callId: CallId): boolean {
    this.prune();
    return this.tombstones.has(callId);
  }

  create(id: CallId, media: Call['media']): Call {
    const call: Call = { id, media, connectedAt: null, members: new Map(), invitees: new Map(), restoredUntil: null, restoreTimer: null, topology: 'mesh' };
    this.calls.set(id, call);
    return call;
  }

  addMember(call: Call, member: Member): void {
    call.members.set(member.deviceId, member);
    this.memberCall.set(member.deviceId, call.id);
    addTo(this.userMembers, member.userId, member.deviceId);
  }

  removeMember(call: Call, member: Member): void {
    call.members.delete(member.deviceId);
    this.memberCall.delete(member.deviceId);
    removeFrom(this.userMembers, member.userId, member.deviceId);
  }

  addInvite(call: Call, invite: Invite): void {
    call.invitees.set(invite.userId, invite);
    addTo(this.userInvites, invite.userId, call.id);
  }

  removeInvite(call: Call, invite: Invite): void {
    call.invitees.delete(invite.userId);
    removeFrom(this.userInvites, invite.userId, call.id);
  }

  /** Forgets a call that ended, remembering its id. Its members and invites stay on the object. */
  delete(call: Call): void {
    if (this.calls.get(call.id) !== call) return;
    this.calls.delete(call.id);
    for (const member of call.members.values()) {
      this.memberCall.delete(member.deviceId);
      removeFrom(this.userMembers, member.userId, member.deviceId);
    }
    for (const invite of call.invitees.values()) removeFrom(this.userInvites, invite.userId, call.id);
    this.tombstones.set(call.id, this.now() + TOMBSTONE_TTL_MS);
    this.prune();
  }

  clear(): void {
    this.calls.clear();
    this.memberCall.clear();
    this.userMembers.clear();
    this.userInvites.clear();
    this.tombstones.clear();
  }

  private prune(): void {
    const now = this.now();
    for (const [id, expiry] of this.tombstones) {
      if (expiry > now && this.tombstones.size <= this.maxTombstones) break;
      if (expiry > now) this.evictedEarly = true;
      this.tombstones.delete(id);
    }
  }
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set) set.add(value);
  else index.set(key, new Set([value]));
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) index.delete(key);
}
