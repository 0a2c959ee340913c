/**
 * A CPU profile of a page's main thread over one moment (the Chrome DevTools
 * Protocol's Profiler), summed by function: which code the page ran, and for how
 * long. `npm run bench -- --only trace` takes one of each Parley page around every
 * Accept when PARLEY_BENCH_PROFILE=1 is set (the bench then also builds the
 * renderer unminified, so the names are the source's).
 */
import type { CDPSession, Page } from 'playwright-core';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Self time per function, ms, summed over any number of profiles. */
export type SelfTimes = Map<string, number>;

/** A profile node as the summaries name it: `function file:line`. */
export function where(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (!url) return functionName || '(anonymous)';
  const file = url.replace(/^.*\//, '').replace(/\?.*$/, '');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

/** Adds a profile's self times (sample intervals attributed to the sampled function) to `into`. */
export function addSelfTimes(into: SelfTimes, profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i] ?? -1);
    if (!node) continue;
    const key = where(node);
    into.set(key, (into.get(key) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  }
}

/** The `count` heaviest functions, as lines "  123.4 ms  name file:line". (idle) is left out. */
export function topSelfTimes(times: SelfTimes, count: number, runs: number): string[] {
  return [...times]
    .filter(([key]) => key !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, ms]) => `  ${(ms / Math.max(runs, 1)).toFixed(1).padStart(7)} ms  ${key}`);
}

/** Starts profiling `page`'s main thread (sampling every 200 µs); the returned function stops and returns the profile. */
export async function startProfile(page: Page): Promise<() => Promise<CpuProfile>> {
  const session: CDPSession = await page.context().newCDPSession(page);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  await session.send('Profiler.start');
  return async () => {
    const { profile } = await session.send('Profiler.stop');
    await session.detach();
    return profile as CpuProfile;
  };
}
