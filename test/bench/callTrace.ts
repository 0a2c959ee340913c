/**
 * Where the time after Accept goes (issue 15): Parley's real UI on loopback, the
 * same calls as benchmark 1, with a second probe that stamps, on the machine clock
 * every page shares, each step between the callee's click and the first remote
 * frame on each side:
 * - `replaceTrack` on a video sender (called, resolved) — a pre-connected call
 *   sends nothing until Accept puts the camera on its senders;
 * - messages on the negotiated `call` data channel (the accept travels there);
 * - the remote video track's `unmute` (Chromium fires it when RTP arrives);
 * - a remote `<video>` element getting its stream (`srcObject` set) and its first
 *   presented frame (requestVideoFrameCallback, as benchmark 1 counts);
 * - when the first frame's last packet arrived and when it went to the compositor,
 *   from requestVideoFrameCallback's metadata: the only marks here on the media
 *   threads' clock, so a busy main thread does not delay them;
 * - any negotiation (signaling state changes), and the camera's size and rate.
 * With PARLEY_BENCH_CHROME_TRACE=1 it also traces the whole browser around each
 * Accept of every page and prints Parley's busiest threads (chromeTrace.ts) and each
 * page's CPU time per thread in the 150 ms after the click: on 2 cores, who used them.
 * The floor page (Parley's technique and nothing else) is traced the same way, in
 * turns with Parley, and so is the floor page drawing what Parley's screens draw
 * (the ringing self-view, the remote tile and the picture-in-picture at Parley's
 * sizes): between them, how much of Parley's extra time is drawing video in this
 * window, and how much is Parley's own work. It prints the p50 of each step per
 * side, relative to the click. Nothing here is a target; it says which step to look at. With PARLEY_BENCH_PROFILE=1 it also prints
 * where each Parley page's main thread spent that time (pageProfile.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { startBareRelay } from './bareRelay';
import { pageScript, readProbe, resetProbe } from './browser';
import { addSelfTimes, startProfile, topSelfTimes, type SelfTimes } from './pageProfile';
import { addThreadTimes, clickWindow, startChromeTrace, threadCpu, topThreadTimes, type ThreadCpuTimes, type ThreadTimes } from './chromeTrace';
import { acceptButton, bothEnded, hangUpButton, parleyPair, referencePair, referenceSocketId, videoCallButton, type Pair } from './callSetup';
import { visible, waitUntil } from '../e2e/harness';
import { summarize } from './stats';

interface TraceMark {
  at: number;
  what: string;
}

declare global {
  interface Window {
    __benchTrace?: { marks: TraceMark[]; longTasks: { start: number; end: number }[]; shadows: HTMLVideoElement[] };
  }
}

/** Runs in every page before its scripts; self-contained. */
function TRACE_PROBE(): void {
  const clock = (): number => performance.timeOrigin + performance.now();
  const trace = { marks: [] as TraceMark[], longTasks: [] as { start: number; end: number }[], shadows: [] as HTMLVideoElement[] };
  // Main-thread tasks over 50 ms: what keeps the page from reacting (and from
  // running the callbacks that stamp the steps below).
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const start = performance.timeOrigin + entry.startTime;
      trace.longTasks.push({ start, end: start + entry.duration });
    }
  }).observe({ type: 'longtask', buffered: true });
  window.__benchTrace = trace;
  const mark = (what: string): void => {
    trace.marks.push({ at: clock(), what });
  };

  const replaceTrack = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = function (this: RTCRtpSender, track: MediaStreamTrack | null) {
    const kind = track?.kind ?? this.track?.kind ?? 'unknown';
    if (kind === 'video') mark(track ? 'replaceTrack(camera) called' : 'replaceTrack(null) called');
    if (track?.kind === 'video') {
      const camera = track.getSettings();
      mark(`the camera sent: ${camera.width}x${camera.height} at ${camera.frameRate} fps`);
    }
    const done = replaceTrack.call(this, track);
    if (kind === 'video' && track) void done.then(() => mark('replaceTrack(camera) resolved'), () => mark('replaceTrack(camera) failed'));
    return done;
  };

  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: never) {
    if (this.label === 'call') mark('call channel: sent');
    return send.call(this, data);
  };
  const Native = window.RTCPeerConnection;
  class Traced extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', (event) => watchChannel(event.channel));
      this.addEventListener('signalingstatechange', () => mark(`signaling state: ${this.signalingState}`));
      this.addEventListener('negotiationneeded', () => mark('negotiationneeded'));
      this.addEventListener('track', (event) => {
        if (event.track.kind !== 'video') return;
        const track = event.track;
        // A bare element outside the app, attached at once: when it presents a
        // frame, the stream had one to show, whatever the app's element was doing.
        const shadow = document.createElement('video');
        shadow.muted = true;
        shadow.autoplay = true;
        shadow.playsInline = true;
        shadow.style.cssText = 'position:fixed;left:0;top:0;width:4px;height:4px;opacity:0.01;pointer-events:none';
        shadow.srcObject = new MediaStream([track]);
        document.body.append(shadow);
        // Removed before the next call (clear): Parley's pages live through every call, and
        // shadows left from earlier calls were layers the compositor drew on every frame.
        trace.shadows.push(shadow);
        shadow.requestVideoFrameCallback((_now, metadata) => {
          mark('bare <video> outside the app: first frame presented');
          // When the frame's last packet arrived, on the network thread's clock: unlike
          // the marks above, not delayed by a busy main thread.
          const received = (metadata as { receiveTime?: number }).receiveTime;
          if (received !== undefined) trace.marks.push({ at: performance.timeOrigin + received, what: "first frame's last packet received (network time, not main-thread delayed)" });
          trace.marks.push({ at: performance.timeOrigin + metadata.presentationTime, what: 'bare <video>: first frame handed to the compositor (its own clock)' });
        });
        track.addEventListener('unmute', () => {
          mark('remote video: unmute (RTP arriving)');
          // Poll the receiver until its decoder has a frame: the step between RTP and the screen.
          const started = performance.now();
          const poll = (): void => {
            void this.getStats(track).then((report) => {
              let decoded = 0;
              let received = 0;
              report.forEach((stat: { type: string; kind?: string; framesDecoded?: number; framesReceived?: number }) => {
                if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
                  decoded = stat.framesDecoded ?? 0;
                  received = stat.framesReceived ?? 0;
                }
              });
              if (received > 0 && !seenReceived) {
                seenReceived = true;
                mark('receiver: first whole frame received');
              }
              if (decoded > 0) mark('decoder: first frame decoded');
              else if (performance.now() - started < 5_000) setTimeout(poll, 4);
            });
          };
          let seenReceived = false;
          poll();
        });
      });
    }
    override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
      const channel = super.createDataChannel(label, init);
      watchChannel(channel);
      return channel;
    }
  }
  const watchChannel = (channel: RTCDataChannel): void => {
    if (channel.label === 'call') channel.addEventListener('message', () => mark('call channel: received'));
  };
  window.RTCPeerConnection = Traced;

  // Presented where a person can see it: not while Parley's call screen stands by, hidden.
  const firstVisibleFrame = (video: HTMLVideoElement): void => {
    let hiddenMarked = false;
    const presented = (): void => {
      if (video.checkVisibility({ visibilityProperty: true, opacityProperty: true })) {
        mark('remote <video>: first frame presented');
        return;
      }
      if (!hiddenMarked) mark('remote <video>: a frame presented while hidden');
      hiddenMarked = true;
      video.requestVideoFrameCallback(presented);
    };
    video.requestVideoFrameCallback(presented);
  };
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  if (srcObject?.set && srcObject.get) {
    const set = srcObject.set;
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      ...srcObject,
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        if (this instanceof HTMLVideoElement && this.dataset.testid === 'remote-video' && value) {
          mark(`remote <video>: srcObject set${this.isConnected ? '' : ' (not in the document yet)'}`);
          firstVisibleFrame(this);
        }
        set.call(this, value);
      },
    });
  }
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof Element && (node.matches('video[data-testid="remote-video"]') || node.querySelector('video[data-testid="remote-video"]'))) {
          mark('remote <video>: in the document');
        }
      }
    }
  }).observe(document, { childList: true, subtree: true });
}

export interface TraceStep {
  /**
   * Parley's UI, the pre-connected floor page (test/bench/reference/preconnected.html),
   * or the same page drawing what Parley's screens draw (its `?drawn=parley`).
   */
  page: TracedPage;
  side: 'caller' | 'callee';
  what: string;
  /** ms after the click on Accept (first occurrence per call). */
  p50: number;
  p90: number;
  calls: number;
}

type Side = 'caller' | 'callee';
const TRACED_PAGES = ['Parley', 'floor', 'floor drawn like Parley'] as const;
export type TracedPage = (typeof TRACED_PAGES)[number];
type CallMarks = Record<Side, Map<string, number>>;

async function marks(page: Page): Promise<TraceMark[]> {
  return page.evaluate(() => window.__benchTrace?.marks ?? []);
}

async function clear(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (window.__benchTrace) {
      window.__benchTrace.marks = [];
      window.__benchTrace.longTasks = [];
      for (const shadow of window.__benchTrace.shadows.splice(0)) {
        shadow.srcObject = null;
        shadow.remove();
      }
    }
  });
}

/** Clicks Accept, waits for a remote frame on both sides, and returns each side's steps relative to the click. */
async function acceptAndCollect(pair: Pair, accept: Locator): Promise<CallMarks> {
  const before = await pair.callee.evaluate(() => performance.timeOrigin + performance.now());
  await accept.click();
  // The click's own time, from the frame probe's capture-phase listener: Playwright's
  // actionability checks before it dispatches the click are not the app's time.
  const probe = await readProbe(pair.callee);
  if (probe.acceptAt === null || probe.acceptAt < before) throw new Error('the frame probe did not see the click on Accept');
  const clickAt = probe.acceptAt;
  const firstFrame = (list: TraceMark[]): boolean => list.some((m) => m.what === 'remote <video>: first frame presented' && m.at >= clickAt);
  await waitUntil('the caller shows a remote frame', () => marks(pair.caller), firstFrame);
  await waitUntil('the callee shows a remote frame', () => marks(pair.callee), firstFrame);
  const result: CallMarks = { caller: new Map(), callee: new Map() };
  for (const side of ['caller', 'callee'] as const) {
    for (const m of await marks(pair[side])) {
      if (m.at < clickAt - 1 || result[side].has(m.what)) continue;
      result[side].set(m.what, m.at - clickAt);
    }
    const shownAt = clickAt + (result[side].get('remote <video>: first frame presented') ?? 0);
    const tasks = await pair[side].evaluate(() => window.__benchTrace?.longTasks ?? []);
    let busy = 0;
    let lastEnd = 0;
    for (const task of tasks) {
      const overlap = Math.min(task.end, shownAt) - Math.max(task.start, clickAt);
      if (overlap <= 0) continue;
      busy += overlap;
      lastEnd = Math.max(lastEnd, Math.min(task.end, shownAt) - clickAt);
    }
    result[side].set('main thread: time in long tasks from the click to the first frame (a duration)', busy);
    if (lastEnd > 0) result[side].set('main thread: the last long task before the first frame ends', lastEnd);
  }
  return result;
}

/** One window for every page, so their CPU use compares: about Parley's first frames on loopback. */
const CPU_WINDOW_MS = 150;

interface AcceptTrace {
  /** Which page, for the raw trace's file name. */
  page: string;
  cpu: ThreadCpuTimes;
  /** Parley's: self time per event, from the click to both first frames. */
  threads?: ThreadTimes;
}

/** acceptAndCollect under a Chrome trace of the whole browser (`trace`), kept in bench-results/profiles/ for DevTools. */
async function acceptTraced(pair: Pair, accept: Locator, trace: AcceptTrace | null, log?: (line: string) => void): Promise<CallMarks> {
  const browser = trace ? pair.caller.context().browser() : null;
  const stopTrace = browser ? await startChromeTrace(browser) : null;
  const result = await acceptAndCollect(pair, accept);
  if (!stopTrace || !trace) return result;
  const { raw, events } = await stopTrace();
  const fixed = clickWindow(events, CPU_WINDOW_MS);
  // From the click to the later side's first frame.
  const shown = Math.max(result.caller.get('remote <video>: first frame presented') ?? 0, result.callee.get('remote <video>: first frame presented') ?? 0);
  const untilShown = clickWindow(events, shown);
  if (fixed && untilShown) {
    threadCpu(events, fixed[0], fixed[1], trace.cpu);
    if (trace.threads) addThreadTimes(trace.threads, events, untilShown[0], untilShown[1]);
  } else {
    log?.(`the Chrome trace of ${trace.page} has no click: left out`);
  }
  const dir = join(process.cwd(), 'bench-results', 'profiles');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `accept-${trace.page.replaceAll(' ', '-')}-${Date.now()}.trace.json`), raw);
  return result;
}

async function parleyTraced(pair: Pair, ringMs: number, profiles?: Record<Side, SelfTimes>, trace?: AcceptTrace, log?: (line: string) => void): Promise<CallMarks> {
  await Promise.all([resetProbe(pair.caller), resetProbe(pair.callee), clear(pair.caller), clear(pair.callee)]);
  await videoCallButton(pair.caller, 'Callee').click();
  await visible(acceptButton(pair.callee));
  await new Promise((resolve) => setTimeout(resolve, ringMs));
  const stops = profiles ? await Promise.all([startProfile(pair.caller), startProfile(pair.callee)]) : null;
  const result = await acceptTraced(pair, acceptButton(pair.callee), trace ?? null, log);
  if (stops && profiles) {
    const [caller, callee] = await Promise.all(stops.map((stop) => stop()));
    if (caller) addSelfTimes(profiles.caller, caller);
    if (callee) addSelfTimes(profiles.callee, callee);
    // The raw profiles too, for DevTools (Performance → Load profile): bench-results/profiles/.
    const dir = join(process.cwd(), 'bench-results', 'profiles');
    mkdirSync(dir, { recursive: true });
    const stamp = Date.now();
    writeFileSync(join(dir, `caller-${stamp}.cpuprofile`), JSON.stringify(caller));
    writeFileSync(join(dir, `callee-${stamp}.cpuprofile`), JSON.stringify(callee));
  }
  await hangUpButton(pair.caller).click();
  await bothEnded(pair);
  return result;
}

async function floorTraced(pair: Pair, url: string, ringMs: number, trace?: AcceptTrace, log?: (line: string) => void): Promise<CallMarks> {
  // As referenceCall (callSetup.ts), reading the steps before leaving the pages.
  await Promise.all([pair.caller.goto(url), pair.callee.goto(url)]);
  const calleeId = await referenceSocketId(pair.callee);
  await referenceSocketId(pair.caller);
  await pair.caller.evaluate((to) => window.reference?.call(to), calleeId);
  const accept = pair.callee.getByRole('button', { name: 'Accept', exact: true });
  await visible(accept);
  await new Promise((resolve) => setTimeout(resolve, ringMs));
  const result = await acceptTraced(pair, accept, trace ?? null, log);
  await Promise.all([pair.caller.goto('about:blank'), pair.callee.goto('about:blank')]);
  return result;
}

function addTo(samples: Record<Side, Map<string, number[]>>, one: CallMarks): void {
  for (const side of ['caller', 'callee'] as const) {
    for (const [what, ms] of one[side]) samples[side].set(what, [...(samples[side].get(what) ?? []), ms]);
  }
}

function stepsOf(page: TraceStep['page'], samples: Record<Side, Map<string, number[]>>): TraceStep[] {
  const steps: TraceStep[] = [];
  for (const side of ['callee', 'caller'] as const) {
    for (const [what, values] of samples[side]) {
      const s = summarize(values);
      steps.push({ page, side, what, p50: s.p50, p90: s.p90, calls: values.length });
    }
  }
  return steps.sort((a, b) => a.p50 - b.p50);
}

/** Parley, the floor page and the floor page drawn like Parley, one call each in turn (as benchmark 1), all traced. */
export async function runCallTrace(options: { browser: Browser; parleyUrl: string; calls: number; ringMs: number; log(line: string): void }): Promise<TraceStep[]> {
  const { browser, parleyUrl, calls, ringMs, log } = options;
  const relay = await startBareRelay({ pages: { '/preconnected': fileURLToPath(new URL('./reference/preconnected.html', import.meta.url)) } });
  const floorUrl = `${relay.url}/preconnected`;
  // The floor page drawing Parley's videos at Parley's sizes: what of Parley's extra
  // time is drawing them (software compositing here), not Parley's code.
  const drawnUrl = `${floorUrl}?drawn=parley`;
  const parley = await parleyPair(browser, parleyUrl);
  const floor = await referencePair(browser, relay);
  const script = { content: pageScript(TRACE_PROBE) };
  await Promise.all([parley.caller, parley.callee, floor.caller, floor.callee].map((page) => page.addInitScript(script)));
  // The probe must be in place before the app builds its peer connections.
  await Promise.all([parley.caller.reload(), parley.callee.reload()]);
  await Promise.all([visible(videoCallButton(parley.caller, 'Callee')), visible(parley.callee.getByRole('status', { name: 'Connection: Online' }))]);
  const samples = new Map<TracedPage, Record<Side, Map<string, number[]>>>(TRACED_PAGES.map((page) => [page, { caller: new Map(), callee: new Map() }]));
  const add = (page: TracedPage, one: CallMarks): void => addTo(samples.get(page) as Record<Side, Map<string, number[]>>, one);
  const first = (one: CallMarks, side: Side): string => one[side].get('remote <video>: first frame presented')?.toFixed(0) ?? '?';
  // PARLEY_BENCH_PROFILE=1: a CPU profile of each Parley page around every timed Accept (pageProfile.ts).
  const profiles: Record<Side, SelfTimes> | null = process.env.PARLEY_BENCH_PROFILE ? { caller: new Map(), callee: new Map() } : null;
  // PARLEY_BENCH_CHROME_TRACE=1: a Chrome trace of the whole browser around every timed Accept (chromeTrace.ts),
  // of each page: Parley's busiest threads, and every page's CPU use per thread.
  const traced = !!process.env.PARLEY_BENCH_CHROME_TRACE;
  const threads: ThreadTimes = new Map();
  const cpu = new Map<TracedPage, ThreadCpuTimes>(TRACED_PAGES.map((page) => [page, new Map()]));
  const traceOf = (page: TracedPage): AcceptTrace | undefined =>
    traced ? { page, cpu: cpu.get(page) as ThreadCpuTimes, ...(page === 'Parley' ? { threads } : {}) } : undefined;
  try {
    // Warm-up, untimed: code loading and JIT.
    await parleyTraced(parley, ringMs);
    await floorTraced(floor, floorUrl, ringMs);
    await floorTraced(floor, drawnUrl, ringMs);
    for (let i = 0; i < calls; i++) {
      const p = await parleyTraced(parley, ringMs, profiles ?? undefined, traceOf('Parley'), log);
      const f = await floorTraced(floor, floorUrl, ringMs, traceOf('floor'), log);
      const d = await floorTraced(floor, drawnUrl, ringMs, traceOf('floor drawn like Parley'), log);
      add('Parley', p);
      add('floor', f);
      add('floor drawn like Parley', d);
      log(
        `trace ${String(i + 1).padStart(2)}/${calls}: first frame caller/callee: Parley ${first(p, 'caller')}/${first(p, 'callee')} ms, floor ${first(f, 'caller')}/${first(f, 'callee')} ms, floor drawn like Parley ${first(d, 'caller')}/${first(d, 'callee')} ms`,
      );
    }
  } finally {
    await parley.close();
    await floor.close();
    await relay.close();
  }
  if (profiles) {
    for (const side of ['callee', 'caller'] as const) {
      log(`Parley ${side}'s main thread from Accept to both first frames, self time per call (mean of ${calls}):`);
      topSelfTimes(profiles[side], 25, calls).forEach((line) => log(line));
    }
  }
  if (traced) {
    log(`The busiest threads from Accept to both first frames (Parley; whole browser, self time per event name, mean of ${calls}):`);
    topThreadTimes(threads, 8, 12, calls).forEach((line) => log(line));
    log(`CPU time per thread in the ${CPU_WINDOW_MS} ms after the click (thread time, both pages of each; whole browser, mean of ${calls}):`);
    formatCpu(cpu, calls, 14).forEach((line) => log(line));
  }
  return TRACED_PAGES.flatMap((page) => stepsOf(page, samples.get(page) as Record<Side, Map<string, number[]>>));
}

/** Each page's CPU per thread side by side, the threads Parley uses most first, and the totals. */
export function formatCpu(cpu: ReadonlyMap<TracedPage, ThreadCpuTimes>, calls: number, rows: number): string[] {
  const per = (page: TracedPage, thread: string): number => (cpu.get(page)?.get(thread) ?? 0) / Math.max(calls, 1);
  const total = (page: TracedPage): number => [...(cpu.get(page)?.values() ?? [])].reduce((a, b) => a + b, 0) / Math.max(calls, 1);
  const threads = [...new Set(TRACED_PAGES.flatMap((page) => [...(cpu.get(page)?.keys() ?? [])]))];
  threads.sort((a, b) => per('Parley', b) - per('Parley', a));
  const row = (values: number[], label: string): string => `  ${values.map((v) => v.toFixed(1).padStart(8)).join(' ')}  ${label}`;
  return [
    `  ${TRACED_PAGES.map((page) => page.slice(0, 8).padStart(8)).join(' ')}  (ms)`,
    ...threads.slice(0, rows).map((thread) => row(TRACED_PAGES.map((page) => per(page, thread)), thread)),
    row(TRACED_PAGES.map(total), 'all threads'),
  ];
}

export function formatTrace(steps: readonly TraceStep[]): string[] {
  const lines = ['Where the time after Accept goes (loopback; ms after the click, p50 / p90; the floor page, plain and drawn like Parley, takes turns with Parley)'];
  for (const page of TRACED_PAGES) {
    lines.push(`  ${page}:`);
    for (const step of steps.filter((s) => s.page === page)) {
      lines.push(`    ${step.side.padEnd(6)}  ${step.p50.toFixed(0).padStart(5)} / ${step.p90.toFixed(0).padStart(5)} ms  ${step.what}${step.calls < 2 ? ' (seen once)' : ''}`);
    }
  }
  return lines;
}
