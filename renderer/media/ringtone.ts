/**
 * Parley's ringtone and "call ended" tone, synthesised with Web Audio: no asset to
 * ship, load or allow in the CSP.
 *
 * The ring is a soft two-note chime (a falling major third, like a door chime),
 * played twice, then a pause: "ding-dong, ding-dong … ". Each note is a sine with a
 * quiet octave partial and a bell-like envelope (fast attack, exponential decay).
 *
 * Browsers start an AudioContext suspended until the page has had a user gesture
 * (Chrome autoplay policy, https://developer.chrome.com/blog/autoplay#webaudio), so
 * `unlockOnGesture` resumes it on the first click or key press; a call that rings
 * before any gesture shows without sound (the notification still appears).
 */
import { log } from '../log';

const ringLog = log.child('media.ringtone');

export interface Ringtone {
  /** Rings until `stop`; calling it again while ringing does nothing. */
  start(): void;
  stop(): void;
  /** A short falling two-note tone. */
  playEnded(): void;
  /**
   * The speaker to ring on (settings.devices.speaker while it is plugged in; null:
   * the system default), through AudioContext.setSinkId where the browser has it.
   */
  setSpeaker(deviceId: string | null): void;
  /** Resumes audio on the first pointer or key gesture on `target`; returns the disposer. */
  unlockOnGesture(target: EventTarget): () => void;
  dispose(): void;
}

type ContextFactory = () => AudioContext;

const CYCLE_SECONDS = 3.2;
/** [offset in the cycle (s), frequency (Hz)] — A5 and F5, twice. */
const RING_NOTES: readonly (readonly [number, number])[] = [
  [0, 880],
  [0.22, 698.46],
  [0.6, 880],
  [0.82, 698.46],
];
const ENDED_NOTES: readonly (readonly [number, number])[] = [
  [0, 783.99],
  [0.16, 587.33],
];
const LOOKAHEAD_SECONDS = 1;
const SCHEDULER_MS = 250;

function defaultFactory(): AudioContext | null {
  const Ctor = globalThis.AudioContext as typeof AudioContext | undefined;
  return Ctor ? new Ctor({ latencyHint: 'interactive' }) : null;
}

/** One bell-like note into `destination`, starting at `when` (audio clock). */
function chime(ctx: AudioContext, destination: AudioNode, when: number, frequency: number, peak: number, length: number): void {
  const envelope = ctx.createGain();
  envelope.gain.setValueAtTime(0.0001, when);
  envelope.gain.exponentialRampToValueAtTime(peak, when + 0.012);
  envelope.gain.exponentialRampToValueAtTime(0.0001, when + length);
  envelope.connect(destination);
  const partials: readonly (readonly [number, number])[] = [
    [1, 1],
    [2, 0.18],
  ];
  for (const [multiple, level] of partials) {
    const osc = ctx.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = frequency * multiple;
    const gain = ctx.createGain();
    gain.gain.value = level;
    osc.connect(gain).connect(envelope);
    osc.start(when);
    osc.stop(when + length + 0.05);
  }
}

export function createRingtone(factory: ContextFactory | null = null): Ringtone {
  let ctx: AudioContext | null = null;
  let speaker: string | null = null;
  let sinkApplied: string | null = null;
  let ring: { master: GainNode; timer: ReturnType<typeof setInterval>; next: number } | null = null;

  const context = (): AudioContext | null => {
    if (!ctx) {
      try {
        ctx = factory ? factory() : defaultFactory();
      } catch (error) {
        ringLog.warn('no audio context: calls ring without sound (the window and notification still show them)', error);
        ctx = null;
      }
    }
    if (ctx) applySink(ctx);
    if (ctx && ctx.state === 'suspended') {
      // Refused until the first gesture (autoplay policy): expected; unlockOnGesture tries again.
      void ctx.resume().catch((error: unknown) => ringLog.debug('the audio context stays suspended until a click or key press', error));
    }
    return ctx;
  };

  /** AudioContext.setSinkId: Chromium 110+; elsewhere the default output rings (logged once per choice). */
  const applySink = (audio: AudioContext): void => {
    const wanted = speaker ?? '';
    if (sinkApplied === wanted) return;
    sinkApplied = wanted;
    const sinkable = audio as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (typeof sinkable.setSinkId !== 'function') {
      if (wanted !== '') ringLog.info('this browser cannot choose the ringtone speaker (no AudioContext.setSinkId): the default rings');
      return;
    }
    sinkable.setSinkId(wanted).catch((error: unknown) => {
      sinkApplied = null;
      ringLog.warn(`the ringtone could not use the chosen speaker ${wanted}; the default rings`, error);
    });
  };

  const stop = (): void => {
    if (!ring || !ctx) return;
    const { master, timer } = ring;
    ring = null;
    clearInterval(timer);
    // Fade out rather than cut, then detach: notes already scheduled fall silent.
    master.gain.setTargetAtTime(0, ctx.currentTime, 0.03);
    setTimeout(() => master.disconnect(), 200);
  };

  return {
    start() {
      const audio = context();
      if (!audio || ring) return;
      const master = audio.createGain();
      master.gain.value = 0.22;
      master.connect(audio.destination);
      const state = { master, next: audio.currentTime + 0.05, timer: setInterval(() => schedule(), SCHEDULER_MS) };
      const schedule = (): void => {
        while (state.next < audio.currentTime + LOOKAHEAD_SECONDS) {
          for (const [offset, frequency] of RING_NOTES) chime(audio, master, state.next + offset, frequency, 1, 0.9);
          state.next += CYCLE_SECONDS;
        }
      };
      ring = state;
      schedule();
    },
    stop,
    setSpeaker(deviceId) {
      speaker = deviceId;
      if (ctx) applySink(ctx);
    },
    playEnded() {
      const audio = context();
      if (!audio) return;
      const master = audio.createGain();
      master.gain.value = 0.14;
      master.connect(audio.destination);
      const at = audio.currentTime + 0.03;
      for (const [offset, frequency] of ENDED_NOTES) chime(audio, master, at + offset, frequency, 1, 0.35);
      setTimeout(() => master.disconnect(), 1000);
    },
    unlockOnGesture(target) {
      const unlock = (): void => {
        const audio = context();
        if (!audio) return dispose();
        void audio.resume().then(
          () => {
            if (audio.state === 'running') dispose();
          },
          () => undefined,
        );
      };
      const events = ['pointerdown', 'keydown'] as const;
      const dispose = (): void => events.forEach((e) => target.removeEventListener(e, unlock, true));
      events.forEach((e) => target.addEventListener(e, unlock, true));
      return dispose;
    },
    dispose() {
      stop();
      void ctx?.close().catch((error: unknown) => ringLog.debug('closing the audio context failed (it was closed already)', error));
      ctx = null;
    },
  };
}
