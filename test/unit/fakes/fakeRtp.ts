/**
 * The fake peer connection's transceivers, senders and events.
 */
import type { IceCandidateLike, MediaKind, RtpReceiverLike, RtpSenderLike, RtpTransceiverLike } from '../../../renderer/call/peerConnection';
import { FakeMediaStreamTrack } from './fakeMedia';

/** What the RTP objects need of their connection. */
export interface FakeConnectionCore {
  readonly closed: boolean;
  updateNegotiationNeeded(): void;
}

export class FakeEvent extends Event {}
export class FakeIceCandidateEvent extends Event {
  constructor(readonly candidate: IceCandidateLike | null) {
    super('icecandidate');
  }
}
export class FakeTrackEvent extends Event {
  constructor(
    readonly track: MediaStreamTrack,
    readonly transceiver: RtpTransceiverLike,
  ) {
    super('track');
  }
}

export class FakeRtpSender implements RtpSenderLike {
  track: MediaStreamTrack | null = null;
  /** Every replaceTrack call, in order. */
  readonly replaced: (MediaStreamTrack | null)[] = [];
  constructor(private readonly pc: FakeConnectionCore) {}
  async replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    if (this.pc.closed) throw new DOMException('the connection is closed', 'InvalidStateError');
    // replaceTrack never renegotiates: it only swaps what the encoder reads.
    this.track = track;
    this.replaced.push(track);
  }
}

export class FakeRtpTransceiver implements RtpTransceiverLike {
  mid: string | null = null;
  currentDirection: RTCRtpTransceiverDirection | null = null;
  readonly sender: FakeRtpSender;
  readonly receiver: RtpReceiverLike & { track: FakeMediaStreamTrack };
  /** The direction this side last wrote for it in a local description. */
  negotiated: RTCRtpTransceiverDirection | null = null;
  /** The direction the remote side offered, when the remote was the offerer. */
  remoteOffered: RTCRtpTransceiverDirection | null = null;
  receiving = false;
  private dir: RTCRtpTransceiverDirection;

  constructor(
    private readonly pc: FakeConnectionCore,
    readonly kind: MediaKind,
    initial: RTCRtpTransceiverDirection,
    readonly createdBy: 'addTransceiver' | 'setRemoteDescription',
  ) {
    this.dir = initial;
    this.sender = new FakeRtpSender(pc);
    this.receiver = { track: new FakeMediaStreamTrack(kind, { muted: true, label: `remote ${kind}` }) };
  }

  get direction(): RTCRtpTransceiverDirection {
    return this.dir;
  }
  set direction(value: RTCRtpTransceiverDirection) {
    this.dir = value;
    this.pc.updateNegotiationNeeded();
  }
}

