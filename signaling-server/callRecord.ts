/**
 * The shape of one call as the server keeps it, and how each recipient sees it.
 * Plain data and pure functions; the registry (callRegistry.ts) owns the mutations.
 */
import type { DtlsProof } from './identity';
import {
  isPolite,
  type CallId,
  type CallMedia,
  type CallSnapshot,
  type DeviceId,
  type SignalData,
  type UserId,
} from './protocol';

/** Whoever acts: one device of one user, as its handshake named them. */
export interface Party {
  userId: UserId;
  deviceId: DeviceId;
  displayName: string;
}

/** A signal held for a member whose socket is gone (see relay.ts). */
export interface QueuedSignal {
  callId: CallId;
  from: DeviceId;
  fromUserId: UserId;
  data: SignalData;
}

/** The signals held for one member, oldest first, and what they weigh. */
export interface SignalQueue {
  items: { signal: QueuedSignal; bytes: number }[];
  bytes: number;
}

export interface Member {
  userId: UserId;
  deviceId: DeviceId;
  displayName: string;
  connected: boolean;
  audio: boolean;
  video: boolean;
  /** Running while the member's socket is gone; on expiry the member is removed. */
  graceTimer: unknown;
  queue: SignalQueue;
  /** This member's membership token (membershipToken.ts), signed once when it joined. */
  rejoinToken: string;
}

export interface Invite {
  userId: UserId;
  displayName: string;
  /** The devices of `userId` that ring now. */
  devices: Set<DeviceId>;
  invitedBy: UserId;
  invitedByName: string;
  ringTimer: unknown;
  /**
   * The caller's first offer (issue 15), for the one ringing device `to`, from the
   * caller's device `from`. Only `call:incoming` to `to` carries it (the ring, and
   * the welcome's `ringing` when `to` reconnects while it rings). It lives as long
   * as this record and is cleared when `to` stops ringing before it does. Kept as
   * the client sent it: the server neither reads the SDP nor checks the proof.
   */
  firstOffer?: FirstOfferRecord | undefined;
}

/** See Invite.firstOffer. */
export interface FirstOfferRecord {
  to: DeviceId;
  from: DeviceId;
  sdp: string;
  proof: DtlsProof;
}

export interface Call {
  id: CallId;
  media: CallMedia;
  connectedAt: number | null;
  /** Insertion order = join order, which is the order everyone sees. */
  members: Map<DeviceId, Member>;
  invitees: Map<UserId, Invite>;
  /**
   * Set when the call was recreated by `call:rejoin` after a server restart: until
   * this time, other devices that rejoin with the id are admitted as members.
   */
  restoredUntil: number | null;
  /** Ends a restored call that nobody else rejoined. */
  restoreTimer: unknown;
  /** How media flows: a peer-to-peer mesh, or through the SFU (once `sfu`, never back). */
  topology: 'mesh' | 'sfu';
}

/** May `viewer` see the devices of `owner`, who is being rung and has not answered? */
export type ShowsDevices = (viewer: UserId, owner: UserId) => boolean;

/** The user a device of the call (member or ringing) belongs to. */
function userOfDevice(call: Call, deviceId: DeviceId): UserId | undefined {
  const member = call.members.get(deviceId);
  if (member) return member.userId;
  for (const invite of call.invitees.values()) if (invite.devices.has(deviceId)) return invite.userId;
  return undefined;
}

/**
 * The call as `viewer` sees it: `polite` is from the viewer's side of each pair,
 * and `rejoinToken` is the viewer's own (null unless the viewer is a member).
 * An invitee's devices (who has not answered) are listed only to the invitee's
 * own devices and to those `shows` allows (mutual contacts): everyone else sees
 * an empty list, so nobody pre-connects to a stranger's devices (which would
 * reveal their network addresses) or even learns their device ids. Members'
 * devices are listed to all: a member answered (or placed the call).
 */
export function snapshotFor(call: Call, viewer: DeviceId, maxParticipants: number, shows: ShowsDevices = () => true): CallSnapshot {
  const polite = (other: DeviceId): boolean => other !== viewer && isPolite(viewer, other);
  const viewerUser = userOfDevice(call, viewer);
  // A viewer outside the call is the server looking at its own record (CallRegistry.snapshot): it sees all.
  const visible = (owner: UserId): boolean => viewerUser === undefined || viewerUser === owner || shows(viewerUser, owner);
  return {
    callId: call.id,
    media: call.media,
    connectedAt: call.connectedAt,
    members: [...call.members.values()].map((m) => ({
      userId: m.userId,
      deviceId: m.deviceId,
      displayName: m.displayName,
      polite: polite(m.deviceId),
      connected: m.connected,
      audio: m.audio,
      video: m.video,
    })),
    invitees: [...call.invitees.values()].map((i) => ({
      userId: i.userId,
      displayName: i.displayName,
      devices: visible(i.userId) ? [...i.devices].map((deviceId) => ({ deviceId, polite: polite(deviceId) })) : [],
      invitedBy: i.invitedBy,
    })),
    maxParticipants,
    topology: call.topology,
    rejoinToken: call.members.get(viewer)?.rejoinToken ?? null,
  };
}

/** The invite under which `deviceId` of `userId` rings in `call`, if any. */
export function ringingInvite(call: Call, userId: UserId, deviceId: DeviceId): Invite | undefined {
  const invite = call.invitees.get(userId);
  return invite?.devices.has(deviceId) ? invite : undefined;
}

/** Is this device of this user a member of `call`? */
export function isMember(call: Call, userId: UserId, deviceId: DeviceId): boolean {
  return call.members.get(deviceId)?.userId === userId;
}

/** Is `deviceId` ringing for `call`, whoever its user is? */
export function isRingingDevice(call: Call, deviceId: DeviceId): boolean {
  for (const invite of call.invitees.values()) if (invite.devices.has(deviceId)) return true;
  return false;
}

/** The end rule: no members left, or fewer than two and nobody still being rung. */
export function shouldEnd(call: Call): boolean {
  return call.members.size === 0 || (call.members.size < 2 && call.invitees.size === 0);
}

/** Members plus pending invitees: what `maxParticipants` bounds. */
export function occupancy(call: Call): number {
  return call.members.size + call.invitees.size;
}

/** The member that is this device of this user, if it is one. */
export function memberOf(call: Call, party: Party): Member | undefined {
  return isMember(call, party.userId, party.deviceId) ? call.members.get(party.deviceId) : undefined;
}
