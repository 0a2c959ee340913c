/**
 * Devices coming back to their calls: a socket that connects (attach) or drops
 * (detach), and `call:rejoin`, which re-attaches a member or rebuilds a call the
 * server lost (a restart, a new cluster coordinator). Part of the call registry
 * (callRegistry.ts), which owns the index, the lifecycle and the notifier it uses.
 */
import type { CallIndex } from './callIndex';
import type { Clock, CallLifecycle } from './callLifecycle';
import type { CallNotifier } from './callNotifier';
import { alreadyInCall, callNotFound, fail, type CallAck } from './callRefusals';
import { memberOf, occupancy, type Call, type Party } from './callRecord';
import type { MembershipSigner } from './membershipToken';
import type { CallRejoinPayload, CallSnapshot, IncomingCall } from './protocol';

export interface Attached {
  call: CallSnapshot | null;
  ringing: IncomingCall[];
  /** Delivers the signals queued for the device meanwhile, in order, once. */
  flush: () => void;
}

export interface ReattachmentDeps {
  index: CallIndex;
  life: CallLifecycle;
  tell: CallNotifier;
  signer: MembershipSigner;
  clock: Clock;
  maxParticipants: number;
  /** Unknown calls are rebuilt on rejoin only until then (see rejoin). */
  rebuildUntil: number;
  /**
   * May a restored call take one more member? It may move to the SFU for it (a
   * rebuilt call starts as a mesh, though its members may have been on the SFU).
   * Default: under `maxParticipants`.
   */
  admitsOneMore?: (call: Call) => boolean;
  /** A call was just rebuilt (before its first member is added): e.g. back on the SFU. */
  rebuilt?: (call: Call) => void;
}

export class Reattachment {
  private readonly index: CallIndex;
  private readonly life: CallLifecycle;
  private readonly tell: CallNotifier;
  private readonly signer: MembershipSigner;
  private readonly maxParticipants: number;

  constructor(private readonly deps: ReattachmentDeps) {
    this.index = deps.index;
    this.life = deps.life;
    this.tell = deps.tell;
    this.signer = deps.signer;
    this.maxParticipants = deps.maxParticipants;
  }

  /**
   * Re-attach after a reconnection, or rebuild a call this node does not know
   * (the server restarted and lost its memory).
   *
   * Every rejoin carries the device's membership token (membershipToken.ts), and
   * only a call's members ever got one, so nobody can rejoin a call they were not
   * in — whatever call ids they learnt (an invitee who declined saw the id). A bad
   * token, an unknown call and an ended call all get `call_not_found`.
   *
   * A rebuilt call admits the other members' rejoins for `rejoinGraceMs` and ends
   * unless one comes. Rebuilding is allowed only in the restore period after this
   * registry started (a call it does not know is then one from before the restart),
   * and never for an id that ended here (tombstones). If a flood of calls ever
   * evicts a tombstone early, rebuilding stops for good (CallIndex.lostTombstones),
   * so an ended call can still never come back.
   */
  rejoin(sender: Party, p: CallRejoinPayload): CallAck {
    if (!this.signer.verify(p.rejoinToken, p.callId, sender.userId, sender.deviceId)) return callNotFound();
    const call = this.index.get(p.callId);
    if (call) {
      const member = memberOf(call, sender);
      if (member) {
        this.life.rebind(member, sender);
        member.audio = p.audio;
        member.video = p.video;
        this.tell.updated(call);
        this.life.flushQueue(member);
        return { ok: true, call: this.tell.snapshot(call, sender.deviceId) };
      }
      if (!this.life.isRestoring(call) || call.members.has(sender.deviceId)) return fail('not_in_call', 'This device is no longer in that call.');
      if (this.index.callOf(sender.deviceId) || this.index.isUserInCall(sender.userId)) return alreadyInCall();
      const admits = this.deps.admitsOneMore ?? ((c: Call) => occupancy(c) < this.maxParticipants);
      if (!admits(call)) return fail('call_full', 'That call is full.');
      this.life.addMember(call, sender, p.audio, p.video);
      this.tell.updated(call);
      return { ok: true, call: this.tell.snapshot(call, sender.deviceId) };
    }
    if (this.index.hasEnded(p.callId) || !this.canRebuild()) return callNotFound();
    if (this.index.callOf(sender.deviceId)) return alreadyInCall();
    const rebuilt = this.index.create(p.callId, p.media);
    this.life.openRestoreWindow(rebuilt);
    this.deps.rebuilt?.(rebuilt);
    this.life.addMember(rebuilt, sender, p.audio, p.video);
    this.tell.updated(rebuilt);
    return { ok: true, call: this.tell.snapshot(rebuilt, sender.deviceId) };
  }

  /**
   * A device's socket connected: rebind its membership (if it is still a member)
   * and make it ring for every call its user is being invited to (with the
   * caller's first offer, if this device was given it: a reloaded page can still
   * answer it, issue 15). Call `flush()` after sending the welcome: it delivers
   * the signals queued meanwhile, in order, exactly once.
   */
  attach(party: Party): Attached {
    let snapshot: CallSnapshot | null = null;
    let flush = (): void => {};
    const call = this.index.callOf(party.deviceId);
    const member = call && memberOf(call, party);
    if (call && member) {
      this.life.rebind(member, party);
      this.tell.updated(call, party.deviceId);
      snapshot = this.tell.snapshot(call, party.deviceId);
      flush = () => this.life.flushQueue(member);
    }
    const ringing: IncomingCall[] = [];
    for (const invited of this.index.ringing(party.userId)) {
      const invite = invited.invitees.get(party.userId);
      if (!invite || invited.members.has(party.deviceId)) continue;
      if (!invite.devices.has(party.deviceId)) {
        invite.devices.add(party.deviceId);
        this.tell.updated(invited);
      }
      ringing.push(this.tell.incoming(invited, invite, party.deviceId));
    }
    return { call: snapshot, ringing, flush };
  }

  /**
   * A device's socket is gone (not replaced by a newer one of the same device). A
   * device whose socket a newer one replaced never gets here, so it keeps ringing,
   * and keeps the first offer it was given (attach hands it over again).
   */
  detach(party: Party): void {
    const call = this.index.callOf(party.deviceId);
    const member = call && memberOf(call, party);
    if (call && member?.connected) {
      this.life.hold(call, member);
      this.tell.updated(call);
    }
    for (const invited of this.index.ringing(party.userId)) {
      const invite = invited.invitees.get(party.userId);
      if (!invite || !invite.devices.delete(party.deviceId)) continue;
      // The first offer was this device's alone (issue 15): it stopped ringing, so
      // nothing carries the offer any more, not even its ring when it comes back.
      if (invite.firstOffer?.to === party.deviceId) invite.firstOffer = undefined;
      if (invite.devices.size > 0) {
        this.tell.updated(invited);
        continue;
      }
      this.life.removeInvite(invited, invite);
      this.tell.inviteEnded(invited, invite.userId, 'offline');
      this.life.settle(invited, 'offline');
    }
  }

  private canRebuild(): boolean {
    return this.deps.clock.now() < this.deps.rebuildUntil && !this.index.lostTombstones;
  }
}
