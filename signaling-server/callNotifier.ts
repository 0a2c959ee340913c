/**
 * What the devices of a call are told, and how: one method per kind of news, each
 * building per-recipient snapshots (the `polite` flags depend on who looks).
 * Members whose socket is gone are skipped: their welcome or rejoin ack will carry
 * the current snapshot.
 */
import { snapshotFor, type Call, type Invite, type Member } from './callRecord';
import type {
  CallEndReason,
  CallSnapshot,
  DeviceId,
  IceServersAck,
  IncomingCall,
  InviteEndReason,
  MemberLeaveReason,
  RingEndReason,
  ServerToClientEvents,
  UserId,
} from './protocol';

export interface CallSink {
  /** Deliver to the device's current socket; a device with no socket is skipped. */
  send<E extends keyof ServerToClientEvents>(deviceId: DeviceId, event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** A device of `userId` joined or left a call: its effective presence may have changed. */
  membershipChanged(userId: UserId): void;
  /** May `viewer` see the ringing devices of `owner` (mutual contacts)? Default: yes. */
  showsDevices?: (viewer: UserId, owner: UserId) => boolean;
  /** The ICE servers a ringing device of `userId` gets with the ring (`ice:servers`' answer); none: it asks. */
  iceServers?: (userId: UserId) => IceServersAck;
}

export class CallNotifier {
  constructor(
    private readonly sink: CallSink,
    private readonly maxParticipants: number,
    /** The limit of a call on the SFU (`--max-sfu-participants`). */
    private readonly maxSfuParticipants: number = maxParticipants,
  ) {}

  snapshot(call: Call, viewer: DeviceId): CallSnapshot {
    // A mesh call on a server with an SFU can grow to the SFU's limit (the 5th invite moves it
    // there), so the client's "Add participant" offers that room too.
    const limit = call.topology === 'sfu' || this.maxSfuParticipants > this.maxParticipants ? this.maxSfuParticipants : this.maxParticipants;
    return snapshotFor(call, viewer, limit, this.sink.showsDevices);
  }

  /**
   * The ring as `deviceId` gets it. The caller's first offer (issue 15) comes only
   * to the device it was given to (Invite.firstOffer): a second device answering
   * the same offer would set up a connection the caller cannot complete.
   */
  incoming(call: Call, invite: Invite, deviceId: DeviceId): IncomingCall {
    const offer = invite.firstOffer;
    return {
      callId: call.id,
      from: { userId: invite.invitedBy, displayName: invite.invitedByName },
      media: call.media,
      call: this.snapshot(call, deviceId),
      ...(this.sink.iceServers ? { ice: this.sink.iceServers(invite.userId) } : {}),
      ...(offer?.to === deviceId ? { offer: { from: offer.from, sdp: offer.sdp, proof: offer.proof } } : {}),
    };
  }

  /** Ring every device of a new invite. */
  ring(call: Call, invite: Invite): void {
    for (const deviceId of invite.devices) this.sink.send(deviceId, 'call:incoming', this.incoming(call, invite, deviceId));
  }

  /** Every connected member gets its own snapshot (except `except`, whose welcome carries it). */
  updated(call: Call, except?: DeviceId): void {
    for (const m of connected(call, except)) this.sink.send(m.deviceId, 'call:updated', { call: this.snapshot(call, m.deviceId) });
  }

  ringEnded(call: Call, invite: Invite, reason: RingEndReason, except?: DeviceId): void {
    for (const deviceId of invite.devices) {
      if (deviceId !== except) this.sink.send(deviceId, 'call:ring-ended', { callId: call.id, reason });
    }
  }

  inviteEnded(call: Call, userId: UserId, reason: InviteEndReason, except?: DeviceId): void {
    for (const m of connected(call, except)) this.sink.send(m.deviceId, 'call:invite-ended', { callId: call.id, userId, reason });
  }

  memberLeft(call: Call, member: Member, reason: MemberLeaveReason): void {
    const payload = { callId: call.id, userId: member.userId, deviceId: member.deviceId, reason };
    for (const m of connected(call)) this.sink.send(m.deviceId, 'call:member-left', payload);
  }

  /** The call is over: members hear why, devices still ringing stop. */
  ended(call: Call, reason: CallEndReason): void {
    for (const invite of call.invitees.values()) this.ringEnded(call, invite, 'call_ended');
    for (const m of connected(call)) this.sink.send(m.deviceId, 'call:ended', { callId: call.id, reason });
  }

  signal(deviceId: DeviceId, signal: Parameters<ServerToClientEvents['signal']>[0]): void {
    this.sink.send(deviceId, 'signal', signal);
  }

  membershipChanged(userId: UserId): void {
    this.sink.membershipChanged(userId);
  }
}

function connected(call: Call, except?: DeviceId): Member[] {
  return [...call.members.values()].filter((m) => m.connected && m.deviceId !== except);
}
