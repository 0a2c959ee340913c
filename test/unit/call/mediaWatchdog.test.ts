/** The media watchdog alone: inbound RTP that stops growing on a connected link, and what does not count as a stall. */
import { describe, expect, it } from 'vitest';
import { inboundCounters, MEDIA_WATCHDOG_POLICY, MediaWatchdog } from '../../../renderer/call/mediaWatchdog';
import type { MediaKind } from '../../../renderer/call/peerConnection';
import { ManualTimers } from './manualTimers';

const { intervalMs, stallMs } = MEDIA_WATCHDOG_POLICY;

/** A connection whose counters a test moves by hand. */
function connection() {
  const counters: Record<MediaKind, number> = { audio: 0, video: 0 };
  const pc = {
    connectionState: 'connected' as RTCPeerConnectionState,
    getStats: async (): Promise<ReadonlyMap<string, unknown>> =>
      new Map<string, unknown>([
        ['A', { type: 'inbound-rtp', kind: 'audio', packetsReceived: counters.audio, bytesReceived: counters.audio * 90 }],
        ['V', { type: 'inbound-rtp', kind: 'video', packetsReceived: counters.video, bytesReceived: counters.video * 900 }],
        ['O', { type: 'outbound-rtp', kind: 'audio', packetsSent: 5 }],
      ]),
  };
  return { pc, counters };
}

function watch(expected: Record<MediaKind, boolean> = { audio: true, video: true }) {
  const timers = new ManualTimers();
  const { pc, counters } = connection();
  const stalls: MediaKind[] = [];
  const flags = { ...expected };
  const dog = new MediaWatchdog({
    pc,
    timers,
    now: () => timers.now,
    expected: () => flags,
    onStall: (kind) => stalls.push(kind),
    label: 'device d in call c',
  });
  /** `ms` pass, a look every interval; `flow` lists the kinds whose counters grow meanwhile. */
  const pass = async (ms: number, flow: MediaKind[] = []): Promise<void> => {
    for (let t = 0; t < ms; t += intervalMs) {
      for (const kind of flow) counters[kind] += 10;
      timers.advance(intervalMs);
      for (let i = 0; i < 3; i += 1) await Promise.resolve();
    }
  };
  return { dog, pc, counters, stalls, flags, pass };
}

describe('media watchdog', () => {
  it('reports a kind whose inbound counters stop growing for stallMs while connected, once', async () => {
    const w = watch();
    await w.pass(3 * stallMs, ['audio', 'video']);
    expect(w.stalls).toEqual([]);
    await w.pass(stallMs + intervalMs, ['audio']);
    expect(w.stalls).toEqual(['video']);
    await w.pass(2 * stallMs, ['audio']);
    expect(w.stalls).toEqual(['video']);
    // Media came back, then stopped again: a new report.
    await w.pass(intervalMs, ['audio', 'video']);
    await w.pass(stallMs + intervalMs, ['audio']);
    expect(w.stalls).toEqual(['video', 'video']);
    w.dog.stop();
  });

  it('does not count what the remote does not send (muted, camera off), nor a connection that is not up', async () => {
    const w = watch({ audio: false, video: false });
    await w.pass(3 * stallMs);
    expect(w.stalls).toEqual([]);
    w.flags.audio = true;
    w.pc.connectionState = 'disconnected';
    await w.pass(3 * stallMs);
    expect(w.stalls).toEqual([]);
    w.pc.connectionState = 'connected';
    await w.pass(stallMs + 2 * intervalMs);
    expect(w.stalls).toEqual(['audio']);
    w.dog.stop();
  });

  it('reads no stats while nothing is expected (a ringing pre-connect), and starts once something is', async () => {
    const w = watch({ audio: false, video: false });
    let reads = 0;
    const read = w.pc.getStats;
    w.pc.getStats = () => {
      reads += 1;
      return read();
    };
    await w.pass(3 * stallMs);
    expect(reads).toBe(0);
    w.flags.video = true;
    await w.pass(stallMs + 2 * intervalMs);
    expect(reads).toBeGreaterThan(0);
    expect(w.stalls).toEqual(['video']);
    w.dog.stop();
  });

  it('reset gives a restarted link the whole stallMs again, and a stopped watchdog looks no more', async () => {
    const w = watch({ audio: true, video: false });
    await w.pass(stallMs - intervalMs);
    w.dog.reset();
    await w.pass(stallMs - intervalMs);
    expect(w.stalls).toEqual([]);
    w.dog.stop();
    await w.pass(3 * stallMs);
    expect(w.stalls).toEqual([]);
  });

  it('sums packets and bytes of each kind, ignoring entries that are not inbound RTP or carry no numbers', () => {
    const report = new Map<string, unknown>([
      ['a1', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 2, bytesReceived: 100 }],
      ['a2', { type: 'inbound-rtp', kind: 'audio', packetsReceived: 1 }],
      ['v', { type: 'inbound-rtp', kind: 'video', packetsReceived: 'many', bytesReceived: Number.NaN }],
      ['x', { type: 'outbound-rtp', kind: 'video', packetsSent: 9 }],
      ['n', null],
    ]);
    expect(inboundCounters(report)).toEqual({ audio: 103, video: 0 });
  });
});
