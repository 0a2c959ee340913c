/**
 * Every call and what may happen to it: invite, accept, decline,
 * cancel, leave, media, rejoin, relay, and devices coming and going. This module
 * holds the rules (who may do what, and the refusals; invites also pass the
 * callee's block list and the invite limits, inviteLimits.ts); callLifecycle.ts
 * carries out the changes, callNotifier.ts tells the devices, callIndex.ts stores,
 * and callReattach.ts brings devices back (attach, detach, rejoin with membership
 * tokens).
 *
 * No socket.io in here. Commands take the acting device (a `Party`) and a parsed
 * payload, change the state, tell the devices concerned through a `CallSink`, and
 * return the ack. Time comes from an injectable `Clock`, so the whole life of a
 * call is unit-testable. Conventions:
 * - after every change, every connected member gets `call:updated` with its own
 *   snapshot, the acting device included (its ack carries the same snapshot): a
 *   client can follow its calls from events alone, even if it asked without an
 *   ack. The one exception is a device being (re)attached, whose `session:welcome`
 *   carries the snapshot and must come first;
 * - `call:invite-ended` and `call:member-left` go to the other members;
 * - ringing devices learn from `call:incoming` and `call:ring-ended`;
 * - a member whose socket is gone is told nothing (its welcome or rejoin ack
 *   carries the snapshot), but signals for it are queued (relay.ts).
 * In a cluster (a Redis URL) the coordinator node runs the one registry of the
 * cluster (clusterCoordinator.ts); the commands are the same.
 */
import { randomBytes } from 'node:crypto';
import { CallIndex } from './callIndex';
import { CallLifecycle, systemClock, type Clock } from './callLifecycle';
import { CallNotifier, type CallSink } from './callNotifier';
import { Reattachment, type Attached } from './callReattach';
import { alreadyInCall, fail, notInCall, notInvited, tooOften, type CallAck } from './callRefusals';
import {
  isMember,
  isRingingDevice,
  memberOf,
  occupancy,
  ringingInvite,
  type Call,
  type FirstOfferRecord,
  type Invite,
  type Party,
} from './callRecord';
import { InviteLimiter } from './inviteLimits';
import { MembershipSigner } from './membershipToken';
import type { InviteLimitOptions } from './options';
import {
  LIMITS,
  type Ack,
  type CallAcceptPayload,
  type CallCancelPayload,
  type CallId,
  type CallInvitePayload,
  type CallMediaPayload,
  type CallRejoinPayload,
  type CallSnapshot,
  type ChosenStatus,
  type DeviceId,
  type InviteAck,
  type SignalPayload,
  type UserId,
} from './protocol';
import { enqueueSignal, routeSignal, type QueueLimits } from './relay';
import type { SfuCallEvents } from './sfu/types';

export type { CallSink } from './callNotifier';
export type { Clock } from './callLifecycle';

/** Who is being invited, as presence knows them now. */
export interface InviteTarget {
  userId: UserId;
  displayName: string;
  chosenStatus: ChosenStatus;
  /**
   * Online devices, in the order they connected (the most recent last: see
   * Presence.devicesOf); empty = offline.
   */
  devices: DeviceId[];
  /** The callee blocked the caller (`block:set`): refused, never rung. */
  blocksCaller: boolean;
  /** The callee and the caller list each other: only then may a first offer reach the callee (issue 15). */
  mutual: boolean;
}

export interface CallRegistryOptions {
  maxParticipants: number;
  ringTimeoutMs: number;
  rejoinGraceMs: number;
  /** Signs and checks rejoin tokens (serverSecret.ts); the same on every node of a cluster. */
  membershipKey: Buffer;
  inviteLimits: InviteLimitOptions;
  /**
   * How long after this registry started it rebuilds calls it does not know
   * (a restart, or a new cluster coordinator). Default RESTORE_PERIOD_MS.
   */
  restorePeriodMs?: number;
  /** Ended call ids remembered at most (default MAX_TOMBSTONES in callIndex.ts). */
  maxTombstones?: number;
  sink: CallSink;
  clock?: Clock;
  /** Default: 128 random bits, base64url (22 characters that satisfy callIdSchema). */
  newCallId?: () => CallId;
  /** A timer callback threw; it must not take the process down. */
  onError?: (err: unknown, where: string) => void;
  /** The SFU (`--janus-url`); without it every call stays a mesh under `maxParticipants`. */
  sfu?: RegistrySfu | undefined;
}

/** What the registry needs of the SFU. */
export interface RegistrySfu {
  /** The limit of a call on the SFU (`--max-sfu-participants`, default 16). */
  maxParticipants: number;
  /** Is a media server reachable now? A call moves to the SFU only then. */
  available(): boolean;
  events: SfuCallEvents;
  /** Was this call on the SFU before this registry existed (a cluster's previous coordinator)? */
  wasOnSfu?: (callId: CallId) => boolean;
}

/** A mesh call moves to the SFU when an invite would make it larger than this (issue 17). */
export const MESH_MAX = 4;

/**
 * Members come back within seconds of a restart (socket.io-client retries every
 * ≤5 s), or their place is lost anyway; ten minutes covers a slow restart and a
 * client that was itself offline for a while.
 */
export const RESTORE_PERIOD_MS = 10 * 60_000;

const QUEUE_LIMITS: QueueLimits = { maxSignals: LIMITS.maxQueuedSignalsPerDevice, maxBytes: LIMITS.maxQueuedSignalBytesPerDevice };

export class CallRegistry {
  private readonly index: CallIndex;
  private readonly tell: CallNotifier;
  private readonly life: CallLifecycle;
  private readonly newCallId: () => CallId;
  private readonly limits: InviteLimiter;
  private readonly reattach: Reattachment;

  constructor(private readonly options: CallRegistryOptions) {
    const clock = options.clock ?? systemClock;
    const signer = new MembershipSigner(options.membershipKey);
    this.index = new CallIndex(() => clock.now(), options.maxTombstones);
    this.tell = new CallNotifier(options.sink, options.maxParticipants, options.sfu?.maxParticipants);
    this.life = new CallLifecycle(this.index, this.tell, clock, { ...options, signer, sfu: options.sfu?.events });
    this.limits = new InviteLimiter(options.inviteLimits, () => clock.now());
    this.newCallId = options.newCallId ?? (() => randomBytes(16).toString('base64url'));
    this.reattach = new Reattachment({
      index: this.index,
      life: this.life,
      tell: this.tell,
      signer,
      clock,
      maxParticipants: options.maxParticipants,
      admitsOneMore: (call) => this.admitOneMore(call),
      rebuilt: (call) => this.rebuiltOnSfu(call),
      rebuildUntil: clock.now() + (options.restorePeriodMs ?? RESTORE_PERIOD_MS),
    });
  }

  get activeCalls(): number {
    return this.index.size;
  }

  isUserInCall(userId: UserId): boolean {
    return this.index.isUserInCall(userId);
  }

  /** The user whose call member `deviceId` is (members outlive their sockets). */
  memberOwner(deviceId: DeviceId): UserId | undefined {
    return this.index.callOf(deviceId)?.members.get(deviceId)?.userId;
  }

  snapshot(callId: CallId, viewer: DeviceId): CallSnapshot | null {
    const call = this.index.get(callId);
    return call ? this.tell.snapshot(call, viewer) : null;
  }

  // ─── commands ────────────────────────────────────────────────────────────

  /**
   * Creates a call (or adds `p.to` to the sender's) and rings every device of the
   * callee. The ack names the device that got the caller's first offer, if one did
   * (`offeredTo`, see firstOfferFor).
   */
  invite(sender: Party, target: InviteTarget | null, p: CallInvitePayload): Ack<InviteAck> {
    if (p.to === sender.userId) return fail('self_call', 'You cannot call yourself. Pick someone else from the list.');
    const current = this.index.callOf(sender.deviceId);
    if (p.callId === undefined && current) {
      return fail('already_in_call', 'This device is already in a call. Hang up first, or add the person to your current call.');
    }
    if (p.callId !== undefined && current?.id !== p.callId) return fail('not_in_call', 'You can only add people to a call you are in.');
    const name = target?.displayName ?? p.to;
    if (target === null || target.devices.length === 0) return fail('user_offline', `${name} is not online. Try again when they are.`);
    if (current === undefined) {
      const glare = this.findGlare(sender, target.userId);
      if (glare) return this.join(glare.call, glare.invite, sender, true, p.media === 'video');
    } else {
      if (current.invitees.has(target.userId) || [...current.members.values()].some((m) => m.userId === target.userId)) {
        return fail('busy', `${name} is already in this call or being called.`);
      }
      const limit = this.limitAfterInvite(current, p.meeting === true);
      if (occupancy(current) >= limit) {
        return fail('call_full', `This call is full: at most ${limit} people, counting those being called.`);
      }
    }
    // Neutral: the caller learns that the callee does not take their calls, not why.
    if (target.blocksCaller) return fail('call_refused', `${name} is not taking calls from you right now.`);
    if (target.chosenStatus === 'dnd') return fail('do_not_disturb', `${name} does not want to be disturbed right now.`);
    if (this.index.isUserInCall(target.userId) || this.index.isUserRinging(target.userId)) {
      return fail('busy', `${name} is in another call. Try again later.`);
    }
    // A meeting asked for when no media server is reachable is refused, never quietly made a mesh.
    if (p.meeting === true && current?.topology !== 'sfu' && this.options.sfu?.available() !== true) {
      return fail('sfu_unavailable', 'This server cannot start a meeting now: its media server is not reachable. Start a normal call instead, or try again in a moment.');
    }
    // Counted only for invites that would ring: a refusal above costs the caller nothing.
    const limited = this.limits.take(sender.userId, target.userId);
    if (!limited.ok) return tooOften(name, limited);

    let call = current;
    if (call === undefined) {
      call = this.index.create(this.newCallId(), p.media);
      this.life.addMember(call, sender, true, p.media === 'video');
    }
    if (call.topology === 'mesh' && this.movesToSfu(call, p.meeting === true)) {
      call.topology = 'sfu';
      this.options.sfu?.events.callMovedToSfu(call.id);
    }
    const firstOffer = this.firstOfferFor(call, sender, target, p);
    const invite: Invite = {
      userId: target.userId,
      displayName: target.displayName,
      devices: new Set(target.devices),
      invitedBy: sender.userId,
      invitedByName: sender.displayName,
      ringTimer: null,
      firstOffer,
    };
    this.life.addInvite(call, invite);
    this.tell.ring(call, invite);
    this.tell.updated(call);
    const snapshot = this.tell.snapshot(call, sender.deviceId);
    return firstOffer ? { ok: true, call: snapshot, offeredTo: firstOffer.to } : { ok: true, call: snapshot };
  }

  accept(sender: Party, p: CallAcceptPayload): CallAck {
    const call = this.index.get(p.callId);
    const invite = call && ringingInvite(call, sender.userId, sender.deviceId);
    if (!call || !invite) return notInvited();
    return this.join(call, invite, sender, p.audio, p.video);
  }

  decline(sender: Party, callId: CallId): Ack {
    const call = this.index.get(callId);
    const invite = call && ringingInvite(call, sender.userId, sender.deviceId);
    if (!call || !invite) return notInvited();
    this.life.removeInvite(call, invite);
    this.tell.ringEnded(call, invite, 'declined_elsewhere', sender.deviceId);
    this.tell.inviteEnded(call, invite.userId, 'declined');
    this.life.settle(call, 'declined');
    return { ok: true };
  }

  cancel(sender: Party, p: CallCancelPayload): Ack {
    const call = this.index.get(p.callId);
    if (!call || !memberOf(call, sender)) return fail('not_in_call', 'You can only cancel an invite in a call you are in.');
    const invite = call.invitees.get(p.to);
    if (!invite) return fail('not_invited', `${p.to} is not being called in this call any more.`);
    this.life.removeInvite(call, invite);
    this.tell.ringEnded(call, invite, 'cancelled');
    this.tell.inviteEnded(call, invite.userId, 'cancelled', sender.deviceId);
    this.life.settle(call, 'cancelled');
    return { ok: true };
  }

  leave(sender: Party, callId: CallId): Ack {
    const call = this.index.get(callId);
    const member = call && memberOf(call, sender);
    if (!call || !member) return notInCall();
    this.life.removeMember(call, member, 'left');
    this.life.settle(call, 'hangup');
    return { ok: true };
  }

  setMedia(sender: Party, p: CallMediaPayload): Ack {
    const call = this.index.get(p.callId);
    const member = call && memberOf(call, sender);
    if (!call || !member) return notInCall();
    member.audio = p.audio;
    member.video = p.video;
    this.tell.updated(call);
    return { ok: true };
  }

  /** See Reattachment.rejoin (callReattach.ts). */
  rejoin(sender: Party, p: CallRejoinPayload): CallAck {
    return this.reattach.rejoin(sender, p);
  }

  relay(sender: Party, p: SignalPayload): Ack {
    const call = this.index.get(p.callId);
    const route = routeSignal(call, sender, p.to);
    if (route.kind === 'refuse') return fail(route.code, route.message);
    if (call && !this.mayPreConnect(call, sender, p.to)) {
      return fail(
        'unknown_recipient',
        `Device ${p.to} is not someone you can signal in this call yet: you connect to someone who is not a contact only once they answered.`,
      );
    }
    const signal = { callId: p.callId, from: sender.deviceId, fromUserId: sender.userId, data: p.data };
    if (route.kind === 'queue') enqueueSignal(route.member.queue, signal, QUEUE_LIMITS);
    else this.tell.signal(p.to, signal);
    return { ok: true };
  }

  /** May this device use the call's SFU room? Only a member of a live `sfu` call. */
  sfuAccess(callId: CallId, party: Party): 'member' | 'not_member' | 'not_sfu' {
    const call = this.index.get(callId);
    if (!call || !isMember(call, party.userId, party.deviceId)) return 'not_member';
    return call.topology === 'sfu' ? 'member' : 'not_sfu';
  }

  /** The member devices of a live call (none when it is gone). */
  membersOf(callId: CallId): DeviceId[] {
    return [...(this.index.get(callId)?.members.keys() ?? [])];
  }

  /** Is this device a member of a live call, or ringing for one? (Who may have TURN credentials.) */
  isInOrRingingForCall(party: Party): boolean {
    const call = this.index.callOf(party.deviceId);
    if (call && isMember(call, party.userId, party.deviceId)) return true;
    return this.index.ringing(party.userId).some((ringing) => isRingingDevice(ringing, party.deviceId));
  }

  /**
   * `userId` now blocks `blocked`: invites from them that ring `userId` stop,
   * as if declined (the caller sees "declined", nothing more).
   */
  refuseRingsFrom(userId: UserId, blocked: ReadonlySet<UserId>): void {
    for (const call of this.index.ringing(userId)) {
      const invite = call.invitees.get(userId);
      if (!invite || !blocked.has(invite.invitedBy)) continue;
      this.life.removeInvite(call, invite);
      this.tell.ringEnded(call, invite, 'declined_elsewhere');
      this.tell.inviteEnded(call, userId, 'declined');
      this.life.settle(call, 'declined');
    }
  }

  // ─── devices coming and going ────────────────────────────────────────────

  /** See Reattachment.attach (callReattach.ts). */
  attach(party: Party): Attached {
    return this.reattach.attach(party);
  }

  /** A device's socket is gone (not replaced by a newer one of the same device). */
  detach(party: Party): void {
    this.reattach.detach(party);
  }

  /**
   * Stops every timer and forgets every call (server shutdown). Nobody is told the
   * calls ended: the peers' media flows directly between them, and they rejoin by
   * call id on the next server (see rejoin).
   */
  dispose(): void {
    this.life.stop();
    for (const call of this.index.all()) this.life.clearTimers(call);
    this.index.clear();
  }

  // ─── internals ───────────────────────────────────────────────────────────

  /**
   * Between a ringing device and a member (pre-connect), signals pass only when
   * the two users are mutual contacts: connecting reveals network addresses, so a
   * stranger's call connects after Accept. Between members, always.
   */
  private mayPreConnect(call: Call, sender: Party, to: DeviceId): boolean {
    const shows = this.options.sink.showsDevices;
    if (shows === undefined) return true;
    const senderIsMember = call.members.get(sender.deviceId)?.userId === sender.userId;
    const recipient = call.members.get(to);
    if (senderIsMember && recipient !== undefined) return true;
    if (!senderIsMember) return recipient === undefined || recipient.userId === sender.userId || shows(recipient.userId, sender.userId);
    for (const invite of call.invitees.values()) {
      if (invite.devices.has(to)) return invite.userId === sender.userId || shows(sender.userId, invite.userId);
    }
    return true;
  }

  /**
   * The caller's first offer (issue 15), if this invite may pass it on: only in a
   * new call (not an invite into a call, whose members connect to the newcomer
   * anyway), which is a mesh and no meeting (on the SFU nobody connects peer to
   * peer), and to a mutual contact (connecting reveals network addresses, so a
   * stranger's call connects after Accept, as in mayPreConnect). Otherwise it is
   * dropped without a word: the caller reads no `offeredTo` in the ack and
   * connects the usual way. The glare path (join) never gets here: the two are
   * connecting already.
   *
   * It goes to one device, the callee's most recently connected (the last of
   * `target.devices`): the one the callee most likely sits at. One offer can only
   * be answered once; every other ringing device connects the usual way.
   */
  private firstOfferFor(call: Call, sender: Party, target: InviteTarget, p: CallInvitePayload): FirstOfferRecord | undefined {
    if (p.offer === undefined || p.callId !== undefined || p.meeting === true) return undefined;
    if (call.topology !== 'mesh' || !target.mutual) return undefined;
    const to = target.devices.at(-1);
    if (to === undefined) return undefined;
    return { to, from: sender.deviceId, sdp: p.offer.sdp, proof: p.offer.proof };
  }

  /**
   * Does one more invite move this call to the SFU? When it was asked as a meeting,
   * or it would make the call larger than MESH_MAX, and a media server is reachable.
   */
  private movesToSfu(call: Call, meeting: boolean): boolean {
    const sfu = this.options.sfu;
    if (!sfu || !sfu.available()) return false;
    return meeting || occupancy(call) + 1 > MESH_MAX;
  }

  /** The limit that applies to one more invite to `call` (the SFU's when the call is or would move there). */
  private limitAfterInvite(call: Call, meeting: boolean): number {
    const sfu = this.options.sfu;
    if (sfu && (call.topology === 'sfu' || this.movesToSfu(call, meeting))) return sfu.maxParticipants;
    return this.options.maxParticipants;
  }

  /** A call rebuilt by a rejoin goes back on the SFU when it was there before (and a media server is reachable). */
  private rebuiltOnSfu(call: Call): void {
    const sfu = this.options.sfu;
    if (!sfu?.wasOnSfu?.(call.id) || !sfu.available()) return;
    call.topology = 'sfu';
    sfu.events.callMovedToSfu(call.id);
  }

  /** A restored call takes one more rejoining member: moved to the SFU first when that is what makes room. */
  private admitOneMore(call: Call): boolean {
    if (occupancy(call) >= this.limitAfterInvite(call, false)) return false;
    if (call.topology === 'mesh' && this.movesToSfu(call, false)) {
      call.topology = 'sfu';
      this.options.sfu?.events.callMovedToSfu(call.id);
    }
    return true;
  }

  /** GLARE: `sender` calls the one person whose 1:1 call is ringing `sender` right now. */
  private findGlare(sender: Party, to: UserId): { call: Call; invite: Invite } | undefined {
    for (const call of this.index.ringing(sender.userId)) {
      const invite = call.invitees.get(sender.userId);
      const [only] = call.members.values();
      if (invite && call.members.size === 1 && call.invitees.size === 1 && only?.userId === to) return { call, invite };
    }
    return undefined;
  }

  /** An invitee's device answers (accept, or an invite back in glare). */
  private join(call: Call, invite: Invite, party: Party, audio: boolean, video: boolean): CallAck {
    if (this.index.isUserInCall(party.userId)) return alreadyInCall();
    this.life.removeInvite(call, invite);
    this.tell.ringEnded(call, invite, 'answered_elsewhere', party.deviceId);
    this.life.addMember(call, party, audio, video);
    this.tell.inviteEnded(call, party.userId, 'answered', party.deviceId);
    this.tell.updated(call);
    return { ok: true, call: this.tell.snapshot(call, party.deviceId) };
  }

}
