/**
 * What the in-call features (chat, files, screen sharing) need of a peer connection
 * beyond PeerConnectionLike: data channels, a transceiver for a given track, and
 * sender parameters. A separate type, so the call engine's unit tests keep running
 * on the fake connection, which has none of this: `featureConnection` says whether
 * a connection can carry the features at all.
 */
import type { DataChannelLike } from './dataChannel';
import type { PeerConnectionEventMap, PeerConnectionLike, RtpTransceiverLike } from './peerConnection';

export interface FeatureSender {
  readonly track: MediaStreamTrack | null;
  replaceTrack(track: MediaStreamTrack | null): Promise<void>;
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

export interface FeatureTransceiver extends RtpTransceiverLike {
  readonly sender: FeatureSender;
  readonly currentDirection: RTCRtpTransceiverDirection | null;
  stop(): void;
}

/** A remote track with the streams it was sent in (msid), as the 'track' event carries them. */
export type FeatureTrackEvent = Event & {
  readonly track: MediaStreamTrack;
  readonly streams: readonly MediaStream[];
  readonly transceiver: RtpTransceiverLike;
};

export interface FeaturePeerConnection {
  readonly signalingState: RTCSignalingState;
  readonly remoteDescription: { readonly type: RTCSdpType; readonly sdp: string } | null;
  createDataChannel(label: string, init: RTCDataChannelInit): DataChannelLike;
  addTransceiver(track: MediaStreamTrack, init: RTCRtpTransceiverInit): FeatureTransceiver;
  addEventListener(type: 'signalingstatechange', listener: (event: PeerConnectionEventMap['signalingstatechange']) => void): void;
  removeEventListener(type: 'signalingstatechange', listener: (event: PeerConnectionEventMap['signalingstatechange']) => void): void;
  addEventListener(type: 'track', listener: (event: FeatureTrackEvent) => void): void;
  removeEventListener(type: 'track', listener: (event: FeatureTrackEvent) => void): void;
}

/** Compile-time proof that the browser's connection has what the features use. */
export function asFeatureConnection(pc: RTCPeerConnection): FeaturePeerConnection {
  return pc;
}

/**
 * The connection as a FeaturePeerConnection, or null when it cannot carry the
 * features (a test's fake). A real RTCPeerConnection always qualifies: the check
 * is for the methods only it has.
 */
export function featureConnection(pc: PeerConnectionLike): FeaturePeerConnection | null {
  const candidate = pc as PeerConnectionLike & Partial<Pick<FeaturePeerConnection, 'createDataChannel'>>;
  return typeof candidate.createDataChannel === 'function' ? (pc as unknown as FeaturePeerConnection) : null;
}

/** Resolves once the connection's first negotiation is over (stable, with a remote description). */
export function whenNegotiated(pc: FeaturePeerConnection, onReady: () => void): () => void {
  const ready = (): boolean => pc.signalingState === 'stable' && pc.remoteDescription !== null;
  if (ready()) {
    onReady();
    return () => undefined;
  }
  const check = (): void => {
    if (!ready()) return;
    pc.removeEventListener('signalingstatechange', check);
    onReady();
  };
  pc.addEventListener('signalingstatechange', check);
  return () => pc.removeEventListener('signalingstatechange', check);
}
