/**
 * The call engine: the thin shell around the pure call store. It turns controller
 * calls and server events into store events, and after every change brings the
 * world in line with the new state: peer sessions (sessionPool), local media
 * (LocalMedia), the speaker poll, the mute/camera flags on the server, history.
 *
 * Fast to answer, nothing sent before accept: while a call rings, both sides
 * already hold a negotiated, connected peer session whose transceivers carry no
 * track; accepting only puts tracks on the senders (replaceTrack), with no new
 * offer. See sessionPlan.ts for who connects to whom and who may send.
 */
import type { HistoryEntry } from '../../preload/contract';
import type { CallSnapshot, IncomingCall } from '../../signaling-server/protocol';
import { insecureContextDevices, LocalMedia, type MediaDevicesLike, type PreferredDevices } from '../media/localMedia';
import { browserDisplayMedia, createCallFeatures } from './callFeatures';
import type { ReceivedFileHost } from './fileTransfers';
import { historyEntry } from './callHistory';
import { CallRejoin } from './callRejoin';
import { isInCall, remoteMembers, type CallState, type EndedState, type SelfRef } from './callState';
import { createCallStore } from './callStore';
import { leftWhileDown, lossOutcome } from './connectionLoss';
import { acceptFailure, inviteError, inviteFailure, quietly } from './engineErrors';
import { realTimers, type IceRecoveryPolicy, type Timers } from './iceRecovery';
import { randomId } from './ids';
import { realPeerConnection, type PeerConnectionLike } from './peerConnection';
import { createRtcConfigSource } from './rtcConfig';
import { callSnapshotSchema, iceServersAckSchema, listenToCallEvents, type CallSignaling } from './serverEvents';
import { SessionPool } from './sessionPool';
import { callKinds, planSessions } from './sessionPlan';
import type { DisplayMediaLike } from './screenShare';
import { pollAudioLevels, SPEAKER_POLL_MS } from './speakerPoller';
import type { CallFeaturesController } from './featureTypes';
import type { CallController } from './types';

export type { CallSignaling } from './serverEvents';

export interface CallEngineOptions<PC extends PeerConnectionLike = RTCPeerConnection> {
  signaling: CallSignaling;
  self: SelfRef;
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
}

export interface CallEngine<PC extends PeerConnectionLike = RTCPeerConnection> extends CallController {
  /** Screen sharing, chat, files, live stats, device switching (callFeatures.ts). */
  readonly features: CallFeaturesController;
}

export function createCallEngine<PC extends PeerConnectionLike = RTCPeerConnection>(
  options: CallEngineOptions<PC>,
): CallEngine<PC> {
  const { signaling, self } = options;
  const now = options.now ?? Date.now;
  const createStream = options.createMediaStream ?? ((tracks) => new MediaStream(tracks));
  // PC is RTCPeerConnection exactly when no factory is given (the type parameter's
  // default), which is when this fallback is used.
  const createPeerConnection =
    options.createPeerConnection ?? (realPeerConnection as unknown as (config: RTCConfiguration) => PC);

  const store = createCallStore(self, (prev, next) => afterChange(prev, next));
  /** The state now; read again after every await or dispatch. */
  const state = (): CallState => store.state();
  const dispatch = store.dispatch;
  let disposed = false;
  let stopPolling: (() => void) | null = null;
  let mediaSent: { callId: string; audio: boolean; video: boolean } | null = null;
  const timers = options.timers ?? realTimers;
  /** The call whose last other member left while the path to them was down (connectionLoss.ts). */
  let droppedCall: string | null = null;
  /** Calls that ended here: their late updates must not be taken for a new dial's. */
  const finishedCalls: string[] = [];
  const finish = (callId: string): void => {
    if (finishedCalls.includes(callId)) return;
    finishedCalls.push(callId);
    if (finishedCalls.length > 16) finishedCalls.shift();
  };

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
      return iceServersAckSchema.parse(await signaling.request('ice:servers', {}));
    },
    now,
    relayOnly: () => options.relayOnly?.() ?? false,
  });
  const rtcConfiguration = (): Promise<RTCConfiguration> => rtcConfig.get();

  const features = createCallFeatures({
    self,
    local,
    devices: mediaDevices,
    display: options.display === undefined ? browserDisplayMedia() : options.display,
    connections: () => pollTargets(),
    maxFileBytes: options.maxFileBytes ?? (() => 100 * 1024 * 1024),
    downloads: options.downloads ?? null,
    now,
  });

  const pool = new SessionPool<PC>({
    hooks: features.hooks,
    createPeerConnection,
    rtcConfiguration,
    // A description whose relay failed is sent again once the path is back (sessionPool.ts).
    sendSignal: (callId, to, data) => signaling.request('signal', { callId, to, data }),
    createStream,
    dispatch,
    now,
    timers,
    ...(options.recoveryPolicy ? { recoveryPolicy: options.recoveryPolicy } : {}),
    onSessionLost: (deviceId, detail) => sessionLost(deviceId, detail),
  });

  const rejoin = new CallRejoin({
    signaling,
    self,
    state,
    dispatch,
    now,
    timers,
    onAttachmentChange: () => pool.setHeld((deviceId) => rejoin.isHeld(deviceId)),
    leave: (callId) => void quietly(signaling.request('call:leave', { callId })),
  });
  const stopFollowingConnection = signaling.onState?.((s) => rejoin.connection(s)) ?? (() => undefined);

  /** A session could not be set up or was given up: end the call if nothing else carries it. */
  function sessionLost(deviceId: string, detail: string): void {
    const before = state();
    if (!isInCall(before)) return;
    const outcome = lossOutcome(before, self, deviceId, detail);
    if (!outcome.end) return;
    dispatch({ type: 'failed', detail: outcome.detail, at: now() });
    if (outcome.tell === 'leave' && before.callId) void quietly(signaling.request('call:leave', { callId: before.callId }));
    if (outcome.tell === 'withdraw' && before.phase === 'outgoing' && before.callId) void withdraw(before.callId, before.peer.userId);
  }

  /** After every change: bring sessions, media, polling, flags and history in line. */
  function afterChange(prev: CallState, next: CallState): void {
    if (isInCall(next)) {
      pool.sync(next.callId, planSessions(next, self), callKinds(next.media), { audio: local.audio, video: local.video });
      pool.setHeld((deviceId) => rejoin.isHeld(deviceId));
    } else {
      pool.closeAll();
      local.release();
      rejoin.forget();
    }
    if (next.phase === 'active' && !stopPolling) {
      stopPolling = pollAudioLevels(
        pollTargets,
        (levels) => dispatch({ type: 'audioLevels', levels }),
        options.speakerPollMs ?? SPEAKER_POLL_MS,
      );
    } else if (next.phase !== 'active' && stopPolling) {
      stopPolling();
      stopPolling = null;
    }
    if (prev.phase !== 'ended' && next.phase === 'ended') {
      if (next.callId) finish(next.callId);
      recordHistory(next);
    }
    syncMediaFlags(next);
    features.callChanged(next);
  }

  function pollTargets(): [string, PeerConnectionLike][] {
    const s = state();
    if (s.phase !== 'active') return [];
    const members = new Set(remoteMembers(s.call, self).map((m) => m.deviceId));
    return pool.sessions().flatMap(([deviceId, session]): [string, PeerConnectionLike][] =>
      members.has(deviceId) ? [[deviceId, session.pc]] : [],
    );
  }

  function recordHistory(ended: EndedState): void {
    const entry = historyEntry(ended, { id: randomId(), fallbackCallId: randomId() });
    if (!entry || !options.onHistory) return;
    try {
      options.onHistory(entry);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Keeps my member entry's audio/video flags (everyone's mute marks) true to my media. */
  function syncMediaFlags(s: CallState): void {
    if (s.phase !== 'active' || s.local.acquiring) return;
    const me = s.call.members.find((m) => m.deviceId === self.deviceId);
    if (!me) return;
    const audio = s.local.microphone && !s.local.muted;
    const video = s.local.cameraOn;
    if (me.audio === audio && me.video === video) {
      mediaSent = null;
      return;
    }
    const { callId } = s;
    if (mediaSent?.callId === callId && mediaSent.audio === audio && mediaSent.video === video) return;
    const sent = { callId, audio, video };
    mediaSent = sent;
    signaling.request('call:media', sent).catch(() => {
      if (mediaSent === sent) mediaSent = null;
    });
  }

  // ─── server events ────────────────────────────────────────────────────────

  const stopListening = listenToCallEvents(signaling.socket, {
    incoming: startRinging,
    ringEnded: (e) => dispatch({ type: 'ringEnded', ...e, at: now() }),
    updated: (call) => {
      if (finishedCalls.includes(call.callId)) return;
      rejoin.remember(call);
      dispatch({ type: 'callUpdated', call: rejoin.snapshotFor(call), at: now() });
    },
    inviteEnded: (e) => dispatch({ type: 'inviteEnded', ...e, at: now() }),
    memberLeft: (e) => {
      rejoin.memberLeft(e.callId, e.deviceId);
      const before = state();
      if (isInCall(before) && before.callId === e.callId && leftWhileDown(before, self, e.deviceId)) droppedCall = e.callId;
      dispatch({ type: 'memberLeft', callId: e.callId, deviceId: e.deviceId, at: now() });
    },
    ended: (e) => {
      const reason = e.reason === 'hangup' && e.callId === droppedCall ? 'disconnected' : e.reason;
      dispatch({ type: 'callEnded', callId: e.callId, reason, at: now() });
    },
    signal: (e) => {
      if (isInCall(state())) pool.deliver(e.callId, e.from, e.data);
    },
    welcome: (w) => rejoin.welcome(w),
    shutdown: () => rejoin.shutdown(),
  });

  function startRinging(incoming: IncomingCall): void {
    if (options.isBlocked?.(incoming.from.userId)) {
      void quietly(signaling.request('call:decline', { callId: incoming.callId }));
      return;
    }
    const before = state();
    if (before.phase !== 'idle' && before.phase !== 'ended') return;
    if (incoming.call.members.some((m) => m.deviceId === self.deviceId)) return;
    rtcConfig.reset();
    dispatch({ type: 'incoming', incoming, at: now() });
    // Fast to answer: the media is ready (and its permission asked) while it rings.
    const after = state();
    if (after.phase === 'incoming' && after.callId === incoming.callId) {
      void local.start({ video: incoming.media === 'video' });
    }
  }

  async function withdraw(callId: string, to: string): Promise<void> {
    // Cancel first so the callee learns "cancelled"; then leave, in case the server
    // keeps a call with one member and no invitees.
    await quietly(signaling.request('call:cancel', { callId, to }));
    await quietly(signaling.request('call:leave', { callId }));
  }

  // ─── the controller ───────────────────────────────────────────────────────

  const engine: CallEngine<PC> = {
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

    async call(peer, media) {
      if (disposed) return;
      const before = state();
      // Calling the person who is calling you (a tray click, a parley:// link) is
      // answering them, as the server treats it too.
      if (before.phase === 'incoming' && before.from.userId === peer.userId) {
        return engine.accept({ video: media === 'video' });
      }
      if (before.phase !== 'idle' && before.phase !== 'ended') {
        throw new Error(`You are already in a call. Hang up before calling ${peer.displayName}.`);
      }
      const attempt = randomId();
      rtcConfig.reset();
      dispatch({ type: 'dial', attempt, peer, media, at: now() });
      void local.start({ video: media === 'video' });
      let call: CallSnapshot;
      try {
        call = callSnapshotSchema.parse((await signaling.request('call:invite', { to: peer.userId, media })).call);
        rejoin.remember(call);
      } catch (error) {
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
        finish(call.callId);
        if (remoteMembers(call, self).length === 0) await withdraw(call.callId, peer.userId);
        else await quietly(signaling.request('call:leave', { callId: call.callId }));
      }
    },

    async accept({ video }) {
      const before = state();
      if (before.phase !== 'incoming' || before.accepting) return;
      const { callId, media } = before;
      const sendVideo = video && media === 'video';
      dispatch({ type: 'accept' });
      // Audio-only answer of a video call: the camera goes off and nothing is sent.
      if (!sendVideo) local.stopCamera();
      // Media asked for while it rang may still be on its way (a permission
      // prompt): announce what we expect; syncMediaFlags corrects it if it fails.
      const audio = !local.muted && (local.audio !== null || local.acquiring);
      const sending = sendVideo && (local.video !== null || local.acquiring);
      try {
        const ack = await signaling.request('call:accept', { callId, audio, video: sending });
        const call = callSnapshotSchema.parse(ack.call);
        rejoin.remember(call);
        const after = state();
        if (after.phase === 'incoming' && after.callId === callId) {
          dispatch({ type: 'acceptAcked', call, at: now() });
        } else if (!(isInCall(after) && after.callId === callId)) {
          // Hung up while the accept was on its way.
          await quietly(signaling.request('call:leave', { callId }));
        }
      } catch (error) {
        dispatch({ type: 'acceptFailed', callId, ...acceptFailure(error), at: now() });
      }
    },

    async decline() {
      const before = state();
      if (before.phase !== 'incoming') return;
      dispatch({ type: 'decline', at: now() });
      await quietly(signaling.request('call:decline', { callId: before.callId }));
    },

    async cancel() {
      const before = state();
      if (before.phase !== 'outgoing') return;
      dispatch({ type: 'cancel', at: now() });
      // Without a callId the invite's ack is still coming; call() withdraws it then.
      if (before.callId) await withdraw(before.callId, before.peer.userId);
    },

    async hangUp() {
      const before = state();
      if (before.phase === 'outgoing') return engine.cancel();
      if (before.phase === 'incoming') return engine.decline();
      if (before.phase !== 'active') return;
      dispatch({ type: 'hangUp', at: now() });
      await quietly(signaling.request('call:leave', { callId: before.callId }));
    },

    async invite(peer) {
      const before = state();
      if (before.phase !== 'active') throw new Error(`You can add ${peer.displayName} only during a call.`);
      let call: CallSnapshot;
      try {
        const ack = await signaling.request('call:invite', { to: peer.userId, media: before.media, callId: before.callId });
        call = callSnapshotSchema.parse(ack.call);
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

    dispose() {
      if (disposed) return;
      disposed = true;
      // Best effort: tell the server, so the others are not left waiting.
      const last = state();
      if (last.phase === 'active') void quietly(signaling.request('call:leave', { callId: last.callId }));
      else if (last.phase === 'incoming') void quietly(signaling.request('call:decline', { callId: last.callId }));
      else if (last.phase === 'outgoing' && last.callId) void withdraw(last.callId, last.peer.userId);
      stopListening();
      stopFollowingConnection();
      rejoin.dispose();
      store.close();
      stopPolling?.();
      stopPolling = null;
      pool.closeAll();
      features.dispose();
      local.release();
    },

    features,
  };
  return engine;
}
