/**
 * Keeps a call through the loss of its signaling connection. Signaling loss is not
 * call loss: the peer connections carry media directly (or through TURN), so
 * nothing here closes them; this module only puts the call back on the server.
 *
 * - The socket drops: the call is marked "reconnecting to the server" and ICE
 *   recovery is held (its offers could not be relayed). socket.io reconnects with
 *   backoff and the handshake re-authenticates.
 * - The server kept this device's membership through its grace period: the
 *   welcome carries the call, the server has already rebound the device and sends
 *   the signals it queued once. The engine takes the snapshot as the truth
 *   (sessions for members still there are kept as they are, those for members who
 *   left meanwhile close).
 * - The server lost the call (it restarted; or the grace period ran out): the
 *   welcome carries no call, and the engine asks `call:rejoin`. A restarted server
 *   rebuilds the call from the first rejoin and admits the others as they rejoin
 *   (signaling-server/callRegistry.ts `rejoin`). Until they do, they are kept in
 *   the view and their sessions stay open, as members whose connection is away;
 *   after the server's grace period without them, they are let go. If the server
 *   refuses (`call_not_found`, `not_in_call`: the call ended or went on without
 *   us), the call ends as 'disconnected' — "Call dropped".
 * - A rejoin carries the membership token of the last snapshot of the call that
 *   named this device a member (protocol 2): the server signs it and, after a
 *   restart, admits nobody without it. Without one (we never got a member's
 *   snapshot) there is nothing to prove membership with, so the call ends as
 *   dropped at once instead of asking for a refusal.
 * - The server refuses the reconnection itself (wrong password, kicked): nothing
 *   will bring the call back, so it ends here with the server's reason.
 */
import type { CallMember, CallSnapshot } from '../../signaling-server/protocol';
import { log } from '../log';
import { RequestError, type ConnectionState } from '../signaling/client';
import { isInCall, remoteMembers, type ActiveState, type CallEvent, type CallState, type SelfRef } from './callState';
import type { Timers } from './iceRecovery';
import type { CallSignaling, WelcomeCalls } from './serverEvents';
import { t } from '../i18n';
import { serverErrorText } from '../state/serverErrorText';

export interface CallRejoinOptions {
  signaling: CallSignaling;
  self: SelfRef;
  state(): CallState;
  dispatch(event: CallEvent): void;
  now(): number;
  timers: Timers;
  /** The server attached or detached this device: the engine re-applies recovery holds. */
  onAttachmentChange(): void;
  /** Leave a call that this device no longer shows (hung up while a rejoin was on its way). */
  leave(callId: string): void;
}

/** After a rejoin that got no answer on a live connection. */
const RETRY_REJOIN_MS = 1_000;

interface Awaited {
  callId: string;
  /** Members of the call before the server lost it who have not rejoined yet. */
  members: CallMember[];
  /** The last snapshot the server sent, without them. */
  server: CallSnapshot | null;
  timer: unknown;
}

export class CallRejoin {
  private attached = true;
  private rejoining: string | null = null;
  private awaited: Awaited | null = null;
  /** The latest non-null membership token the server gave this device, and for which call. */
  private token: { callId: string; value: string } | null = null;
  /** Counts the snapshots taken, to tell whether a rejoin's ack was overtaken by a newer call:updated. */
  private snapshotsSeen = 0;

  constructor(private readonly options: CallRejoinOptions) {}

  /** The server has this device attached to its call (or no call needs it). */
  get isAttached(): boolean {
    return this.attached;
  }

  /**
   * Whether ICE recovery towards `deviceId` must wait: while this device is not
   * attached, and while the server says that member's own connection is away.
   */
  isHeld(deviceId: string): boolean {
    if (!this.attached) return true;
    const s = this.options.state();
    if (!isInCall(s) || !s.call) return false;
    return s.call.members.some((m) => m.deviceId === deviceId && !m.connected);
  }

  /**
   * Every snapshot the engine takes (acks, call:updated, welcome) passes here: the
   * latest non-null token of a call is kept, a null one never erases it.
   */
  remember(call: CallSnapshot): void {
    this.snapshotsSeen += 1;
    if (call.rejoinToken !== null) this.token = { callId: call.callId, value: call.rejoinToken };
  }

  /** The token to prove membership of `callId`, if the server ever gave one. */
  tokenFor(callId: string): string | null {
    return this.token?.callId === callId ? this.token.value : null;
  }

  /** Every connection state of the signaling client. */
  connection(state: ConnectionState): void {
    switch (state.phase) {
      case 'connecting':
      case 'reconnecting':
        this.detach();
        return;
      case 'refused':
        this.detach();
        // The refusal said for its code in the UI's language (the server's English words go to the log).
        this.refused(serverErrorText(new RequestError(state.code, state.message)));
        return;
      case 'online':
      case 'closed':
        // 'online' is handled with the welcome that caused it (welcome below).
        return;
    }
  }

  /** The server is going away: no use waiting for the socket to notice. */
  shutdown(): void {
    this.detach();
  }

  /** A session:welcome arrived: this device is (re)connected. */
  welcome(welcome: WelcomeCalls): void {
    const s = this.options.state();
    if (!isInCall(s) || s.callId === null) return this.attach();
    const { callId } = s;
    if (s.phase === 'incoming') {
      // It rang when the connection dropped: it still rings, or it stopped meanwhile.
      if (!welcome.ringing.includes(callId) && welcome.call?.callId !== callId) {
        this.options.dispatch({ type: 'ringEnded', callId, reason: 'call_ended', at: this.options.now() });
      }
      return this.attach();
    }
    if (welcome.call?.callId === callId) {
      this.remember(welcome.call);
      this.options.dispatch({ type: 'callUpdated', call: this.snapshotFor(welcome.call), at: this.options.now() });
      return this.attach();
    }
    if (s.phase === 'outgoing') {
      // A restarted server forgot the invite, and nobody rings any more.
      this.options.dispatch({ type: 'callEnded', callId, reason: 'disconnected', at: this.options.now() });
      return this.attach();
    }
    void this.rejoin(s, welcome.rejoinGraceMs);
  }

  /**
   * The snapshot to show for a call:updated (or a rejoin ack): the server's, plus
   * the members still expected back after a server restart, as away.
   */
  snapshotFor(call: CallSnapshot): CallSnapshot {
    const awaited = this.awaited;
    if (!awaited || awaited.callId !== call.callId) return call;
    awaited.server = call;
    const present = new Set(call.members.map((m) => m.deviceId));
    awaited.members = awaited.members.filter((m) => !present.has(m.deviceId));
    if (awaited.members.length === 0) {
      this.forget();
      return call;
    }
    return { ...call, members: [...call.members, ...awaited.members] };
  }

  memberLeft(callId: string, deviceId: string): void {
    if (this.awaited?.callId === callId) this.awaited.members = this.awaited.members.filter((m) => m.deviceId !== deviceId);
  }

  /** The call is over here: nobody is awaited any more. */
  forget(): void {
    if (this.awaited) this.options.timers.clearTimeout(this.awaited.timer);
    this.awaited = null;
  }

  dispose(): void {
    this.forget();
  }

  private async rejoin(s: ActiveState, graceMs: number): Promise<void> {
    const { callId } = s;
    if (this.rejoining === callId) return;
    const rejoinToken = this.tokenFor(callId);
    if (rejoinToken === null) {
      // Nothing proves we were in it: the server would refuse, so do not ask.
      this.forget();
      this.options.dispatch({ type: 'callEnded', callId, reason: 'disconnected', at: this.options.now() });
      this.attach();
      return;
    }
    this.rejoining = callId;
    this.await(s, graceMs);
    const seenBefore = this.snapshotsSeen;
    const audio = s.local.microphone && !s.local.muted;
    const video = s.local.cameraOn;
    let call: CallSnapshot;
    try {
      const ack = await this.options.signaling.request('call:rejoin', { callId, media: s.media, audio, video, rejoinToken });
      call = ack.call;
    } catch (error) {
      this.rejoining = null;
      log.child('call.rejoin').info(`rejoining call ${callId} after the server connection came back failed`, error);
      // Offline again: the next welcome tries again. No answer on a live socket: try once more shortly.
      if (error instanceof RequestError && error.code === 'offline') return;
      if (error instanceof RequestError && error.code === 'timeout') {
        this.options.timers.setTimeout(() => {
          const now = this.options.state();
          if (!this.attached && now.phase === 'active' && now.callId === callId) void this.rejoin(now, graceMs);
        }, RETRY_REJOIN_MS);
        return;
      }
      this.forget();
      const now = this.options.state();
      if (!isInCall(now) || now.callId !== callId) return;
      const gone = error instanceof RequestError && (error.code === 'call_not_found' || error.code === 'not_in_call');
      if (gone) {
        this.options.dispatch({ type: 'callEnded', callId, reason: 'disconnected', at: this.options.now() });
      } else {
        const why = serverErrorText(error);
        this.options.dispatch({
          type: 'failed',
          detail: t('notices.rejoinFailed', { reason: why }),
          at: this.options.now(),
        });
      }
      return;
    }
    this.rejoining = null;
    // An ack's continuation runs after the events that came right behind it: a
    // call:updated taken meanwhile (another member rejoining) is newer than the
    // ack's snapshot, which must not roll it back and drop that member.
    const overtaken = this.snapshotsSeen !== seenBefore;
    this.remember(call);
    const after = this.options.state();
    if (after.phase !== 'active' || after.callId !== callId) {
      // Hung up while the rejoin was on its way: the server has us back; leave.
      this.forget();
      this.options.leave(callId);
      return;
    }
    if (!overtaken) this.options.dispatch({ type: 'callUpdated', call: this.snapshotFor(call), at: this.options.now() });
    this.attach();
  }

  /** Remember who was in the call, to keep them while they rejoin; let them go after the grace period. */
  private await(s: ActiveState, graceMs: number): void {
    this.forget();
    const members = remoteMembers(s.call, this.options.self).map((m) => ({ ...m, connected: false }));
    if (members.length === 0) return;
    const awaited: Awaited = { callId: s.callId, members, server: null, timer: null };
    awaited.timer = this.options.timers.setTimeout(() => {
      if (this.awaited !== awaited) return;
      this.awaited = null;
      const now = this.options.state();
      if (awaited.server && now.phase === 'active' && now.callId === awaited.callId) {
        this.options.dispatch({ type: 'callUpdated', call: awaited.server, at: this.options.now() });
      }
    }, graceMs);
    this.awaited = awaited;
  }

  private attach(): void {
    if (this.attached) return;
    this.attached = true;
    this.options.dispatch({ type: 'serverLink', online: true });
    this.options.onAttachmentChange();
  }

  private detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.options.dispatch({ type: 'serverLink', online: false });
    this.options.onAttachmentChange();
  }

  private refused(message: string): void {
    const s = this.options.state();
    if (!isInCall(s)) return;
    this.forget();
    this.options.dispatch({
      type: 'failed',
      detail: t('notices.rejoinRefused', { reason: message }),
      at: this.options.now(),
    });
  }
}
