/**
 * What a lost peer session means for the call. Pure: the engine applies it.
 *
 * A session is lost when its connection could not be set up (no RTC configuration:
 * relay-only without a TURN server), or when ICE recovery gave it up after its
 * restarts (iceRecovery.ts).
 *
 * - In a 1:1 call the call is over: nothing else carries it. It ends as 'failed'
 *   with what happened, and the server is told (leave), so that neither side stays
 *   "in a call" and calling again works at once.
 * - In a group call the others go on; the tile says the connection was lost, and a
 *   network check (resume, unlock) may still revive it.
 * - A session that cannot even be set up will not connect after an answer either:
 *   a dial ends (the invite is withdrawn); a call ringing here stops ringing on
 *   this device only, so the person's other devices may still answer it.
 */
import { remoteMembers, type InCallState, type SelfRef } from './callState';
import { CONNECTION_LOST } from './sessionPool';

export type LossOutcome =
  /** The call goes on without that session. */
  | { end: false }
  /** End here with reason 'failed' and `detail`; `tell` is what the server should hear. */
  | { end: true; detail: string; tell: 'leave' | 'withdraw' | 'nothing' };

export function lossOutcome(state: InCallState, self: SelfRef, deviceId: string, detail: string): LossOutcome {
  const setupFailed = detail !== CONNECTION_LOST;
  switch (state.phase) {
    case 'active': {
      const others = remoteMembers(state.call, self);
      if (others.some((m) => m.deviceId !== deviceId)) return { end: false };
      if (!setupFailed && !others.some((m) => m.deviceId === deviceId)) return { end: false };
      return { end: true, detail, tell: 'leave' };
    }
    case 'outgoing':
      return setupFailed ? { end: true, detail, tell: 'withdraw' } : { end: false };
    case 'incoming':
      return setupFailed ? { end: true, detail, tell: 'nothing' } : { end: false };
  }
}

// The call store applies it to a member leaving (callState.ts): one rule, kept with the state.
export { leftWhileDown } from './callState';

/** What a refused (unverified) session means for the call. */
export type UnverifiedOutcome =
  /** The call goes on with the others: only this device's link is refused. */
  | { end: false }
  /** The call ends here as 'unverified'; `tell` is what the server should hear. */
  | { end: true; tell: 'leave' | 'withdraw' | 'nothing' };

/**
 * A peer's description failed its DTLS check (sessionPool.ts): someone may sit
 * between us. Whoever it was, this device will not connect to it.
 *
 * - A dial ends (the invite is withdrawn): the call I asked for cannot be trusted.
 * - A call ringing here stops ringing on this device only, as a session that cannot
 *   be set up does; the person's other devices check for themselves.
 * - An active call ends if that device was all it had; in a group call only their
 *   link is refused, and the others go on (the view says who).
 */
export function unverifiedOutcome(state: InCallState, self: SelfRef, deviceId: string): UnverifiedOutcome {
  switch (state.phase) {
    case 'active': {
      const others = remoteMembers(state.call, self);
      return others.some((m) => m.deviceId !== deviceId) ? { end: false } : { end: true, tell: 'leave' };
    }
    case 'outgoing':
      return { end: true, tell: 'withdraw' };
    case 'incoming':
      return { end: true, tell: 'nothing' };
  }
}
