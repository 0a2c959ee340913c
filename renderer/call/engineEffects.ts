/**
 * The engine's effects of a change: after every change of the store, bring the
 * world in line with the new state — peer sessions (sessionPool), local media, the
 * speaker poll, my mute/camera flags on the server, history and the in-call
 * features. Also what a lost peer session means for the call (connectionLoss.ts).
 */
import type { HistoryEntry } from '../../preload/contract';
import { log } from '../log';
import { historyEntry } from './callHistory';
import { isInCall, remoteMembers, type CallState, type EndedState } from './callState';
import { lossOutcome, unverifiedOutcome } from './connectionLoss';
import type { EngineParts } from './engineParts';
import { randomId } from './ids';
import type { PeerConnectionLike } from './peerConnection';
import { callKinds, planSessions, type PlannedSession } from './sessionPlan';
import type { DtlsFailure } from './sessionPool';
import { pollAudioLevels } from './speakerPoller';

export interface EngineEffectsOptions {
  speakerPollMs: number;
  onHistory?: (entry: HistoryEntry) => void;
  /** Whether a user is one of my contacts: only contacts pre-connect while a call rings (sessionPlan.ts). */
  isContact: (userId: string) => boolean;
}

export interface EngineEffects {
  /** The store changed from `prev` to `next`. */
  afterChange(prev: CallState, next: CallState): void;
  /** A session could not be set up or was given up: end the call if nothing else carries it. */
  sessionLost(deviceId: string, detail: string): void;
  /** A peer's description failed its DTLS check; the pool refused its session (sessionPool.ts). */
  sessionUnverified(callId: string, peer: PlannedSession, reason: DtlsFailure): void;
  /** The connections of the members of an active call (speaker poll, live stats). */
  pollTargets(): [string, PeerConnectionLike][];
  /** The SFU took over devices: sync the mesh sessions with the state again (their sessions close). */
  resyncMesh(): void;
  dispose(): void;
}

export function createEngineEffects<PC extends PeerConnectionLike>(
  parts: EngineParts<PC>,
  options: EngineEffectsOptions,
): EngineEffects {
  const { signaling, self, state, dispatch, now, local, pool, rejoin, features, exits, sfu } = parts;
  let stopPolling: (() => void) | null = null;

  function pollTargets(): [string, PeerConnectionLike][] {
    const s = state();
    if (s.phase !== 'active') return [];
    const members = new Set(remoteMembers(s.call, self).map((m) => m.deviceId));
    const mesh = pool.sessions().flatMap(([deviceId, session]): [string, PeerConnectionLike][] =>
      members.has(deviceId) ? [[deviceId, session.pc]] : [],
    );
    // Devices the SFU carries are polled on its subscriber (their mesh sessions are closed).
    return [...mesh, ...sfu.pollTargets().filter(([deviceId]) => members.has(deviceId))];
  }

  function followSpeakers(next: CallState): void {
    if (next.phase === 'active' && !stopPolling) {
      stopPolling = pollAudioLevels(pollTargets, (levels) => dispatch({ type: 'audioLevels', levels }), options.speakerPollMs);
    } else if (next.phase !== 'active' && stopPolling) {
      stopPolling();
      stopPolling = null;
    }
  }

  function recordHistory(ended: EndedState): void {
    const entry = historyEntry(ended, { id: randomId(), fallbackCallId: randomId() });
    if (!entry || !options.onHistory) return;
    try {
      options.onHistory(entry);
    } catch (error) {
      log.child('call.engine').error(`recording call ${entry.callId} in the history threw`, error);
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** The store asked for new flags (callState.ts syncFlags): tell the server; a failure is asked again at the next change. */
  function sendFlags(prev: CallState, next: CallState): void {
    if (next.phase !== 'active' || next.flagsSent === null) return;
    const before = prev.phase === 'active' ? prev.flagsSent : null;
    if (next.flagsSent === before) return;
    const { callId, flagsSent: flags } = next;
    signaling.request('call:media', { callId, audio: flags.audio, video: flags.video }).catch((error: unknown) => {
      log.child('call.engine').debug(`my mute/camera flags did not reach the server for call ${callId}; sent again at the next change`, error);
      dispatch({ type: 'flagsFailed', callId, flags });
    });
  }

  /**
   * The mesh sessions the state wants: in an SFU call (sfu/sfuCall.ts) none is opened,
   * and one the SFU carries now is closed; the others stay until it does.
   */
  function meshPlan(next: CallState): PlannedSession[] {
    const plan = planSessions(next, self, options.isContact).filter((p) => !sfu.carries(p.deviceId));
    if (sfu.allowsMesh(next)) return plan;
    const open = new Set(pool.sessions().map(([deviceId]) => deviceId));
    return plan.filter((p) => open.has(p.deviceId));
  }

  return {
    afterChange(prev, next) {
      sfu.follow(next);
      if (isInCall(next)) {
        pool.sync(next.callId, meshPlan(next), callKinds(next.media), {
          audio: local.audio,
          video: local.video,
        });
        pool.setHeld((deviceId) => rejoin.isHeld(deviceId));
      } else {
        pool.closeAll();
        local.release();
        rejoin.forget();
      }
      followSpeakers(next);
      if (prev.phase !== 'ended' && next.phase === 'ended') recordHistory(next);
      sendFlags(prev, next);
      features.callChanged(next);
    },

    sessionLost(deviceId, detail) {
      const before = state();
      if (!isInCall(before)) return;
      const outcome = lossOutcome(before, self, deviceId, detail);
      if (!outcome.end) return;
      dispatch({ type: 'failed', detail: outcome.detail, at: now() });
      if (outcome.tell === 'leave' && before.callId) void exits.leave(before.callId);
      if (outcome.tell === 'withdraw' && before.phase === 'outgoing' && before.callId) void exits.withdraw(before.callId, before.peer.userId);
    },

    sessionUnverified(callId, peer, reason) {
      const before = state();
      if (!isInCall(before) || before.callId !== callId) return;
      // The pool said why in its log; this says what it does to the call.
      log.child('call.engine').warn(
        `the call ${before.callId ?? '(dialling)'} could not be verified with ${peer.userId} (device ${peer.deviceId}, ${reason})`,
      );
      const outcome = unverifiedOutcome(before, self, peer.deviceId);
      if (!outcome.end) {
        dispatch({ type: 'linkUnverified', deviceId: peer.deviceId });
        return;
      }
      dispatch({ type: 'unverified', at: now() });
      if (outcome.tell === 'leave' && before.callId) void exits.leave(before.callId);
      if (outcome.tell === 'withdraw' && before.phase === 'outgoing' && before.callId) void exits.withdraw(before.callId, before.peer.userId);
    },

    pollTargets,

    resyncMesh() {
      const s = state();
      if (!isInCall(s)) return;
      pool.sync(s.callId, meshPlan(s), callKinds(s.media), { audio: local.audio, video: local.video });
    },

    dispose() {
      stopPolling?.();
      stopPolling = null;
    },
  };
}
