/**
 * A Chrome trace (Playwright's browser.startTracing: the DevTools Tracing domain) of
 * one moment, summed by event name per thread: what Blink did, where a CPU profile
 * only says "(program)" — style, layout, paint, compositing, GC, IPC. `npm run bench
 * -- --only trace` takes one around every Accept when PARLEY_BENCH_CHROME_TRACE=1 is
 * set, prints the busiest threads of the window, and keeps the raw traces for
 * DevTools (Performance → Load profile) in bench-results/profiles/.
 */
import type { Browser } from 'playwright-core';

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread time (µs): what the thread spent on a CPU, not waiting for one. */
  tdur?: number;
  args?: { name?: string; data?: { type?: string } };
}

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink',
  'cc',
  'gpu',
  'v8',
  'toplevel',
  'webrtc',
  'media',
  'viz',
  'skia',
];

/** CPU time per kind of thread ("process type/thread name"), ms, as threadCpu sums it. */
export type ThreadCpuTimes = Map<string, number>;

/** Self time per event name, per thread ("pid/thread name"), ms, summed over traces. */
export type ThreadTimes = Map<string, Map<string, number>>;

/** Starts tracing the whole browser; the returned function stops and returns the trace's events. */
export async function startChromeTrace(browser: Browser): Promise<() => Promise<{ raw: Buffer; events: TraceEvent[] }>> {
  await browser.startTracing(undefined, { categories: CATEGORIES });
  return async () => {
    const raw = await browser.stopTracing();
    const parsed = JSON.parse(raw.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
    const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
    return { raw, events };
  };
}

/**
 * The complete ("X") events that start within [fromUs, toUs], per thread ("pid/tid"),
 * each thread's in start order, a parent before the children it encloses.
 */
function completeEventsByThread(events: readonly TraceEvent[], fromUs: number, toUs: number): Map<string, TraceEvent[]> {
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.dur === undefined || e.ts < fromUs || e.ts > toUs) continue;
    const key = `${e.pid}/${e.tid}`;
    const list = byThread.get(key) ?? [];
    list.push(e);
    byThread.set(key, list);
  }
  for (const list of byThread.values()) list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  return byThread;
}

/**
 * Adds each thread's self time per event name, over complete ("X") events that start
 * within [fromUs, toUs] (the trace clock, µs), to `into`. Self time: an event's
 * duration minus its children's on the same thread.
 */
export function addThreadTimes(into: ThreadTimes, events: readonly TraceEvent[], fromUs: number, toUs: number): void {
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name) names.set(`${e.pid}/${e.tid}`, e.args.name);
  const byThread = completeEventsByThread(events, fromUs, toUs);
  for (const [key, list] of byThread) {
    const self = new Map<string, number>();
    const stack: { end: number; name: string }[] = [];
    for (const e of list) {
      const dur = e.dur ?? 0;
      while (stack.length > 0 && (stack[stack.length - 1]?.end ?? 0) <= e.ts) stack.pop();
      const parent = stack[stack.length - 1];
      if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - dur / 1000);
      self.set(e.name, (self.get(e.name) ?? 0) + dur / 1000);
      stack.push({ end: e.ts + dur, name: e.name });
    }
    const thread = `${key.split('/')[0]}/${names.get(key) ?? key}`;
    const sum = into.get(thread) ?? new Map<string, number>();
    for (const [name, ms] of self) sum.set(name, (sum.get(name) ?? 0) + ms);
    into.set(thread, sum);
  }
}

/**
 * CPU time per kind of thread over [fromUs, toUs] (the trace clock, µs): the thread
 * time (`tdur`) of each top-level complete event that starts in the window, in ms,
 * keyed "process type/thread name" so that the two pages' renderers add up. Self
 * time by `dur` (addThreadTimes) is wall time: on a loaded 2-core machine a thread
 * waiting for a core looks busy; thread time says who used the cores. Added to
 * `into` (a run's total over several traces) when given; returned either way.
 */
export function threadCpu(events: readonly TraceEvent[], fromUs: number, toUs: number, into: ThreadCpuTimes = new Map()): ThreadCpuTimes {
  const threads = new Map<string, string>();
  const processes = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== 'M' || !e.args?.name) continue;
    if (e.name === 'thread_name') threads.set(`${e.pid}/${e.tid}`, e.args.name);
    if (e.name === 'process_name') processes.set(e.pid, e.args.name);
  }
  const byThread = completeEventsByThread(events, fromUs, toUs);
  for (const [key, list] of byThread) {
    let end = -Infinity;
    let us = 0;
    for (const e of list) {
      if (e.ts < end) continue; // inside the top-level event before it
      end = e.ts + (e.dur ?? 0);
      us += e.tdur ?? 0;
    }
    const pid = Number(key.split('/')[0]);
    const kind = `${(processes.get(pid) ?? 'process').split(' ')[0]}/${threads.get(key) ?? 'thread'}`;
    into.set(kind, (into.get(kind) ?? 0) + us / 1000);
  }
  return into;
}

/** The trace clock's [start, start + ms] from the first click dispatched in any page (null: no click traced). */
export function clickWindow(events: readonly TraceEvent[], ms: number): [number, number] | null {
  const click = events.find((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'click');
  return click ? [click.ts, click.ts + ms * 1000] : null;
}

/** The threads busiest over the window, each with its heaviest event names (per trace). */
export function topThreadTimes(times: ThreadTimes, threads: number, perThread: number, runs: number): string[] {
  const total = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const lines: string[] = [];
  const ranked = [...times].sort((a, b) => total(b[1]) - total(a[1])).slice(0, threads);
  for (const [thread, names] of ranked) {
    lines.push(`  ${(total(names) / Math.max(runs, 1)).toFixed(1).padStart(7)} ms  ${thread}`);
    for (const [name, ms] of [...names].sort((a, b) => b[1] - a[1]).slice(0, perThread)) {
      lines.push(`      ${(ms / Math.max(runs, 1)).toFixed(1).padStart(7)} ms  ${name}`);
    }
  }
  return lines;
}
