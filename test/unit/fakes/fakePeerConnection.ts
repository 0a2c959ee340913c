/**
 * A controllable RTCPeerConnection for Node, faithful where perfect negotiation
 * depends on it:
 * - the signaling-state machine of webrtc-pc ("set the session description"),
 *   including explicit rollback and the implicit rollback of
 *   setRemoteDescription(offer) in have-local-offer;
 * - setLocalDescription() without arguments (implicit offer/answer);
 * - the operations chain: descriptions and candidates are applied one at a time, in
 *   call order, each after a macrotask, so races happen as they do in a browser;
 * - negotiationneeded fired asynchronously, only in stable with an empty chain, and
 *   again after a negotiation leaves unnegotiated transceivers (webrtc-pc
 *   "update the negotiation-needed flag");
 * - transceivers created by setRemoteDescription(offer) are recvonly, and those
 *   added by addTransceiver are never reused for a remote m-line (JSEP, RFC 8829 §5.10);
 * - addIceCandidate rejects without a remote description, or with a candidate of
 *   another ICE username fragment.
 *
 * - restartIce(): the next offer carries a new ICE username fragment, and so does
 *   the answer to an offer whose fragment changed (RFC 8839 §4.4.1.1.1); each side
 *   gathers again for its new fragment. A rollback keeps the restart pending.
 *
 * - Failures a browser shows across engines (issue 14), set by tests: `refuseRemote`
 *   rejects remote descriptions of the given types with Chromium's exact error (the
 *   signaling state stays where it was, as in Chromium), and `rtpFlowing = false`
 *   stops the inbound RTP counters of getStats while the connection stays
 *   'connected'. While connected and flowing, every getStats() adds packets to each
 *   receiving transceiver's `inbound-rtp` entry.
 *
 * The SDP is a small fake text (see writeSdp) with a real `a=fingerprint:` line:
 * each connection has its own fake DTLS certificate, as a browser's has. With `autoIce` (the default) the
 * fake gathers one host candidate per ICE username fragment and becomes
 * 'connecting' then 'connected' once it has both descriptions and a remote
 * candidate of the current remote fragment — unless a test took its `network`
 * down; without autoIce, tests drive `setConnectionState` themselves.
 */
import type {
  IceCandidateLike,
  MediaKind,
  PeerConnectionEventMap,
  PeerConnectionLike,
} from '../../../renderer/call/peerConnection';
import { FakeEvent, FakeIceCandidateEvent, FakeRtpTransceiver, FakeTrackEvent } from './fakeRtp';
import { answerDirection, direction, fakeFingerprint, parseSdp, receives, sends, writeSdp, type Description } from './fakeSdp';

export { FakeIceCandidateEvent, FakeRtpSender, FakeRtpTransceiver, FakeTrackEvent } from './fakeRtp';
export { parseSdp, writeSdp } from './fakeSdp';

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

let nextPc = 1;

export interface FakePeerConnectionOptions {
  autoIce?: boolean;
  label?: string;
}

export class FakePeerConnection extends EventTarget implements PeerConnectionLike {
  readonly label: string;
  ufrag: string;
  /** This connection's DTLS certificate fingerprint, in every SDP it writes. */
  readonly fingerprint = fakeFingerprint();
  /** 'down': ICE finds no path (it does not connect) until a test brings it back up. */
  network: 'up' | 'down' = 'up';
  /** How many times restartIce() was called. */
  iceRestarts = 0;
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  closed = false;
  readonly transceivers: FakeRtpTransceiver[] = [];
  /** Every description applied, e.g. "local offer", "remote answer", "rollback". */
  readonly log: string[] = [];
  readonly remoteCandidates: RTCIceCandidateInit[] = [];
  /** addIceCandidate calls that rejected (no remote description, wrong ufrag or mid). */
  rejectedCandidates = 0;
  /** Set by tests: what getStats reports as inbound audio level (0..1). */
  inboundAudioLevel: number | null = null;
  /** Set by tests: remote descriptions of these types are rejected with `message` (see the header). */
  refuseRemote: { types: RTCSdpType[]; message: string } | null = null;
  /** Set by tests: false stops inbound RTP (the counters stay) on a 'connected' connection. */
  rtpFlowing = true;
  private readonly packets = new Map<FakeRtpTransceiver, number>();
  private currentLocal: Description | null = null;
  private pendingLocal: Description | null = null;
  private currentRemote: Description | null = null;
  private pendingRemote: Description | null = null;
  private chain: Promise<void> = Promise.resolve();
  private pendingOps = 0;
  private negotiationNeeded = false;
  private gathered = false;
  private readonly autoIce: boolean;
  private readonly listeners = new Map<string, Set<EventListenerOrEventListenerObject>>();
  /** Transceivers that got their mid from the pending local offer (undone by rollback). */
  private midsFromPendingOffer: FakeRtpTransceiver[] = [];
  /** restartIce() was called and no description with new credentials settled it yet. */
  private restartRequested = false;
  /** The fragment the pending local offer replaced (restored by a rollback). */
  private ufragBeforeOffer: string | null = null;
  /** The pending remote offer changed the remote fragment: our answer changes ours. */
  private remoteRestarted = false;
  private ufragCount = 0;
  /** Transceivers created by the pending remote offer (removed by rollback). */
  private createdByPendingOffer: FakeRtpTransceiver[] = [];

  constructor(
    readonly configuration: RTCConfiguration = {},
    options: FakePeerConnectionOptions = {},
  ) {
    super();
    const n = nextPc++;
    this.label = options.label ?? `pc${n}`;
    this.ufrag = `ufrag${n}`;
    this.autoIce = options.autoIce ?? true;
  }

  get localDescription(): Description | null {
    return this.pendingLocal ?? this.currentLocal;
  }
  get remoteDescription(): Description | null {
    return this.pendingRemote ?? this.currentRemote;
  }

  // The first signature is the one PeerConnectionLike declares (RTCPeerConnection
  // has the same generic overload); the second is EventTarget's.
  override addEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    if (listener) {
      const set = this.listeners.get(type) ?? new Set();
      set.add(listener);
      this.listeners.set(type, set);
    }
    super.addEventListener(type, listener, options);
  }
  override removeEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    if (listener) this.listeners.get(type)?.delete(listener);
    super.removeEventListener(type, listener, options);
  }
  /** How many listeners are attached, all types together. */
  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  addTransceiver(kind: MediaKind, init: RTCRtpTransceiverInit = {}): FakeRtpTransceiver {
    if (this.closed) throw new DOMException('the connection is closed', 'InvalidStateError');
    const transceiver = new FakeRtpTransceiver(this, kind, init.direction ?? 'sendrecv', 'addTransceiver');
    this.transceivers.push(transceiver);
    this.updateNegotiationNeeded();
    return transceiver;
  }

  getTransceivers(): FakeRtpTransceiver[] {
    return [...this.transceivers];
  }

  setLocalDescription(description?: { type: 'rollback' }): Promise<void> {
    return this.enqueue(() => {
      if (description?.type === 'rollback') return this.rollback();
      if (this.signalingState === 'have-remote-offer') this.applyLocalAnswer();
      else if (this.signalingState === 'stable' || this.signalingState === 'have-local-offer') this.applyLocalOffer();
      else throw new DOMException(`setLocalDescription in ${this.signalingState}`, 'InvalidStateError');
      this.gather();
    });
  }

  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    return this.enqueue(() => {
      const { type, sdp = '' } = description;
      if (type === 'rollback') return this.rollback();
      if (this.refuseRemote?.types.includes(type)) {
        this.log.push(`refused remote ${type}`);
        throw new DOMException(this.refuseRemote.message, 'OperationError');
      }
      if (type === 'offer') {
        if (this.signalingState === 'have-local-offer') this.rollback(); // implicit rollback
        else if (this.signalingState !== 'stable' && this.signalingState !== 'have-remote-offer') {
          throw new DOMException(`remote offer in ${this.signalingState}`, 'InvalidStateError');
        }
        this.applyRemoteOffer({ type, sdp });
      } else if (type === 'answer') {
        if (this.signalingState !== 'have-local-offer') {
          throw new DOMException(`remote answer in ${this.signalingState}`, 'InvalidStateError');
        }
        this.applyRemoteAnswer({ type, sdp });
      } else {
        throw new DOMException(`the fake does not do ${type}`, 'NotSupportedError');
      }
    });
  }

  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    const result = this.enqueue(() => {
      const remote = this.remoteDescription;
      if (!remote) throw new DOMException('the remote description was null', 'InvalidStateError');
      if (!candidate.candidate) return; // end-of-candidates
      const sdp = parseSdp(remote.sdp);
      if (candidate.usernameFragment && candidate.usernameFragment !== sdp.ufrag) {
        throw new DOMException(`candidate of ufrag ${candidate.usernameFragment}, not ${sdp.ufrag}`, 'OperationError');
      }
      if (!sdp.mlines.some((m) => m.mid === candidate.sdpMid)) {
        throw new DOMException(`no m-line with mid ${String(candidate.sdpMid)}`, 'OperationError');
      }
      this.remoteCandidates.push(candidate);
      this.maybeConnect();
    });
    result.catch(() => {
      this.rejectedCandidates += 1;
    });
    return result;
  }

  async getStats(): Promise<ReadonlyMap<string, unknown>> {
    const report = new Map<string, unknown>();
    report.set('T01', { id: 'T01', type: 'transport', timestamp: Date.now() });
    const audio = this.transceivers.find((t) => t.kind === 'audio' && t.receiving);
    const flowing = this.connectionState === 'connected' && this.rtpFlowing;
    for (const t of this.transceivers) {
      if (!t.receiving || t.mid === null) continue;
      const packets = (this.packets.get(t) ?? 0) + (flowing ? 50 : 0);
      this.packets.set(t, packets);
      const level = t === audio && this.inboundAudioLevel !== null ? { audioLevel: this.inboundAudioLevel } : {};
      const id = t === audio ? 'IA1' : `IR-${t.mid}`;
      report.set(id, {
        id,
        type: 'inbound-rtp',
        kind: t.kind,
        mid: t.mid,
        packetsReceived: packets,
        bytesReceived: packets * 100,
        ...level,
        timestamp: Date.now(),
      });
    }
    return report;
  }

  /** What setConfiguration was given, in order (fresh TURN credentials before an ICE restart). */
  readonly configurationUpdates: RTCConfiguration[] = [];

  setConfiguration(configuration: RTCConfiguration): void {
    if (this.closed) throw new DOMException('the connection is closed', 'InvalidStateError');
    this.configurationUpdates.push(configuration);
  }

  restartIce(): void {
    if (this.closed) return;
    this.iceRestarts += 1;
    this.restartRequested = true;
    this.updateNegotiationNeeded();
  }

  close(): void {
    if (this.closed) return;
    // As in a browser, close() fires no state-change events.
    this.closed = true;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    for (const t of this.transceivers) t.currentDirection = 'stopped';
  }

  /** Drives connectionState as ICE/DTLS would, firing connectionstatechange. */
  setConnectionState(state: RTCPeerConnectionState): void {
    if (this.closed || this.connectionState === state) return;
    this.connectionState = state;
    this.dispatchEvent(new FakeEvent('connectionstatechange'));
  }

  /** webrtc-pc "update the negotiation-needed flag", simplified. */
  updateNegotiationNeeded(): void {
    if (this.closed || this.pendingOps > 0 || this.signalingState !== 'stable') return;
    if (!this.needsNegotiation()) {
      this.negotiationNeeded = false;
      return;
    }
    if (this.negotiationNeeded) return;
    this.negotiationNeeded = true;
    setTimeout(() => {
      if (this.closed || !this.negotiationNeeded || this.signalingState !== 'stable' || this.pendingOps > 0) return;
      this.dispatchEvent(new FakeEvent('negotiationneeded'));
    }, 0);
  }

  /** The transceivers differ from what was last negotiated (webrtc-pc "check if negotiation is needed"). */
  needsNegotiation(): boolean {
    if (this.restartRequested) return true;
    for (const t of this.transceivers) {
      if (t.currentDirection === 'stopped') continue;
      if (t.mid === null) return true;
      const expected = t.remoteOffered === null ? t.direction : answerDirection(t.direction, t.remoteOffered);
      if (expected !== t.negotiated) return true;
    }
    return false;
  }

  private enqueue(op: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new DOMException('the connection is closed', 'InvalidStateError'));
    this.pendingOps += 1;
    const result = this.chain.then(async () => {
      await macrotask();
      if (this.closed) throw new DOMException('the connection is closed', 'InvalidStateError');
      op();
    });
    this.chain = result
      .catch(() => undefined)
      .then(() => {
        this.pendingOps -= 1;
        if (this.pendingOps === 0) this.updateNegotiationNeeded();
      });
    return result;
  }

  private setSignalingState(state: RTCSignalingState): void {
    this.signalingState = state;
    this.dispatchEvent(new FakeEvent('signalingstatechange'));
    if (state === 'stable') {
      this.negotiationNeeded = false;
      this.updateNegotiationNeeded();
    }
  }

  private freeMid(): string {
    const used = new Set(this.transceivers.map((t) => t.mid));
    for (const m of this.remoteDescription ? parseSdp(this.remoteDescription.sdp).mlines : []) used.add(m.mid);
    let n = 0;
    while (used.has(String(n))) n += 1;
    return String(n);
  }

  private newUfrag(): void {
    this.ufragCount += 1;
    this.ufrag = `${this.label}-ufrag-r${this.ufragCount}`;
    this.gathered = false;
  }

  private applyLocalOffer(): void {
    if (this.restartRequested && this.ufragBeforeOffer === null) {
      this.ufragBeforeOffer = this.ufrag;
      this.newUfrag();
    }
    for (const t of this.transceivers) {
      if (t.mid === null && t.currentDirection !== 'stopped') {
        t.mid = this.freeMid();
        this.midsFromPendingOffer.push(t);
      }
    }
    const mlines = this.transceivers
      .filter((t) => t.mid !== null && t.currentDirection !== 'stopped')
      .map((t) => ({ kind: t.kind, mid: t.mid as string, direction: t.direction }));
    this.pendingLocal = { type: 'offer', sdp: writeSdp({ ufrag: this.ufrag, fingerprint: this.fingerprint, mlines }) };
    this.log.push('local offer');
    this.setSignalingState('have-local-offer');
  }

  private applyLocalAnswer(): void {
    if (this.remoteRestarted) {
      // An offer that restarts ICE gets an answer with new credentials too, which
      // also settles a restart of our own.
      this.remoteRestarted = false;
      this.restartRequested = false;
      this.newUfrag();
    }
    const offer = parseSdp((this.pendingRemote as Description).sdp);
    const mlines = offer.mlines.map((m) => {
      const t = this.byMid(m.mid);
      const dir = answerDirection(t.direction, m.direction);
      t.negotiated = dir;
      t.remoteOffered = m.direction;
      t.currentDirection = dir;
      return { kind: m.kind, mid: m.mid, direction: dir };
    });
    this.currentLocal = { type: 'answer', sdp: writeSdp({ ufrag: this.ufrag, fingerprint: this.fingerprint, mlines }) };
    this.currentRemote = this.pendingRemote;
    this.pendingRemote = null;
    this.createdByPendingOffer = [];
    this.log.push('local answer');
    this.setSignalingState('stable');
    this.maybeConnect();
  }

  private applyRemoteOffer(description: Description): void {
    const offer = parseSdp(description.sdp);
    const current = this.currentRemote ? parseSdp(this.currentRemote.sdp).ufrag : null;
    this.remoteRestarted = current !== null && current !== offer.ufrag;
    for (const m of offer.mlines) {
      let t = this.transceivers.find((x) => x.mid === m.mid);
      if (t && t.kind !== m.kind) throw new DOMException(`mid ${m.mid} changed kind`, 'InvalidAccessError');
      if (!t) {
        t = new FakeRtpTransceiver(this, m.kind, 'recvonly', 'setRemoteDescription');
        t.mid = m.mid;
        this.transceivers.push(t);
        this.createdByPendingOffer.push(t);
      }
      this.setReceiving(t, sends(m.direction));
    }
    this.pendingRemote = description;
    this.log.push('remote offer');
    this.setSignalingState('have-remote-offer');
  }

  private applyRemoteAnswer(description: Description): void {
    const answer = parseSdp(description.sdp);
    const offered = parseSdp((this.pendingLocal as Description).sdp);
    for (const m of offered.mlines) {
      const t = this.byMid(m.mid);
      const answered = answer.mlines.find((a) => a.mid === m.mid);
      if (!answered) throw new DOMException(`the answer lacks mid ${m.mid}`, 'InvalidAccessError');
      t.negotiated = m.direction;
      t.remoteOffered = null;
      t.currentDirection = direction(receives(answered.direction), sends(answered.direction));
      this.setReceiving(t, sends(answered.direction));
    }
    this.currentLocal = this.pendingLocal;
    this.pendingLocal = null;
    this.currentRemote = description;
    this.midsFromPendingOffer = [];
    if (this.ufragBeforeOffer !== null) {
      this.ufragBeforeOffer = null;
      this.restartRequested = false;
    }
    this.log.push('remote answer');
    this.setSignalingState('stable');
    this.maybeConnect();
  }

  private rollback(): void {
    if (this.signalingState === 'have-local-offer') {
      for (const t of this.midsFromPendingOffer) t.mid = null;
      this.midsFromPendingOffer = [];
      this.pendingLocal = null;
      if (this.ufragBeforeOffer !== null) {
        // The restart stays pending (restartRequested): the next offer makes it.
        this.ufrag = this.ufragBeforeOffer;
        this.ufragBeforeOffer = null;
        this.gathered = true;
      }
      // Nothing was negotiated yet: the next local description gathers anew.
      if (!this.currentLocal) this.gathered = false;
    } else if (this.signalingState === 'have-remote-offer') {
      for (const t of this.createdByPendingOffer) this.transceivers.splice(this.transceivers.indexOf(t), 1);
      this.createdByPendingOffer = [];
      this.pendingRemote = null;
      this.remoteRestarted = false;
    } else {
      throw new DOMException(`rollback in ${this.signalingState}`, 'InvalidStateError');
    }
    this.log.push('rollback');
    this.setSignalingState('stable');
  }

  private byMid(mid: string): FakeRtpTransceiver {
    const t = this.transceivers.find((x) => x.mid === mid);
    if (!t) throw new DOMException(`no transceiver for mid ${mid}`, 'InvalidStateError');
    return t;
  }

  private setReceiving(t: FakeRtpTransceiver, receiving: boolean): void {
    if (receiving && !t.receiving) {
      t.receiving = true;
      this.dispatchEvent(new FakeTrackEvent(t.receiver.track, t));
    } else if (!receiving) {
      t.receiving = false;
    }
  }

  /** One host candidate per ICE username fragment, then end-of-candidates. */
  private gather(): void {
    if (!this.autoIce || this.gathered) return;
    this.gathered = true;
    const first = parseSdp((this.localDescription as Description).sdp).mlines[0];
    if (!first) return;
    const candidate: IceCandidateLike = {
      candidate: `candidate:1 1 udp 2130706431 192.0.2.1 ${50_000 + nextPc} typ host`,
      sdpMid: first.mid,
      sdpMLineIndex: 0,
      usernameFragment: this.ufrag,
    };
    setTimeout(() => {
      if (this.closed) return;
      this.dispatchEvent(new FakeIceCandidateEvent(candidate));
      this.dispatchEvent(new FakeIceCandidateEvent(null));
    }, 0);
  }

  private maybeConnect(): void {
    if (!this.autoIce || this.network === 'down') return;
    if (this.connectionState === 'connected' || this.connectionState === 'connecting' || this.closed) return;
    if (!this.currentLocal || !this.currentRemote) return;
    const remoteUfrag = parseSdp(this.currentRemote.sdp).ufrag;
    if (!this.remoteCandidates.some((c) => c.usernameFragment === remoteUfrag)) return;
    this.setConnectionState('connecting');
    setTimeout(() => {
      if (this.connectionState === 'connecting' && this.network === 'up') this.setConnectionState('connected');
    }, 0);
  }
}

/** A factory for the engine's `createPeerConnection` that keeps every fake it made. */
export function fakePeerConnections(options: FakePeerConnectionOptions = {}) {
  const created: FakePeerConnection[] = [];
  return {
    created,
    /**
     * The fakes not closed yet: the connections the engine holds. (The engine does not
     * list them; e2e pages read theirs through the harness's RTCPeerConnection hook.)
     */
    open: (): FakePeerConnection[] => created.filter((pc) => !pc.closed),
    create: (config: RTCConfiguration): FakePeerConnection => {
      const pc = new FakePeerConnection(config, options);
      created.push(pc);
      return pc;
    },
  };
}
