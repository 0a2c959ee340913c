/**
 * Issue 15's targets for call setup on the WAN, on loopback against the floor
 * page, and for glass-to-glass latency, judged MET or MISSED. Pure: the numbers
 * come in, verdicts come out; nothing fails on a missed target.
 */
import type { LatencyRun } from './latency/latencyBench';
import type { WanCondition, WanResults } from './wan/wanBench';

export interface Verdict {
  target: string;
  measured: string;
  met: boolean;
}

export const ISSUE15_TARGETS = {
  /** Parley (2 s ring) / naive page, p50, at 150 ms RTT. */
  ringRatioAt150: 0.35,
  /** ... at 50 ms RTT. */
  ringRatioAt50: 0.5,
  /** Parley (instant accept) / naive page, p50, on every path. */
  instantRatio: 1.0,
  /** Parley / pre-connected floor page, p50, on loopback. */
  loopbackFloorRatio: 1.1,
  /** Glass-to-glass p50 ≤ one-way delay + this. */
  audioExtraMs: 80,
  videoExtraMs: 120,
} as const;

export const mark = (met: boolean): string => (met ? 'MET' : 'MISSED');

const fixed = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '—');
const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '—');

/** A ratio target: met only by a measured (finite) ratio at or under the limit. */
export function ratioVerdict(target: string, measured: number, limit: number): Verdict {
  return { target: `${target} ≤ ${limit}×`, measured: `${fixed(measured)}×`, met: Number.isFinite(measured) && measured <= limit };
}

export function pathLabel(c: { rttMs: number; loss: number }): string {
  return `RTT ${c.rttMs} ms${c.loss > 0 ? ` + ${(c.loss * 100).toFixed(0)}% loss` : ''}`;
}

/** The 2 s ring target of a path, if it has one (50 ms: 0.5×; 150 ms, with or without loss: 0.35×). */
export function ringLimit(c: { rttMs: number }): number | null {
  if (c.rttMs === 150) return ISSUE15_TARGETS.ringRatioAt150;
  if (c.rttMs === 50) return ISSUE15_TARGETS.ringRatioAt50;
  return null;
}

export function wanVerdicts(w: WanResults): Verdict[] {
  const out: Verdict[] = [];
  const byPath = (c: WanCondition): string => `WAN ${pathLabel(c)}`;
  for (const c of w.conditions) {
    const limit = ringLimit(c);
    if (limit !== null) out.push(ratioVerdict(`${byPath(c)}: Parley (${w.ringMs / 1000} s ring)/naive p50`, c.ringRatio.p50, limit));
    out.push(ratioVerdict(`${byPath(c)}: Parley (instant accept)/naive p50`, c.instantRatio.p50, ISSUE15_TARGETS.instantRatio));
  }
  for (const f of w.failed) out.push({ target: `WAN ${pathLabel(f.path)}`, measured: `not measured: ${f.error.split('\n')[0]}`, met: false });
  return out;
}

export function loopbackFloorVerdict(parleyP50: number, floorP50: number): Verdict {
  const r = Number.isFinite(parleyP50) && Number.isFinite(floorP50) && floorP50 > 0 ? parleyP50 / floorP50 : Number.NaN;
  return ratioVerdict('loopback call setup: Parley/pre-connected floor p50', r, ISSUE15_TARGETS.loopbackFloorRatio);
}

export function latencyVerdicts(runs: readonly LatencyRun[]): Verdict[] {
  const out: Verdict[] = [];
  // The targets are Parley's; the bare-page yardstick's runs are compared in the report, not judged.
  for (const r of runs.filter((run) => (run.page ?? 'Parley') === 'Parley')) {
    const audioLimit = r.oneWayMs + ISSUE15_TARGETS.audioExtraMs;
    const videoLimit = r.oneWayMs + ISSUE15_TARGETS.videoExtraMs;
    out.push({
      target: `${r.label}: audio capture → playout p50 ≤ ${ms(audioLimit)} (one way + ${ISSUE15_TARGETS.audioExtraMs})`,
      measured: `${ms(r.audio.p50)} (p95 ${ms(r.audio.p95)}, ${r.audio.n} clicks)`,
      met: r.audio.n > 0 && r.audio.p50 <= audioLimit,
    });
    out.push({
      target: `${r.label}: video capture → display p50 ≤ ${ms(videoLimit)} (one way + ${ISSUE15_TARGETS.videoExtraMs})`,
      measured: `${ms(r.video.p50)} (p95 ${ms(r.video.p95)}, ${r.video.n} frames)`,
      met: r.video.n > 0 && r.video.p50 <= videoLimit,
    });
  }
  return out;
}
