/**
 * The benchmark's pure parts, which decide what its numbers mean: percentiles,
 * the timestamp a relayed candidate carries, which scripts count as initial, the
 * relay schedule and who the load clients are. No timing is asserted here:
 * benchmarks measure, `npm run bench` prints.
 */
import { describe, expect, it } from 'vitest';
import { initialScriptPaths } from './clientWeight';
import { candidateText, sentAtNs } from './signaling/candidate';
import { buildPopulation } from './signaling/population';
import { relaySchedule } from './signaling/relayWindows';
import { percentile, ratio, summarize } from './stats';

describe('percentile', () => {
  it('takes the nearest rank, so every reported value was really observed', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile([42], 99)).toBe(42);
  });

  it('is NaN for no values and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes tens of thousands of samples without overflowing the call stack', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i);
    expect(summarize(values)).toMatchObject({ n: 200_000, min: 0, max: 199_999, p50: 99_999 });
  });

  it('gives NaN for a ratio with a missing side instead of a misleading number', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});

describe('the relayed candidate', () => {
  it('carries its send time to the receiver exactly', () => {
    const sent = 123_456_789_012_345_678n;
    const text = candidateText(sent);
    expect(text.length).toBeLessThanOrEqual(1024); // LIMITS.maxCandidateChars
    expect(sentAtNs(text)).toBe(sent);
  });

  it('yields no time for a candidate it did not write', () => {
    expect(sentAtNs('candidate:1 1 udp 2122260223 192.0.2.1 54321 typ host')).toBeNull();
    expect(sentAtNs(`${candidateText(1n)}x`)).toBeNull();
  });
});

describe('initial scripts of the built client', () => {
  it('counts the module entry and modulepreloads, not stylesheets, icons or classic scripts', () => {
    const html = `
      <link rel="icon" href="data:image/svg+xml,x" />
      <script type="module" crossorigin src="./assets/index-abc.js"></script>
      <link rel="modulepreload" crossorigin href="./assets/vendor-def.js">
      <link rel="stylesheet" crossorigin href="./assets/index-ghi.css">
      <script src="./legacy.js"></script>`;
    expect(initialScriptPaths(html)).toEqual(['assets/index-abc.js', 'assets/vendor-def.js']);
  });
});

describe('the relay schedule', () => {
  it('warms each server up once, then alternates measured windows between them', () => {
    const windows = relaySchedule(1_000n, 'bare', 500, 3);
    expect(windows.map((w) => w.kind)).toEqual(['bare', 'parley', 'bare', 'parley', 'bare', 'parley', 'bare', 'parley']);
    expect(windows.map((w) => w.measured)).toEqual([false, false, true, true, true, true, true, true]);
    expect(windows[0]).toMatchObject({ startNs: '1000', endNs: String(1_000n + 500_000_000n) });
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.startNs).toBe(windows[i - 1]?.endNs);
  });
});

describe('the load population', () => {
  const population = buildPopulation({ clients: 1_000, pairs: 10, devicesPerUser: 50, relayProcesses: 2, idleProcesses: 4 });
  const everyone = [...population.pairMembers.flat(), ...population.idle.flat()];

  it('has exactly the asked number of clients, each with its own device id', () => {
    expect(everyone).toHaveLength(1_000);
    expect(new Set(everyone.map((c) => c.deviceId)).size).toBe(1_000);
  });

  it('puts every pair in the relay processes, each partner in a different one', () => {
    const processOf = new Map<string, number>();
    population.pairMembers.forEach((list, p) => list.forEach((c) => processOf.set(c.deviceId, p)));
    const callers = population.pairMembers.flat().filter((c) => c.role === 'caller');
    expect(callers).toHaveLength(10);
    for (const caller of callers) {
      const partner = caller.partner?.deviceId ?? '';
      expect(processOf.get(partner)).not.toBe(processOf.get(caller.deviceId));
      expect(processOf.get(caller.deviceId)).toBeLessThan(2);
    }
    expect(population.idle.slice(0, 2).flat()).toHaveLength(0);
  });

  it('groups idle clients into users of many devices, first devices first', () => {
    const idle = population.idle.flat();
    const users = new Set(idle.map((c) => c.userId));
    expect(users.size).toBe(Math.ceil(980 / 50));
    // Each process connects in list order: every user's first device, then every second one, …
    const deviceIndex = (deviceId: string): number => Number(/^idle_d(\d+)_/.exec(deviceId)?.[1]);
    for (const list of population.idle) {
      const order = list.map((c) => deviceIndex(c.deviceId));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });
});
