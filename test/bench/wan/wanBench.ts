/**
 * Issue 15 item 1: call setup on an emulated WAN (labRig.ts: caller in "a", callee
 * in "b", servers in "c", every one-way leg RTT/2), through the real UI, at RTT 0,
 * 50 and 150 ms and at 150 ms with 3% loss. On each path, taking turns one call
 * each so that load and path weigh on all alike:
 *   Parley with a ring of `ringMs` before Accept, the naive page (same ring),
 *   Parley accepted the moment it rings, the pre-connected floor page (same ring).
 * Metric as on loopback (callSetup.ts): the callee's click on Accept → the first
 * remote frame on both sides, on the machine clock (the namespaces share
 * CLOCK_REALTIME; each browser is its own process, so the two sides' clocks agree
 * to within the clock reads, well under a millisecond).
 */
import type { Browser } from 'playwright-core';
import { parleyCall, parleyPair, referenceCall, referencePair, side, type CallSample, type CallSetupSide } from '../callSetup';
import { ratio } from '../stats';
import type { WanRig } from './labRig';

export interface WanPath {
  rttMs: number;
  /** 0–1, on every leg. */
  loss: number;
}

export const WAN_PATHS: readonly WanPath[] = [
  { rttMs: 0, loss: 0 },
  { rttMs: 50, loss: 0 },
  { rttMs: 150, loss: 0 },
  { rttMs: 150, loss: 0.03 },
];

export interface WanCondition extends WanPath {
  calls: number;
  parleyRing: CallSetupSide;
  parleyInstant: CallSetupSide;
  naive: CallSetupSide;
  floor: CallSetupSide;
  /** Parley (ring) / naive, Parley (instant accept) / naive, floor / naive: p50 and p90 of "both sides". */
  ringRatio: { p50: number; p90: number };
  instantRatio: { p50: number; p90: number };
  floorRatio: { p50: number; p90: number };
  /** Frames the bridge dropped (loss) and forwarded during this path's calls. */
  bridge: { forwarded: number; dropped: number };
  /** Calls whose callee connection was already up at Accept, of the ringing Parley calls. */
  preconnectedRing: number;
  preconnectedInstant: number;
}

export interface WanResults {
  ringMs: number;
  conditions: WanCondition[];
  /** Paths that could not be measured, and why: no row is made up for them. */
  failed: { path: WanPath; error: string }[];
}

export interface WanBenchOptions {
  rig: WanRig;
  calls: number;
  ringMs: number;
  paths?: readonly WanPath[];
  log(line: string): void;
}

const ratios = (a: CallSetupSide, b: CallSetupSide): { p50: number; p90: number } => ({
  p50: ratio(a.both.p50, b.both.p50),
  p90: ratio(a.both.p90, b.both.p90),
});

export const pathName = (p: WanPath): string => `RTT ${p.rttMs} ms${p.loss > 0 ? `, ${(p.loss * 100).toFixed(0)}% loss` : ''}`;

export async function runWanBench(options: WanBenchOptions): Promise<WanResults> {
  const { rig, calls, ringMs, log } = options;
  const caller: Browser = rig.caller;
  const callee: Browser = rig.callee;
  await rig.setPath(0, 0);
  const parley = await parleyPair(caller, rig.parleyUrl, callee);
  const reference = await referencePair(caller, { url: rig.relayUrl }, callee);
  const naiveUrl = `${rig.relayUrl}/`;
  const floorUrl = `${rig.relayUrl}/preconnected`;
  const conditions: WanCondition[] = [];
  const failed: WanResults['failed'] = [];
  try {
    for (const path of options.paths ?? WAN_PATHS) {
      log(`-- ${pathName(path)} --`);
      try {
        await rig.setPath(path.rttMs, path.loss);
        const before = await rig.lab.bridgeStats();
        const samples: Record<'ring' | 'instant' | 'naive' | 'floor', CallSample[]> = { ring: [], instant: [], naive: [], floor: [] };
        // One untimed call of each: the first on a new path pays for the path's own warm-up.
        await parleyCall(parley, ringMs);
        await referenceCall(reference, naiveUrl, ringMs);
        await parleyCall(parley, 0);
        await referenceCall(reference, floorUrl, ringMs);
        for (let i = 0; i < calls; i++) {
          const r = await parleyCall(parley, ringMs);
          const n = await referenceCall(reference, naiveUrl, ringMs);
          const q = await parleyCall(parley, 0);
          const f = await referenceCall(reference, floorUrl, ringMs);
          samples.ring.push(r);
          samples.naive.push(n);
          samples.instant.push(q);
          samples.floor.push(f);
          log(
            `${pathName(path)} call ${String(i + 1).padStart(2)}/${calls}: Parley ring ${r.both.toFixed(0)} ms${r.preconnected ? '' : ' (not connected at Accept)'}, ` +
              `naive ${n.both.toFixed(0)} ms, Parley instant ${q.both.toFixed(0)} ms, floor ${f.both.toFixed(0)} ms`,
          );
          // Where an instant accept's time goes: each side's peer connection steps around Accept.
          if (process.env.PARLEY_BENCH_STEPS === '1') {
            for (const [what, sample] of [['Parley instant', q], ['naive', n], ['Parley ring', r]] as const) {
              log(`  ${what} caller: ${sample.steps?.caller ?? '-'}`);
              log(`  ${what} callee: ${sample.steps?.callee ?? '-'}`);
            }
          }
        }
        const after = await rig.lab.bridgeStats();
        const s = { ring: side(samples.ring), instant: side(samples.instant), naive: side(samples.naive), floor: side(samples.floor) };
        conditions.push({
          ...path,
          calls,
          parleyRing: s.ring,
          parleyInstant: s.instant,
          naive: s.naive,
          floor: s.floor,
          ringRatio: ratios(s.ring, s.naive),
          instantRatio: ratios(s.instant, s.naive),
          floorRatio: ratios(s.floor, s.naive),
          bridge: { forwarded: after.forwarded - before.forwarded, dropped: after.dropped - before.dropped },
          preconnectedRing: samples.ring.filter((x) => x.preconnected).length,
          preconnectedInstant: samples.instant.filter((x) => x.preconnected).length,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${pathName(path)}: FAILED, no row for it: ${message}`);
        failed.push({ path, error: message });
      }
    }
  } finally {
    await parley.close();
    await reference.close();
  }
  return { ringMs, conditions, failed };
}
