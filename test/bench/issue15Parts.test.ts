/**
 * The pure parts of issue 15's benchmarks (test/bench/latency/signals.ts,
 * test/bench/targets.ts): a frame's capture time written as bars and read back
 * from pixels, click onsets found in overlapping sample windows and paired with
 * the clicks sent, the MET/MISSED judgement, and CPU per thread read from a Chrome
 * trace. No timing is asserted here.
 */
import { describe, expect, it } from 'vitest';
import { barLuminance, crc8of24, decodeBars, detectClicks, encodeTimestamp, matchClicks, newClickDetector, unwrapTimestamp } from './latency/signals';
import type { LatencyRun } from './latency/latencyBench';
import { latencyVerdicts, loopbackFloorVerdict, mark, ratioVerdict, wanVerdicts } from './targets';
import type { WanCondition, WanResults } from './wan/wanBench';
import { summarize } from './stats';
import { threadCpu, type TraceEvent } from './chromeTrace';
import { formatCpu, type TracedPage } from './callTrace';

/** An RGBA image of `bits` drawn as bars, as the synthetic camera draws them, then blurred and noised. */
function drawBars(bits: number[], width: number, height: number, options: { blur?: number; noise?: number; seed?: number } = {}): Uint8ClampedArray {
  let seed = options.seed ?? 1;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const row = Array.from({ length: width }, (_, x) => ((bits[Math.floor((x * bits.length) / width)] ?? 0) === 1 ? 255 : 0));
  const blur = options.blur ?? 0;
  const blurred = row.map((_, x) => {
    let sum = 0;
    let n = 0;
    for (let d = -blur; d <= blur; d++) {
      const v = row[x + d];
      if (v !== undefined) {
        sum += v;
        n++;
      }
    }
    return sum / n;
  });
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = (blurred[x] ?? 0) + ((options.noise ?? 0) * (random() * 2 - 1));
      const i = (y * width + x) * 4;
      out[i] = v;
      out[i + 1] = v;
      out[i + 2] = v;
      out[i + 3] = 255;
    }
  }
  return out;
}

describe('the capture time in a frame', () => {
  const now = Date.UTC(2026, 11, 6, 15, 0, 0, 123);

  it('is written as 32 bars and read back from the pixels, blurred and noisy, to the millisecond', () => {
    for (const t of [now, now + 1, now + 33.7, 0, 16_777_215, 16_777_216]) {
      const bits = encodeTimestamp(t);
      expect(bits).toHaveLength(32);
      const pixels = drawBars(bits, 128, 8, { blur: 1, noise: 40, seed: t % 1000 });
      const code = decodeBars(barLuminance(pixels, 128, 8, 32));
      expect(code).toBe(Math.floor(t) % 16_777_216);
    }
  });

  it('is read from a frame scaled down to a quarter of the reader width', () => {
    const bits = encodeTimestamp(now);
    expect(decodeBars(barLuminance(drawBars(bits, 64, 4), 64, 4, 32))).toBe(now % 16_777_216);
  });

  it('is rejected, not misread, when a bar flips (the CRC does not match)', () => {
    const bits = encodeTimestamp(now);
    for (let i = 0; i < 32; i++) {
      const flipped = bits.map((b, j) => (j === i ? 1 - b : b));
      expect(decodeBars(flipped.map((b) => b * 255))).toBeNull();
    }
    expect(decodeBars([255, 0])).toBeNull();
    expect(crc8of24(0)).toBe(0);
  });

  it('refuses a time that is not one', () => {
    expect(() => encodeTimestamp(Number.NaN)).toThrow(RangeError);
    expect(() => encodeTimestamp(-1)).toThrow(RangeError);
  });

  it('unwraps to the full time nearest the reading, across the 2^24 ms wrap, and keeps a slightly negative latency', () => {
    const code = now % 16_777_216;
    expect(unwrapTimestamp(code, now + 150)).toBe(now);
    expect(unwrapTimestamp(code, now - 3)).toBe(now);
    const beforeWrap = 16_777_216 * 100_000 - 20;
    expect(unwrapTimestamp(beforeWrap % 16_777_216, beforeWrap + 60)).toBe(beforeWrap);
  });
});

describe('the click detector', () => {
  const rate = 48_000;
  /** A signal with 30 ms bursts starting at `onsets` (ms from 0), near-silence between. */
  function signal(lengthMs: number, onsets: number[]): Float32Array {
    const out = new Float32Array(Math.round((lengthMs * rate) / 1000));
    for (let i = 0; i < out.length; i++) {
      const t = (i * 1000) / rate;
      const on = onsets.some((o) => t >= o && t < o + 30);
      out[i] = on ? 0.8 * Math.sin(2 * Math.PI * 1000 * (t / 1000) + 0.3) : 0.01 * Math.sin(i);
    }
    return out;
  }

  it('finds each burst once, at its first loud sample, in overlapping windows read at uneven times', () => {
    const onsets = [100, 700, 1300, 1900];
    const whole = signal(2500, onsets);
    const state = newClickDetector();
    const found: number[] = [];
    const windowSamples = 8192;
    // Reads every 10 to 90 ms, each of the last 8192 samples (170 ms), as a timer-driven AnalyserNode does.
    let endSample = 500;
    let step = 0;
    while (endSample < whole.length) {
      const from = Math.max(0, endSample - windowSamples);
      const endMs = ((endSample - 1) * 1000) / rate;
      found.push(...detectClicks(state, whole.subarray(from, endSample), endMs, rate, 0.1, 200));
      endSample += Math.round(((10 + ((step++ * 37) % 80)) * rate) / 1000);
    }
    expect(found).toHaveLength(onsets.length);
    found.forEach((t, i) => expect(Math.abs(t - (onsets[i] ?? 0))).toBeLessThan(1));
  });

  it('finds nothing in near-silence', () => {
    expect(detectClicks(newClickDetector(), signal(500, []), 500, rate, 0.1, 200)).toEqual([]);
  });

  it('pairs each received click with the click sent just before it, and leaves out one with none in reach', () => {
    const sent = [1200, 0, 600, 1800];
    const received = [80, 690, 1310, 1850, 3000];
    expect(matchClicks(sent, received, 550)).toEqual([80, 90, 110, 50]);
    expect(matchClicks([], received, 550)).toEqual([]);
  });
});

describe('MET or MISSED', () => {
  const side = (p50: number) => ({ samples: [], both: summarize([p50]), caller: summarize([p50]), callee: summarize([p50]) });
  const condition = (rttMs: number, loss: number, ring: number, instant: number, naive: number): WanCondition => ({
    rttMs,
    loss,
    calls: 20,
    parleyRing: side(ring),
    parleyInstant: side(instant),
    naive: side(naive),
    floor: side(naive / 4),
    ringRatio: { p50: ring / naive, p90: ring / naive },
    instantRatio: { p50: instant / naive, p90: instant / naive },
    floorRatio: { p50: 0.25, p90: 0.25 },
    bridge: { forwarded: 0, dropped: 0 },
    preconnectedRing: 20,
    preconnectedInstant: 0,
  });

  it('meets a ratio at or under its limit, misses over it or when nothing was measured', () => {
    expect(ratioVerdict('x', 0.35, 0.35).met).toBe(true);
    expect(ratioVerdict('x', 0.351, 0.35).met).toBe(false);
    expect(ratioVerdict('x', Number.NaN, 0.35).met).toBe(false);
    expect(mark(true)).toBe('MET');
    expect(mark(false)).toBe('MISSED');
  });

  it('judges the ring at 50 ms against 0.5×, at 150 ms (with or without loss) against 0.35×, and instant accept everywhere against 1.0×', () => {
    const wan: WanResults = {
      ringMs: 2_000,
      conditions: [condition(0, 0, 50, 90, 100), condition(50, 0, 49, 101, 100), condition(150, 0, 35, 100, 100), condition(150, 0.03, 36, 80, 100)],
      failed: [{ path: { rttMs: 150, loss: 0.1 }, error: 'the lab needs root\nmore' }],
    };
    const v = wanVerdicts(wan);
    const met = (needle: string): boolean[] => v.filter((x) => x.target.includes(needle)).map((x) => x.met);
    expect(met('RTT 0 ms')).toEqual([true]); // instant only: no ring target on loopback-like paths
    expect(met('RTT 50 ms')).toEqual([true, false]);
    expect(met('RTT 150 ms:')).toEqual([true, true]);
    expect(met('RTT 150 ms + 3% loss')).toEqual([false, true]);
    const failed = v.find((x) => x.target.includes('10% loss'));
    expect(failed).toMatchObject({ met: false, measured: 'not measured: the lab needs root' });
  });

  it('judges loopback against 1.1× the floor page', () => {
    expect(loopbackFloorVerdict(110, 100).met).toBe(true);
    expect(loopbackFloorVerdict(165, 100).met).toBe(false);
    expect(loopbackFloorVerdict(100, Number.NaN).met).toBe(false);
  });

  it('judges glass-to-glass p50 against the one-way delay + 80 ms (audio) and + 120 ms (video)', () => {
    const run = (oneWayMs: number, audioP50: number, videoP50: number, n = 10): LatencyRun => ({
      label: `one way ${oneWayMs}`,
      oneWayMs,
      seconds: 10,
      video: { n, p50: videoP50, p95: videoP50, samples: [], undecodable: 0 },
      audio: { n, p50: audioP50, p95: audioP50, samples: [], clicksSent: n, clicksReceived: n, unmatched: 0 },
      problems: [],
    });
    expect(latencyVerdicts([run(25, 105, 145)]).map((x) => x.met)).toEqual([true, true]);
    expect(latencyVerdicts([run(25, 106, 146)]).map((x) => x.met)).toEqual([false, false]);
    expect(latencyVerdicts([run(0, 10, 10, 0)]).map((x) => x.met)).toEqual([false, false]);
  });
});

describe('CPU per thread from a Chrome trace', () => {
  const meta = (pid: number, tid: number, thread: string, process: string): TraceEvent[] => [
    { name: 'thread_name', ph: 'M', pid, tid, ts: 0, args: { name: thread } },
    { name: 'process_name', ph: 'M', pid, tid, ts: 0, args: { name: process } },
  ];
  const x = (pid: number, tid: number, ts: number, dur: number, tdur: number): TraceEvent => ({ name: 'RunTask', ph: 'X', pid, tid, ts, dur, tdur });

  it('adds the thread time of top-level events in the window, per kind of thread, both renderers together', () => {
    const events = [
      ...meta(1, 1, 'CrRendererMain', 'Renderer'),
      ...meta(2, 2, 'CrRendererMain', 'Renderer'),
      ...meta(3, 3, 'VizCompositorThread', 'GPU Process'),
      // Waiting for a core: 40 ms of wall time, 5 of CPU; its child is inside it, not counted again.
      x(1, 1, 1_000, 40_000, 5_000),
      { ...x(1, 1, 2_000, 10_000, 4_000), name: 'FunctionCall' },
      x(2, 2, 50_000, 3_000, 3_000),
      x(3, 3, 60_000, 8_000, 7_500),
      // Before and after the window.
      x(1, 1, 0, 500, 500),
      x(3, 3, 200_000, 1_000, 1_000),
    ];
    expect(Object.fromEntries(threadCpu(events, 1_000, 150_000))).toEqual({ 'Renderer/CrRendererMain': 8, 'GPU/VizCompositorThread': 7.5 });
  });

  it('prints the pages side by side, the threads Parley uses most first, with totals', () => {
    const cpu = new Map<TracedPage, Map<string, number>>([
      ['Parley', new Map([['GPU/VizCompositorThread', 100], ['Renderer/CrRendererMain', 60]])],
      ['floor', new Map([['Renderer/CrRendererMain', 50], ['GPU/VizCompositorThread', 20]])],
      ['floor drawn like Parley', new Map([['GPU/VizCompositorThread', 40]])],
    ]);
    const lines = formatCpu(cpu, 2, 10);
    expect(lines[1]).toMatch(/^\s+50\.0\s+10\.0\s+20\.0\s+GPU\/VizCompositorThread$/);
    expect(lines[2]).toMatch(/^\s+30\.0\s+25\.0\s+0\.0\s+Renderer\/CrRendererMain$/);
    expect(lines.at(-1)).toMatch(/^\s+80\.0\s+35\.0\s+20\.0\s+all threads$/);
  });
});
