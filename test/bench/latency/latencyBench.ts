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
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { befriend, firstRun, waitUntil } from '../browser';
import { acceptButton, endedHeadline, hangUpButton, videoCallButton } from '../callSetup';
import { percentile } from '../stats';
import { CLICK_PERIOD_MS, latencyPageScript, type LatencyRecord } from './pageScript';
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

export interface LatencyRun {
  label: string;
  /** The path's one-way delay (RTT / 2); 0 on loopback. */
  oneWayMs: number;
  seconds: number;
  video: LatencyStats & { undecodable: number };
  audio: LatencyStats & { clicksSent: number; clicksReceived: number; unmatched: number };
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
  const { parleyUrl, log } = options;
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
    // Video both ways, decoded: the call is up.
    await Promise.all([a.page, b.page].map((page) => page.evaluate(() => window.__latency?.start())));
    for (const [page, who] of [
      [a.page, 'the caller'],
      [b.page, 'the callee'],
    ] as const) {
      await waitUntil(`${options.label}: ${who} reads a frame's capture time`, () => readRecord(page), (r) => r.video.length > 0, 60_000);
    }
    // Warm-up: the encoder starts at a low bitrate and ramps up over seconds.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await Promise.all([a.page, b.page].map((page) => page.evaluate(() => window.__latency?.start())));
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    await Promise.all([a.page, b.page].map((page) => page.evaluate(() => window.__latency?.stop())));
    const [ra, rb] = await Promise.all([readRecord(a.page), readRecord(b.page)]);
    // The samples are in: a hang-up that fails (the call already gone under load) is told, not fatal.
    const hangUpProblem = await (async (): Promise<string | null> => {
      try {
        await hangUpButton(a.page).click({ timeout: 10_000 });
        await Promise.all([visible(endedHeadline(a.page)), visible(endedHeadline(b.page))]);
        return null;
      } catch (error) {
        return `hanging up after the recording failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
      }
    })();

    const video = [...ra.video, ...rb.video].map((v) => v.shown - v.sent);
    const maxMs = CLICK_PERIOD_MS - 50;
    const audio = [...matchClicks(rb.clicksSent, ra.clicksReceived, maxMs), ...matchClicks(ra.clicksSent, rb.clicksReceived, maxMs)];
    const received = ra.clicksReceived.length + rb.clicksReceived.length;
    const run: LatencyRun = {
      label: options.label,
      oneWayMs: options.oneWayMs,
      seconds: options.seconds,
      video: { ...latencyStats(video), undecodable: ra.undecodable + rb.undecodable },
      audio: { ...latencyStats(audio), clicksSent: ra.clicksSent.length + rb.clicksSent.length, clicksReceived: received, unmatched: received - audio.length },
      problems: [...ra.problems.map((p) => `caller: ${p}`), ...rb.problems.map((p) => `callee: ${p}`), ...(hangUpProblem ? [hangUpProblem] : [])],
    };
    log(
      `${options.label}: video p50 ${run.video.p50.toFixed(0)} ms, p95 ${run.video.p95.toFixed(0)} ms (${run.video.n} frames, ${run.video.undecodable} undecodable); ` +
        `audio p50 ${run.audio.p50.toFixed(0)} ms, p95 ${run.audio.p95.toFixed(0)} ms (${run.audio.n} of ${run.audio.clicksSent} clicks)`,
    );
    if (run.video.n === 0 || run.audio.n === 0) {
      throw new Error(`${options.label}: no ${run.video.n === 0 ? 'video frame' : 'click'} was read at a receiver (${JSON.stringify({ ...run, video: { ...run.video, samples: [] }, audio: { ...run.audio, samples: [] } })})`);
    }
    return run;
  } finally {
    await a.context.close();
    await b.context.close();
  }
}
