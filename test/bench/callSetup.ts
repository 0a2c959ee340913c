/**
 * Benchmark 1, call setup: from the callee's click on Accept to the first remote
 * video frame on both sides, for Parley (its real UI and server, two browser
 * contexts), for the naive reference (reference/index.html over a bare socket.io
 * relay) and for the pre-connected floor (reference/preconnected.html: Parley's
 * technique and nothing else), taking turns one call each (ABCABC…) so that the
 * machine's load weighs on all alike.
 *
 * Each call rings for the same time before Accept is clicked, as a person would
 * take a moment to answer: what each design does with that moment is the point
 * (Parley connects while it rings; the reference cannot). Times are taken inside
 * the pages on the machine clock (see browser.ts), so no polling delay counts.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { befriend, firstRun, openPage, readProbe, resetProbe, visible, waitUntil, type ProbeRecord } from './browser';
import { startBareRelay, type BareRelay } from './bareRelay';
import { ratio, summarize, type Summary } from './stats';

export interface CallSetupOptions {
  browser: Browser;
  /** The Parley server serving the built client. */
  parleyUrl: string;
  calls: number;
  ringMs: number;
  log(line: string): void;
}

export interface CallSample {
  /** ms from Accept to the first remote frame at the caller, at the callee, and both (the later). */
  caller: number;
  callee: number;
  both: number;
  /** The callee's peer connection was already connected when Accept was clicked. */
  preconnected: boolean;
  /** Each side's peer connection steps, ms relative to Accept (see ProbeRecord.steps), e.g. "pc0 have-remote-offer -812". */
  steps?: { caller: string; callee: string };
}

export interface CallSetupSide {
  samples: CallSample[];
  both: Summary;
  caller: Summary;
  callee: Summary;
}

export interface CallSetupResults {
  calls: number;
  ringMs: number;
  parley: CallSetupSide;
  reference: CallSetupSide;
  /** The pre-connected floor page: what connecting while it rings leaves to pay after Accept. */
  floor: CallSetupSide;
  /** Parley / reference: the target. */
  p50Ratio: number;
  p90Ratio: number;
  /** floor / reference: the best a design that sends nothing before Accept reached here. */
  floorP50Ratio: number;
}

const PAGES = {
  '/': fileURLToPath(new URL('./reference/index.html', import.meta.url)),
  '/preconnected': fileURLToPath(new URL('./reference/preconnected.html', import.meta.url)),
};

export interface Pair {
  caller: Page;
  callee: Page;
}

/** Reads both probes until each side saw a frame after the click; returns the sample. */
export async function sampleCall(pair: Pair, what: string): Promise<CallSample> {
  const calleeProbe = await waitUntil(`${what}: the callee clicked Accept`, () => readProbe(pair.callee), (r) => r.acceptAt !== null);
  const acceptAt = calleeProbe.acceptAt as number;
  const firstAfter = (frames: number[]): number | undefined => frames.find((t) => t >= acceptAt);
  const [caller, callee] = await Promise.all(
    [pair.caller, pair.callee].map((page, i) =>
      waitUntil(`${what}: the ${i === 0 ? 'caller' : 'callee'} shows a remote frame`, () => readProbe(page), (r) => firstAfter(r.frames) !== undefined),
    ),
  );
  const callerMs = (firstAfter(caller?.frames ?? []) as number) - acceptAt;
  const calleeMs = (firstAfter(callee?.frames ?? []) as number) - acceptAt;
  const steps = (r: ProbeRecord | undefined): string =>
    [...(r?.steps ?? [])]
      .sort((a, b) => a.at - b.at)
      .filter((s) => !['ice:new', 'dtls:new', 'ice:completed'].includes(s.step))
      .map((s) => `${s.pc < 0 ? '' : `pc${s.pc} `}${s.step} ${(s.at - acceptAt).toFixed(0)}`)
      .join(', ');
  return {
    caller: callerMs,
    callee: calleeMs,
    both: Math.max(callerMs, calleeMs),
    preconnected: calleeProbe.connectedAtAccept > 0,
    steps: { caller: steps(caller), callee: steps(callee) },
  };
}

async function ring(ringMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ringMs));
}

// ─── Parley ─────────────────────────────────────────────────────────────────

// What a person clicks, by role and name, as test/e2e/calls.ts finds them.
export const videoCallButton = (page: Page, name: string): Locator => page.getByRole('button', { name: `Video call ${name}`, exact: true });
export const acceptButton = (page: Page): Locator => page.getByRole('main').getByRole('button', { name: 'Accept', exact: true });
export const hangUpButton = (page: Page): Locator => page.getByRole('main').getByRole('button', { name: 'Hang up' });
export const endedHeadline = (page: Page): Locator => page.getByRole('main').getByRole('heading', { name: /^Call ended/ });

/** Two Parley people who are contacts; the callee's browser may be another one (e.g. in another lab namespace). */
export async function parleyPair(browser: Browser, url: string, calleeBrowser: Browser = browser): Promise<Pair & { close(): Promise<void> }> {
  const a = await openPage(browser, url);
  const b = await openPage(calleeBrowser, url);
  await firstRun(a.page, url, 'Caller');
  await firstRun(b.page, url, 'Callee');
  // Not timed: only contacts see each other (and pre-connect while it rings).
  await befriend({ page: a.page, name: 'Caller' }, { page: b.page, name: 'Callee' });
  return {
    caller: a.page,
    callee: b.page,
    close: async () => {
      await a.context.close();
      await b.context.close();
    },
  };
}

/** Both pages show "Call ended"; if one does not, the error says which and what its stage shows instead. */
export async function bothEnded(pair: Pair): Promise<void> {
  const sides = [
    ['caller', pair.caller],
    ['callee', pair.callee],
  ] as const;
  const results = await Promise.allSettled(sides.map(([, page]) => visible(endedHeadline(page))));
  const stuck: string[] = [];
  for (const [i, result] of results.entries()) {
    if (result.status === 'fulfilled') continue;
    const [name, page] = sides[i] ?? sides[0];
    const shown = await page
      .getByRole('main')
      .innerText({ timeout: 2_000 })
      .catch((error: unknown) => `(unreadable: ${String(error)})`);
    stuck.push(`the ${name} shows no "Call ended" after the hang-up; its stage reads: ${shown.replace(/\s+/g, ' ').slice(0, 300)}`);
  }
  if (stuck.length > 0) throw new Error(stuck.join('; '));
}

export async function parleyCall(pair: Pair, ringMs: number): Promise<CallSample> {
  await Promise.all([resetProbe(pair.caller), resetProbe(pair.callee)]);
  await videoCallButton(pair.caller, 'Callee').click();
  await visible(acceptButton(pair.callee));
  if (ringMs > 0) await ring(ringMs);
  await acceptButton(pair.callee).click();
  const sample = await sampleCall(pair, 'Parley call');
  await hangUpButton(pair.caller).click();
  await bothEnded(pair);
  return sample;
}

// ─── the reference ──────────────────────────────────────────────────────────

export async function referencePair(browser: Browser, relay: Pick<BareRelay, 'url'>, calleeBrowser: Browser = browser): Promise<Pair & { close(): Promise<void> }> {
  const a = await openPage(browser, relay.url);
  const b = await openPage(calleeBrowser, relay.url);
  return {
    caller: a.page,
    callee: b.page,
    close: async () => {
      await a.context.close();
      await b.context.close();
    },
  };
}

export async function referenceSocketId(page: Page): Promise<string> {
  const id = await waitUntil('the reference page is connected', () => page.evaluate(() => window.reference?.socketId() ?? null), (v) => v !== null);
  return id as string;
}

/** A call between two pages of reference/ (the naive one or the floor), which share their controls. */
export async function referenceCall(pair: Pair, url: string, ringMs: number): Promise<CallSample> {
  // A fresh load each time: the reference keeps no state between calls.
  await Promise.all([pair.caller.goto(url), pair.callee.goto(url)]);
  const calleeId = await referenceSocketId(pair.callee);
  await referenceSocketId(pair.caller);
  await pair.caller.evaluate((to) => window.reference?.call(to), calleeId);
  await visible(pair.callee.getByRole('button', { name: 'Accept', exact: true }));
  await ring(ringMs);
  await pair.callee.getByRole('button', { name: 'Accept', exact: true }).click();
  const sample = await sampleCall(pair, `call on ${url}`);
  // Hang up by leaving: a call left running would encode and decode video
  // through the next Parley call and slow it down.
  await Promise.all([pair.caller.goto('about:blank'), pair.callee.goto('about:blank')]);
  return sample;
}

// ─── taking turns ───────────────────────────────────────────────────────────

export function side(samples: CallSample[]): CallSetupSide {
  return {
    samples,
    both: summarize(samples.map((s) => s.both)),
    caller: summarize(samples.map((s) => s.caller)),
    callee: summarize(samples.map((s) => s.callee)),
  };
}

export async function runCallSetupBench(options: CallSetupOptions): Promise<CallSetupResults> {
  const { browser, calls, ringMs, log } = options;
  const relay = await startBareRelay({ pages: PAGES });
  const naiveUrl = `${relay.url}/`;
  const floorUrl = `${relay.url}/preconnected`;
  const parley = await parleyPair(browser, options.parleyUrl);
  const reference = await referencePair(browser, relay);
  const samples: { parley: CallSample[]; reference: CallSample[]; floor: CallSample[] } = { parley: [], reference: [], floor: [] };
  try {
    // One call of each, untimed: the first call pays for code loading and JIT.
    await parleyCall(parley, ringMs);
    await referenceCall(reference, naiveUrl, ringMs);
    await referenceCall(reference, floorUrl, ringMs);
    for (let i = 0; i < calls; i++) {
      const p = await parleyCall(parley, ringMs);
      const r = await referenceCall(reference, naiveUrl, ringMs);
      const f = await referenceCall(reference, floorUrl, ringMs);
      samples.parley.push(p);
      samples.reference.push(r);
      samples.floor.push(f);
      const late = p.preconnected ? '' : ' (not yet connected at Accept)';
      log(`call ${String(i + 1).padStart(2)}/${calls}: Parley ${p.both.toFixed(0)} ms${late}, reference ${r.both.toFixed(0)} ms, pre-connected floor ${f.both.toFixed(0)} ms`);
    }
  } finally {
    await parley.close();
    await reference.close();
    await relay.close();
  }
  const result = { parley: side(samples.parley), reference: side(samples.reference), floor: side(samples.floor) };
  return {
    calls,
    ringMs,
    ...result,
    p50Ratio: ratio(result.parley.both.p50, result.reference.both.p50),
    p90Ratio: ratio(result.parley.both.p90, result.reference.both.p90),
    floorP50Ratio: ratio(result.floor.both.p50, result.reference.both.p50),
  };
}

declare global {
  interface Window {
    /** The controls of the pages in reference/. */
    reference?: { call(to: string): Promise<void>; socketId(): string | null };
  }
}
