/**
 * ICE recovery for one peer connection: when the media path breaks, restart ICE
 * (RFC 8445 §2.4, webrtc-pc `restartIce()`), and give up after a few tries.
 *
 * - `failed`: ICE has given up on every candidate pair; restart at once.
 * - `disconnected`: consent checks lapsed (RFC 7675). This often heals by itself
 *   within a second or two (a busy link, a Wi-Fi hiccup), so wait
 *   `disconnectedGraceMs` first, then restart.
 * - A restart that has not brought the connection back after `attemptTimeoutMs`
 *   counts as failed, and the next one starts; a `failed` reported during an
 *   attempt does not start another one early, so that a path that is down (a TURN
 *   server restarting, an interface coming up) still gets the whole budget of
 *   `maxRestarts` windows. After that the session is given up (`onGiveUp`).
 * - While held (the signaling path to this peer is down, so a restart's offer could
 *   not reach it), nothing is restarted; `release()` restarts at once if needed.
 *
 * restartIce() on either side fires negotiationneeded; perfect negotiation
 * (peerSession.ts) carries the new offer and settles glare when both sides restart
 * at the same moment, so both sides run this same policy.
 *
 * The phase it reports is what a tile shows: once a connection has been up, any
 * other state reads "reconnecting" until it is back or given up ("failed").
 */
import { log } from '../log';
import type { PeerConnectionPhase } from './types';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface IceRecoveryPolicy {
  disconnectedGraceMs: number;
  attemptTimeoutMs: number;
  maxRestarts: number;
}

export const ICE_RECOVERY_POLICY: IceRecoveryPolicy = {
  disconnectedGraceMs: 3_000,
  attemptTimeoutMs: 5_000,
  maxRestarts: 3,
};

export interface IceRecoveryOptions {
  timers: Timers;
  policy?: Partial<IceRecoveryPolicy>;
  /** Performs one ICE restart. */
  restart(): void;
  onPhase(phase: PeerConnectionPhase): void;
  /** Every restart failed: the session is given up. */
  onGiveUp(): void;
  /** The link was up before this connection (a rebuild replaced it): it reads "reconnecting" until up. */
  wasConnected?: boolean;
}

type Timer = { kind: 'grace' | 'attempt'; handle: unknown };

export class IceRecovery {
  private readonly policy: IceRecoveryPolicy;
  private state: RTCPeerConnectionState = 'new';
  private everConnected = false;
  private restarts = 0;
  private timer: Timer | null = null;
  private held = false;
  private gaveUp = false;
  private closed = false;

  constructor(private readonly options: IceRecoveryOptions) {
    this.policy = { ...ICE_RECOVERY_POLICY, ...options.policy };
    this.everConnected = options.wasConnected ?? false;
  }

  /** Restarts made since the connection was last up. */
  get restartCount(): number {
    return this.restarts;
  }

  get givenUp(): boolean {
    return this.gaveUp;
  }

  /** Feed every connectionState the peer connection reports. */
  observe(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    this.state = state;
    switch (state) {
      case 'closed':
        this.dispose();
        return;
      case 'connected':
        this.clearTimer();
        this.restarts = 0;
        this.gaveUp = false;
        this.everConnected = true;
        this.options.onPhase('connected');
        return;
      case 'new':
      case 'connecting':
        this.report();
        return;
      case 'disconnected':
        this.report();
        if (!this.gaveUp && !this.held && this.timer === null) {
          this.startTimer('grace', this.policy.disconnectedGraceMs);
        }
        return;
      case 'failed':
        this.report();
        // During an attempt the attempt's own deadline decides (see the header).
        if (!this.gaveUp && !this.held && this.timer?.kind !== 'attempt') this.restartNow();
        return;
    }
  }

  /** The signaling path to this peer is down: restarting now would be wasted. */
  hold(): void {
    if (this.closed || this.held) return;
    this.held = true;
    this.clearTimer();
  }

  /**
   * The signaling path is back: restart at once unless connected, with a fresh
   * budget. A connection still coming up is left to finish, unless `signalsLost`
   * (candidates sent during the outage never arrived, so it may never finish).
   */
  release(signalsLost = false): void {
    if (this.closed || !this.held) return;
    this.held = false;
    if (this.gaveUp || this.state === 'connected') return;
    this.restarts = 0;
    if (signalsLost || this.state === 'disconnected' || this.state === 'failed' || this.everConnected) this.restartNow();
  }

  /**
   * Something outside says the network may have changed (resume from sleep,
   * unlock): a connection that is not up restarts now, even one given up.
   */
  check(): void {
    if (this.closed || this.held || this.state === 'connected') return;
    this.gaveUp = false;
    this.restarts = 0;
    this.clearTimer();
    this.restartNow();
  }

  dispose(): void {
    this.closed = true;
    this.clearTimer();
  }

  private report(): void {
    if (this.gaveUp) this.options.onPhase('failed');
    else if (this.everConnected) this.options.onPhase('reconnecting');
    else if (this.state === 'new') this.options.onPhase('new');
    else this.options.onPhase('connecting');
  }

  private restartNow(): void {
    this.clearTimer();
    if (this.restarts >= this.policy.maxRestarts) {
      this.gaveUp = true;
      this.options.onPhase('failed');
      this.options.onGiveUp();
      return;
    }
    this.restarts += 1;
    this.startTimer('attempt', this.policy.attemptTimeoutMs);
    try {
      this.options.restart();
    } catch (error) {
      // A closed connection cannot restart; its session is on its way out.
      log.child('call.peer').debug(`ICE restart ${this.restarts} could not start: the connection is closed`, error);
    }
    this.report();
  }

  private startTimer(kind: Timer['kind'], ms: number): void {
    this.clearTimer();
    const timer: Timer = {
      kind,
      handle: this.options.timers.setTimeout(() => {
        if (this.timer !== timer) return;
        this.timer = null;
        if (this.closed || this.held || this.state === 'connected') return;
        this.restartNow();
      }, ms),
    };
    this.timer = timer;
  }

  private clearTimer(): void {
    if (this.timer) this.options.timers.clearTimeout(this.timer.handle);
    this.timer = null;
  }
}
