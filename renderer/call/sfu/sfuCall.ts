/**
 * The engine's side of SFU calls (issue 17): follows the call state, and when the
 * call's topology is 'sfu' runs one SfuSession (sfuSession.ts) for it.
 *
 * The move from the mesh without redialling: a member of a mesh call whose snapshot
 * turns to 'sfu' keeps its mesh peer connections and brings up publish + subscribe.
 * A remote device is "carried" by the SFU once the subscriber is connected and one
 * of that device's tracks has received media (its receiver track unmuted); only then
 * does the engine drop the device from the mesh plan (`carries`), so the mesh
 * connection closes, and the device's link takes the SFU stream. No mesh connection
 * is ever opened in an SFU call (`allowsMesh`): someone who joins then gets
 * everything through the SFU.
 *
 * The server's `sfu:offer`, `sfu:candidate` and `sfu:restart` go to the session of
 * the call they name; the session's requests go out as `sfu:*` requests.
 */
import type { CallSignaling } from '../serverEvents';
import type { CallEvent, CallState, SelfRef } from '../callState';
import { isInCall, remoteMembers } from '../callState';
import { log } from '../../log';
import type { MediaKind, PeerConnectionLike } from '../peerConnection';
import { SfuSession, type SfuMediaHooks, type SfuTransport } from './sfuSession';

const sfuLog = log.child('call.sfu');

export interface SfuCallOptions<PC extends PeerConnectionLike> {
  signaling: CallSignaling;
  self: SelfRef;
  state(): CallState;
  dispatch(event: CallEvent): void;
  now(): number;
  createPeerConnection(config: RTCConfiguration): PC;
  rtcConfiguration(): Promise<RTCConfiguration>;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  localTracks(): { audio: MediaStreamTrack | null; video: MediaStreamTrack | null };
  /** The set of devices the SFU carries grew: the engine syncs its mesh sessions again. */
  onCarriedChange(): void;
  /** The remote screens (`screens()`) changed. */
  onScreensChange?(): void;
  /** Frame encryption (renderer/call/e2ee/) hooks in here. */
  hooks?: SfuMediaHooks;
}

export interface SfuCall<PC extends PeerConnectionLike> {
  /** The store changed: start, follow or stop the SFU session. Call before syncing the mesh. */
  follow(state: CallState): void;
  /** Whether the mesh connection to this device is no longer needed (the SFU carries its media). */
  carries(deviceId: string): boolean;
  /** False in an SFU call: no new mesh connection is opened (existing ones stay until carried). */
  allowsMesh(state: CallState): boolean;
  /** The SFU session of the current call, or null. */
  session(): SfuSession<PC> | null;
  /** Connections to poll per carried device (speaker levels, stats): the subscriber, its stats cut to the device's mids. */
  pollTargets(): [string, PeerConnectionLike][];
  /** A shared screen to publish (null: stop). */
  setScreen(track: MediaStreamTrack | null): void;
  /** Remote shared screens by deviceId. */
  screens(): ReadonlyMap<string, MediaStream>;
  dispose(): void;
}

// In a module of their own so the engine can ask them without loading this one (lazySfu.ts).
export { isSfuCall, sfuRelayTargets } from './sfuTargets';

export function sfuTransport(signaling: CallSignaling, callId: string): SfuTransport {
  return {
    async publish(feed, offer) {
      if (offer.type !== 'offer') throw new Error('only an offer is published');
      const ack = await signaling.request('sfu:publish', { callId, feed, description: { type: 'offer', sdp: offer.sdp } });
      return ack.description;
    },
    async unpublish(feed) {
      await signaling.request('sfu:unpublish', { callId, feed });
    },
    async subscribe() {
      await signaling.request('sfu:subscribe', { callId });
    },
    async answer(answer) {
      if (answer.type !== 'answer') throw new Error('only an answer answers the subscriber offer');
      await signaling.request('sfu:answer', { callId, description: { type: 'answer', sdp: answer.sdp } });
    },
    async candidate(target, candidate) {
      const c = candidate
        ? {
            candidate: candidate.candidate ?? '',
            sdpMid: candidate.sdpMid ?? null,
            sdpMLineIndex: candidate.sdpMLineIndex ?? null,
            usernameFragment: candidate.usernameFragment ?? null,
          }
        : null;
      await signaling.request('sfu:candidate', { callId, target, candidate: c });
    },
    async layer(mid, substream) {
      await signaling.request('sfu:layer', { callId, mid, substream });
    },
  };
}

/** Inbound stats cut to some mids: one remote device's part of the shared subscriber connection. */
function statsOfMids(pc: PeerConnectionLike, mids: () => readonly string[]): PeerConnectionLike {
  const getStats = async (): Promise<ReadonlyMap<string, unknown>> => {
    const report = await pc.getStats();
    const keep = new Set(mids());
    const out = new Map<string, unknown>();
    for (const [id, stat] of report) {
      const s = stat as { type?: unknown; mid?: unknown };
      if (s.type === 'inbound-rtp' && !(typeof s.mid === 'string' && keep.has(s.mid))) continue;
      out.set(id, stat);
    }
    return out;
  };
  return new Proxy(pc, {
    get(target, prop) {
      if (prop === 'getStats') return getStats;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function createSfuCall<PC extends PeerConnectionLike>(options: SfuCallOptions<PC>): SfuCall<PC> {
  const { signaling, self, state, dispatch, now } = options;
  let current: SfuSession<PC> | null = null;
  let carried = new Set<string>();
  /** The stream each carried device's link shows now. */
  let shown = new Map<string, MediaStream | null>();
  let screens = new Map<string, MediaStream>();
  let screenTrack: MediaStreamTrack | null = null;
  const listening = new WeakSet<MediaStreamTrack>();

  function phaseOf(pcState: RTCPeerConnectionState): 'connecting' | 'connected' | 'reconnecting' | 'failed' {
    if (pcState === 'connected') return 'connected';
    if (pcState === 'failed' || pcState === 'closed') return 'failed';
    if (pcState === 'disconnected') return 'reconnecting';
    return 'connecting';
  }

  /** The session changed: hand devices over from the mesh, show streams, screens. */
  function sessionChanged(session: SfuSession<PC>): void {
    if (session !== current) return;
    const s = state();
    if (!isInCall(s) || s.callId !== session.callId || !s.call) return;
    const remotes = session.remoteStreams();
    const subscriberUp = session.subscriberState() === 'connected';
    const members = new Set(remoteMembers(s.call, self).map((m) => m.deviceId));
    // A member who left is no longer carried (if they come back, their media is waited for again).
    for (const deviceId of [...carried]) if (!members.has(deviceId)) carried.delete(deviceId);
    const newly: string[] = [];
    for (const [deviceId, remote] of remotes) {
      const camera = remote.camera;
      if (!camera || carried.has(deviceId) || !members.has(deviceId)) continue;
      for (const track of camera.getTracks()) {
        if (listening.has(track)) continue;
        listening.add(track);
        track.addEventListener('unmute', () => sessionChanged(session), { once: true });
      }
      if (subscriberUp && camera.getTracks().some((t) => !t.muted)) newly.push(deviceId);
    }
    if (newly.length > 0) {
      for (const deviceId of newly) carried.add(deviceId);
      sfuLog.info(`the media server carries ${newly.join(', ')} in call ${session.callId}: their mesh connections close`);
      // Closes their mesh sessions (linkClosed); their links are filled again below.
      options.onCarriedChange();
    }
    const phase = phaseOf(session.subscriberState());
    const at = now();
    const nextShown = new Map<string, MediaStream | null>();
    for (const deviceId of carried) {
      const stream = remotes.get(deviceId)?.camera ?? null;
      nextShown.set(deviceId, stream);
      const link = (state() as { links?: Record<string, { connection: string; stream: MediaStream | null }> }).links?.[deviceId];
      if (!link || link.connection !== phase) dispatch({ type: 'linkPhase', deviceId, connection: phase, at });
      if (!link || link.stream !== stream || shown.get(deviceId) !== stream) dispatch({ type: 'linkStream', deviceId, stream });
    }
    shown = nextShown;
    const nextScreens = new Map<string, MediaStream>();
    for (const [deviceId, remote] of remotes) if (remote.screen) nextScreens.set(deviceId, remote.screen);
    const sameScreens = nextScreens.size === screens.size && [...nextScreens].every(([d, m]) => screens.get(d) === m);
    if (!sameScreens) {
      screens = nextScreens;
      options.onScreensChange?.();
    }
    session.setLarge(largeTile(s));
  }

  /** The camera that gets the high layer: the active speaker, else the only other member; none while a screen is the large tile. */
  function largeTile(s: CallState): string | null {
    if (s.phase !== 'active' || screens.size > 0) return null;
    if (s.activeSpeaker) return s.activeSpeaker;
    const others = remoteMembers(s.call, self);
    return others.length === 1 ? (others[0]?.deviceId ?? null) : null;
  }

  function stop(): void {
    if (!current) return;
    const session = current;
    current = null;
    session.close();
    for (const feed of ['camera', 'screen'] as const) {
      signaling
        .request('sfu:unpublish', { callId: session.callId, feed })
        .catch((error: unknown) => sfuLog.debug(`unpublishing the ${feed} of call ${session.callId} on leaving`, error));
    }
    carried = new Set();
    shown = new Map();
    if (screens.size > 0) {
      screens = new Map();
      options.onScreensChange?.();
    }
  }

  function start(callId: string, kinds: readonly MediaKind[]): void {
    sfuLog.info(`call ${callId} goes through the media server: publishing and subscribing`);
    const session: SfuSession<PC> = new SfuSession<PC>({
      callId,
      transport: sfuTransport(signaling, callId),
      createPeerConnection: options.createPeerConnection,
      rtcConfiguration: options.rtcConfiguration,
      createStream: options.createStream,
      kinds,
      onChange: () => sessionChanged(session),
      onTrouble: (detail) => sfuLog.warn(`call ${callId}: ${detail}`),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    current = session;
    session.start(options.localTracks());
    if (screenTrack) session.setScreen(screenTrack);
  }

  const onOffer = (e: { callId: string; description: { type: 'offer'; sdp: string }; streams: { mid: string; deviceId: string; feed: 'camera' | 'screen'; kind: 'audio' | 'video' }[] }): void => {
    if (current?.callId !== e.callId) {
      sfuLog.debug(`an SFU offer for call ${e.callId}, not mine: ignored`);
      return;
    }
    current.handleOffer(e.description, e.streams);
  };
  const onCandidate = (e: { callId: string; target: 'camera' | 'screen' | 'subscriber'; candidate: RTCIceCandidateInit | null }): void => {
    if (current?.callId === e.callId) current.handleCandidate(e.target, e.candidate);
  };
  const onRestart = (e: { callId: string; reason: string }): void => {
    if (current?.callId === e.callId) current.restart(e.reason);
  };
  // A welcome during an SFU call is a reconnect of the signaling socket, and what
  // was on the dead connection may be lost: an answer (the server then waits for it,
  // and every feed added later waits behind it: a member who never sees the next
  // one to join), an offer or a publish ack. Publishing and subscribing again, as
  // after sfu:restart, leaves nothing pending. (A welcome without the call is
  // followed by call:rejoin, and by sfu:restart where the call's room is gone.)
  const onWelcome = (w: { call: { callId: string; topology: 'mesh' | 'sfu' } | null }): void => {
    if (current && w.call?.callId === current.callId && w.call.topology === 'sfu') {
      current.restart('the connection to the server was interrupted, so a negotiation may have been lost');
    }
  };
  signaling.events.on('sfu:offer', onOffer);
  signaling.events.on('sfu:candidate', onCandidate);
  signaling.events.on('sfu:restart', onRestart);
  signaling.events.on('session:welcome', onWelcome);

  return {
    follow(s) {
      const wanted = s.phase === 'active' && s.call.topology === 'sfu' ? s.callId : null;
      if (current && current.callId !== wanted) stop();
      if (!wanted || s.phase !== 'active') return;
      if (!current) start(wanted, s.media === 'video' ? ['audio', 'video'] : ['audio']);
      const tracks = options.localTracks();
      current?.setTrack('audio', tracks.audio);
      if (s.media === 'video') current?.setTrack('video', tracks.video);
      current?.setLarge(largeTile(s));
    },
    carries: (deviceId) => carried.has(deviceId),
    allowsMesh: (s) => !(isInCall(s) && s.call?.topology === 'sfu'),
    session: () => current,
    pollTargets() {
      const pc = current?.subscriberConnection();
      const session = current;
      if (!pc || !session) return [];
      return [...carried].map((deviceId): [string, PeerConnectionLike] => [deviceId, statsOfMids(pc, () => session.midsOf(deviceId))]);
    },
    setScreen(track) {
      screenTrack = track;
      current?.setScreen(track);
    },
    screens: () => screens,
    dispose() {
      signaling.events.off('sfu:offer', onOffer);
      signaling.events.off('sfu:candidate', onCandidate);
      signaling.events.off('sfu:restart', onRestart);
      signaling.events.off('session:welcome', onWelcome);
      stop();
    },
  };
}
