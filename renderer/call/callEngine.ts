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
import { historyEntry } from './callHistory';
import { isInCall, remoteMembers, type CallState, type EndedState, type SelfRef } from './callState';
import { createCallStore } from './callStore';
import { acceptFailure, inviteError, inviteFailure, quietly } from './engineErrors';
import { randomId } from './ids';
import { realPeerConnection, type PeerConnectionLike } from './peerConnection';
import { callSnapshotSchema, iceServersAckSchema, listenToCallEvents, type CallSignaling } from './serverEvents';
import { SessionPool } from './sessionPool';
import { callKinds, planSessions } from './sessionPlan';
import { pollAudioLevels, SPEAKER_POLL_MS } from './speakerPoller';
import type { CallController } from './types';

export type { CallSignaling } from './serverEvents';

export interface CallEngineOptions<PC extends PeerConnectionLike = RTCPeerConnection> {
  signaling: CallSignaling;
  self: SelfRef;
  /** Default navigator.mediaDevices. */
  media?: MediaDevicesLike;
  /** Default new RTCPeerConnection(config). */
  createPeerConnection?: (config: RTCConfiguration) => PC;
  /** Default: ask the server ('ice:servers'); without an answer, host candidates only. */
  getRtcConfiguration?: () => Promise<RTCConfiguration>;
  onHistory?: (entry: HistoryEntry) => void;
  now?: () => number;
  /** Default new MediaStream(tracks). */
  createMediaStream?: (tracks: MediaStreamTrack[]) => MediaStream;
  /** The microphone and camera chosen in Settings. */
  preferredDevices?: () => PreferredDevices;
  speakerPollMs?: number;
}

export interface CallEngine<PC extends PeerConnectionLike = RTCPeerConnection> extends CallController {
  /** Every live peer connection (end-to-end tests read their getStats). */
  debugPeerConnections(): PC[];
}

/** TURN credentials are short-lived: a call older than this fetches them again. */
const RTC_CONFIG_REUSE_MS = 10 * 60_000;

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
  let rtcConfig: { at: number; promise: Promise<RTCConfiguration> } | null = null;
  /** Calls that ended here: their late updates must not be taken for a new dial's. */
  const finishedCalls: string[] = [];
  const finish = (callId: string): void => {
    if (finishedCalls.includes(callId)) return;
    finishedCalls.push(callId);
    if (finishedCalls.length > 16) finishedCalls.shift();
  };

  const local = new LocalMedia({
    // Undefined on a page that is not a secure context: say so instead of crashing.
    devices: options.media ?? (navigator.mediaDevices as MediaDevices | undefined) ?? insecureContextDevices,
    createStream,
    ...(options.preferredDevices ? { preferred: options.preferredDevices } : {}),
    onChange: () => dispatch({ type: 'localMedia', local: local.snapshot() }),
  });

  const fetchRtcConfiguration = async (): Promise<RTCConfiguration> => {
    if (options.getRtcConfiguration) return options.getRtcConfiguration();
    try {
      const { iceServers } = iceServersAckSchema.parse(await signaling.request('ice:servers', {}));
      return { iceServers };
    } catch {
      // No STUN/TURN: host candidates still connect peers on one network.
      return { iceServers: [] };
    }
  };
  const rtcConfiguration = (): Promise<RTCConfiguration> => {
    if (!rtcConfig || now() - rtcConfig.at > RTC_CONFIG_REUSE_MS) {
      rtcConfig = { at: now(), promise: fetchRtcConfiguration() };
    }
    return rtcConfig.promise;
  };

  const pool = new SessionPool<PC>({
    createPeerConnection,
    rtcConfiguration,
    // A lost signal shows as a connection that does not come up; ICE restart
    // (with signaling reconnection, a later issue) is what will recover it.
    sendSignal: (callId, to, data) => void quietly(signaling.request('signal', { callId, to, data })),
    createStream,
    dispatch,
    now,
  });

  /** After every change: bring sessions, media, polling, flags and history in line. */
  function afterChange(prev: CallState, next: CallState): void {
    if (isInCall(next)) {
      pool.sync(next.callId, planSessions(next, self), callKinds(next.media), { audio: local.audio, video: local.video });
    } else {
      pool.closeAll();
      local.release();
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
      if (!finishedCalls.includes(call.callId)) dispatch({ type: 'callUpdated', call, at: now() });
    },
    inviteEnded: (e) => dispatch({ type: 'inviteEnded', ...e, at: now() }),
    memberLeft: (e) => dispatch({ type: 'memberLeft', callId: e.callId, deviceId: e.deviceId, at: now() }),
    ended: (e) => dispatch({ type: 'callEnded', ...e, at: now() }),
    signal: (e) => {
      if (isInCall(state())) pool.deliver(e.callId, e.from, e.data);
    },
  });

  function startRinging(incoming: IncomingCall): void {
    const before = state();
    if (before.phase !== 'idle' && before.phase !== 'ended') return;
    if (incoming.call.members.some((m) => m.deviceId === self.deviceId)) return;
    rtcConfig = null;
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
    getView: store.view,
    subscribe: store.subscribe,

    async call(peer, media) {
      if (disposed) return;
      const before = state();
      if (before.phase !== 'idle' && before.phase !== 'ended') {
        throw new Error(`You are already in a call. Hang up before calling ${peer.displayName}.`);
      }
      const attempt = randomId();
      rtcConfig = null;
      dispatch({ type: 'dial', attempt, peer, media, at: now() });
      void local.start({ video: media === 'video' });
      let call: CallSnapshot;
      try {
        call = callSnapshotSchema.parse((await signaling.request('call:invite', { to: peer.userId, media })).call);
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
      store.close();
      stopPolling?.();
      stopPolling = null;
      pool.closeAll();
      local.release();
    },

    debugPeerConnections: () => pool.peerConnections(),
  };
  return engine;
}
