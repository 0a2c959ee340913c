/**
 * One peer connection to one remote device, negotiated with "perfect negotiation"
 * (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example and MDN's
 * "Establishing a connection: the WebRTC perfect negotiation pattern"): both sides
 * run this same code; the polite side yields on glare by letting
 * setRemoteDescription(offer) roll its own offer back implicitly, the impolite side
 * ignores the colliding offer.
 *
 * The session also holds the tracks this device wants to send per media kind and
 * puts them on the senders with replaceTrack, which never needs renegotiation. A
 * null track sends nothing: that is how a call pre-connects while it rings.
 */
import type { SignalData } from '../../signaling-server/protocol';
import {
  listen,
  transceiverKind,
  type IceCandidateLike,
  type MediaKind,
  type PeerConnectionLike,
  type RtpTransceiverLike,
} from './peerConnection';

export interface PeerSessionOptions<PC extends PeerConnectionLike = PeerConnectionLike> {
  pc: PC;
  /** True when THIS side yields on glare (from the server's CallMember.polite). */
  polite: boolean;
  /** Relays a description or candidate to the remote device. */
  send(data: SessionSignal): void;
  /** A remote track arrived (it stays muted until the other side attaches media). */
  onTrack?(track: MediaStreamTrack): void;
  /**
   * Negotiation errors this session cannot act on (the connection phase, watched by
   * IceRecovery, shows the outcome); the owner logs them with the call and device.
   */
  onError?(error: unknown, during: NegotiationStep): void;
}

/** The signals a session applies (recovery signals are the pool's: recoveryLadder.ts). */
export type SessionSignal = Exclude<SignalData, { kind: 'recovery' | 'e2ee' | 'relay' }>;

/** What the session was doing when an error came: the log says it. */
export type NegotiationStep = 'remote description' | 'local description' | 'remote candidate' | 'sending track';

export class PeerSession<PC extends PeerConnectionLike = PeerConnectionLike> {
  readonly pc: PC;
  readonly polite: boolean;
  private makingOffer = false;
  private ignoreOffer = false;
  private isSettingRemoteAnswerPending = false;
  private closed = false;
  private readonly wanted = new Map<MediaKind, MediaStreamTrack | null>();
  private readonly own = new WeakSet<RtpTransceiverLike>();
  /** Transceivers of extra tracks (screens), mine or the peer's: never camera or microphone. */
  private readonly reserved = new WeakSet<RtpTransceiverLike>();
  private readonly disposers: (() => void)[] = [];

  constructor(private readonly options: PeerSessionOptions<PC>) {
    this.pc = options.pc;
    this.polite = options.polite;
    const { pc } = options;
    this.disposers.push(
      listen(pc, 'negotiationneeded', () => void this.onNegotiationNeeded()),
      // Trickle ICE: relay each candidate as it comes; null marks the end.
      listen(pc, 'icecandidate', ({ candidate }) => this.sendCandidate(candidate)),
      listen(pc, 'track', ({ track, transceiver, streams }) => {
        // Camera and microphone are sent with no stream (addTransceiver(kind) has
        // none); a track that comes in a stream (msid) is an extra, a shared screen
        // (screenShare.ts): not this session's to adopt or fill, not the person's media.
        if (streams && streams.length > 0) this.reserved.add(transceiver);
        else this.options.onTrack?.(track);
      }),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Adds one sendrecv transceiver, without a track, for each kind that has none
   * yet. Adding transceivers fires negotiationneeded, which starts the offer.
   */
  ensureTransceivers(kinds: readonly MediaKind[]): void {
    if (this.closed) return;
    for (const kind of kinds) {
      if (this.mainTransceiver(kind)) continue;
      const transceiver = this.pc.addTransceiver(kind, { direction: 'sendrecv' });
      this.own.add(transceiver);
      void this.apply(transceiver, kind);
    }
  }

  /** The track to send for `kind` (null: send nothing). Applied now or when the transceiver appears. */
  async setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed) return;
    this.wanted.set(kind, track);
    const transceiver = this.mainTransceiver(kind);
    if (transceiver) await this.apply(transceiver, kind);
    else this.addMissingTransceivers();
  }

  /**
   * Relays one local candidate (null: the end of them). The icecandidate listener
   * does; so does the pool for those a first offer gathered before this session
   * existed (sessionPool.ts).
   */
  sendCandidate(candidate: IceCandidateLike | null): void {
    if (this.closed) return;
    this.options.send({
      kind: 'candidate',
      candidate: candidate && {
        candidate: candidate.candidate,
        sdpMid: candidate.sdpMid,
        sdpMLineIndex: candidate.sdpMLineIndex,
        usernameFragment: candidate.usernameFragment,
      },
    });
  }

  /** A transceiver this side added for an extra track (a screen): setTrack and adoption leave it alone. */
  reserve(transceiver: RtpTransceiverLike): void {
    this.reserved.add(transceiver);
  }

  /** The tracks currently on the senders (for tests and diagnostics). */
  sendingTracks(): MediaStreamTrack[] {
    return this.pc.getTransceivers().flatMap((t) => (t.sender.track ? [t.sender.track] : []));
  }

  /** Handles one relayed signal: MDN's onmessage handler, step by step. */
  async handleSignal(data: SignalData): Promise<void> {
    // Recovery signals are the pool's (sessionPool.ts), end-to-end keys the call's E2EE session's (e2ee/), never a session's to apply.
    if (this.closed || data.kind === 'recovery' || data.kind === 'e2ee' || data.kind === 'relay') return;
    const { pc } = this;
    let step: NegotiationStep = data.kind === 'description' ? 'remote description' : 'remote candidate';
    try {
      if (data.kind === 'description') {
        const description = data.description;
        const readyForOffer =
          !this.makingOffer && (pc.signalingState === 'stable' || this.isSettingRemoteAnswerPending);
        const offerCollision = description.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.polite && offerCollision;
        if (this.ignoreOffer) return;
        this.isSettingRemoteAnswerPending = description.type === 'answer';
        const before = new Set(pc.getTransceivers());
        // For the polite side in have-local-offer this rolls our own offer back
        // implicitly (webrtc-pc, "set the session description": a remote offer in
        // have-local-offer is preceded by a rollback).
        await pc.setRemoteDescription(description);
        this.isSettingRemoteAnswerPending = false;
        if (this.closed) return;
        if (description.type === 'offer') {
          this.adoptRemoteTransceivers(before);
          step = 'local description';
          await pc.setLocalDescription();
          this.sendLocalDescription();
        }
        this.addMissingTransceivers();
      } else if (data.candidate) {
        // end-of-candidates (null) is relayed but not applied, as in the spec's
        // example: `else if (candidate)`.
        try {
          await pc.addIceCandidate(data.candidate);
        } catch (error) {
          // Candidates of an offer we ignored cannot apply; anything else is real.
          if (!this.ignoreOffer) throw error;
        }
      }
    } catch (error) {
      if (!this.closed) this.options.onError?.(error, step);
    }
  }

  /**
   * Sends the local description again after its relay failed (the signaling path
   * was down): a pending offer, or the answer that closed the last negotiation,
   * which the other side still waits for in have-local-offer.
   */
  resendLocalDescription(): void {
    const { signalingState, localDescription } = this.pc;
    if (signalingState === 'have-local-offer' || (signalingState === 'stable' && localDescription?.type === 'answer')) {
      this.sendLocalDescription();
    }
  }

  /**
   * Ends a session whose peer's description failed its check (sessionPool.ts), and
   * returns this side's own description for the peer to check in turn: the one it
   * already sent, or a fresh offer (with one inactive m-line, so it has a DTLS
   * fingerprint) when it sent none. The listeners go first, so nothing more is
   * sent from here — not a candidate, which would reveal an address — and the
   * connection closes whatever happens. Null when there is nothing to show.
   */
  async retire(): Promise<{ type: RTCSdpType; sdp: string } | null> {
    if (this.closed) return null;
    this.closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    try {
      if (!this.pc.localDescription) {
        if (this.pc.getTransceivers().length === 0) this.pc.addTransceiver('audio', { direction: 'inactive' });
        await this.pc.setLocalDescription();
      }
      const own = this.pc.localDescription;
      return own && own.type !== 'rollback' ? { type: own.type, sdp: own.sdp } : null;
    } finally {
      this.pc.close();
    }
  }

  /**
   * Undoes a pending description after a negotiation error (the ladder rebuilds or
   * asks next): `setLocalDescription({ type: 'rollback' })` where the signaling state
   * allows one. True when it rolled back; a failure is the caller's to log.
   */
  async rollback(): Promise<boolean> {
    const { signalingState } = this.pc;
    if (this.closed || (signalingState !== 'have-local-offer' && signalingState !== 'have-remote-offer')) return false;
    await this.pc.setLocalDescription({ type: 'rollback' });
    return true;
  }

  /** Closes the connection and removes every listener this session added. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const dispose of this.disposers.splice(0)) dispose();
    this.pc.close();
  }

  private async onNegotiationNeeded(): Promise<void> {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (error) {
      if (!this.closed) this.options.onError?.(error, 'local description');
    } finally {
      this.makingOffer = false;
    }
  }

  private sendLocalDescription(): void {
    const description = this.pc.localDescription;
    if (this.closed || !description) return;
    this.options.send({ kind: 'description', description: { type: description.type, sdp: description.sdp } });
  }

  /**
   * Transceivers that setRemoteDescription(offer) just created are recvonly; make
   * them sendrecv before the answer so that attaching a track later (accept, camera
   * on) needs no renegotiation. Then put any wanted track on them.
   */
  private adoptRemoteTransceivers(before: ReadonlySet<RtpTransceiverLike>): void {
    for (const transceiver of this.pc.getTransceivers()) {
      if (before.has(transceiver) || this.own.has(transceiver) || this.reserved.has(transceiver)) continue;
      if (transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv';
      const kind = transceiverKind(transceiver);
      if (kind && this.mainTransceiver(kind) === transceiver) void this.apply(transceiver, kind);
    }
  }

  /**
   * A track wanted for a kind the call has no transceiver for (the camera turned on
   * in an audio call) needs one more m-line: adding it renegotiates. Only once a
   * first negotiation is done, so the polite side does not race the initial offer.
   */
  private addMissingTransceivers(): void {
    if (this.closed || !this.pc.remoteDescription) return;
    for (const [kind, track] of this.wanted) {
      if (track && !this.mainTransceiver(kind)) this.ensureTransceivers([kind]);
    }
  }

  /** The first live transceiver of a kind: the one that carries camera or microphone. */
  private mainTransceiver(kind: MediaKind): RtpTransceiverLike | undefined {
    return this.pc
      .getTransceivers()
      .find(
        (t) =>
          transceiverKind(t) === kind && t.direction !== 'stopped' && t.direction !== 'inactive' && !this.reserved.has(t),
      );
  }

  private async apply(transceiver: RtpTransceiverLike, kind: MediaKind): Promise<void> {
    const track = this.wanted.get(kind) ?? null;
    if (transceiver.sender.track === track) return;
    try {
      await transceiver.sender.replaceTrack(track);
    } catch (error) {
      if (!this.closed) this.options.onError?.(error, 'sending track');
    }
  }
}
