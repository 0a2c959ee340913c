/**
 * The media watchdog of one peer connection (issue 14): a connection can say
 * `connected` while no media arrives (after an ICE restart between Chromium and
 * Firefox, the media of one direction stopped for good and nobody was told).
 *
 * Every `intervalMs` it reads getStats: the `inbound-rtp` packetsReceived and
 * bytesReceived of each kind the remote device is meant to send now (`expected`:
 * from the call snapshot, so a muted microphone or a camera turned off is not a
 * stall). While the connection is `connected`, a kind whose counters have not grown
 * for `stallMs` is a broken path: `onStall` is called once, and again only after
 * media flowed in between or `reset()` (a restart or a rebuild) started a new watch.
 * A kind with no `inbound-rtp` entry yet counts as zero packets (Chromium only lists
 * the entry once the first packet came).
 */
import { log } from '../log';
import type { CallState } from './callState';
import type { Timers } from './iceRecovery';
import type { MediaKind, PeerConnectionLike } from './peerConnection';

export interface MediaWatchdogPolicy {
  intervalMs: number;
  stallMs: number;
}

export const MEDIA_WATCHDOG_POLICY: MediaWatchdogPolicy = { intervalMs: 1_000, stallMs: 5_000 };

export interface MediaWatchdogOptions {
  pc: Pick<PeerConnectionLike, 'connectionState' | 'getStats'>;
  timers: Timers;
  now(): number;
  policy?: Partial<MediaWatchdogPolicy>;
  /** What the remote device sends now, by kind (its flags in the call snapshot). */
  expected(): Readonly<Record<MediaKind, boolean>>;
  onStall(kind: MediaKind): void;
  /** For the log: which link this watches. */
  label: string;
}

interface Watch {
  /** Counters last seen (packets + bytes). */
  count: number;
  /** When the counters last grew, or the watch started. */
  since: number;
  reported: boolean;
}

const KINDS: readonly MediaKind[] = ['audio', 'video'];
const watchLog = log.child('call.watchdog');

/** The inbound packets + bytes of each kind in a stats report. */
export function inboundCounters(report: ReadonlyMap<string, unknown>): Record<MediaKind, number> {
  const out: Record<MediaKind, number> = { audio: 0, video: 0 };
  for (const entry of report.values()) {
    if (typeof entry !== 'object' || entry === null) continue;
    const stat = entry as { type?: unknown; kind?: unknown; packetsReceived?: unknown; bytesReceived?: unknown };
    if (stat.type !== 'inbound-rtp' || (stat.kind !== 'audio' && stat.kind !== 'video')) continue;
    const packets = typeof stat.packetsReceived === 'number' && Number.isFinite(stat.packetsReceived) ? stat.packetsReceived : 0;
    const bytes = typeof stat.bytesReceived === 'number' && Number.isFinite(stat.bytesReceived) ? stat.bytesReceived : 0;
    out[stat.kind] += packets + bytes;
  }
  return out;
}

/**
 * What a remote device sends me now, from the call snapshot: nothing unless we are
 * both in the call and its socket is there; then its own audio and video flags
 * (a muted microphone or a camera turned off sends nothing to watch).
 */
export function memberSends(state: CallState, deviceId: string): Record<MediaKind, boolean> {
  const member = state.phase === 'active' ? state.call.members.find((m) => m.deviceId === deviceId) : undefined;
  if (!member || !member.connected) return { audio: false, video: false };
  return { audio: member.audio, video: member.video };
}

export class MediaWatchdog {
  private readonly policy: MediaWatchdogPolicy;
  private readonly watches = new Map<MediaKind, Watch>();
  private handle: unknown = null;
  private stopped = false;
  private polling = false;

  constructor(private readonly options: MediaWatchdogOptions) {
    this.policy = { ...MEDIA_WATCHDOG_POLICY, ...options.policy };
    this.schedule();
  }

  /** Starts every watch anew (after an ICE restart or a rebuild): the full `stallMs` again. */
  reset(): void {
    this.watches.clear();
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) this.options.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  /** One look at the counters; the timer calls it, tests may too. */
  async poll(): Promise<void> {
    if (this.stopped || this.polling) return;
    this.polling = true;
    try {
      await this.look();
    } finally {
      this.polling = false;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.handle = this.options.timers.setTimeout(() => {
      this.handle = null;
      void this.poll().finally(() => this.schedule());
    }, this.policy.intervalMs);
  }

  private async look(): Promise<void> {
    const { pc } = this.options;
    if (pc.connectionState !== 'connected') {
      // Not a media problem: ICE recovery watches that. Start over once connected.
      this.watches.clear();
      return;
    }
    if (!KINDS.some((kind) => this.options.expected()[kind])) {
      // Nothing to watch (a call that still rings, a peer who sends nothing): no
      // getStats, which runs on the WebRTC threads a pre-connected call's Accept needs.
      this.watches.clear();
      return;
    }
    let counters: Record<MediaKind, number>;
    try {
      counters = inboundCounters(await pc.getStats());
    } catch (error) {
      // A connection closing under us rejects getStats; its session is on its way out.
      watchLog.debug(`no stats for ${this.options.label}`, error);
      return;
    }
    if (this.stopped || pc.connectionState !== 'connected') return;
    const now = this.options.now();
    const expected = this.options.expected();
    for (const kind of KINDS) {
      const count = counters[kind];
      const watch = this.watches.get(kind);
      if (!expected[kind]) {
        this.watches.delete(kind);
        continue;
      }
      if (!watch) {
        this.watches.set(kind, { count, since: now, reported: false });
        continue;
      }
      if (count !== watch.count) {
        watch.count = count;
        watch.since = now;
        watch.reported = false;
        continue;
      }
      if (!watch.reported && now - watch.since >= this.policy.stallMs) {
        watch.reported = true;
        watchLog.warn(`no inbound ${kind} for ${now - watch.since} ms on ${this.options.label} while connected`);
        this.options.onStall(kind);
      }
    }
  }
}
