/**
 * The call engine: the thin shell around the pure call store. It builds the pieces
 * (store, local media, peer sessions, rejoin, in-call features) and composes them:
 *
 * - commands (engineCommands.ts): what the person asks — call, accept, hang up…
 * - host actions (hostActions.ts): the same, asked by the tray, a notification, a
 *   shortcut or a confirmed link, through `handle`;
 * - effects: of the server's events (engineServerEvents.ts), and of every change
 *   of the store (engineEffects.ts), which brings sessions, media, the speaker
 *   poll, my flags on the server and history in line with the new state.
 *
 * Fast to answer, nothing sent before accept: while a call rings, both sides
 * already hold a negotiated, connected peer session whose transceivers carry no
 * track; accepting only puts tracks on the senders (replaceTrack), with no new
 * offer. See sessionPlan.ts for who connects to whom and who may send.
 *
 * Media the server cannot intercept: every description this device sends is signed
 * with its identity, and every one it receives is checked before it is applied
 * (sessionPool.ts); a call that fails the check ends as 'unverified'.
 */
import type { HistoryEntry } from '../../preload/contract';
import { insecureContextDevices, LocalMedia, type MediaDevicesLike, type PreferredDevices } from '../media/localMedia';
import { browserDisplayMedia, createCallFeatures } from './callFeatures';
import type { ReceivedFileHost } from './fileTransfers';
import { CallRejoin } from './callRejoin';
import { isInCall, type SelfRef } from './callState';
import { createCallStore } from './callStore';
import { createCallCommands } from './engineCommands';
import { createEngineEffects } from './engineEffects';
import { createCallExits, type EngineParts } from './engineParts';
import { followServerEvents } from './engineServerEvents';
import { handleHostAction, type ContactLookup, type HostAction, type HostOutcome } from './hostActions';
import { realTimers, type IceRecoveryPolicy, type Timers } from './iceRecovery';
import { memberSends } from './mediaWatchdog';
import { realPeerConnection, type PeerConnectionLike } from './peerConnection';
import { createRtcConfigSource } from './rtcConfig';
import type { CallSignaling } from './serverEvents';
import { SessionPool, type DtlsSigner } from './sessionPool';
import { createLazySfu } from './lazySfu';
import { sfuRelayTargets } from './sfu/sfuTargets';
import type { DeviceIdentity } from '../identity/deviceIdentity';
import { t } from '../i18n';
import { log } from '../log';
import type { DisplayMediaLike } from './screenShare';
import { SPEAKER_POLL_MS } from './speakerPoller';
import type { CallFeaturesController } from './featureTypes';
import type { CallController } from './types';

export type { CallSignaling } from './serverEvents';
export type { ContactLookup, HostAction, HostOutcome } from './hostActions';

/** What the engine needs of this device's identity (renderer/identity/deviceIdentity.ts): its ids, its DTLS signature and its signature over its SFU call keys. */
export type CallIdentity = DtlsSigner & Pick<DeviceIdentity, 'signE2eeKey'> & { readonly userId: string };

export interface CallEngineOptions<PC extends PeerConnectionLike = RTCPeerConnection> {
  signaling: CallSignaling;
  self: SelfRef;
  /** This device's identity: `self`'s ids must be its ids. Signs every SDP sent; every SDP received is checked. */
  identity: CallIdentity;
  /**
   * Whether a user is one of my contacts: only contacts pre-connect while a call
   * rings (sessionPlan.ts). Default: everyone is (the contact list is not wired yet).
   */
  isContact?: (userId: string) => boolean;
  /**
   * Whether the server shows me this user's presence now: they list me too (a
   * mutual contact) and are online. A first offer (sessionPool.ts) goes only to
   * them: anyone else's invite would drop it, and its connection would have been
   * made for nothing. Default: every contact (isContact).
   */
  seesPresenceOf?: (userId: string) => boolean;
  /** Default navigator.mediaDevices. */
  media?: MediaDevicesLike;
  /** Default new RTCPeerConnection(config). */
  createPeerConnection?: (config: RTCConfiguration) => PC;
  /** Default: ask the server ('ice:servers'); without an answer, host candidates only. Only its iceServers are used. */
  getRtcConfiguration?: () => Promise<RTCConfiguration>;
  onHistory?: (entry: HistoryEntry) => void;
  now?: () => number;
  /** Default new MediaStream(tracks). */
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** The microphone and camera chosen in Settings. */
  preferredDevices?: () => PreferredDevices;
  speakerPollMs?: number;
  /** Settings → relay every call through TURN (iceTransportPolicy 'relay'); read for each new call. */
  relayOnly?: () => boolean;
  /** ICE recovery and rejoin timers (tests inject their own). */
  timers?: Timers;
  recoveryPolicy?: Partial<IceRecoveryPolicy>;
  /** Largest file sent or accepted in a call (settings.maxFileBytes); default 100 MB. */
  maxFileBytes?: () => number;
  /** Desktop: the host writes received files to disk (fileTransfers.ts); absent: kept in memory. */
  downloads?: ReceivedFileHost | null;
  /** Default navigator.mediaDevices where it has getDisplayMedia; null: no screen sharing. */
  display?: DisplayMediaLike | null;
  /**
   * Users this person blocked (Settings → Blocked). The server refuses their invites
   * once it has the list (block:set); one that still arrives (sent before the list
   * reached the server) is declined here without ringing or showing.
   */
  isBlocked?: (userId: string) => boolean;
  /** The contact list's entry for a user, for a call asked by the tray; default: nobody is known. */
  contactOf?: ContactLookup;
  /**
   * Why this person may not be called now (their key changed and the user has not
   * accepted the new one), or null. Checked by every dial: the window, the tray, a
   * link, a call back from History.
   */
  callRefusal?: (peer: { userId: string; displayName: string }) => string | null;
  /** Settings → my camera on the ringing card while it rings (engineServerEvents.ts); default on. */
  ringPreview?: () => boolean;
}

export interface CallEngine extends CallController {
  /** A tray, notification, shortcut or confirmed-link action; rejects with what went wrong. */
  handle(action: HostAction): Promise<HostOutcome>;
  /** Screen sharing, chat, files, live stats, device switching (callFeatures.ts). */
  readonly features: CallFeaturesController;
}

export function createCallEngine<PC extends PeerConnectionLike = RTCPeerConnection>(
  options: CallEngineOptions<PC>,
): CallEngine {
  const { signaling, self, identity } = options;
  if (identity.userId !== self.userId || identity.deviceId !== self.deviceId) {
    throw new Error(
      `the call engine's identity (user ${identity.userId}, device ${identity.deviceId}) is not the device it speaks for (user ${self.userId}, device ${self.deviceId})`,
    );
  }
  const now = options.now ?? Date.now;
  const createStream = options.createMediaStream ?? ((tracks) => new MediaStream(tracks));
  // PC is RTCPeerConnection exactly when no factory is given (the type parameter's
  // default), which is when this fallback is used.
  const createPeerConnection =
    options.createPeerConnection ?? (realPeerConnection as unknown as (config: RTCConfiguration) => PC);
  const timers = options.timers ?? realTimers;
  let disposed = false;

  // The effects are built once every part exists; nothing changes the store before.
  const store = createCallStore(self, (prev, next) => effects.afterChange(prev, next));
  const state = store.state;
  const dispatch = store.dispatch;

  // Undefined on a page that is not a secure context: say so instead of crashing.
  const mediaDevices = options.media ?? (navigator.mediaDevices as MediaDevices | undefined) ?? insecureContextDevices;
  const local = new LocalMedia({
    devices: mediaDevices,
    createStream,
    ...(options.preferredDevices ? { preferred: options.preferredDevices } : {}),
    onChange: () => dispatch({ type: 'localMedia', local: local.snapshot() }),
  });

  // TURN credentials are short-lived: reused while they have a margin left (rtcConfig.ts).
  const rtcConfig = createRtcConfigSource({
    fetch: async () => {
      if (options.getRtcConfiguration) {
        // Servers given by the embedder: nothing in them is known to expire.
        return { iceServers: (await options.getRtcConfiguration()).iceServers ?? [], ttlSeconds: 0 };
      }
      const { iceServers, ttlSeconds } = await signaling.request('ice:servers', {});
      return { iceServers, ttlSeconds };
    },
    now,
    relayOnly: () => options.relayOnly?.() ?? false,
    takesOffered: options.getRtcConfiguration === undefined,
  });

  const features = createCallFeatures({
    self,
    local,
    devices: mediaDevices,
    display: options.display === undefined ? browserDisplayMedia() : options.display,
    connections: () => effects.pollTargets(),
    maxFileBytes: options.maxFileBytes ?? (() => 100 * 1024 * 1024),
    downloads: options.downloads ?? null,
    now,
    // SFU calls: chat to members with no peer connection goes through the server (sfu/sfuCall.ts).
    relay: {
      targets: () => sfuRelayTargets(state(), self),
      send: (to, payload) => {
        const s = state();
        if (s.phase !== 'active') return;
        const callId = s.callId;
        signaling
          .request('signal', { callId, to, data: { kind: 'relay', channel: 'chat', payload } })
          .catch((error: unknown) => log.child('call.chat').warn(`a chat message to device ${to} in call ${callId} was not relayed`, error));
      },
    },
    // Screens shared through the SFU are tiles like the mesh's (sfu is built below; read only once a call runs).
    moreScreens: () => sfu.screens(),
  });

  const pool = new SessionPool<PC>({
    hooks: features.hooks,
    createPeerConnection,
    rtcConfiguration: () => rtcConfig.get(),
    // A description whose relay failed is sent again once the path is back (sessionPool.ts).
    sendSignal: (callId, to, data) => signaling.request('signal', { callId, to, data }),
    createStream,
    dispatch,
    now,
    timers,
    ...(options.recoveryPolicy ? { recoveryPolicy: options.recoveryPolicy } : {}),
    onSessionLost: (deviceId, detail) => effects.sessionLost(deviceId, detail),
    signer: identity,
    onUnverified: (callId, peer, reason) => effects.sessionUnverified(callId, peer, reason),
    // The media watchdog (mediaWatchdog.ts) watches only what the snapshot says each member sends.
    remoteSends: (deviceId) => memberSends(state(), deviceId),
    // The accept over the peer path (acceptChannel.ts): the store decides whether it counts.
    onPeerAccept: (callId, peer, accept) => {
      const before = state();
      dispatch({ type: 'peerAccepted', callId, deviceId: peer.deviceId, userId: peer.userId, audio: accept.audio, video: accept.video, at: now() });
      const after = state();
      log
        .child('call.engine')
        .info(
          after === before
            ? `device ${peer.deviceId} said over the peer path it accepted call ${callId}; not taken at its word here (${before.phase}${before.phase === 'outgoing' ? `, ${before.call?.invitees.map((i) => `${i.userId}: ${i.devices.length} devices`).join('; ') ?? 'no snapshot'}` : ''}): the server's word counts`
            : `device ${peer.deviceId} accepted call ${callId} over the peer path: sending to it before the server confirms`,
        );
    },
  });

  const exits = createCallExits(signaling);
  const rejoin = new CallRejoin({
    signaling,
    self,
    state,
    dispatch,
    now,
    timers,
    onAttachmentChange: () => pool.setHeld((deviceId) => rejoin.isHeld(deviceId)),
    leave: (callId) => void exits.leave(callId),
  });

  // SFU calls (issue 17): publish + subscribe through the server's media server; the mesh closes as it takes over.
  // SFU media is end-to-end encrypted, and files go sealed through the server (sfuStack.ts). That code is
  // loaded when a call first goes to the media server (lazySfu.ts), not at start (issue 16.8).
  const sfuStack = createLazySfu<PC>({
    signaling,
    self,
    identity,
    state,
    dispatch,
    now,
    createPeerConnection,
    rtcConfiguration: () => rtcConfig.get(),
    createStream,
    localTracks: () => ({ audio: local.audio, video: local.video }),
    onCarriedChange: () => effects.resyncMesh(),
    onScreensChange: () => features.screensChanged(),
    transfers: features.relayedFiles,
    // Logged by lazySfu; the call ends with the reason and is left, never left waiting for the media server.
    onLoadFailed: (callId, error) => {
      const s = state();
      if (!isInCall(s) || s.callId !== callId) return;
      dispatch({ type: 'failed', detail: t('ended.sfuNotLoaded', { reason: error instanceof Error ? error.message : String(error) }), at: now() });
      void exits.leave(callId);
    },
  });
  const sfu = sfuStack.sfu;
  // My shared screen is its own SFU publication (a no-op outside SFU calls, and while it stays the same).
  const stopPublishingScreen = features.subscribe(() => sfu.setScreen(features.sharedScreen()?.getVideoTracks()[0] ?? null));
  const isContact = options.isContact ?? (() => true);
  const parts: EngineParts<PC> = { signaling, self, state, dispatch, now, local, rtcConfig, pool, rejoin, features, exits, sfu };
  const effects = createEngineEffects(parts, {
    speakerPollMs: options.speakerPollMs ?? SPEAKER_POLL_MS,
    isContact,
    ...(options.onHistory ? { onHistory: options.onHistory } : {}),
  });
  const seesPresenceOf = options.seesPresenceOf ?? (() => true);
  const commands = createCallCommands(parts, () => disposed, options.callRefusal ?? (() => null), (userId) => isContact(userId) && seesPresenceOf(userId));
  const stopFollowingConnection = signaling.onState?.((s) => rejoin.connection(s)) ?? (() => undefined);
  const stopListening = followServerEvents(parts, {
    onE2ee: (callId, from, message) => sfuStack.handleE2ee(callId, from, message),
    onRelayedFiles: (callId, from, payload) => sfuStack.receiveFiles(callId, from, payload),
    ...(options.isBlocked ? { isBlocked: options.isBlocked } : {}),
    ...(options.ringPreview ? { ringPreview: options.ringPreview } : {}),
  });

  const engine: CallEngine = {
    ...commands,
    // Shared screens are tiles: the features fill them into the store's view.
    getView: () => features.decorate(store.view()),
    subscribe(listener) {
      let last = engine.getView();
      const wake = (): void => {
        const next = engine.getView();
        if (next === last) return;
        last = next;
        listener(next);
      };
      const offStore = store.subscribe(wake);
      const offFeatures = features.subscribe(wake);
      return () => {
        offStore();
        offFeatures();
      };
    },

    handle: (action) =>
      handleHostAction({ state, view: () => engine.getView(), commands, features, contactOf: options.contactOf ?? (() => null) }, action),

    dispose() {
      if (disposed) return;
      disposed = true;
      // Best effort: tell the server, so the others are not left waiting.
      const last = state();
      if (last.phase === 'active') void exits.leave(last.callId);
      // Answered over the peer path, the server's word still coming: a call to leave, not a ring to withdraw.
      else if (last.phase === 'outgoing' && last.callId && last.answeredBy) void exits.leave(last.callId);
      else if (last.phase === 'incoming') void exits.decline(last.callId);
      else if (last.phase === 'outgoing' && last.callId) void exits.withdraw(last.callId, last.peer.userId);
      stopListening();
      stopFollowingConnection();
      rejoin.dispose();
      store.close();
      effects.dispose();
      stopPublishingScreen();
      sfu.dispose();
      pool.closeAll();
      features.dispose();
      local.release();
    },

    features,
  };
  return engine;
}
