/**
 * One device's side of an SFU call (issue 17): the connections to the media server
 * (Janus VideoRoom, driven by the Parley server — this device never talks to Janus).
 *
 * - A publisher connection per feed: 'camera' (microphone + camera, VP8 with three
 *   simulcast encodings h/m/l, scaled 1/2/4) and, while a screen is shared,
 *   'screen' (one encoding). Its offer goes out with `sfu:publish`; the ack carries
 *   the answer. Mute, camera off, device switches: replaceTrack on its senders.
 * - One subscriber connection for everything the others publish. The server
 *   offers (`sfu:offer`) whenever the set of feeds changes, naming the device and
 *   feed of every mid; this side answers (`sfu:answer`). The remote tracks are
 *   grouped into one stream per (device, feed).
 * - Trickle both ways (`sfu:candidate`, per target). A publisher's candidates wait
 *   for its publish ack (the server has no handle to give them to before).
 * - Layers: the large tile's camera (active speaker) gets the high layer (2), every
 *   other camera the low one (0) (`sfu:layer`, sent only when a choice changes).
 * - `restart()` (the server's `sfu:restart`: its Janus went away): everything is
 *   closed and published and subscribed again; the current tracks go back on.
 *
 * Failures are logged with the call and the step; what the person must know goes
 * through `onTrouble`.
 */
import { log } from '../../log';
import { listen, type MediaKind, type PeerConnectionLike, type RtpTransceiverLike } from '../peerConnection';

const sfuLog = log.child('call.sfu');

export type SfuFeed = 'camera' | 'screen';
export type SfuTarget = SfuFeed | 'subscriber';
export type SfuSubstream = 0 | 1 | 2;

/** What the server says one mid of the subscriber's offer carries. */
export interface SfuStreamInfo {
  mid: string;
  deviceId: string;
  feed: SfuFeed;
  kind: MediaKind;
}

export interface SfuDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

/** The server's SFU requests for one call (the engine binds them to the signaling client). */
export interface SfuTransport {
  publish(feed: SfuFeed, offer: SfuDescription): Promise<SfuDescription>;
  unpublish(feed: SfuFeed): Promise<void>;
  subscribe(): Promise<void>;
  answer(answer: SfuDescription): Promise<void>;
  candidate(target: SfuTarget, candidate: RTCIceCandidateInit | null): Promise<void>;
  layer(mid: string, substream: SfuSubstream): Promise<void>;
}

/** The three simulcast layers (rid h/m/l), full, half and quarter resolution. */
export const SIMULCAST_ENCODINGS: readonly RTCRtpEncodingParameters[] = [
  { rid: 'h', scaleResolutionDownBy: 1 },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'l', scaleResolutionDownBy: 4 },
];

/** Where frame encryption (renderer/call/e2ee/) hooks in: every sender and receiver of the SFU connections. */
export interface SfuMediaHooks {
  sender?(sender: RTCRtpSender, feed: SfuFeed, kind: MediaKind): void;
  receiver?(receiver: RTCRtpReceiver, stream: SfuStreamInfo): void;
}

export interface SfuTracks {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
}

export interface SfuSessionOptions<PC extends PeerConnectionLike> {
  callId: string;
  transport: SfuTransport;
  createPeerConnection(config: RTCConfiguration): PC;
  rtcConfiguration(): Promise<RTCConfiguration>;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  /** What the camera publication sends ('audio' only in a voice call). */
  kinds: readonly MediaKind[];
  /** Something changed: remote streams, the subscriber's state. */
  onChange(): void;
  /** A step failed in a way the person may notice (logged already). */
  onTrouble?(detail: string): void;
  hooks?: SfuMediaHooks;
}

interface Publication<PC extends PeerConnectionLike> {
  feed: SfuFeed;
  pc: PC;
  senders: Partial<Record<MediaKind, RTCRtpSender>>;
  /** The publish ack came back: candidates go straight out. */
  answered: boolean;
  pending: (RTCIceCandidateInit | null)[];
  closed: boolean;
  stop: (() => void)[];
}

/** The remote streams of one device: camera (audio + video) and screen. */
export interface SfuRemote {
  camera: MediaStream | null;
  screen: MediaStream | null;
}

function candidateInit(c: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment: string | null } | null): RTCIceCandidateInit | null {
  if (!c) return null;
  return { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment };
}

/** Prefers VP8 on a video transceiver where the browser lets us (Janus rooms are VP8 in SFU calls). */
function preferVp8(transceiver: RtpTransceiverLike): void {
  const t = transceiver as RtpTransceiverLike & { setCodecPreferences?: (codecs: RTCRtpCodec[]) => void };
  const caps = typeof RTCRtpSender !== 'undefined' ? RTCRtpSender.getCapabilities?.('video') : null;
  if (!t.setCodecPreferences || !caps) return;
  const vp8 = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'video/vp8');
  const rest = caps.codecs.filter((c) => /\/(rtx|red|ulpfec)$/i.test(c.mimeType));
  if (vp8.length === 0) return;
  try {
    t.setCodecPreferences([...vp8, ...rest]);
  } catch (error) {
    sfuLog.debug('could not prefer VP8 on the publisher (the browser offers its own order)', error);
  }
}

export class SfuSession<PC extends PeerConnectionLike> {
  private readonly publications = new Map<SfuFeed, Publication<PC>>();
  private subscriber: PC | null = null;
  private stopSubscriber: (() => void)[] = [];
  private subscriberRemoteSet = false;
  private subscriberCandidates: RTCIceCandidateInit[] = [];
  private streams: SfuStreamInfo[] = [];
  private remotes = new Map<string, { camera: MediaStreamTrack[]; screen: MediaStreamTrack[]; remote: SfuRemote }>();
  /** The subscriber's (re)negotiations, one at a time, in the order the offers came. */
  private negotiation: Promise<void> = Promise.resolve();
  private tracks: SfuTracks = { audio: null, video: null };
  private screenTrack: MediaStreamTrack | null = null;
  private large: string | null = null;
  private layersSent = new Map<string, SfuSubstream>();
  /** Bumped by restart and close: the work of an older round steps aside. */
  private round = 0;
  private closed = false;

  constructor(private readonly options: SfuSessionOptions<PC>) {}

  get callId(): string {
    return this.options.callId;
  }

  /** Publishes the camera feed and asks for the others' feeds. */
  start(tracks: SfuTracks): void {
    this.tracks = { ...tracks };
    const round = this.round;
    void this.publish('camera', round);
    if (this.screenTrack) void this.publish('screen', round);
    void this.requestSubscription(round);
  }

  /** The Janus instance went away or was replaced: publish and subscribe again. */
  restart(reason: string): void {
    if (this.closed) return;
    sfuLog.warn(`the media server of call ${this.callId} restarts (${reason}): publishing and subscribing again`);
    this.teardown();
    this.round += 1;
    this.start(this.tracks);
  }

  /** The microphone or camera changed (mute, camera off, device switch): replaceTrack, no renegotiation. */
  setTrack(kind: MediaKind, track: MediaStreamTrack | null): void {
    if (this.tracks[kind] === track) return;
    this.tracks[kind] = track;
    const sender = this.publications.get('camera')?.senders[kind];
    if (sender) this.replace(sender, track, `the ${kind} of call ${this.callId}`);
  }

  /** Publishes a shared screen as its own feed; null stops it. */
  setScreen(track: MediaStreamTrack | null): void {
    if (this.screenTrack === track || this.closed) return;
    const had = this.screenTrack;
    this.screenTrack = track;
    const pub = this.publications.get('screen');
    if (track && had && pub) {
      this.replace(pub.senders.video, track, `the shared screen of call ${this.callId}`);
      return;
    }
    if (track) {
      void this.publish('screen', this.round);
      return;
    }
    if (pub) this.closePublication(pub);
    this.options.transport
      .unpublish('screen')
      .catch((error: unknown) => sfuLog.warn(`could not unpublish the shared screen of call ${this.callId}`, error));
  }

  /** Which device's camera is on the large tile (the active speaker), or null. */
  setLarge(deviceId: string | null): void {
    this.large = deviceId;
    this.sendLayers();
  }

  /** The server's (re)negotiation offer for the subscriber connection. */
  handleOffer(offer: SfuDescription, streams: readonly SfuStreamInfo[]): void {
    if (this.closed) return;
    const round = this.round;
    this.negotiation = this.negotiation.then(() => this.answerOffer(offer, streams, round));
  }

  /** A candidate of the server's side (null: end of candidates). */
  handleCandidate(target: SfuTarget, candidate: RTCIceCandidateInit | null): void {
    if (this.closed) return;
    if (target === 'subscriber') {
      if (!candidate) return;
      if (!this.subscriber || !this.subscriberRemoteSet) {
        this.subscriberCandidates.push(candidate);
        return;
      }
      this.addCandidate(this.subscriber, candidate, 'subscriber');
      return;
    }
    const pub = this.publications.get(target);
    if (!pub || !candidate) return;
    this.addCandidate(pub.pc, candidate, `${target} publisher`);
  }

  /** The remote streams by deviceId. */
  remoteStreams(): ReadonlyMap<string, SfuRemote> {
    return new Map([...this.remotes].map(([deviceId, r]) => [deviceId, r.remote]));
  }

  /** The subscriber connection's state ('new' before the first offer). */
  subscriberState(): RTCPeerConnectionState {
    return this.subscriber?.connectionState ?? 'new';
  }

  /** The camera publication's state. */
  publisherState(): RTCPeerConnectionState {
    return this.publications.get('camera')?.pc.connectionState ?? 'new';
  }

  /** The subscriber connection (live stats, audio levels), or null. */
  subscriberConnection(): PC | null {
    return this.subscriber;
  }

  /** The publishers' connections (upload stats). */
  publisherConnections(): PC[] {
    return [...this.publications.values()].map((p) => p.pc);
  }

  /** The mids the server named for a device's feed. */
  midsOf(deviceId: string, feed: SfuFeed = 'camera'): string[] {
    return this.streams.filter((s) => s.deviceId === deviceId && s.feed === feed).map((s) => s.mid);
  }

  /** Tells the server this device leaves the media server (best effort) and closes everything. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.round += 1;
    this.teardown();
  }

  private teardown(): void {
    for (const pub of [...this.publications.values()]) this.closePublication(pub);
    for (const stop of this.stopSubscriber.splice(0)) stop();
    this.subscriber?.close();
    this.subscriber = null;
    this.subscriberRemoteSet = false;
    this.subscriberCandidates = [];
    this.streams = [];
    this.layersSent.clear();
    this.negotiation = Promise.resolve();
    if (this.remotes.size > 0) {
      this.remotes.clear();
      this.options.onChange();
    }
  }

  private closePublication(pub: Publication<PC>): void {
    pub.closed = true;
    for (const stop of pub.stop.splice(0)) stop();
    pub.pc.close();
    if (this.publications.get(pub.feed) === pub) this.publications.delete(pub.feed);
  }

  private replace(sender: RTCRtpSender | undefined, track: MediaStreamTrack | null, what: string): void {
    if (!sender) return;
    sender.replaceTrack(track).catch((error: unknown) => {
      sfuLog.warn(`could not put ${what} on its publisher`, error);
      this.options.onTrouble?.(`Your ${what.startsWith('the shared') ? 'screen' : 'media'} could not be sent.`);
    });
  }

  private addCandidate(pc: PC, candidate: RTCIceCandidateInit, which: string): void {
    pc.addIceCandidate(candidate).catch((error: unknown) =>
      sfuLog.debug(`a media server candidate for the ${which} of call ${this.callId} did not apply`, error),
    );
  }

  private async publish(feed: SfuFeed, round: number): Promise<void> {
    const stale = (): boolean => this.closed || this.round !== round;
    const existing = this.publications.get(feed);
    if (existing) this.closePublication(existing);
    let pc: PC;
    try {
      const config = await this.options.rtcConfiguration();
      if (stale() || (feed === 'screen' && !this.screenTrack)) return;
      pc = this.options.createPeerConnection(config);
    } catch (error) {
      if (stale()) return;
      sfuLog.error(`could not set up the ${feed} publisher of call ${this.callId}`, error);
      this.options.onTrouble?.('The connection to the media server could not be set up.');
      return;
    }
    const pub: Publication<PC> = { feed, pc, senders: {}, answered: false, pending: [], closed: false, stop: [] };
    this.publications.set(feed, pub);
    pub.stop.push(
      listen(pc, 'icecandidate', (event) => {
        const candidate = candidateInit(event.candidate);
        if (!pub.answered) pub.pending.push(candidate);
        else this.sendCandidate(feed, candidate);
      }),
      listen(pc, 'connectionstatechange', () => {
        sfuLog.debug(`the ${feed} publisher of call ${this.callId} is ${pc.connectionState}`);
        this.options.onChange();
      }),
    );
    try {
      const kinds: MediaKind[] = feed === 'screen' ? ['video'] : [...this.options.kinds];
      for (const kind of kinds) {
        const simulcast = feed === 'camera' && kind === 'video';
        const transceiver = pc.addTransceiver(kind, {
          direction: 'sendonly',
          ...(simulcast ? { sendEncodings: SIMULCAST_ENCODINGS.map((e) => ({ ...e })) } : {}),
        });
        if (kind === 'video') preferVp8(transceiver);
        const sender = transceiver.sender as RTCRtpSender;
        pub.senders[kind] = sender;
        // The frame transform goes on synchronously with the sender's creation, before any await:
        // Chromium may leave a transform set later unapplied, and the frames would leave unsealed.
        this.options.hooks?.sender?.(sender, feed, kind);
        const track = feed === 'screen' ? this.screenTrack : this.tracks[kind];
        if (track) await sender.replaceTrack(track);
      }
      await pc.setLocalDescription();
      const offer = pc.localDescription;
      if (!offer || offer.type !== 'offer') throw new Error('the publisher made no offer');
      if (stale() || pub.closed) return;
      const answer = await this.options.transport.publish(feed, { type: 'offer', sdp: offer.sdp });
      if (stale() || pub.closed) return;
      if (answer.type !== 'answer') throw new Error(`the media server answered with a ${answer.type}`);
      await pc.setRemoteDescription(answer);
      pub.answered = true;
      for (const c of pub.pending.splice(0)) this.sendCandidate(feed, c);
      sfuLog.info(`published the ${feed} of call ${this.callId}`);
    } catch (error) {
      if (stale() || pub.closed) return;
      sfuLog.error(`publishing the ${feed} of call ${this.callId} failed`, error);
      this.closePublication(pub);
      this.options.onTrouble?.(
        feed === 'screen' ? 'Your screen could not be shared through the media server.' : 'Your media could not be sent to the media server.',
      );
    }
  }

  private sendCandidate(target: SfuTarget, candidate: RTCIceCandidateInit | null): void {
    this.options.transport
      .candidate(target, candidate)
      .catch((error: unknown) => sfuLog.debug(`a ${target} candidate of call ${this.callId} did not reach the server`, error));
  }

  private async requestSubscription(round: number): Promise<void> {
    try {
      await this.options.transport.subscribe();
    } catch (error) {
      if (this.closed || this.round !== round) return;
      sfuLog.error(`subscribing to the others in call ${this.callId} failed`, error);
      this.options.onTrouble?.('The others could not be received through the media server.');
    }
  }

  private ensureSubscriber(config: RTCConfiguration): PC {
    if (this.subscriber) return this.subscriber;
    const pc = this.options.createPeerConnection(config);
    this.subscriber = pc;
    this.stopSubscriber.push(
      listen(pc, 'icecandidate', (event) => this.sendCandidate('subscriber', candidateInit(event.candidate))),
      listen(pc, 'connectionstatechange', () => {
        sfuLog.debug(`the subscriber of call ${this.callId} is ${pc.connectionState}`);
        this.options.onChange();
      }),
      listen(pc, 'track', () => this.regroup()),
    );
    return pc;
  }

  private async answerOffer(offer: SfuDescription, streams: readonly SfuStreamInfo[], round: number): Promise<void> {
    const stale = (): boolean => this.closed || this.round !== round;
    if (stale()) return;
    try {
      if (offer.type !== 'offer') throw new Error(`the media server sent an '${offer.type}' where an offer belongs`);
      const pc = this.subscriber ?? this.ensureSubscriber(await this.options.rtcConfiguration());
      if (stale()) return;
      await pc.setRemoteDescription(offer);
      if (stale()) return;
      this.subscriberRemoteSet = true;
      this.streams = [...streams];
      for (const mid of [...this.layersSent.keys()]) if (!streams.some((s) => s.mid === mid)) this.layersSent.delete(mid);
      // The frame transforms go on before the answer is made: Chromium leaves a receiver's
      // transform set after setLocalDescription unapplied, and its decoder then gets the
      // sealed frames (noise, and a key frame request after every frame).
      this.hookReceivers(pc);
      for (const c of this.subscriberCandidates.splice(0)) this.addCandidate(pc, c, 'subscriber');
      await pc.setLocalDescription();
      const answer = pc.localDescription;
      if (!answer || answer.type !== 'answer') throw new Error('the subscriber made no answer');
      if (stale()) return;
      this.regroup();
      await this.options.transport.answer({ type: 'answer', sdp: answer.sdp });
      if (stale()) return;
      this.sendLayers();
    } catch (error) {
      if (stale()) return;
      sfuLog.error(`answering the media server's offer in call ${this.callId} failed`, error);
      this.options.onTrouble?.('The others could not be received through the media server.');
    }
  }

  /** The device each hooked receiver was last hooked for. */
  private readonly hooked = new WeakMap<object, string>();

  /**
   * Hooks each subscribed receiver for the device whose feed its mid carries now,
   * and again when that changes: Janus reuses an emptied m-line of the same kind
   * for the next feed subscribed, whoever publishes it (janus_videoroom.c,
   * janus_videoroom_subscriber_stream_add_or_replace), so a receiver first hooked
   * for a device that left or restarted may carry another device's frames later.
   */
  private hookReceivers(pc: PC): void {
    const hook = this.options.hooks?.receiver;
    if (!hook) return;
    for (const t of pc.getTransceivers()) {
      const info = this.streams.find((s) => s.mid === t.mid);
      if (!info || this.hooked.get(t.receiver) === info.deviceId) continue;
      this.hooked.set(t.receiver, info.deviceId);
      hook(t.receiver as RTCRtpReceiver, info);
    }
  }

  /** Groups the subscriber's tracks into one stream per device and feed; reports only what changed. */
  private regroup(): void {
    const pc = this.subscriber;
    const next = new Map<string, { camera: MediaStreamTrack[]; screen: MediaStreamTrack[] }>();
    if (pc) {
      for (const t of pc.getTransceivers()) {
        const info = this.streams.find((s) => s.mid === t.mid);
        if (!info) continue;
        const entry = next.get(info.deviceId) ?? { camera: [], screen: [] };
        entry[info.feed].push(t.receiver.track);
        next.set(info.deviceId, entry);
      }
    }
    let changed = false;
    const same = (a: readonly MediaStreamTrack[], b: readonly MediaStreamTrack[]): boolean =>
      a.length === b.length && a.every((t) => b.includes(t));
    for (const deviceId of [...this.remotes.keys()]) {
      if (!next.has(deviceId)) {
        this.remotes.delete(deviceId);
        changed = true;
      }
    }
    for (const [deviceId, tracks] of next) {
      const before = this.remotes.get(deviceId);
      if (before && same(before.camera, tracks.camera) && same(before.screen, tracks.screen)) continue;
      const stream = (list: MediaStreamTrack[], old: MediaStream | null, oldList: MediaStreamTrack[] | undefined): MediaStream | null => {
        if (list.length === 0) return null;
        if (old && oldList && same(oldList, list)) return old;
        return this.options.createStream(list);
      };
      this.remotes.set(deviceId, {
        ...tracks,
        remote: {
          camera: stream(tracks.camera, before?.remote.camera ?? null, before?.camera),
          screen: stream(tracks.screen, before?.remote.screen ?? null, before?.screen),
        },
      });
      changed = true;
    }
    if (changed) this.options.onChange();
  }

  private sendLayers(): void {
    if (!this.subscriberRemoteSet) return;
    for (const s of this.streams) {
      if (s.kind !== 'video' || s.feed !== 'camera') continue;
      const want: SfuSubstream = s.deviceId === this.large ? 2 : 0;
      if (this.layersSent.get(s.mid) === want) continue;
      this.layersSent.set(s.mid, want);
      this.options.transport.layer(s.mid, want).catch((error: unknown) => {
        if (this.layersSent.get(s.mid) === want) this.layersSent.delete(s.mid);
        sfuLog.debug(`the layer choice for mid ${s.mid} in call ${this.callId} did not reach the server`, error);
      });
    }
  }
}
