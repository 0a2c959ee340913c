/**
 * The engine's commands: what the person (through the UI or the host) asks of a
 * call. Each reads the store, moves it with an event, and tells the server; the
 * effects (engineEffects.ts) then bring sessions and media in line.
 */
import type { CallMedia, CallSnapshot, FirstOffer } from '../../signaling-server/protocol';
import { isInCall, remoteMembers } from './callState';
import { log } from '../log';
import { acceptFailure, inviteError, inviteFailure } from './engineErrors';
import type { EngineParts } from './engineParts';
import { randomId } from './ids';
import type { PeerConnectionLike } from './peerConnection';
import { acceptsAlone, callKinds } from './sessionPlan';
import type { CallController } from './types';
import { t } from '../i18n';

export type CallCommands = Omit<CallController, 'getView' | 'subscribe' | 'dispose'>;

export function createCallCommands<PC extends PeerConnectionLike>(
  parts: EngineParts<PC>,
  isDisposed: () => boolean,
  callRefusal: (peer: { userId: string; displayName: string }) => string | null,
  /** A mutual contact online now (CallEngineOptions.seesPresenceOf): a first offer may go to them. */
  takesFirstOffer: (userId: string) => boolean,
): CallCommands {
  const { signaling, self, state, dispatch, now, local, rtcConfig, rejoin, pool, exits } = parts;

  /**
   * Issue 15: the first offer goes inside the invite (sessionPool.ts), so a device
   * that answers at once does not wait for it to cross the server after the ring.
   * Only where a pre-connect would happen anyway (a new call, not a meeting, to a
   * mutual contact online: the server drops it for anyone else) and with ICE
   * servers already at hand: before the invite the server gives this device none,
   * and the invite does not wait for them.
   */
  async function firstOffer(to: string, media: CallMedia, meeting: boolean): Promise<FirstOffer | null> {
    if (meeting || !takesFirstOffer(to)) return null;
    const config = rtcConfig.fresh();
    return config ? pool.makeFirstOffer(to, callKinds(media), config) : null;
  }

  /** The ringing device the ack says got the first offer, if the call really rings it. */
  function offeredDevice(call: CallSnapshot, to: string, offeredTo: string | undefined): string | null {
    if (offeredTo === undefined) return null;
    const rings = call.invitees.some((i) => i.userId === to && i.devices.some((d) => d.deviceId === offeredTo));
    if (!rings) log.child('call.engine').warn(`the server gave my first offer to device ${offeredTo}, which does not ring for ${to} in call ${call.callId}: dropped`);
    return rings ? offeredTo : null;
  }

  const commands: CallCommands = {
    async call(peer, media, options) {
      if (isDisposed()) return;
      const before = state();
      // Calling the person who is calling you (a tray click, a parley:// link) is
      // answering them, as the server treats it too.
      if (before.phase === 'incoming' && before.from.userId === peer.userId) {
        return commands.accept({ video: media === 'video' });
      }
      if (before.phase !== 'idle' && before.phase !== 'ended') {
        throw new Error(t('notices.alreadyInCall', { name: peer.displayName }));
      }
      const refusal = callRefusal(peer);
      if (refusal !== null) throw new Error(refusal);
      // The ended view gives way to the new call here, wherever the dial came from.
      if (before.phase === 'ended') dispatch({ type: 'dismiss' });
      const attempt = randomId();
      dispatch({ type: 'dial', attempt, peer, media, at: now() });
      void local.start({ video: media === 'video' });
      const meeting = options?.meeting === true;
      const offer = await firstOffer(peer.userId, media, meeting);
      const dialling = state();
      if (dialling.phase !== 'outgoing' || dialling.attempt !== attempt) {
        // Given up while the offer was made: no invite went out.
        pool.firstOfferTaken(null, null);
        return;
      }
      let call: CallSnapshot;
      try {
        const invited = signaling.request('call:invite', {
          to: peer.userId,
          media,
          ...(meeting ? { meeting: true } : {}),
          ...(offer ? { offer } : {}),
        });
        // Issue 15: the ICE servers are asked right behind the invite (same socket,
        // so the server has the call by then), not after its ack; reused while
        // their credentials are fresh (rtcConfig.ts), so often not asked at all.
        rtcConfig.warm();
        const ack = await invited;
        call = ack.call;
        // Before the ack's state change opens the sessions: the device that got the offer gets its connection.
        pool.firstOfferTaken(call.callId, offer ? offeredDevice(call, peer.userId, ack.offeredTo) : null);
        rejoin.remember(call);
      } catch (error) {
        pool.firstOfferTaken(null, null);
        log.child('call.engine').info(`the invite to ${peer.userId} was refused or failed`, error);
        dispatch({ type: 'dialFailed', attempt, ...inviteFailure(error), at: now() });
        return;
      }
      const after = state();
      if (after.phase === 'outgoing' && after.attempt === attempt) {
        dispatch({ type: 'dialAcked', attempt, call, at: now() });
      } else if (isInCall(after) && after.callId === call.callId) {
        // Already following this call: its call:updated overtook the ack.
      } else {
        // Cancelled before the server answered: withdraw the invite it just made
        // (or leave the call our invite joined, in glare).
        dispatch({ type: 'callAbandoned', callId: call.callId });
        if (remoteMembers(call, self).length === 0) await exits.withdraw(call.callId, peer.userId);
        else await exits.leave(call.callId);
      }
    },

    async accept({ video }) {
      const before = state();
      if (before.phase !== 'incoming' || before.accepting) return;
      const { callId, media } = before;
      const sendVideo = video && media === 'video';
      // Audio-only answer of a video call: the camera (on for the preview while it
      // rang) stops before the accept lets my tracks onto the senders. The accept's
      // sync (engineEffects.ts) takes the tracks LocalMedia has at that moment, so
      // the video sender never gets the camera, not for a frame; a camera still on
      // its way is stopped when it arrives (LocalMedia's cameraWanted).
      if (!sendVideo) local.stopCamera();
      // The ring-time preview was off (Settings): the camera starts now. With it on,
      // the camera that rang is reused (no getUserMedia at Accept), and one that
      // failed while it rang is not asked again (its problem shows).
      const cameraStarting = sendVideo && local.video === null && !local.wantsCamera;
      if (cameraStarting) void local.startCamera();
      dispatch({ type: 'accept' });
      // Media asked for while it rang may still be on its way (a permission
      // prompt): announce what we expect; the store asks again if it fails.
      const audio = !local.muted && (local.audio !== null || local.acquiring);
      const sending = sendVideo && (local.video !== null || local.acquiring || cameraStarting);
      // Issue 15: a device that rings alone cannot lose the answer race, so it already
      // sends (sessionPlan.ts) and tells the others over the pre-connected peer path
      // too, where the server's word takes two legs; the server stays the authority.
      if (acceptsAlone(before, self)) pool.sendAccept({ type: 'accept', callId, audio, video: sending });
      try {
        const ack = await signaling.request('call:accept', { callId, audio, video: sending });
        const call = ack.call;
        rejoin.remember(call);
        const after = state();
        if (after.phase === 'incoming' && after.callId === callId) {
          dispatch({ type: 'acceptAcked', call, at: now() });
        } else if (!(isInCall(after) && after.callId === callId)) {
          // Hung up while the accept was on its way.
          await exits.leave(callId);
        }
      } catch (error) {
        log.child('call.engine').info(`accepting call ${callId} was refused or failed`, error);
        dispatch({ type: 'acceptFailed', callId, ...acceptFailure(error), at: now() });
      }
    },

    async decline() {
      const before = state();
      if (before.phase !== 'incoming') return;
      dispatch({ type: 'decline', at: now() });
      await exits.decline(before.callId);
    },

    async cancel() {
      const before = state();
      if (before.phase !== 'outgoing') return;
      dispatch({ type: 'cancel', at: now() });
      // Without a callId the invite's ack is still coming; call() withdraws it then.
      if (before.callId) await exits.withdraw(before.callId, before.peer.userId);
    },

    async hangUp() {
      const before = state();
      // Answered over the peer path while the server's word is still on its way (lost
      // packets, a slow server): the person sees the call, and Hang up ends it as a call
      // (a cancel would tell both sides it never was answered).
      const peerAnswered = before.phase === 'outgoing' && before.answeredBy !== undefined && before.callId !== null;
      if (before.phase === 'outgoing' && !peerAnswered) return commands.cancel();
      if (before.phase === 'incoming') return commands.decline();
      if (before.phase !== 'active' && !peerAnswered) return;
      const callId = before.callId;
      dispatch({ type: 'hangUp', at: now() });
      if (callId !== null) await exits.leave(callId);
    },

    async invite(peer, options) {
      const before = state();
      if (before.phase !== 'active') throw new Error(t('notices.addOnlyInCall', { name: peer.displayName }));
      let call: CallSnapshot;
      try {
        const meeting = options?.meeting === true ? { meeting: true } : {};
        const ack = await signaling.request('call:invite', { to: peer.userId, media: before.media, callId: before.callId, ...meeting });
        call = ack.call;
        rejoin.remember(call);
      } catch (error) {
        throw inviteError(error, peer, before.call.maxParticipants);
      }
      dispatch({ type: 'callUpdated', call, at: now() });
    },

    setMuted(muted) {
      if (isInCall(state())) local.setMuted(muted);
    },

    async setCameraOn(on) {
      if (!isInCall(state())) return;
      if (on) await local.startCamera();
      else local.stopCamera();
    },

    checkConnections() {
      if (isInCall(state())) pool.checkConnections();
    },

    dismiss() {
      dispatch({ type: 'dismiss' });
    },
  };
  return commands;
}
