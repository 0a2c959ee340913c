/**
 * The benchmark's output: a table on stdout, bench-results/latest.json with every
 * number, and bench-results/latest.md, the short table the README carries.
 * Targets are judged here and nowhere else; nothing fails on a missed target.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CallSetupResults } from './callSetup';
import { formatTrace, type TraceStep } from './callTrace';
import { formatCompositorLoad, type CompositorLoad } from './compositorLoad';
import type { ClientWeightResults } from './clientWeight';
import type { BusyProcess, Machine } from './machine';
import type { SignalingResults } from './signaling/signalingBench';
import { ratio } from './stats';
import { latencyVerdicts, loopbackFloorVerdict, mark, pathLabel, wanVerdicts, type Verdict } from './targets';
import { compareLatency, type LatencyRun } from './latency/latencyBench';
import type { WanResults } from './wan/wanBench';

export type { Verdict };

export const TARGETS = {
  callSetupRatio: 0.25,
  heapPerClientRatio: 0.6,
  p99Ratio: 1.0,
  initialGzipBytes: 200_000,
  totalMinutes: 10,
} as const;

export interface BenchResults {
  startedAt: string;
  durationSeconds: number;
  /** Wall time of each benchmark (the builds are the rest). */
  sectionSeconds: Record<string, number>;
  machine: Machine;
  load: { mean: number; max: number; samples: number };
  busyAtStart: BusyProcess[];
  callSetup: CallSetupResults | null;
  signaling: SignalingResults | null;
  clientWeight: ClientWeightResults | null;
  /** Call setup on the lab WAN (issue 15 item 1); null when not run. */
  wan: WanResults | null;
  /** Glass-to-glass latency runs (issue 15 item 3); null when not run. */
  latency: LatencyRun[] | null;
  /** Where the time after Accept goes (--only trace); null when not run. */
  callTrace: TraceStep[] | null;
  /** Browser threads while a call rings and runs (--only compositor); absent when not run. */
  compositor?: CompositorLoad | null;
  errors: string[];
}

const fixed = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const ms = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : '—');
const usMs = (us: number): string => (Number.isFinite(us) ? `${(us / 1000).toFixed(2)} ms` : '—');
const kib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : '—');
const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;
const count = (n: number): string => n.toLocaleString('en-US');

export function verdicts(r: BenchResults): Verdict[] {
  const out: Verdict[] = [];
  if (r.callSetup) {
    const { p50Ratio, p90Ratio } = r.callSetup;
    out.push({
      target: `call setup Parley/reference ≤ ${TARGETS.callSetupRatio} (p50 and p90)`,
      measured: `p50 ${fixed(p50Ratio)}, p90 ${fixed(p90Ratio)}`,
      met: p50Ratio <= TARGETS.callSetupRatio && p90Ratio <= TARGETS.callSetupRatio,
    });
    out.push(loopbackFloorVerdict(r.callSetup.parley.both.p50, r.callSetup.floor.both.p50));
  }
  if (r.wan) out.push(...wanVerdicts(r.wan));
  if (r.latency) out.push(...latencyVerdicts(r.latency));
  if (r.signaling) {
    for (const s of r.signaling.sizes) {
      out.push({
        target: `${count(s.clients)} clients: heap per client ≤ ${TARGETS.heapPerClientRatio}× bare`,
        measured: `${fixed(s.heapPerClientRatio)}×`,
        met: s.heapPerClientRatio <= TARGETS.heapPerClientRatio,
      });
      out.push({
        target: `${count(s.clients)} clients: relay p99 ≤ ${TARGETS.p99Ratio}× bare`,
        measured: `${fixed(s.p99Ratio)}×`,
        met: s.p99Ratio <= TARGETS.p99Ratio,
      });
    }
  }
  if (r.clientWeight) {
    out.push({
      target: `initial JavaScript ≤ ${kB(TARGETS.initialGzipBytes)} gzipped`,
      measured: kB(r.clientWeight.initialGzipBytes),
      met: r.clientWeight.initialGzipBytes <= TARGETS.initialGzipBytes,
    });
  }
  // Only a full run says anything about the whole run's time.
  if (r.callSetup && r.signaling && r.clientWeight) out.push({
    target: `npm run bench under ${TARGETS.totalMinutes} minutes`,
    measured: `${(r.durationSeconds / 60).toFixed(1)} min`,
    met: r.durationSeconds < TARGETS.totalMinutes * 60,
  });
  return out;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '));
}

export function machineLine(r: BenchResults): string {
  const m = r.machine;
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, Chromium ${m.chromium ?? '?'}`;
}

export function formatText(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`Parley benchmarks, ${r.startedAt} (${(r.durationSeconds / 60).toFixed(1)} min)`);
  lines.push(`machine: ${machineLine(r)}`);
  lines.push(`load average during the run: mean ${r.load.mean}, max ${r.load.max} (on ${r.machine.cores} cores)`);
  const sections = Object.entries(r.sectionSeconds).map(([name, s]) => `${name} ${s.toFixed(0)} s`);
  if (sections.length > 0) lines.push(`time taken: ${sections.join(', ')}`);
  if (r.busyAtStart.length > 0) {
    lines.push('busiest other processes at the start:');
    for (const p of r.busyAtStart) lines.push(`  ${p.cpuPercent.toFixed(1).padStart(5)}%  ${p.command}`);
  }

  if (r.callSetup) {
    const c = r.callSetup;
    lines.push('', `1. Call setup: callee clicks Accept → first remote video frame on both sides (${c.calls} calls each, taking turns, ${c.ringMs} ms of ringing)`);
    const pre = c.parley.samples.filter((s) => s.preconnected).length;
    lines.push(
      ...table([
        ['', 'p50', 'p90', 'caller p50', 'callee p50'],
        ['Parley', ms(c.parley.both.p50), ms(c.parley.both.p90), ms(c.parley.caller.p50), ms(c.parley.callee.p50)],
        ['reference (naive)', ms(c.reference.both.p50), ms(c.reference.both.p90), ms(c.reference.caller.p50), ms(c.reference.callee.p50)],
        ['pre-connected floor', ms(c.floor.both.p50), ms(c.floor.both.p90), ms(c.floor.caller.p50), ms(c.floor.callee.p50)],
        [`Parley/reference (target ≤ ${TARGETS.callSetupRatio})`, fixed(c.p50Ratio), fixed(c.p90Ratio), '', ''],
        ['floor/reference', fixed(c.floorP50Ratio), fixed(ratio(c.floor.both.p90, c.reference.both.p90)), '', ''],
      ]),
      `Parley's connection was already up at Accept in ${pre} of ${c.calls} calls.`,
    );
  }

  if (r.signaling) {
    const s = r.signaling.settings;
    lines.push(
      '',
      `2. Signaling: ${s.pairs} calls relaying ${count(s.rate)} signals/s in ${s.windowMs} ms windows alternating between the servers ` +
        `(${s.windowsPerServer} windows each); idle users have ${s.devicesPerUser} devices; every user has ${s.contactsPerUser} mutual contacts; ` +
        `clients in ${s.relayProcesses}+${s.idleProcesses} processes`,
    );
    const rows = [['clients', 'server', 'connect', 'heap/client', 'RSS/client', 'relay p50', 'relay p99', 'server GC max']];
    for (const size of r.signaling.sizes) {
      for (const run of [size.parley, size.bare]) {
        rows.push([
          count(size.clients),
          run.kind,
          `${(run.connectMs / 1000).toFixed(1)} s`,
          kib(run.heapPerClientBytes),
          kib(run.rssPerClientBytes),
          usMs(run.latencyUs?.p50 ?? Number.NaN),
          usMs(run.latencyUs?.p99 ?? Number.NaN),
          run.serverDuringRelay ? ms(run.serverDuringRelay.gcPauseMaxMs) : '—',
        ]);
      }
      rows.push(['', 'Parley/bare', '', `${fixed(size.heapPerClientRatio)}×`, `${fixed(size.rssPerClientRatio)}×`, `${fixed(size.p50Ratio)}×`, `${fixed(size.p99Ratio)}×`, '']);
    }
    lines.push(...table(rows));
    lines.push(`targets: heap per client ≤ ${TARGETS.heapPerClientRatio}× bare, relay p99 ≤ ${TARGETS.p99Ratio}× bare`);
    for (const size of r.signaling.sizes) {
      for (const run of [size.parley, size.bare]) {
        const issues = [
          run.connected < run.clients ? `${run.clients - run.connected} clients did not connect` : '',
          run.signalsLost > 0 ? `${run.signalsLost} signals lost` : '',
          run.signalsRefused > 0 ? `${run.signalsRefused} signals refused` : '',
          run.firstProblem ? `first problem: ${run.firstProblem}` : '',
        ].filter(Boolean);
        if (issues.length > 0) lines.push(`note: ${run.kind} at ${count(size.clients)}: ${issues.join('; ')}`);
      }
    }
    const f = r.signaling.fanout;
    if (f) {
      lines.push(
        `presence fan-out, ${count(f.users)} distinct users (${s.contactsPerUser} mutual contacts each) connecting: Parley ${(f.parley.connectMs / 1000).toFixed(1)} s, bare ${(f.bare.connectMs / 1000).toFixed(1)} s ` +
          `(${fixed(f.connectRatio)}×); heap per client Parley ${kib(f.parley.heapPerClientBytes)}, bare ${kib(f.bare.heapPerClientBytes)} (${fixed(f.heapPerClientRatio)}×)`,
      );
    }
  }

  if (r.clientWeight) {
    const w = r.clientWeight;
    lines.push('', '3. Client weight');
    lines.push(`initial JavaScript: ${kB(w.initialGzipBytes)} gzipped (${kB(w.initialBytes)} raw) in ${w.initialScripts.length} file(s); target ≤ ${kB(TARGETS.initialGzipBytes)}`);
    if (w.lazyScripts.length > 0) lines.push(`lazy chunks (not counted): ${w.lazyScripts.map((s) => `${s.file} ${kB(s.gzipBytes)}`).join(', ')}`);
    lines.push(`navigation → contact list usable: p50 ${ms(w.contactListMs.p50)}, p90 ${ms(w.contactListMs.p90)} (${w.loads} loads)`);
    lines.push(`navigation → first-run form usable: p50 ${ms(w.firstRunMs.p50)}, p90 ${ms(w.firstRunMs.p90)} (${w.loads} first visits)`);
  }

  if (r.wan) {
    const w = r.wan;
    lines.push('', `5. Call setup on the lab WAN: caller, callee and server in three namespaces, every leg RTT/2; Accept → first remote frame on both sides; turns: Parley (${w.ringMs} ms ring), naive, Parley (instant accept), floor`);
    const rows = [['path', 'calls', 'Parley ring p50/p90', 'naive p50/p90', 'Parley instant p50/p90', 'floor p50/p90', 'ring/naive', 'instant/naive', 'floor/naive']];
    const pp = (x: { both: { p50: number; p90: number } }): string => `${ms(x.both.p50)} / ${ms(x.both.p90)}`;
    for (const c of w.conditions) {
      rows.push([pathLabel(c), String(c.calls), pp(c.parleyRing), pp(c.naive), pp(c.parleyInstant), pp(c.floor), fixed(c.ringRatio.p50), fixed(c.instantRatio.p50), fixed(c.floorRatio.p50)]);
    }
    lines.push(...table(rows));
    for (const c of w.conditions) {
      lines.push(`${pathLabel(c)}: Parley connected at Accept in ${c.preconnectedRing}/${c.calls} ringing and ${c.preconnectedInstant}/${c.calls} instant calls; bridge dropped ${count(c.bridge.dropped)} of ${count(c.bridge.forwarded + c.bridge.dropped)} frames`);
    }
    for (const f of w.failed) lines.push(`${pathLabel(f.path)}: NOT MEASURED: ${f.error}`);
  }

  if (r.latency) {
    lines.push('', '6. Glass-to-glass latency through Parley\'s call path and the bare-page yardstick (synthetic camera and microphone injected as getUserMedia), both directions pooled, in the order run');
    const rows = [['path', 'page', 'video p50', 'video p95', 'frames', 'audio p50', 'audio p95', 'clicks', 'audio jitter buffer (getStats)']];
    for (const l of r.latency) {
      const buffers = (l.receivers ?? []).filter((x) => x.kind === 'audio' && x.jitterBufferMs !== null).map((x) => ms(x.jitterBufferMs as number));
      rows.push([l.label, l.page ?? 'Parley', ms(l.video.p50), ms(l.video.p95), `${l.video.n} (+${l.video.undecodable} unreadable)`, ms(l.audio.p50), ms(l.audio.p95), `${l.audio.n} of ${l.audio.clicksSent} sent`, buffers.join(' / ')]);
    }
    lines.push(...table(rows));
    for (const l of r.latency) if (l.problems.length > 0) lines.push(`${l.label}, ${l.page ?? 'Parley'}: ${l.problems.join('; ')}`);
    lines.push('', 'Parley against the yardstick, runs pooled: p50 (p95), n; Parley − yardstick p50');
    const cmp = [['path', 'video Parley', 'video bare page', 'Δ p50', 'audio Parley', 'audio bare page', 'Δ p50']];
    const cell = (s: { p50: number; p95: number; n: number } | undefined): string => (s ? `${ms(s.p50)} (${ms(s.p95)}), ${s.n}` : 'not run');
    const delta = (a: { p50: number } | undefined, b: { p50: number } | undefined): string => (a && b ? ms(a.p50 - b.p50) : '');
    for (const c of compareLatency(r.latency)) {
      cmp.push([c.label, cell(c.parley?.video), cell(c.yardstick?.video), delta(c.parley?.video, c.yardstick?.video), cell(c.parley?.audio), cell(c.yardstick?.audio), delta(c.parley?.audio, c.yardstick?.audio)]);
    }
    lines.push(...table(cmp));
    lines.push('', 'Audio split per run and direction (median over them, n directions): the receiver\'s jitter buffer (NetEq, getStats) and the rest of the pipeline (audio p50 − that buffer)');
    const split = [['path', 'Parley jitter buffer', 'Parley rest', 'bare page jitter buffer', 'bare page rest']];
    const med = (x: { p50: number; n: number } | undefined): string => (x && x.n > 0 ? `${ms(x.p50)}, ${x.n}` : '');
    for (const c of compareLatency(r.latency)) {
      split.push([c.label, med(c.parley?.audioJitterBuffer), med(c.parley?.audioBeyondJitterBuffer), med(c.yardstick?.audioJitterBuffer), med(c.yardstick?.audioBeyondJitterBuffer)]);
    }
    lines.push(...table(split));
  }

  if (r.callTrace) lines.push('', ...formatTrace(r.callTrace));
  if (r.compositor) lines.push('', ...formatCompositorLoad(r.compositor));

  lines.push('', 'Targets');
  for (const v of verdicts(r)) lines.push(`  ${mark(v.met).padEnd(6)}  ${v.target}: ${v.measured}`);
  if (r.errors.length > 0) lines.push('', 'Errors', ...r.errors.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** The README's results table (markdown). */
export function formatMarkdown(r: BenchResults): string {
  const rows: string[] = ['| benchmark | Parley | reference | ratio (target) |', '|---|---|---|---|'];
  if (r.callSetup) {
    const c = r.callSetup;
    rows.push(`| call setup, Accept → first frame both sides, p50 | ${ms(c.parley.both.p50)} | ${ms(c.reference.both.p50)} naive page | ${fixed(c.p50Ratio)} (≤ ${TARGETS.callSetupRatio}) |`);
    rows.push(`| call setup, p90 | ${ms(c.parley.both.p90)} | ${ms(c.reference.both.p90)} | ${fixed(c.p90Ratio)} (≤ ${TARGETS.callSetupRatio}) |`);
    rows.push(`| call setup, p50, pre-connected floor page | | ${ms(c.floor.both.p50)} | floor/reference ${fixed(c.floorP50Ratio)} |`);
  }
  if (r.signaling) {
    for (const s of r.signaling.sizes) {
      rows.push(`| ${count(s.clients)} clients: server heap per client | ${kib(s.parley.heapPerClientBytes)} | ${kib(s.bare.heapPerClientBytes)} bare socket.io | ${fixed(s.heapPerClientRatio)} (≤ ${TARGETS.heapPerClientRatio}) |`);
      rows.push(`| ${count(s.clients)} clients: relay p50 / p99 | ${usMs(s.parley.latencyUs?.p50 ?? Number.NaN)} / ${usMs(s.parley.latencyUs?.p99 ?? Number.NaN)} | ${usMs(s.bare.latencyUs?.p50 ?? Number.NaN)} / ${usMs(s.bare.latencyUs?.p99 ?? Number.NaN)} | p99 ${fixed(s.p99Ratio)} (≤ ${TARGETS.p99Ratio}) |`);
    }
    const f = r.signaling.fanout;
    if (f) {
      const seconds = (run: typeof f.parley): string => `${(run.connectMs / 1000).toFixed(1)} s`;
      rows.push(`| ${count(f.users)} distinct users connect (${r.signaling.settings.contactsPerUser} mutual contacts each) | ${seconds(f.parley)} | ${seconds(f.bare)} bare socket.io | ${fixed(f.connectRatio)} |`);
    }
  }
  if (r.clientWeight) {
    const w = r.clientWeight;
    rows.push(`| initial JavaScript, gzipped | ${kB(w.initialGzipBytes)} | | (≤ ${kB(TARGETS.initialGzipBytes)}) |`);
    rows.push(`| navigation → contact list usable, p50 | ${ms(w.contactListMs.p50)} | | |`);
  }
  if (r.wan) {
    for (const c of r.wan.conditions) {
      rows.push(`| WAN ${pathLabel(c)}: Accept → first frame both sides, p50, Parley ${r.wan.ringMs / 1000} s ring | ${ms(c.parleyRing.both.p50)} | ${ms(c.naive.both.p50)} naive page | ${fixed(c.ringRatio.p50)} |`);
      rows.push(`| WAN ${pathLabel(c)}: same, Parley accepted instantly | ${ms(c.parleyInstant.both.p50)} | ${ms(c.naive.both.p50)} | ${fixed(c.instantRatio.p50)} |`);
      rows.push(`| WAN ${pathLabel(c)}: same, pre-connected floor page | | ${ms(c.floor.both.p50)} | floor/naive ${fixed(c.floorRatio.p50)} |`);
    }
  }
  if (r.latency) {
    for (const c of compareLatency(r.latency)) {
      for (const kind of ['video', 'audio'] as const) {
        const p = c.parley?.[kind];
        const y = c.yardstick?.[kind];
        const what = kind === 'video' ? 'video capture → display' : 'audio capture → playout';
        const pair = (s: typeof p): string => (s ? `${ms(s.p50)} / ${ms(s.p95)} (n ${s.n})` : '');
        rows.push(`| glass-to-glass ${c.label}: ${what} p50 / p95 | ${pair(p)} | ${pair(y)} bare RTCPeerConnection page | ${p && y ? `p50 ${fixed(p.p50 / y.p50)}` : ''} |`);
      }
    }
  }
  const judged = verdicts(r).map((v) => `| ${v.target} | ${v.measured} | **${mark(v.met)}** |`);
  if (judged.length > 0) rows.push('', '| target | measured | |', '|---|---|---|', ...judged);
  return [
    rows.join('\n'),
    '',
    `Measured by \`npm run bench\` on ${machineLine(r)}; 1-minute load average ${r.load.mean} (max ${r.load.max}) on ${r.machine.cores} cores while it ran, whatever else ran on the machine included. Only the ratios are comparable between runs.`,
  ].join('\n');
}

export function writeResults(dir: string, r: BenchResults): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  writeFileSync(json, `${JSON.stringify({ ...r, verdicts: verdicts(r) }, null, 2)}\n`);
  writeFileSync(markdown, `${formatMarkdown(r)}\n`);
  return { json, markdown };
}
