/**
 * Sharing a screen or a window in a call, and showing the ones others share.
 *
 * Sending: getDisplayMedia (on the desktop host that goes through main's
 * setDisplayMediaRequestHandler and our picker; in a browser, the browser's own
 * picker). The picture goes on its own sendonly transceiver per peer session,
 * beside the camera's, so adding it renegotiates through perfect negotiation and
 * the camera keeps going. Stopping stops those transceivers (another negotiation),
 * and the far side's track ends.
 *
 * Which remote track is a screen: the screen track is added in a MediaStream of its
 * own (`streams: [stream]`), so its m-line carries an msid with that stream id,
 * while the camera and the microphone are sent with no stream at all (PeerSession's
 * addTransceiver(kind) has none). The far side's 'track' event therefore carries
 * `streams: [screen]` for a screen and `streams: []` for camera and microphone.
 * That travels in the same SDP as the m-line itself: no separate announcement that
 * could arrive before or after the track, and it holds across renegotiations and
 * ICE restarts. PeerSession applies the same rule and leaves such transceivers
 * alone.
 *
 * Screen content is sent as such: contentHint 'detail' (mst-content-hint §3), at
 * most 1920×1080 at 15 fps, at most 2.5 Mbit/s, and degradationPreference
 * 'maintain-resolution', so text stays sharp and frame rate gives way first.
 */
import type { Logger } from '../log';
import { t } from '../i18n';
import { whenNegotiated, type FeaturePeerConnection, type FeatureTrackEvent, type FeatureTransceiver } from './featureConnection';
import type { RtpTransceiverLike } from './peerConnection';

export const SCREEN_CONSTRAINTS: DisplayMediaStreamOptions = {
  video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { max: 15 } },
  audio: false,
};
export const SCREEN_MAX_BITRATE = 2_500_000;

export interface DisplayMediaLike {
  getDisplayMedia(options: DisplayMediaStreamOptions): Promise<MediaStream>;
}

/** What the sharing needs of a peer session: to keep its hands off the screen's transceiver. */
export interface ReservingSession {
  reserve(transceiver: RtpTransceiverLike): void;
}

interface Target {
  deviceId: string;
  session: ReservingSession;
  pc: FeaturePeerConnection;
  allowed: boolean;
  transceiver: FeatureTransceiver | null;
  cancelWait: (() => void) | null;
  disposers: (() => void)[];
}

export interface ScreenShareOptions {
  display: DisplayMediaLike | null;
  onChange(): void;
  /** Failures the share works around (a refused setParameters); nobody can act on them in the moment. */
  log: Logger;
}

function errorName(error: unknown): string {
  return error instanceof Error || error instanceof DOMException ? error.name : 'Error';
}

/** A getDisplayMedia failure in words, or null when the person simply cancelled the picker. */
export function describeShareError(error: unknown): string | null {
  switch (errorName(error)) {
    case 'NotAllowedError':
    case 'AbortError':
      // The picker was cancelled (or, on the desktop, no screen was chosen).
      return null;
    case 'NotFoundError':
      return t('shareErrors.nothing');
    case 'NotReadableError':
      return t('shareErrors.refused');
    case 'NotSupportedError':
    case 'TypeError':
      return t('shareErrors.unsupported');
    default:
      return t('shareErrors.other', { why: `${errorName(error)}: ${error instanceof Error ? error.message : String(error)}` });
  }
}

export class ScreenShare {
  private stream: MediaStream | null = null;
  private starting = false;
  private generation = 0;
  private readonly targets = new Map<string, Target>();
  private readonly remote = new Map<string, MediaStream>();
  private stopWatchingTrack: (() => void) | null = null;

  constructor(private readonly options: ScreenShareOptions) {}

  get supported(): boolean {
    return this.options.display !== null;
  }

  /** My screen while I share, else null. */
  get sharing(): MediaStream | null {
    return this.stream;
  }

  /** The screens others share, by their deviceId. */
  get screens(): ReadonlyMap<string, MediaStream> {
    return this.remote;
  }

  /** Asks for a screen and sends it to everyone in the call. Resolves false when cancelled. */
  async start(): Promise<boolean> {
    const display = this.options.display;
    // This browser has no getDisplayMedia: said as a NotSupportedError, in the UI's language.
    if (!display) throw new DOMException(t('shareErrors.unsupported'), 'NotSupportedError');
    if (this.stream || this.starting) return this.stream !== null;
    this.starting = true;
    const generation = this.generation;
    let stream: MediaStream;
    try {
      stream = await display.getDisplayMedia(SCREEN_CONSTRAINTS);
    } catch (error) {
      const message = describeShareError(error);
      if (message === null) return false;
      throw new Error(message, { cause: error });
    } finally {
      this.starting = false;
    }
    const track = stream.getVideoTracks()[0];
    if (generation !== this.generation || !track) {
      // The call ended while the picker was open.
      stream.getTracks().forEach((t) => t.stop());
      return false;
    }
    track.contentHint = 'detail';
    // The browser's or the system's own "Stop sharing" ends the track.
    const onEnded = (): void => this.stop();
    track.addEventListener('ended', onEnded);
    this.stopWatchingTrack = () => track.removeEventListener('ended', onEnded);
    this.stream = stream;
    for (const target of this.targets.values()) this.sendTo(target);
    this.options.onChange();
    return true;
  }

  stop(): void {
    const stream = this.stream;
    if (!stream) return;
    this.stream = null;
    this.stopWatchingTrack?.();
    this.stopWatchingTrack = null;
    for (const target of this.targets.values()) this.unsend(target);
    stream.getTracks().forEach((t) => t.stop());
    this.options.onChange();
  }

  /** A peer session's connection exists. `allowed`: both of us are members. */
  attach(deviceId: string, session: ReservingSession, pc: FeaturePeerConnection, allowed: boolean): void {
    this.detach(deviceId);
    const target: Target = { deviceId, session, pc, allowed, transceiver: null, cancelWait: null, disposers: [] };
    this.targets.set(deviceId, target);
    const onTrack = (event: FeatureTrackEvent): void => this.onRemoteTrack(deviceId, event);
    pc.addEventListener('track', onTrack);
    target.disposers.push(() => pc.removeEventListener('track', onTrack));
    if (allowed) this.sendTo(target);
  }

  setAllowed(deviceId: string, allowed: boolean): void {
    const target = this.targets.get(deviceId);
    if (!target || target.allowed === allowed) return;
    target.allowed = allowed;
    if (allowed) this.sendTo(target);
    else this.unsend(target);
  }

  detach(deviceId: string): void {
    const target = this.targets.get(deviceId);
    if (!target) return;
    this.targets.delete(deviceId);
    target.cancelWait?.();
    for (const dispose of target.disposers.splice(0)) dispose();
    if (this.remote.delete(deviceId)) this.options.onChange();
  }

  /** The call is over: stop sharing, forget every peer, ignore a picker still open. */
  reset(): void {
    this.generation += 1;
    this.stop();
    for (const deviceId of [...this.targets.keys()]) this.detach(deviceId);
    if (this.remote.size > 0) {
      this.remote.clear();
      this.options.onChange();
    }
  }

  private sendTo(target: Target): void {
    const stream = this.stream;
    const track = stream?.getVideoTracks()[0];
    if (!stream || !track || !target.allowed || target.transceiver || target.cancelWait) return;
    // A transceiver added before the first negotiation would make this side offer
    // too early (the polite side must not race the first offer).
    target.cancelWait = whenNegotiated(target.pc, () => {
      target.cancelWait = null;
      if (this.stream !== stream || !target.allowed || this.targets.get(target.deviceId) !== target) return;
      try {
        const transceiver = target.pc.addTransceiver(track, {
          direction: 'sendonly',
          streams: [stream],
          sendEncodings: [{ maxBitrate: SCREEN_MAX_BITRATE }],
        });
        target.session.reserve(transceiver);
        target.transceiver = transceiver;
        void this.tune(transceiver);
      } catch (error) {
        this.options.log.warn(`could not send my screen to device ${target.deviceId}`, error);
      }
    });
  }

  private unsend(target: Target): void {
    target.cancelWait?.();
    target.cancelWait = null;
    const transceiver = target.transceiver;
    target.transceiver = null;
    if (!transceiver) return;
    try {
      // Stopping renegotiates; the far side's track ends (webrtc-pc §5.4 stop()).
      transceiver.stop();
    } catch (error) {
      // The connection is closed already: expected, the share is over either way.
      this.options.log.debug(`stopping my screen for device ${target.deviceId} failed: its connection is closed`, error);
    }
  }

  /** Bitrate cap and degradation preference through setParameters (webrtc-pc §5.2). */
  private async tune(transceiver: FeatureTransceiver): Promise<void> {
    try {
      const parameters = transceiver.sender.getParameters();
      const [first, ...rest] = parameters.encodings;
      parameters.encodings = [{ ...first, maxBitrate: SCREEN_MAX_BITRATE }, ...rest];
      parameters.degradationPreference = 'maintain-resolution';
      await transceiver.sender.setParameters(parameters);
    } catch (error) {
      // The share still works, at the browser's default rate.
      this.options.log.warn('could not cap the shared screen’s bitrate; it goes at the browser’s default rate', error);
    }
  }

  private onRemoteTrack(deviceId: string, event: FeatureTrackEvent): void {
    const stream = event.streams[0];
    const { track } = event;
    if (!stream || track.kind !== 'video') return;
    const drop = (): void => {
      track.removeEventListener('ended', drop);
      stream.removeEventListener('removetrack', onRemoved);
      if (this.remote.get(deviceId) === stream) {
        this.remote.delete(deviceId);
        this.options.onChange();
      }
    };
    const onRemoved = (): void => {
      if (stream.getVideoTracks().every((t) => t.readyState === 'ended')) drop();
    };
    track.addEventListener('ended', drop);
    stream.addEventListener('removetrack', onRemoved);
    this.remote.set(deviceId, stream);
    this.options.onChange();
  }
}
