/**
 * This device's microphone and camera for a call: getting them, naming what went
 * wrong in words a person can act on, muting, and turning the camera off and on.
 *
 * The microphone and camera fail independently: a missing camera must not cost the
 * call its audio. So when the combined request fails, each device is asked for on
 * its own, and each failure is named separately.
 */
import type { HostNotice } from '../../preload/contract';
import { t } from '../i18n';
import { log } from '../log';
import { deviceNotices } from './deviceNotices';

const mediaLog = log.child('media');

export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Present in browsers: lets a device that went away be used again when it returns. */
  enumerateDevices?(): Promise<ReadonlyArray<{ deviceId: string; kind: string; label: string }>>;
  addEventListener?(type: 'devicechange', listener: () => void): void;
  removeEventListener?(type: 'devicechange', listener: () => void): void;
}

export type Device = 'microphone' | 'camera';

/**
 * Stands in for navigator.mediaDevices where the browser leaves it undefined: on a
 * page that is not a secure context (plain http to another machine), per Media
 * Capture and Streams ([SecureContext] on MediaDevices).
 */
export const insecureContextDevices: MediaDevicesLike = {
  getUserMedia: () =>
    Promise.reject(new DOMException('navigator.mediaDevices is undefined outside a secure context', 'InsecureContextError')),
};

/** Preferred device ids from the settings (null: the system default). */
export interface PreferredDevices {
  microphone: string | null;
  camera: string | null;
}

function errorName(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return 'Error';
}

function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return String(error);
}

/**
 * One sentence for a getUserMedia failure: what failed and what to do. Error names
 * are from Media Capture and Streams (getUserMedia), plus the pre-standard
 * Chrome names (DevicesNotFoundError, TrackStartError, PermissionDeniedError).
 */
export function describeDeviceError(device: Device, error: unknown): string {
  // In the UI's language of the moment (issue 16.1); an unknown error keeps the browser's own name and words.
  switch (errorName(error)) {
    case 'NotFoundError':
    case 'DevicesNotFoundError':
      return t(`mediaErrors.notFound.${device}`);
    case 'NotReadableError':
    case 'TrackStartError':
      return t(`mediaErrors.inUse.${device}`);
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return t(`mediaErrors.denied.${device}`);
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return t(`mediaErrors.unavailable.${device}`);
    case 'AbortError':
      return t(`mediaErrors.aborted.${device}`);
    case 'InsecureContextError':
      return t(`mediaErrors.insecure.${device}`);
    default:
      return t(`mediaErrors.other.${device}`, { why: `${errorName(error)}: ${errorMessage(error)}` });
  }
}

/** The error line of the local media view, or null when all is well. */
export function mediaProblem(problems: { microphone: string | null; camera: string | null }): string | null {
  const { microphone, camera } = problems;
  if (microphone && camera) return t('mediaErrors.both', { microphone, camera });
  if (microphone) return t('mediaErrors.microphoneOnly', { microphone });
  if (camera) return t('mediaErrors.cameraOnly', { camera });
  return null;
}

function constraint(preferred: string | null): MediaTrackConstraints | true {
  // `ideal`, not `exact`: a preferred device that is gone falls back to the default
  // instead of failing with OverconstrainedError.
  return preferred ? { deviceId: { ideal: preferred } } : true;
}

export interface LocalMediaOptions {
  devices: MediaDevicesLike;
  createStream(tracks: MediaStreamTrack[]): MediaStream;
  preferred?: () => PreferredDevices;
  /** Runs after every change of tracks, mute state or problems. */
  onChange(): void;
  /** Device lost / back notices (issue 16.5); default: deviceNotices.ts, which the UI shows. */
  onDeviceNotice?(notice: HostNotice): void;
}

export interface LocalMediaSnapshot {
  stream: MediaStream | null;
  microphone: boolean;
  /** getUserMedia is still running (a permission prompt may be open). */
  acquiring: boolean;
  muted: boolean;
  cameraOn: boolean;
  error: string | null;
}

export class LocalMedia {
  audio: MediaStreamTrack | null = null;
  video: MediaStreamTrack | null = null;
  muted = false;
  acquiring = false;
  /** Cleared by stopCamera(): a camera that arrives after that is stopped at once. */
  private cameraWanted = false;
  private microphoneProblem: string | null = null;
  private cameraProblem: string | null = null;
  private stream: MediaStream | null = null;
  /** Bumped by release(): a request that resolves later belongs to a finished call. */
  private generation = 0;
  private readonly unwatch = new Map<MediaStreamTrack, () => void>();
  /** Devices that went away mid-call and are waited for, to switch back when they return. */
  private readonly lost = new Map<Device, { deviceId: string; label: string }>();
  private listeningForDevices = false;

  constructor(private readonly options: LocalMediaOptions) {}

  snapshot(): LocalMediaSnapshot {
    return {
      stream: this.stream,
      microphone: this.audio !== null,
      acquiring: this.acquiring,
      muted: this.muted,
      cameraOn: this.video !== null,
      error: mediaProblem({ microphone: this.microphoneProblem, camera: this.cameraProblem }),
    };
  }

  /** Gets the microphone, and the camera when `video`; failures become problems, never throws. */
  async start(want: { video: boolean }): Promise<void> {
    const generation = this.generation;
    const preferred = this.options.preferred?.() ?? { microphone: null, camera: null };
    this.cameraWanted = want.video;
    this.acquiring = true;
    this.options.onChange();
    let audio: MediaStreamTrack | null = null;
    let video: MediaStreamTrack | null = null;
    try {
      const stream = await this.options.devices.getUserMedia({
        audio: constraint(preferred.microphone),
        video: want.video ? constraint(preferred.camera) : false,
      });
      audio = stream.getAudioTracks()[0] ?? null;
      video = stream.getVideoTracks()[0] ?? null;
    } catch (combined) {
      // The person is told in words (describeDeviceError); the log keeps the browser's own.
      mediaLog.info(want.video ? 'microphone and camera together failed; asking for each alone' : 'no microphone', combined);
      if (!want.video) {
        this.microphoneProblem = describeDeviceError('microphone', combined);
      } else {
        // Which device failed? Ask for each alone (one prompt each at worst, and
        // only on this failure path).
        audio = await this.single('microphone', constraint(preferred.microphone));
        video = await this.single('camera', constraint(preferred.camera));
      }
    }
    if (generation !== this.generation) {
      audio?.stop();
      video?.stop();
      return;
    }
    this.acquiring = false;
    if (!this.cameraWanted) {
      video?.stop();
      video = null;
      this.cameraProblem = null;
    }
    this.setAudio(audio);
    this.setVideo(video);
    this.options.onChange();
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    // A disabled track sends silence; the sender and the negotiation stay as they are.
    if (this.audio) this.audio.enabled = !muted;
    this.options.onChange();
  }

  /** Camera off: stopping the track turns the camera light off. */
  stopCamera(): void {
    this.cameraWanted = false;
    this.setVideo(null);
    this.cameraProblem = null;
    this.options.onChange();
  }

  /** Camera on: a new camera track. False (with a problem to show) when it failed. */
  async startCamera(): Promise<boolean> {
    if (this.video) return true;
    this.cameraWanted = true;
    const generation = this.generation;
    const preferred = this.options.preferred?.() ?? { microphone: null, camera: null };
    const video = await this.single('camera', constraint(preferred.camera));
    if (generation !== this.generation || !this.cameraWanted) {
      video?.stop();
      return false;
    }
    this.setVideo(video);
    this.options.onChange();
    return video !== null;
  }

  /** The camera was asked for (by start() or startCamera()) and not stopped since; it may have failed. */
  get wantsCamera(): boolean {
    return this.cameraWanted;
  }

  /** Changes with every release(): a request that outlived its call can tell (deviceSwitch.ts). */
  get epoch(): number {
    return this.generation;
  }

  /**
   * A device switch: `track` replaces the microphone or the camera, whose old track
   * stops; mute carries over, and the senders take the new track through the
   * engine's next sync (replaceTrack: no renegotiation). Refused — the track is
   * stopped — when the call it was got for is over, or for a camera that was
   * turned off meanwhile.
   */
  adopt(device: Device, track: MediaStreamTrack, epoch: number): boolean {
    if (epoch !== this.generation || (device === 'camera' && !this.cameraWanted)) {
      track.stop();
      return false;
    }
    if (device === 'camera') {
      this.cameraProblem = null;
      this.setVideo(track);
    } else {
      this.microphoneProblem = null;
      this.setAudio(track);
    }
    this.options.onChange();
    return true;
  }

  /** Stops every track and forgets all state; requests still running are discarded. */
  release(): void {
    this.generation += 1;
    this.lost.clear();
    this.listenForDevices(false);
    const changed = this.audio !== null || this.video !== null || this.microphoneProblem !== null || this.cameraProblem !== null;
    this.setAudio(null);
    this.setVideo(null);
    this.muted = false;
    this.acquiring = false;
    this.cameraWanted = false;
    this.microphoneProblem = null;
    this.cameraProblem = null;
    this.stream = null;
    if (changed) this.options.onChange();
  }

  private async single(device: Device, wanted: MediaTrackConstraints | true): Promise<MediaStreamTrack | null> {
    try {
      const stream = await this.options.devices.getUserMedia(
        device === 'camera' ? { audio: false, video: wanted } : { audio: wanted, video: false },
      );
      const track = (device === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks())[0] ?? null;
      if (device === 'camera') this.cameraProblem = null;
      else this.microphoneProblem = null;
      return track;
    } catch (error) {
      mediaLog.info(`no ${device}`, error);
      if (device === 'camera') this.cameraProblem = describeDeviceError('camera', error);
      else this.microphoneProblem = describeDeviceError('microphone', error);
      return null;
    }
  }

  private setAudio(track: MediaStreamTrack | null): void {
    if (track === this.audio) return;
    if (this.audio) this.drop(this.audio);
    this.audio = track;
    if (track) {
      track.enabled = !this.muted;
      this.watch(track, 'microphone');
    }
    this.rebuildStream();
  }

  private setVideo(track: MediaStreamTrack | null): void {
    if (track === this.video) return;
    if (this.video) this.drop(this.video);
    this.video = track;
    if (track) this.watch(track, 'camera');
    this.rebuildStream();
  }

  private drop(track: MediaStreamTrack): void {
    this.unwatch.get(track)?.();
    this.unwatch.delete(track);
    track.stop();
  }

  /** A device that goes away mid-call (unplugged, taken by the system) ends its track. */
  private watch(track: MediaStreamTrack, device: Device): void {
    // Read now: an ended track may no longer say which device it was.
    const deviceId = track.getSettings().deviceId ?? '';
    const label = track.label;
    const onEnded = (): void => {
      const message = t(`mediaErrors.ended.${device}`);
      if (device === 'camera' && this.video === track) {
        this.setVideo(null);
        this.cameraProblem = message;
      } else if (device === 'microphone' && this.audio === track) {
        this.setAudio(null);
        this.microphoneProblem = message;
      } else {
        return;
      }
      this.options.onChange();
      void this.fallBack(device, { deviceId, label });
    };
    track.addEventListener('ended', onEnded);
    this.unwatch.set(track, () => track.removeEventListener('ended', onEnded));
  }

  /**
   * A device in use went away (its track ended): the system default takes over at
   * once, the person is told which device, and the device is waited for
   * (devicechange) to switch back when it returns (issue 16.5).
   */
  private async fallBack(device: Device, gone: { deviceId: string; label: string }): Promise<void> {
    const epoch = this.generation;
    const name = gone.label !== '' ? gone.label : t(device === 'camera' ? 'devices.thisCamera' : 'devices.thisMicrophone');
    // A fallback that goes away too leaves the wait for the device chosen first.
    if (gone.deviceId !== '' && !this.lost.has(device)) {
      this.lost.set(device, gone);
      this.listenForDevices(true);
    }
    let track: MediaStreamTrack | null = null;
    try {
      const stream = await this.options.devices.getUserMedia(device === 'camera' ? { audio: false, video: true } : { audio: true, video: false });
      track = (device === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks())[0] ?? null;
    } catch (error) {
      mediaLog.info(`no default ${device} to fall back to`, error);
    }
    if (track === null) {
      if (epoch === this.generation) this.notice({ level: 'warning', message: t(`devices.lostNoFallback.${device}`, { name }) });
      return;
    }
    if (!this.adopt(device, track, epoch)) return; // the call ended, or the camera was turned off meanwhile
    const first = this.lost.get(device);
    if (first !== undefined && track.getSettings().deviceId === first.deviceId) {
      // The same device again (its track was stopped by the system or another app, the device stayed): resumed.
      this.lost.delete(device);
      if (this.lost.size === 0) this.listenForDevices(false);
      this.notice({ level: 'info', message: t(`devices.back.${device}`, { name: first.label || name }) });
      return;
    }
    this.notice({ level: 'warning', message: t(`devices.lost.${device}`, { name, fallback: track.label || t('devices.default') }) });
  }

  private readonly onDeviceChange = (): void => {
    const list = this.options.devices.enumerateDevices?.();
    if (list === undefined || this.lost.size === 0) return;
    const epoch = this.generation;
    list.then(
      async (infos) => {
        for (const [device, gone] of [...this.lost]) {
          const kind = device === 'camera' ? 'videoinput' : 'audioinput';
          if (!infos.some((info) => info.kind === kind && info.deviceId === gone.deviceId)) continue;
          if (epoch !== this.generation || this.lost.get(device) !== gone) return;
          if (device === 'camera' && !this.cameraWanted) continue; // used when the camera is turned on again
          let track: MediaStreamTrack | null = null;
          try {
            const stream = await this.options.devices.getUserMedia(
              device === 'camera' ? { audio: false, video: { deviceId: { exact: gone.deviceId } } } : { audio: { deviceId: { exact: gone.deviceId } }, video: false },
            );
            track = (device === 'camera' ? stream.getVideoTracks() : stream.getAudioTracks())[0] ?? null;
          } catch (error) {
            mediaLog.info(`the ${device} that came back could not be opened yet`, error);
          }
          if (track === null) continue;
          if (this.lost.get(device) !== gone || !this.adopt(device, track, epoch)) continue;
          this.lost.delete(device);
          this.notice({ level: 'info', message: t(`devices.back.${device}`, { name: gone.label || t(device === 'camera' ? 'devices.thisCamera' : 'devices.thisMicrophone') }) });
        }
        if (this.lost.size === 0) this.listenForDevices(false);
      },
      (error: unknown) => mediaLog.warn('could not list devices after a devicechange', error),
    );
  };

  private listenForDevices(on: boolean): void {
    if (on === this.listeningForDevices) return;
    const devices = this.options.devices;
    if (on) devices.addEventListener?.('devicechange', this.onDeviceChange);
    else devices.removeEventListener?.('devicechange', this.onDeviceChange);
    this.listeningForDevices = on;
  }

  private notice(notice: HostNotice): void {
    (this.options.onDeviceNotice ?? deviceNotices.emit)(notice);
  }

  /** A new stream object per change, so a video element sees the new track set. */
  private rebuildStream(): void {
    const tracks = [this.audio, this.video].filter((t): t is MediaStreamTrack => t !== null);
    this.stream = tracks.length > 0 ? this.options.createStream(tracks) : null;
  }
}
