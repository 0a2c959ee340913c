/**
 * MediaStreamTrack, MediaStream and getUserMedia for Node, where none exist. The
 * tracks record stop() and enabled, which is what the call engine's media rules are
 * about (the camera light goes off when the track stops; mute is enabled=false).
 */
let nextId = 1;

export class FakeMediaStreamTrack extends EventTarget implements MediaStreamTrack {
  contentHint = '';
  enabled = true;
  readonly id = `track-${nextId++}`;
  readonly label: string;
  muted = false;
  readyState: MediaStreamTrackState = 'live';
  onended: ((this: MediaStreamTrack, ev: Event) => unknown) | null = null;
  onmute: ((this: MediaStreamTrack, ev: Event) => unknown) | null = null;
  onunmute: ((this: MediaStreamTrack, ev: Event) => unknown) | null = null;

  constructor(
    readonly kind: 'audio' | 'video',
    options: { label?: string; muted?: boolean } = {},
  ) {
    super();
    this.label = options.label ?? `fake ${kind}`;
    this.muted = options.muted ?? false;
  }

  async applyConstraints(): Promise<void> {}
  clone(): MediaStreamTrack {
    return new FakeMediaStreamTrack(this.kind, { label: this.label });
  }
  getCapabilities(): MediaTrackCapabilities {
    return {};
  }
  getConstraints(): MediaTrackConstraints {
    return {};
  }
  getSettings(): MediaTrackSettings {
    return {};
  }
  stop(): void {
    this.readyState = 'ended';
  }
  /** What a browser does when the device goes away (unplugged, taken by the OS). */
  endFromDevice(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

export class FakeMediaStream extends EventTarget implements MediaStream {
  readonly id = `stream-${nextId++}`;
  onaddtrack: ((this: MediaStream, ev: MediaStreamTrackEvent) => unknown) | null = null;
  onremovetrack: ((this: MediaStream, ev: MediaStreamTrackEvent) => unknown) | null = null;
  private readonly tracks: MediaStreamTrack[];

  constructor(tracks: readonly MediaStreamTrack[] = []) {
    super();
    this.tracks = [...tracks];
  }

  get active(): boolean {
    return this.tracks.some((t) => t.readyState === 'live');
  }
  addTrack(track: MediaStreamTrack): void {
    if (!this.tracks.includes(track)) this.tracks.push(track);
  }
  removeTrack(track: MediaStreamTrack): void {
    const i = this.tracks.indexOf(track);
    if (i >= 0) this.tracks.splice(i, 1);
  }
  clone(): MediaStream {
    return new FakeMediaStream(this.tracks.map((t) => t.clone()));
  }
  getTracks(): MediaStreamTrack[] {
    return [...this.tracks];
  }
  getAudioTracks(): MediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getVideoTracks(): MediaStreamTrack[] {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  getTrackById(id: string): MediaStreamTrack | null {
    return this.tracks.find((t) => t.id === id) ?? null;
  }
}

export const createFakeStream = (tracks: MediaStreamTrack[]): MediaStream => new FakeMediaStream(tracks);

/** A DOMException-named failure, as getUserMedia rejects with. */
export type DeviceFailure = 'NotFoundError' | 'NotReadableError' | 'NotAllowedError' | 'OverconstrainedError' | 'AbortError';

/**
 * getUserMedia with devices that work or fail by name. Every track handed out is
 * kept in `tracks`, so tests can check which ones were stopped.
 */
export class FakeMediaDevices {
  readonly tracks: FakeMediaStreamTrack[] = [];
  readonly requests: MediaStreamConstraints[] = [];
  microphone: DeviceFailure | null = null;
  camera: DeviceFailure | null = null;

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.requests.push(constraints);
    await Promise.resolve();
    const wanted: ('audio' | 'video')[] = [];
    if (constraints.audio) wanted.push('audio');
    if (constraints.video) wanted.push('video');
    // Like a browser, one failing device fails the whole request.
    for (const kind of wanted) {
      const failure = kind === 'audio' ? this.microphone : this.camera;
      if (failure) throw new DOMException(`fake ${kind} device: ${failure}`, failure);
    }
    const tracks = wanted.map((kind) => new FakeMediaStreamTrack(kind));
    this.tracks.push(...tracks);
    return new FakeMediaStream(tracks);
  }

  live(kind?: 'audio' | 'video'): FakeMediaStreamTrack[] {
    return this.tracks.filter((t) => t.readyState === 'live' && (!kind || t.kind === kind));
  }
}
