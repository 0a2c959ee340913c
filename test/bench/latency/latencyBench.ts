/**
 * Issue 15 item 3: glass-to-glass latency through Parley's real call path. Two
 * Parley pages (real UI, real server) whose camera and microphone are the
 * synthetic ones of pageScript.ts become contacts, one calls, the other accepts
 * after a 2 s ring, and once video flows both ways (plus a warm-up, for the
 * encoder's bitrate to ramp up) both pages record for `seconds`:
 *   video: capture (the time drawn in the frame) → display (the receiver's
 *          requestVideoFrameCallback expectedDisplayTime), every frame read;
 *   audio: capture (click onset on the sending graph) → playout (its onset in the
 *          remote track's WebAudio output at the receiver).
 * Both directions are pooled. Runs on loopback (one Chromium, two contexts) and on
 * the lab WAN (labRig.ts: caller in "a", callee in "b", server in "c").
 *
 * The yardstick (runYardstickLatency): the same synthetic devices and the same
 * readers in the naive reference page (reference/index.html over the bare
 * socket.io relay, as the call-setup bench drives it): a bare RTCPeerConnection
 * call, no app around it, on the same path, taking turns with Parley's runs. What
 * it measures is Chromium's own pipeline (encoder, jitter buffer, NetEq, the
 * WebAudio tap); Parley's time minus it is Parley's share.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { befriend, firstRun, waitUntil } from '../browser';
import { acceptButton, endedHeadline, hangUpButton, referenceSocketId, videoCallButton } from '../callSetup';
import { percentile } from '../stats';
import { CLICK_PERIOD_MS, latencyPageScript, type LatencyRecord, type ReceiverCounters } from './pageScript';
import { matchClicks } from './signals';
import { visible } from '../../e2e/harness';

export const LATENCY_CHROMIUM_ARGS = ['--autoplay-policy=no-user-gesture-required'];

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  /** Raw samples, ms. */
  samples: number[];
}

/** Which page made the call: Parley's real UI, or the bare-RTCPeerConnection yardstick. */
export type LatencyPage = 'Parley' | 'bare page';

export interface LatencyRun {
  label: string;
  /** Absent in runs recorded before the yardstick existed: Parley. */
  page?: LatencyPage;
  /** The path's one-way delay (RTT / 2); 0 on loopback. */
  oneWayMs: number;
  seconds: number;
  video: LatencyStats & { undecodable: number };
  audio: LatencyStats & { clicksSent: number; clicksReceived: number; unmatched: number };
  /** Each receiver's own account of its jitter buffer and codec (getStats) over the recording, caller's then callee's. */
  receivers?: ReceiverStats[];
  /**
   * Audio per direction, named by the receiving side: capture → playout p50 and the
   * receiver's audio jitter-buffer delay (NetEq) over the same recording; their
   * difference is the rest of the pipeline (capture, Opus framing, network, decode,
   * the WebAudio tap), which does not grow with the jitter buffer.
   */
  audioByReceiver?: { receiver: 'caller' | 'callee'; n: number; p50: number; jitterBufferMs: number | null; aliased?: boolean }[];
  problems: string[];
}

export interface LatencyOptions {
  label: string;
  oneWayMs: number;
  caller: Browser;
  callee: Browser;
  parleyUrl: string;
  seconds: number;
  log(line: string): void;
  /**
   * Run on both pages (caller, callee) once video flows both ways, before the
   * warm-up and the recording: for experiments that change one thing in a page (e.g. unmute the
   * yardstick's <video>) to see what it costs. The bench itself sets none.
   */
  tweak?: (caller: Page, callee: Page) => Promise<void>;
}

export interface YardstickLatencyOptions extends Omit<LatencyOptions, 'parleyUrl'> {
  /** The bare relay serving reference/index.html at "/". */
  relayUrl: string;
}

export interface ReceiverStats {
  kind: string;
  /** Mean jitter-buffer delay of the samples emitted while recording, ms (null: none emitted). */
  jitterBufferMs: number | null;
  /** Mean jitter-buffer target delay over the same samples, ms. */
  targetMs: number | null;
  codec: string | null;
}

/** Each receiver's jitter buffer between two getStats snapshots of one page (before and after the recording). */
export function receiverWindow(before: readonly ReceiverCounters[], after: readonly ReceiverCounters[]): ReceiverStats[] {
  return after.map((a) => {
    const b = before.find((x) => x.id === a.id);
    const emitted = a.emitted - (b?.emitted ?? 0);
    const per = (now: number, then: number): number | null => (emitted > 0 ? ((now - then) / emitted) * 1000 : null);
    return { kind: a.kind, jitterBufferMs: per(a.delaySeconds, b?.delaySeconds ?? 0), targetMs: per(a.targetSeconds, b?.targetSeconds ?? 0), codec: a.codec };
  });
}

/**
 * A click is paired with the last one sent before it, so a delay longer than the
 * click period reads as one period less. The receiver's own jitter buffer tells:
 * the delay cannot be shorter than the audio waiting in it. True when the clicks'
 * p50 is under that buffer by more than a margin (the two are means over slightly
 * different spans).
 */
export function aliasedClicks(p50: number, jitterBufferMs: number | null, marginMs = 50): boolean {
  return jitterBufferMs !== null && Number.isFinite(p50) && p50 < jitterBufferMs - marginMs;
}

export function latencyStats(samples: number[]): LatencyStats {
  return { n: samples.length, p50: percentile(samples, 50), p95: percentile(samples, 95), samples };
}

async function openLatencyPage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  await context.addInitScript({ content: latencyPageScript() });
  return { context, page: await context.newPage() };
}

const readRecord = (page: Page): Promise<LatencyRecord> =>
  page.evaluate(() => {
    const l = window.__latency;
    if (!l) throw new Error('the latency page script is not installed in this page');
    return JSON.parse(JSON.stringify(l.record)) as LatencyRecord;
  });

export async function runLatencyBench(options: LatencyOptions): Promise<LatencyRun> {
  const { parleyUrl } = options;
  const a = await openLatencyPage(options.caller, parleyUrl);
  const b = await openLatencyPage(options.callee, parleyUrl);
  try {
    await firstRun(a.page, parleyUrl, 'Caller');
    await firstRun(b.page, parleyUrl, 'Callee');
    await befriend({ page: a.page, name: 'Caller' }, { page: b.page, name: 'Callee' });
    await videoCallButton(a.page, 'Callee').click();
    await visible(acceptButton(b.page));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await acceptButton(b.page).click();
    return await recordCall(options, 'Parley', a.page, b.page, async () => {
      await hangUpButton(a.page).click({ timeout: 10_000 });
      await Promise.all([visible(endedHeadline(a.page)), visible(endedHeadline(b.page))]);
    });
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

/** The yardstick: the same recording in the naive reference page's bare RTCPeerConnection call. */
export async function runYardstickLatency(options: YardstickLatencyOptions): Promise<LatencyRun> {
  const url = `${options.relayUrl.replace(/\/$/, '')}/`;
  const a = await openLatencyPage(options.caller, options.relayUrl);
  const b = await openLatencyPage(options.callee, options.relayUrl);
  try {
    await Promise.all([a.page.goto(url), b.page.goto(url)]);
    const calleeId = await referenceSocketId(b.page);
    await referenceSocketId(a.page);
    await a.page.evaluate((to) => window.reference?.call(to), calleeId);
    const accept = b.page.getByRole('button', { name: 'Accept', exact: true });
    await visible(accept);
    await accept.click();
    return await recordCall(options, 'bare page', a.page, b.page, async () => {
      // The reference page has no hang-up: leaving ends the call.
      await Promise.all([a.page.goto('about:blank'), b.page.goto('about:blank')]);
    });
  } finally {
    await a.context.close();
    await b.context.close();
  }
}

/** Once the call is accepted: waits for video both ways, warms up, records, hangs up, pairs the samples. */
async function recordCall(
  options: Pick<LatencyOptions, 'label' | 'oneWayMs' | 'seconds' | 'log' | 'tweak'>,
  kind: LatencyPage,
  caller: Page,
  callee: Page,
  hangUp: () => Promise<void>,
): Promise<LatencyRun> {
  const { log } = options;
  const what = options.label === kind ? kind : `${options.label}, ${kind}`;
  const pages = [caller, callee];
  // Video both ways, decoded: the call is up.
  await Promise.all(pages.map((page) => page.evaluate(() => window.__latency?.start())));
  for (const [page, who] of [
    [caller, 'the caller'],
    [callee, 'the callee'],
  ] as const) {
    await waitUntil(`${what}: ${who} reads a frame's capture time`, () => readRecord(page), (r) => r.video.length > 0, 60_000);
  }
  await options.tweak?.(caller, callee);
  // Warm-up: the encoder starts at a low bitrate and ramps up over seconds.
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  const receiverProblems: string[] = [];
  const counters = (): Promise<ReceiverCounters[][]> =>
    Promise.all(
      pages.map((page, i) =>
        page.evaluate(() => window.__latency?.receivers() ?? []).catch((error: unknown) => {
          receiverProblems.push(`${i === 0 ? 'caller' : 'callee'}: reading getStats failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
          return [];
        }),
      ),
    );
  const before = await counters();
  await Promise.all(pages.map((page) => page.evaluate(() => window.__latency?.start())));
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  await Promise.all(pages.map((page) => page.evaluate(() => window.__latency?.stop())));
  const after = await counters();
  const [ra, rb] = await Promise.all([readRecord(caller), readRecord(callee)]);
  const receivers = after.flatMap((now, i) => receiverWindow(before[i] ?? [], now));
  // The samples are in: a hang-up that fails (the call already gone under load) is told, not fatal.
  const hangUpProblem = await (async (): Promise<string | null> => {
    try {
      await hangUp();
      return null;
    } catch (error) {
      return `hanging up after the recording failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  })();

  const video = [...ra.video, ...rb.video].map((v) => v.shown - v.sent);
  const maxMs = CLICK_PERIOD_MS - 50;
  const toCaller = matchClicks(rb.clicksSent, ra.clicksReceived, maxMs);
  const toCallee = matchClicks(ra.clicksSent, rb.clicksReceived, maxMs);
  const audioBuffer = (i: number): number | null => {
    const own = receiverWindow(before[i] ?? [], after[i] ?? []).filter((x) => x.kind === 'audio' && x.jitterBufferMs !== null);
    return own.length === 1 ? (own[0]?.jitterBufferMs ?? null) : null;
  };
  const audioByReceiver = [
    { receiver: 'caller' as const, n: toCaller.length, p50: percentile(toCaller, 50), jitterBufferMs: audioBuffer(0) },
    { receiver: 'callee' as const, n: toCallee.length, p50: percentile(toCallee, 50), jitterBufferMs: audioBuffer(1) },
  ].map((d) => ({ ...d, aliased: aliasedClicks(d.p50, d.jitterBufferMs) }));
  const aliasProblems = audioByReceiver
    .filter((d) => d.aliased)
    .map(
      (d) =>
        `audio to the ${d.receiver} left out: its jitter buffer alone held ${(d.jitterBufferMs as number).toFixed(0)} ms but its clicks measured ${d.p50.toFixed(0)} ms, ` +
        `so the delay exceeded the click period (${CLICK_PERIOD_MS} ms) and each click was paired with a later one`,
    );
  const audio = [...(audioByReceiver[0]?.aliased ? [] : toCaller), ...(audioByReceiver[1]?.aliased ? [] : toCallee)];
  const received = ra.clicksReceived.length + rb.clicksReceived.length;
  const run: LatencyRun = {
    label: options.label,
    page: kind,
    oneWayMs: options.oneWayMs,
    seconds: options.seconds,
    video: { ...latencyStats(video), undecodable: ra.undecodable + rb.undecodable },
    audio: { ...latencyStats(audio), clicksSent: ra.clicksSent.length + rb.clicksSent.length, clicksReceived: received, unmatched: received - audio.length },
    receivers,
    audioByReceiver,
    problems: [...ra.problems.map((p) => `caller: ${p}`), ...rb.problems.map((p) => `callee: ${p}`), ...receiverProblems, ...aliasProblems, ...(hangUpProblem ? [hangUpProblem] : [])],
  };
  const jitter = (kind: string): string =>
    receivers
      .filter((r) => r.kind === kind && r.jitterBufferMs !== null)
      .map((r) => `${(r.jitterBufferMs as number).toFixed(0)}`)
      .join('/');
  const rest = audioByReceiver
    .map((d) => `to the ${d.receiver} ${d.p50.toFixed(0)} − ${d.jitterBufferMs === null ? '?' : d.jitterBufferMs.toFixed(0)} = ${d.jitterBufferMs === null ? '?' : (d.p50 - d.jitterBufferMs).toFixed(0)}`)
    .join(', ');
  log(
    `${what}: video p50 ${run.video.p50.toFixed(0)} ms, p95 ${run.video.p95.toFixed(0)} ms (${run.video.n} frames, ${run.video.undecodable} undecodable); ` +
      `audio p50 ${run.audio.p50.toFixed(0)} ms, p95 ${run.audio.p95.toFixed(0)} ms (${run.audio.n} of ${run.audio.clicksSent} clicks); ` +
      `jitter buffers, mean ms: audio ${jitter('audio') || '?'}, video ${jitter('video') || '?'}; audio p50 − its jitter buffer: ${rest}`,
  );
  if (run.video.n === 0 || run.audio.n === 0) {
    throw new Error(`${what}: no ${run.video.n === 0 ? 'video frame' : 'click'} was read at a receiver (${JSON.stringify({ ...run, video: { ...run.video, samples: [] }, audio: { ...run.audio, samples: [] } })})`);
  }
  return run;
}

export interface LatencyComparison {
  label: string;
  oneWayMs: number;
  /** Runs pooled per page (every run of a page on this path). */
  parley: PooledLatency | null;
  yardstick: PooledLatency | null;
}

export interface PooledLatency {
  runs: number;
  video: LatencyStats;
  audio: LatencyStats;
  /** Per run and direction (with clicks and a jitter buffer read): audio p50 − the receiver's jitter buffer, ms. */
  audioBeyondJitterBuffer: LatencyStats;
  /** Per run and direction: the receiver's audio jitter-buffer delay, ms. */
  audioJitterBuffer: LatencyStats;
}

/** Parley's runs and the yardstick's on each path, samples pooled per page, paths in the order first run. */
export function compareLatency(runs: readonly LatencyRun[]): LatencyComparison[] {
  const labels = [...new Set(runs.map((r) => r.label))];
  return labels.map((label) => {
    const on = runs.filter((r) => r.label === label);
    const pool = (page: LatencyPage): LatencyComparison['parley'] => {
      const mine = on.filter((r) => (r.page ?? 'Parley') === page);
      if (mine.length === 0) return null;
      const directions = mine.flatMap((r) => r.audioByReceiver ?? []).filter((d) => d.n > 0 && d.jitterBufferMs !== null && d.aliased !== true);
      return {
        runs: mine.length,
        video: latencyStats(mine.flatMap((r) => r.video.samples)),
        audio: latencyStats(mine.flatMap((r) => r.audio.samples)),
        audioBeyondJitterBuffer: latencyStats(directions.map((d) => d.p50 - (d.jitterBufferMs as number))),
        audioJitterBuffer: latencyStats(directions.map((d) => d.jitterBufferMs as number)),
      };
    };
    return { label, oneWayMs: on[0]?.oneWayMs ?? 0, parley: pool('Parley'), yardstick: pool('bare page') };
  });
}
