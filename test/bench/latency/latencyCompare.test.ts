import { describe, expect, it } from 'vitest';
import { aliasedClicks, compareLatency, latencyStats, receiverWindow, type LatencyPage, type LatencyRun } from './latencyBench';
import { latencyVerdicts } from '../targets';

const run = (label: string, page: LatencyPage | undefined, audio: number[], video: number[]): LatencyRun => ({
  label,
  ...(page ? { page } : {}),
  oneWayMs: label === 'wan' ? 25 : 0,
  seconds: 8,
  video: { ...latencyStats(video), undecodable: 0 },
  audio: { ...latencyStats(audio), clicksSent: audio.length, clicksReceived: audio.length, unmatched: 0 },
  problems: [],
});

describe('the glass-to-glass yardstick', () => {
  it('pools the runs of each page on each path, in the order the paths were first run', () => {
    const c = compareLatency([
      run('loopback', 'Parley', [100, 120], [30]),
      run('loopback', 'bare page', [90], [20, 40]),
      run('wan', 'Parley', [200], [70]),
      run('loopback', 'Parley', [140], [50]),
      run('loopback', 'bare page', [95, 99], [30]),
    ]);
    expect(c.map((x) => x.label)).toEqual(['loopback', 'wan']);
    expect(c[0]?.parley?.runs).toBe(2);
    expect(c[0]?.parley?.audio.samples).toEqual([100, 120, 140]);
    expect(c[0]?.parley?.audio.p50).toBe(120);
    expect(c[0]?.yardstick?.runs).toBe(2);
    expect(c[0]?.yardstick?.video.samples).toEqual([20, 40, 30]);
    expect(c[1]?.oneWayMs).toBe(25);
    expect(c[1]?.yardstick).toBeNull();
  });

  it('splits audio per run and direction into the receiver\'s jitter buffer and the rest, leaving out directions without one', () => {
    const a = run('loopback', 'Parley', [100, 300], [30]);
    a.audioByReceiver = [
      { receiver: 'caller', n: 1, p50: 100, jitterBufferMs: 40 },
      { receiver: 'callee', n: 1, p50: 300, jitterBufferMs: 250 },
    ];
    const b = run('loopback', 'Parley', [90], [30]);
    b.audioByReceiver = [
      { receiver: 'caller', n: 1, p50: 90, jitterBufferMs: null },
      { receiver: 'callee', n: 0, p50: Number.NaN, jitterBufferMs: 30 },
    ];
    const p = compareLatency([a, b])[0]?.parley;
    expect(p?.audioBeyondJitterBuffer.samples).toEqual([60, 50]);
    expect(p?.audioJitterBuffer.samples).toEqual([40, 250]);
  });

  it('counts a run recorded before the yardstick existed (no page) as Parley', () => {
    const c = compareLatency([run('loopback', undefined, [100], [30])]);
    expect(c[0]?.parley?.runs).toBe(1);
    expect(c[0]?.yardstick).toBeNull();
  });

  it('judges only Parley against the targets, never the yardstick', () => {
    const verdicts = latencyVerdicts([run('loopback', 'bare page', [10], [10]), run('loopback', 'Parley', [200], [10])]);
    expect(verdicts).toHaveLength(2);
    expect(verdicts.map((v) => v.met)).toEqual([false, true]);
  });
});

describe('a receiver\'s jitter buffer over the recording', () => {
  it('is the mean delay of the samples emitted between the two snapshots, not since the call began', () => {
    const before = [{ id: 'a', kind: 'audio', delaySeconds: 5_000, targetSeconds: 4_000, emitted: 100_000, codec: 'audio/opus' }];
    const after = [
      { id: 'a', kind: 'audio', delaySeconds: 11_000, targetSeconds: 8_000, emitted: 200_000, codec: 'audio/opus' },
      { id: 'v', kind: 'video', delaySeconds: 0, targetSeconds: 0, emitted: 0, codec: null },
    ];
    const w = receiverWindow(before, after);
    expect(w[0]?.jitterBufferMs).toBeCloseTo(60);
    expect(w[0]?.targetMs).toBeCloseTo(40);
    expect(w[1]).toEqual({ kind: 'video', jitterBufferMs: null, targetMs: null, codec: null });
  });
});

describe('clicks delayed longer than the click period', () => {
  it('are told by a measured delay shorter than the receiver\'s own jitter buffer', () => {
    expect(aliasedClicks(61, 899)).toBe(true);
    expect(aliasedClicks(98, 57)).toBe(false);
    expect(aliasedClicks(40, 80)).toBe(false); // within the margin: the two are means over different spans
    expect(aliasedClicks(61, null)).toBe(false);
    expect(aliasedClicks(Number.NaN, 500)).toBe(false);
  });
});
