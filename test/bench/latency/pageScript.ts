/**
 * The page side of the glass-to-glass latency bench, injected before any page
 * script (addInitScript), so that it runs in Parley's real pages:
 * - getUserMedia is replaced by a synthetic camera and microphone: a canvas whose
 *   32 bars carry the machine-clock millisecond of each frame (signals.ts), one
 *   frame every 33 ms (captureStream(0) + requestFrame right after each draw, so
 *   the time drawn is the frame's capture time), and a WebAudio click train: a
 *   30 ms 1 kHz burst on every multiple of CLICK_PERIOD_MS of the machine clock.
 *   The clicks sent are timed by the same detector, on the sending graph, as the
 *   clicks received, so how an analyser's buffer maps to the clock cancels out.
 * - every remote video (`video[data-testid="remote-video"]`) is read in
 *   requestVideoFrameCallback: its bars decoded, shown at the frame's
 *   expectedDisplayTime; every remote audio track (RTCPeerConnection's 'track')
 *   is fed to an AnalyserNode whose buffer is scanned for clicks every 10 ms.
 * Both pages of a run share the machine clock (performance.timeOrigin + now();
 * lab namespaces share CLOCK_REALTIME). The product keeps no hook for this.
 */
import { barLuminance, crc8of24, decodeBars, detectClicks, encodeTimestamp, newClickDetector, unwrapTimestamp } from './signals';

// A click is paired with the last one sent before it (signals.ts, matchClicks): a
// delay longer than the period would be read as one period less, so the period
// is well above the worst delays seen under load (over 600 ms at load 30).
export const CLICK_PERIOD_MS = 1000;

export interface LatencyRecord {
  recording: boolean;
  /** Remote video frames read: capture time (from the bars) and display time. */
  video: { sent: number; shown: number }[];
  /** Remote frames whose bars did not decode (CRC mismatch). */
  undecodable: number;
  /** Click onsets on the sending graph (this page's microphone) and in remote audio. */
  clicksSent: number[];
  clicksReceived: number[];
  /** Problems the page met (e.g. an AudioContext that would not start). */
  problems: string[];
}

/** What a receiver's WebRTC stack says about its own delay (getStats, inbound-rtp), cumulative since it started. */
export interface ReceiverCounters {
  /** The inbound-rtp stats id. */
  id: string;
  kind: string;
  /** jitterBufferDelay and jitterBufferTargetDelay (seconds, summed over samples emitted) and jitterBufferEmittedCount. */
  delaySeconds: number;
  targetSeconds: number;
  emitted: number;
  /** The codec and its fmtp line (e.g. Opus' minptime and useinbandfec). */
  codec: string | null;
}

declare global {
  interface Window {
    __latency?: { record: LatencyRecord; start(): void; stop(): void; receivers(): Promise<ReceiverCounters[]> };
  }
}

type Helpers = {
  encodeTimestamp: typeof encodeTimestamp;
  decodeBars: typeof decodeBars;
  unwrapTimestamp: typeof unwrapTimestamp;
  barLuminance: typeof barLuminance;
  newClickDetector: typeof newClickDetector;
  detectClicks: typeof detectClicks;
};

function LATENCY_PAGE(h: Helpers, clickPeriodMs: number): void {
  const clock = (): number => performance.timeOrigin + performance.now();
  const record: LatencyRecord = { recording: false, video: [], undecodable: 0, clicksSent: [], clicksReceived: [], problems: [] };

  // ── the synthetic camera ──
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const g = canvas.getContext('2d');
  const cameraTracks: CanvasCaptureMediaStreamTrack[] = [];
  const draw = (): void => {
    if (!g) return;
    const bits = h.encodeTimestamp(clock());
    const w = canvas.width / bits.length;
    bits.forEach((bit, i) => {
      g.fillStyle = bit ? '#ffffff' : '#000000';
      g.fillRect(Math.round(i * w), 0, Math.ceil(w), canvas.height);
    });
    for (const track of cameraTracks) if (track.readyState === 'live') track.requestFrame();
  };
  setInterval(draw, 33);

  // ── the synthetic microphone and the click detectors ──
  let ctx: AudioContext | null = null;
  let clickBus: GainNode | null = null;
  // By name: start() replaces the record's arrays.
  const listen = (source: AudioNode, into: 'clicksSent' | 'clicksReceived'): void => {
    const audio = ctx as AudioContext;
    const analyser = audio.createAnalyser();
    analyser.fftSize = 8192; // 170 ms at 48 kHz: a late timer still finds the samples it missed
    const sink = audio.createGain();
    sink.gain.value = 0;
    source.connect(analyser);
    analyser.connect(sink);
    sink.connect(audio.destination); // pulled by the graph, heard by nobody
    const buffer = new Float32Array(analyser.fftSize);
    const state = h.newClickDetector();
    setInterval(() => {
      analyser.getFloatTimeDomainData(buffer);
      const onsets = h.detectClicks(state, buffer, clock(), audio.sampleRate, 0.1, 200);
      if (record.recording) record[into].push(...onsets);
    }, 10);
  };
  const audioGraph = (): AudioContext => {
    if (ctx) return ctx;
    const audio = new AudioContext();
    ctx = audio;
    if (audio.state !== 'running') audio.resume().catch((error: unknown) => record.problems.push(`AudioContext did not start: ${String(error)}`));
    clickBus = audio.createGain();
    listen(clickBus, 'clicksSent');
    let scheduled = 0;
    setInterval(() => {
      const now = clock();
      const next = Math.ceil((now + 20) / clickPeriodMs) * clickPeriodMs;
      if (next === scheduled || next - now > 300) return;
      scheduled = next;
      const osc = audio.createOscillator();
      osc.frequency.value = 1000;
      const level = audio.createGain();
      level.gain.value = 0.8;
      osc.connect(level);
      level.connect(clickBus as GainNode);
      const at = audio.currentTime + (next - now) / 1000;
      osc.start(at);
      osc.stop(at + 0.03);
    }, 50);
    return audio;
  };

  const devices = navigator.mediaDevices;
  devices.getUserMedia = async (constraints?: MediaStreamConstraints): Promise<MediaStream> => {
    const stream = new MediaStream();
    if (constraints?.video) {
      const track = canvas.captureStream(0).getVideoTracks()[0] as CanvasCaptureMediaStreamTrack;
      cameraTracks.push(track);
      stream.addTrack(track);
    }
    if (constraints?.audio) {
      const audio = audioGraph();
      const out = audio.createMediaStreamDestination();
      (clickBus as GainNode).connect(out);
      const track = out.stream.getAudioTracks()[0];
      if (track) stream.addTrack(track);
    }
    return stream;
  };

  // ── remote audio ──
  const Native = window.RTCPeerConnection;
  const connections: RTCPeerConnection[] = [];
  class Listened extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      connections.push(this);
      this.addEventListener('track', (event: RTCTrackEvent) => {
        if (event.track.kind !== 'audio') return;
        const audio = audioGraph();
        const remote = new MediaStream([event.track]);
        // Chromium feeds a remote track to WebAudio only while a media element plays it.
        const element = new Audio();
        element.muted = true;
        element.srcObject = remote;
        element.play().catch((error: unknown) => record.problems.push(`remote audio element did not play: ${String(error)}`));
        listen(audio.createMediaStreamSource(remote), 'clicksReceived');
      });
    }
  }
  window.RTCPeerConnection = Listened;

  // ── remote video ──
  const reader = document.createElement('canvas');
  reader.width = 128;
  reader.height = 8;
  const rg = reader.getContext('2d', { willReadFrequently: true });
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement): void => {
    if (watched.has(video)) return;
    watched.add(video);
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
      if (record.recording && rg && video.videoWidth > 0) {
        rg.drawImage(video, 0, 0, reader.width, reader.height);
        const pixels = rg.getImageData(0, 0, reader.width, reader.height).data;
        const code = h.decodeBars(h.barLuminance(pixels, reader.width, reader.height, 32));
        const shown = performance.timeOrigin + meta.expectedDisplayTime;
        if (code === null) record.undecodable++;
        else record.video.push({ sent: h.unwrapTimestamp(code, shown), shown });
      }
      if (video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const scan = (): void => document.querySelectorAll<HTMLVideoElement>('video[data-testid="remote-video"]').forEach(watch);
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });

  window.__latency = {
    record,
    start: () => {
      record.video = [];
      record.undecodable = 0;
      record.clicksSent = [];
      record.clicksReceived = [];
      record.recording = true;
    },
    stop: () => {
      record.recording = false;
    },
    receivers: async () => {
      const out: ReceiverCounters[] = [];
      for (const pc of connections) {
        if (pc.connectionState !== 'connected') continue;
        const report = await pc.getStats();
        report.forEach((s: Record<string, unknown>) => {
          if (s.type !== 'inbound-rtp') return;
          const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
          const codec = typeof s.codecId === 'string' ? (report.get(s.codecId) as Record<string, unknown> | undefined) : undefined;
          out.push({
            id: String(s.id),
            kind: String(s.kind),
            delaySeconds: num(s.jitterBufferDelay),
            targetSeconds: num(s.jitterBufferTargetDelay),
            emitted: num(s.jitterBufferEmittedCount),
            codec: codec ? `${String(codec.mimeType)} ${String(codec.sdpFmtpLine ?? '')}`.trim() : null,
          });
        });
      }
      return out;
    },
  };
}

/** The init script: the helpers' own sources, then the page side given them. */
export function latencyPageScript(): string {
  const helpers = [crc8of24, encodeTimestamp, decodeBars, unwrapTimestamp, barLuminance, newClickDetector, detectClicks];
  return `(() => {
const __name = (target) => target;
${helpers.map((f) => f.toString()).join('\n')}
(${LATENCY_PAGE.toString()})({ encodeTimestamp, decodeBars, unwrapTimestamp, barLuminance, newClickDetector, detectClicks }, ${CLICK_PERIOD_MS});
})();`;
}
