/**
 * What Parley's screens cost the browser while a call rings and while it runs, on
 * every thread (`npm run bench -- --only compositor`): a Chrome trace of a few
 * seconds of each (chromeTrace.ts), summed per thread and event, mean of `rounds`
 * calls between two Parley pages on loopback; and the CPU time per thread (thread
 * time), which a loaded machine moves less than the busy (wall) times.
 *
 * Why (issue 15): on a machine compositing in software (Chromium without a GPU, as
 * here; VMs and remote desktops) the compositor thread drew Parley's ringing screen
 * for a whole core, and the encoders that must start at Accept competed with it.
 * Nothing here is a target; it says which thread and which step the screens cost.
 */
import type { Browser } from 'playwright-core';
import { visible } from '../e2e/harness';
import { acceptButton, bothEnded, hangUpButton, parleyPair, videoCallButton } from './callSetup';
import { addThreadTimes, startChromeTrace, threadCpu, topThreadTimes, type ThreadCpuTimes, type ThreadTimes } from './chromeTrace';

const SETTLE_MS = 1_500;
const TRACED_MS = 3_000;

export interface ThreadLoad {
  thread: string;
  /** Busy time over the traced stretch, ms (self time of every traced event), mean per round. */
  busyMs: number;
}

/** CPU time per kind of thread (chromeTrace.ts threadCpu: thread time, both windows together), mean per round. */
export interface ThreadCpu {
  thread: string;
  cpuMs: number;
}

export interface CompositorLoad {
  tracedMs: number;
  rounds: number;
  ringing: ThreadLoad[];
  inCall: ThreadLoad[];
  /**
   * The same stretches by CPU: busy time is wall time, and on a loaded 2-core machine
   * a thread waiting for a core looks busy, so these are the steadier numbers.
   */
  ringingCpu: ThreadCpu[];
  inCallCpu: ThreadCpu[];
}

async function traced(browser: Browser, into: ThreadTimes, cpu: ThreadCpuTimes): Promise<void> {
  const stop = await startChromeTrace(browser);
  await new Promise((resolve) => setTimeout(resolve, TRACED_MS));
  const { events } = await stop();
  addThreadTimes(into, events, -Infinity, Infinity);
  threadCpu(events, -Infinity, Infinity, cpu);
}

/** The threads using the most CPU, mean per round. */
function cpuLoads(cpu: ThreadCpuTimes, rounds: number): ThreadCpu[] {
  return [...cpu]
    .map(([thread, ms]) => ({ thread, cpuMs: ms / rounds }))
    .sort((a, b) => b.cpuMs - a.cpuMs)
    .slice(0, 10);
}

/** Threads by busy time, mean per round; the compositor's thread name keeps its process id off (it is one per browser). */
function loads(times: ThreadTimes, rounds: number): ThreadLoad[] {
  return [...times]
    .map(([thread, names]) => ({ thread, busyMs: [...names.values()].reduce((a, b) => a + b, 0) / rounds }))
    .sort((a, b) => b.busyMs - a.busyMs)
    .slice(0, 10);
}

export async function runCompositorLoad(options: { browser: Browser; parleyUrl: string; rounds: number; log(line: string): void }): Promise<CompositorLoad> {
  const { browser, parleyUrl, rounds, log } = options;
  const pair = await parleyPair(browser, parleyUrl);
  const ringing: ThreadTimes = new Map();
  const inCall: ThreadTimes = new Map();
  const ringingCpu: ThreadCpuTimes = new Map();
  const inCallCpu: ThreadCpuTimes = new Map();
  try {
    // One untimed call first: code loading and JIT.
    for (let round = 0; round <= rounds; round++) {
      const timed = round > 0;
      await videoCallButton(pair.caller, 'Callee').click();
      await visible(acceptButton(pair.callee));
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      if (timed) await traced(browser, ringing, ringingCpu);
      await acceptButton(pair.callee).click();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      if (timed) await traced(browser, inCall, inCallCpu);
      await hangUpButton(pair.caller).click();
      await bothEnded(pair);
      if (timed) log(`compositor load ${round}/${rounds}: traced ${TRACED_MS / 1000} s ringing and ${TRACED_MS / 1000} s in the call`);
    }
  } finally {
    await pair.close();
  }
  log(`${TRACED_MS / 1000} s of a video call ringing (both Parley windows; whole browser, mean of ${rounds}):`);
  topThreadTimes(ringing, 6, 3, rounds).forEach((line) => log(line));
  log(`${TRACED_MS / 1000} s of the video call, answered:`);
  topThreadTimes(inCall, 6, 3, rounds).forEach((line) => log(line));
  const result = {
    tracedMs: TRACED_MS,
    rounds,
    ringing: loads(ringing, rounds),
    inCall: loads(inCall, rounds),
    ringingCpu: cpuLoads(ringingCpu, rounds),
    inCallCpu: cpuLoads(inCallCpu, rounds),
  };
  log(`CPU time per thread (thread time, both windows; mean of ${rounds}):`);
  formatCpuLoads(result).forEach((line) => log(line));
  return result;
}

function formatCpuLoads(load: CompositorLoad): string[] {
  const lines: string[] = [];
  for (const [what, list] of [['ringing', load.ringingCpu], ['in the call', load.inCallCpu]] as const) {
    lines.push(`  ${what}:`);
    for (const t of list.slice(0, 6)) lines.push(`    ${t.cpuMs.toFixed(0).padStart(6)} ms  ${t.thread}`);
  }
  return lines;
}

export function formatCompositorLoad(load: CompositorLoad): string[] {
  const lines = [`Browser threads while a video call rings and runs (loopback, two Parley windows; busy ms per ${load.tracedMs / 1000} s, mean of ${load.rounds})`];
  for (const [what, list] of [['ringing', load.ringing], ['in the call', load.inCall]] as const) {
    lines.push(`  ${what}:`);
    for (const t of list.slice(0, 6)) lines.push(`    ${t.busyMs.toFixed(0).padStart(6)} ms  ${t.thread}`);
  }
  lines.push(`  CPU time per thread (thread time, both windows), per ${load.tracedMs / 1000} s:`);
  lines.push(...formatCpuLoads(load).map((line) => `  ${line}`));
  return lines;
}
