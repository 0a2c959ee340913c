/**
 * The recovery ladder of one link (issue 14): what to do when its negotiation or its
 * media breaks. Pure decisions over a clock; the session pool (sessionPool.ts) acts.
 *
 * Exactly one side acts, so that the two sides' timers never race: the impolite
 * peer of perfect negotiation restarts ICE and rebuilds; the polite one only asks it
 * to, through a `recovery` signal (`ask` for a broken path, `askRebuild` for a
 * negotiation it could not apply).
 *
 * The impolite side's rungs:
 * 1. a broken path (ICE trouble, a media stall, the polite side's ask) → ICE restart;
 * 2. trouble again after that restart had `graceMs` to work and within `escalateMs`
 *    (the restart did not restore media) → rebuild: a fresh RTCPeerConnection for the
 *    same call and peer; trouble within `graceMs` of a restart is that restart's to fix;
 * 3. a negotiation error (a description rejected, e.g. Chromium's "Failed to set SSL
 *    role for the transport" after Firefox answered a restart with a=setup:active) →
 *    rebuild at once: the session's transport state is what is wrong;
 * 4. more than `maxRebuilds` rebuilds within `rebuildWindowMs` → give up (the pool
 *    reports the link lost, as ICE recovery does when it gives up).
 * While a rebuild is less than `graceMs` old, new trouble is its to fix.
 */

export type Trouble =
  /** A description was rejected (this side's or, through askRebuild, the polite side's). */
  | 'negotiation'
  /** ICE recovery wants a restart (disconnected or failed). */
  | 'ice'
  /** The media watchdog saw inbound RTP stop on a connected link. */
  | 'media'
  /** The polite side asked (signal `ask`). */
  | 'ask'
  /** The polite side asked for a rebuild (signal `askRebuild`). */
  | 'askRebuild';

export type LadderStep =
  | { do: 'nothing' }
  | { do: 'restartIce' }
  | { do: 'rebuild' }
  | { do: 'ask'; rebuild: boolean }
  | { do: 'giveUp' };

export interface RecoveryLadderPolicy {
  graceMs: number;
  escalateMs: number;
  askCooldownMs: number;
  maxRebuilds: number;
  rebuildWindowMs: number;
}

export const RECOVERY_LADDER_POLICY: RecoveryLadderPolicy = {
  graceMs: 5_000,
  escalateMs: 30_000,
  askCooldownMs: 3_000,
  maxRebuilds: 3,
  rebuildWindowMs: 60_000,
};

export class RecoveryLadder {
  private readonly policy: RecoveryLadderPolicy;
  private lastRestart: number | null = null;
  private lastAsk: number | null = null;
  private rebuilds: number[] = [];
  private askedRebuildAt: number | null = null;

  constructor(
    private readonly polite: boolean,
    policy: Partial<RecoveryLadderPolicy> = {},
  ) {
    this.policy = { ...RECOVERY_LADDER_POLICY, ...policy };
  }

  /** What to do about `trouble` at time `now`. */
  next(trouble: Trouble, now: number): LadderStep {
    return this.polite ? this.politeStep(trouble, now) : this.impoliteStep(trouble, now);
  }

  /** ICE recovery restarted ICE on its own schedule (impolite side): trouble after it escalates. */
  restarted(now: number): void {
    this.lastRestart = now;
  }

  /** A rebuild happened, whoever started it: the polite side may ask again. */
  rebuilt(now: number): void {
    this.lastRestart = null;
    this.askedRebuildAt = null;
    this.lastAsk = null;
    if (this.polite) this.rebuilds.push(now);
  }

  private politeStep(trouble: Trouble, now: number): LadderStep {
    if (trouble === 'ask' || trouble === 'askRebuild') return { do: 'nothing' };
    if (trouble === 'negotiation') {
      // One request per session: a rejected offer comes back until the rebuild.
      if (this.askedRebuildAt !== null) return { do: 'nothing' };
      this.askedRebuildAt = now;
      return { do: 'ask', rebuild: true };
    }
    if (this.lastAsk !== null && now - this.lastAsk < this.policy.askCooldownMs) return { do: 'nothing' };
    this.lastAsk = now;
    return { do: 'ask', rebuild: false };
  }

  private impoliteStep(trouble: Trouble, now: number): LadderStep {
    const recent = this.rebuilds.filter((t) => now - t < this.policy.rebuildWindowMs);
    this.rebuilds = recent;
    const lastRebuild = recent.at(-1);
    if (lastRebuild !== undefined && now - lastRebuild < this.policy.graceMs) return { do: 'nothing' };
    if (trouble === 'negotiation' || trouble === 'askRebuild') return this.rebuild(now);
    const since = this.lastRestart === null ? Infinity : now - this.lastRestart;
    if (since >= this.policy.escalateMs) {
      this.lastRestart = now;
      return { do: 'restartIce' };
    }
    if (since < this.policy.graceMs) return { do: 'nothing' };
    return this.rebuild(now);
  }

  private rebuild(now: number): LadderStep {
    if (this.rebuilds.length >= this.policy.maxRebuilds) return { do: 'giveUp' };
    this.rebuilds.push(now);
    this.lastRestart = null;
    return { do: 'rebuild' };
  }
}
