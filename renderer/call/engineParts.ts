/**
 * What the call engine's commands and effects share: the store, and the pieces of
 * the world they keep in line with it. callEngine.ts builds them once and hands the
 * same object to every part, so no part reaches into another's closure.
 */
import type { LocalMedia } from '../media/localMedia';
import type { CallFeatures } from './callFeatures';
import type { CallRejoin } from './callRejoin';
import type { CallEvent, CallState, SelfRef } from './callState';
import { quietly } from './engineErrors';
import type { PeerConnectionLike } from './peerConnection';
import type { RtcConfigSource } from './rtcConfig';
import type { CallSignaling } from './serverEvents';
import type { SessionPool } from './sessionPool';
import type { SfuCall } from './sfu/sfuCall';

/** The ways out of a call the server must hear about; each is best effort (the state already moved on). */
export interface CallExits {
  leave(callId: string): Promise<void>;
  decline(callId: string): Promise<void>;
  /** Stop ringing `to` for a call of mine, and leave it. */
  withdraw(callId: string, to: string): Promise<void>;
}

export function createCallExits(signaling: CallSignaling): CallExits {
  return {
    leave: (callId) => quietly(signaling.request('call:leave', { callId }), `leaving call ${callId}`),
    decline: (callId) => quietly(signaling.request('call:decline', { callId }), `declining call ${callId}`),
    async withdraw(callId, to) {
      // Cancel first so the callee learns "cancelled"; then leave, in case the server
      // keeps a call with one member and no invitees.
      await quietly(signaling.request('call:cancel', { callId, to }), `cancelling the ring to ${to} in call ${callId}`);
      await quietly(signaling.request('call:leave', { callId }), `leaving call ${callId}`);
    },
  };
}

export interface EngineParts<PC extends PeerConnectionLike> {
  readonly signaling: CallSignaling;
  readonly self: SelfRef;
  /** The state now; read it again after every await or dispatch. */
  state(): CallState;
  dispatch(event: CallEvent): void;
  now(): number;
  readonly local: LocalMedia;
  /** TURN credentials for the next call (reset when one starts). */
  readonly rtcConfig: RtcConfigSource;
  readonly pool: SessionPool<PC>;
  readonly rejoin: CallRejoin;
  readonly features: CallFeatures;
  readonly exits: CallExits;
  /** The SFU side of the call (sfu/sfuCall.ts): runs when the call's topology is 'sfu'. */
  readonly sfu: SfuCall<PC>;
}
