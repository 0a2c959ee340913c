/**
 * The mechanics of a call's life, below the rules: adding and removing members and
 * invites with their timers (ring timeout, grace period, restore window), the end
 * rule, and the news each change sends. The registry (callRegistry.ts) decides
 * what is allowed; this module carries it out consistently.
 */
import type { CallIndex } from './callIndex';
import type { CallNotifier } from './callNotifier';
import { shouldEnd, type Call, type Invite, type Member, type Party } from './callRecord';
import type { MembershipSigner } from './membershipToken';
import type { CallEndReason, MemberLeaveReason } from './protocol';
import { drainSignals } from './relay';
import type { SfuCallEvents } from './sfu/types';

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface LifecycleOptions {
  ringTimeoutMs: number;
  rejoinGraceMs: number;
  /** Signs each new member's rejoin token. */
  signer: MembershipSigner;
  /** A timer callback threw; it must not take the process down. */
  onError?: (err: unknown, where: string) => void;
  /** Told when a member leaves for good and when a call ends (the SFU detaches handles, destroys rooms). */
  sfu?: SfuCallEvents | undefined;
}

export class CallLifecycle {
  private stopped = false;

  constructor(
    private readonly index: CallIndex,
    private readonly tell: CallNotifier,
    private readonly clock: Clock,
    private readonly options: LifecycleOptions,
  ) {}

  addMember(call: Call, party: Party, audio: boolean, video: boolean): void {
    const rejoinToken = this.options.signer.sign(call.id, party.userId, party.deviceId);
    this.index.addMember(call, { ...party, connected: true, audio, video, graceTimer: null, queue: { items: [], bytes: 0 }, rejoinToken });
    if (call.members.size >= 2) {
      call.connectedAt ??= this.clock.now();
      this.clock.clearTimeout(call.restoreTimer);
      call.restoreTimer = null;
    }
    this.tell.membershipChanged(party.userId);
  }

  removeMember(call: Call, member: Member, reason: MemberLeaveReason): void {
    this.clock.clearTimeout(member.graceTimer);
    this.index.removeMember(call, member);
    if (call.topology === 'sfu') this.options.sfu?.memberLeft(call.id, member.deviceId);
    this.tell.memberLeft(call, member, reason);
    this.tell.membershipChanged(member.userId);
  }

  /** The member's device is back (a new socket): it is connected again. */
  rebind(member: Member, party: Party): void {
    this.clock.clearTimeout(member.graceTimer);
    member.graceTimer = null;
    member.connected = true;
    member.displayName = party.displayName;
  }

  /** The member's socket is gone: hold its place for the grace period. */
  hold(call: Call, member: Member): void {
    member.connected = false;
    this.clock.clearTimeout(member.graceTimer);
    member.graceTimer = this.schedule(this.options.rejoinGraceMs, 'grace period', () => {
      member.graceTimer = null;
      if (this.index.get(call.id) !== call || call.members.get(member.deviceId) !== member || member.connected) return;
      this.removeMember(call, member, 'disconnected');
      this.settle(call, 'disconnected');
    });
  }

  /** Delivers the signals queued while the member was away, in order, once. */
  flushQueue(member: Member): void {
    for (const signal of drainSignals(member.queue)) this.tell.signal(member.deviceId, signal);
  }

  /** A rebuilt call (see CallRegistry.rejoin) ends unless someone else rejoins in time. */
  openRestoreWindow(call: Call): void {
    call.restoredUntil = this.clock.now() + this.options.rejoinGraceMs;
    call.restoreTimer = this.schedule(this.options.rejoinGraceMs, 'restore timeout', () => {
      call.restoreTimer = null;
      if (this.index.get(call.id) === call && call.members.size < 2) this.end(call, 'disconnected');
    });
  }

  isRestoring(call: Call): boolean {
    return call.restoredUntil !== null && this.clock.now() < call.restoredUntil;
  }

  addInvite(call: Call, invite: Invite): void {
    this.index.addInvite(call, invite);
    invite.ringTimer = this.schedule(this.options.ringTimeoutMs, 'ring timeout', () => {
      invite.ringTimer = null;
      if (this.index.get(call.id) !== call || call.invitees.get(invite.userId) !== invite) return;
      this.removeInvite(call, invite);
      this.tell.ringEnded(call, invite, 'no_answer');
      this.tell.inviteEnded(call, invite.userId, 'no_answer');
      this.settle(call, 'no_answer');
    });
  }

  removeInvite(call: Call, invite: Invite): void {
    this.clock.clearTimeout(invite.ringTimer);
    invite.ringTimer = null;
    this.index.removeInvite(call, invite);
  }

  /** After a change: end the call if the end rule says so, else tell the members. */
  settle(call: Call, reason: CallEndReason): void {
    if (shouldEnd(call)) this.end(call, reason);
    else this.tell.updated(call);
  }

  end(call: Call, reason: CallEndReason): void {
    this.clearTimers(call);
    this.index.delete(call);
    if (call.topology === 'sfu') this.options.sfu?.callEnded(call.id);
    this.tell.ended(call, reason);
    for (const userId of new Set([...call.members.values()].map((m) => m.userId))) this.tell.membershipChanged(userId);
  }

  /** No timer starts after this (server shutdown). */
  stop(): void {
    this.stopped = true;
  }

  clearTimers(call: Call): void {
    this.clock.clearTimeout(call.restoreTimer);
    call.restoreTimer = null;
    for (const m of call.members.values()) this.clock.clearTimeout(m.graceTimer);
    for (const i of call.invitees.values()) this.clock.clearTimeout(i.ringTimer);
  }

  private schedule(ms: number, what: string, fn: () => void): unknown {
    if (this.stopped) return null;
    return this.clock.setTimeout(() => {
      try {
        fn();
      } catch (err) {
        this.options.onError?.(err, what);
      }
    }, ms);
  }
}
