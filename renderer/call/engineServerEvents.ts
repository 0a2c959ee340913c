/**
 * The engine's effects of the server: each call event becomes a store event (a
 * ring, an update, a member leaving, the end), signals go to the peer sessions,
 * and the welcome and shutdown go to the rejoin logic (callRejoin.ts).
 *
 * A call event waits for the DTLS checks of the descriptions that came before it
 * (sessionPool.ts afterChecks): "the caller gave up" right behind a description
 * that fails its check must not turn a call that could not be verified into a
 * missed one.
 */
import type { E2eeSignal, IncomingCall } from '../../signaling-server/protocol';
import { hasEnded, isInCall } from './callState';
import { log } from '../log';
import type { EngineParts } from './engineParts';
import type { PeerConnectionLike } from './peerConnection';
import { listenToCallEvents } from './serverEvents';

export interface ServerEventOptions {
  /** Users this person blocked: an invite of theirs that still arrives is declined without ringing. */
  isBlocked?: (userId: string) => boolean;
  /**
   * Settings → show my camera while a call rings (default on): the camera starts
   * with the ring, shown on the ringing card and sent to nobody, and Accept reuses
   * it. Off: only the microphone is readied; the camera starts at Accept.
   */
  ringPreview?: () => boolean;
  /** End-to-end keys of an SFU call (`signal` kind 'e2ee'): for the call's encryption (e2ee/sfuE2ee.ts), never a peer connection. */
  onE2ee?: (callId: string, from: string, message: E2eeSignal) => void;
  /** File-transfer messages relayed in an SFU call (sealed end to end): for sfu/sfuFiles.ts. */
  onRelayedFiles?: (callId: string, from: string, payload: string) => void;
}

/** Listens until the returned function is called. */
export function followServerEvents<PC extends PeerConnectionLike>(parts: EngineParts<PC>, options: ServerEventOptions): () => void {
  const { signaling, self, state, dispatch, now, local, pool, rejoin, exits, rtcConfig } = parts;

  /**
   * What a ring brings for the connection: this call's ICE servers, so the pre-connect
   * that the ring starts does not ask first (a ring without them: those of an earlier
   * call are reused while their credentials are fresh, else the pre-connect asks,
   * rtcConfig.ts); and the caller's first offer (issue 15), given to the pool before
   * the state change opens the session, so that session answers it (sessionPool.ts).
   */
  function takeRingConnection(incoming: IncomingCall): void {
    if (incoming.ice) rtcConfig.offer(incoming.ice);
    const offer = incoming.offer;
    if (!offer) return;
    const caller = incoming.call.members.find((m) => m.deviceId === offer.from);
    if (caller?.userId === incoming.from.userId) pool.receiveFirstOffer(incoming.callId, offer.from, offer);
    else log.child('call.engine').warn(`the ring of call ${incoming.callId} brought a first offer from device ${offer.from}, not a device of the caller: ignored`);
  }

  function startRinging(incoming: IncomingCall): void {
    if (options.isBlocked?.(incoming.from.userId)) {
      void exits.decline(incoming.callId);
      return;
    }
    const before = state();
    if (before.phase === 'outgoing' && before.callId === null && before.peer.userId === incoming.from.userId) {
      // Glare: they call me while my invite to them is on its way. The server rang me
      // first, so it takes my invite as my answer to their call (engineCommands.ts),
      // and the call's connection is the one their first offer starts: the pool keeps
      // it for when the ack makes me a member. Nothing rings.
      takeRingConnection(incoming);
      return;
    }
    if (before.phase !== 'idle' && before.phase !== 'ended') return;
    if (incoming.call.members.some((m) => m.deviceId === self.deviceId)) return;
    takeRingConnection(incoming);
    dispatch({ type: 'incoming', incoming, at: now() });
    // Fast to answer: the media is ready (and its permission asked) while it rings.
    const after = state();
    if (after.phase === 'incoming' && after.callId === incoming.callId) {
      void local.start({ video: incoming.media === 'video' && (options.ringPreview?.() ?? true) });
    }
  }

  const inOrder =
    <T>(handle: (event: T) => void) =>
    (event: T): void =>
      pool.afterChecks(() => handle(event));

  return listenToCallEvents(signaling.events, {
    incoming: inOrder(startRinging),
    ringEnded: inOrder((e) => dispatch({ type: 'ringEnded', ...e, at: now() })),
    updated: inOrder((call) => {
      // A late update of a call that ended here: not even its token is kept.
      if (hasEnded(state(), call.callId)) return;
      rejoin.remember(call);
      dispatch({ type: 'callUpdated', call: rejoin.snapshotFor(call), at: now() });
    }),
    inviteEnded: inOrder((e) => dispatch({ type: 'inviteEnded', ...e, at: now() })),
    memberLeft: inOrder((e) => {
      rejoin.memberLeft(e.callId, e.deviceId);
      dispatch({ type: 'memberLeft', callId: e.callId, deviceId: e.deviceId, at: now() });
    }),
    // A 'hangup' after the last member left while the path was down reads as dropped (the store decides).
    ended: inOrder((e) => dispatch({ type: 'callEnded', callId: e.callId, reason: e.reason, at: now() })),
    signal: (e) => {
      const current = state();
      if (!isInCall(current)) return;
      if (e.data.kind === 'relay') {
        // Chat through the server (SFU calls): only from a member of this call. Files: sealed, for sfu/sfuFiles.ts.
        if (e.data.channel === 'files') {
          options.onRelayedFiles?.(e.callId, e.from, e.data.payload);
          return;
        }
        const from = current.callId === e.callId ? current.call?.members.find((m) => m.deviceId === e.from) : undefined;
        if (from) parts.features.relayedChat({ deviceId: from.deviceId, userId: from.userId }, e.data.payload);
        return;
      }
      if (e.data.kind === 'e2ee') {
        options.onE2ee?.(e.callId, e.from, e.data.e2ee);
        return;
      }
      pool.deliver(e.callId, e.from, e.data);
    },
    welcome: (w) => {
      // A server without TURN gives its ICE servers to everyone: the first call after
      // connecting makes its first offer with them instead of going without one.
      rtcConfig.welcomed(w.ice);
      rejoin.welcome(w);
    },
    shutdown: () => rejoin.shutdown(),
  });
}
