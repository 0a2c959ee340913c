/**
 * The part of RTCPeerConnection the call engine uses, as a structural type.
 *
 * The engine never needs more than this, and naming the subset lets unit tests run
 * the real negotiation code against a fake (test/unit/fakes/fakePeerConnection.ts)
 * in Node, where no RTCPeerConnection exists. `realPeerConnection` below makes the
 * compiler prove that the browser's RTCPeerConnection satisfies the subset.
 */

export type MediaKind = 'audio' | 'video';

export interface RtpSenderLike {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
}

export interface RtpReceiverLike {
  /** Exists from the transceiver's creation; muted until media arrives. */
  readonly track: MediaStreamTrack;
}

export interface RtpTransceiverLike {
  readonly mid: string | null;
  direction: RTCRtpTransceiverDirection;
  readonly sender: RtpSenderLike;
  readonly receiver: RtpReceiverLike;
}

/** What an `icecandidate` event carries (RTCIceCandidate has these fields). */
export interface IceCandidateLike {
  readonly candidate: string;
  readonly sdpMid: string | null;
  readonly sdpMLineIndex: number | null;
  readonly usernameFragment: string | null;
}

export interface PeerConnectionEventMap {
  negotiationneeded: Event;
  icecandidate: Event & { readonly candidate: IceCandidateLike | null };
  connectionstatechange: Event;
  signalingstatechange: Event;
  track: Event & {
    readonly track: MediaStreamTrack;
    readonly transceiver: RtpTransceiverLike;
    /** The sender's streams (msid); optional so fakes may leave it out. Non-empty: an extra track (a screen). */
    readonly streams?: readonly MediaStream[];
  };
}

export interface PeerConnectionLike {
  readonly signalingState: RTCSignalingState;
  readonly connectionState: RTCPeerConnectionState;
  readonly localDescription: { readonly type: RTCSdpType; readonly sdp: string } | null;
  readonly remoteDescription: { readonly type: RTCSdpType; readonly sdp: string } | null;
  addTransceiver(kind: MediaKind, init?: RTCRtpTransceiverInit): RtpTransceiverLike;
  getTransceivers(): RtpTransceiverLike[];
  /** Without arguments: the implicit createOffer/createAnswer of perfect negotiation; `{ type: 'rollback' }` undoes a pending one. */
  setLocalDescription(description?: { type: 'rollback' }): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  getStats(): Promise<ReadonlyMap<string, unknown>>;
  /** ICE restart (iceRecovery.ts): fires negotiationneeded for an offer with new credentials. */
  restartIce(): void;
  /** Fresh ICE servers (TURN credentials) before a restart; optional so that fakes may leave it out. */
  setConfiguration?(configuration: RTCConfiguration): void;
  close(): void;
  addEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void;
  removeEventListener<K extends keyof PeerConnectionEventMap>(
    type: K,
    listener: (event: PeerConnectionEventMap[K]) => void,
  ): void;
}

/** The default factory; its return type is the compile-time proof that the subset fits. */
export function realPeerConnection(config: RTCConfiguration): PeerConnectionLike {
  return new RTCPeerConnection(config);
}

/** Adds a listener and returns the function that removes it. */
export function listen<K extends keyof PeerConnectionEventMap>(
  pc: PeerConnectionLike,
  type: K,
  listener: (event: PeerConnectionEventMap[K]) => void,
): () => void {
  pc.addEventListener(type, listener);
  return () => pc.removeEventListener(type, listener);
}

/** The kind of media a transceiver carries (its receiver track exists from the start). */
export function transceiverKind(transceiver: RtpTransceiverLike): MediaKind | null {
  const kind = transceiver.receiver.track.kind;
  return kind === 'audio' || kind === 'video' ? kind : null;
}
