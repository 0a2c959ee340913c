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
 *   presented frame (requestVideoFrameCallback, as benchmark 1 counts).
 * It prints the p50 of each step per side, relative to the click. Nothing here is
 * a target; it says which step to look at.
 */
import type { Browser, Page } from 'playwright-core';
import { pageScript, readProbe, resetProbe } from './browser';
import { acceptButton, endedHeadline, hangUpButton, parleyPair, videoCallButton, type Pair } from './callSetup';
import { visible, waitUntil } from '../e2e/harness';
import { summarize } from './stats';

interface TraceMark {
  at: number;
  what: string;
}

declare global {
  interface Window {
    __benchTrace?: { marks: TraceMark[] };
  }
}

/** Runs in every page before its scripts; self-contained. */
function TRACE_PROBE(): void {
  const clock = (): number => performance.timeOrigin + performance.now();
  const trace = { marks: [] as TraceMark[] };
  window.__benchTrace = trace;
  const mark = (what: string): void => {
    trace.marks.push({ at: clock(), what });
  };

  const replaceTrack = RTCRtpSender.prototype.replaceTrack;
  RTCRtpSender.prototype.replaceTrack = function (this: RTCRtpSender, track: MediaStreamTrack | null) {
    const kind = track?.kind ?? this.track?.kind ?? 'unknown';
    if (kind === 'video') mark(track ? 'replaceTrack(camera) called' : 'replaceTrack(null) called');
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
        shadow.requestVideoFrameCallback(() => mark('bare <video> outside the app: first frame presented'));
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

  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  if (srcObject?.set && srcObject.get) {
    const set = srcObject.set;
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      ...srcObject,
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        if (this instanceof HTMLVideoElement && this.dataset.testid === 'remote-video' && value) {
          mark(`remote <video>: srcObject set${this.isConnected ? '' : ' (not in the document yet)'}`);
          this.requestVideoFrameCallback(() => mark('remote <video>: first frame presented'));
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
  side: 'caller' | 'callee';
  what: string;
  /** ms after the click on Accept (first occurrence per call). */
  p50: number;
  p90: number;
  calls: number;
}

async function marks(page: Page): Promise<TraceMark[]> {
  return page.evaluate(() => window.__benchTrace?.marks ?? []);
}

async function clear(page: Page): Promise<void> {
  await page.evaluate(() => {
    if (window.__benchTrace) window.__benchTrace.marks = [];
  });
}

async function tracedCall(pair: Pair, ringMs: number): Promise<Record<'caller' | 'callee', Map<string, number>>> {
  await Promise.all([resetProbe(pair.caller), resetProbe(pair.callee), clear(pair.caller), clear(pair.callee)]);
  await videoCallButton(pair.caller, 'Callee').click();
  await visible(acceptButton(pair.callee));
  await new Promise((resolve) => setTimeout(resolve, ringMs));
  const before = await pair.callee.evaluate(() => performance.timeOrigin + performance.now());
  await acceptButton(pair.callee).click();
  // The click's own time, from the frame probe's capture-phase listener: Playwright's
  // actionability checks before it dispatches the click are not the app's time.
  const probe = await readProbe(pair.callee);
  if (probe.acceptAt === null || probe.acceptAt < before) throw new Error('the frame probe did not see the click on Accept');
  const clickAt = probe.acceptAt;
  const firstFrame = (list: TraceMark[]): boolean => list.some((m) => m.what === 'remote <video>: first frame presented' && m.at >= clickAt);
  await waitUntil('the caller shows a remote frame', () => marks(pair.caller), firstFrame);
  await waitUntil('the callee shows a remote frame', () => marks(pair.callee), firstFrame);
  const result = { caller: new Map<string, number>(), callee: new Map<string, number>() };
  for (const side of ['caller', 'callee'] as const) {
    for (const m of await marks(pair[side])) {
      if (m.at < clickAt - 1 || result[side].has(m.what)) continue;
      result[side].set(m.what, m.at - clickAt);
    }
  }
  await hangUpButton(pair.caller).click();
  await Promise.all([visible(endedHeadline(pair.caller)), visible(endedHeadline(pair.callee))]);
  return result;
}

export async function runCallTrace(options: { browser: Browser; parleyUrl: string; calls: number; ringMs: number; log(line: string): void }): Promise<TraceStep[]> {
  const { browser, parleyUrl, calls, ringMs, log } = options;
  const pair = await parleyPair(browser, parleyUrl);
  await Promise.all([pair.caller.addInitScript({ content: pageScript(TRACE_PROBE) }), pair.callee.addInitScript({ content: pageScript(TRACE_PROBE) })]);
  // The probe must be in place before the app builds its peer connections.
  await Promise.all([pair.caller.reload(), pair.callee.reload()]);
  await Promise.all([visible(videoCallButton(pair.caller, 'Callee')), visible(pair.callee.getByRole('status', { name: 'Connection: Online' }))]);
  const samples: Record<'caller' | 'callee', Map<string, number[]>> = { caller: new Map(), callee: new Map() };
  try {
    await tracedCall(pair, ringMs); // warm-up: code loading and JIT
    for (let i = 0; i < calls; i++) {
      const one = await tracedCall(pair, ringMs);
      for (const side of ['caller', 'callee'] as const) {
        for (const [what, ms] of one[side]) samples[side].set(what, [...(samples[side].get(what) ?? []), ms]);
      }
      log(`trace ${String(i + 1).padStart(2)}/${calls}: first frame caller ${one.caller.get('remote <video>: first frame presented')?.toFixed(0)} ms, callee ${one.callee.get('remote <video>: first frame presented')?.toFixed(0)} ms`);
    }
  } finally {
    await pair.close();
  }
  const steps: TraceStep[] = [];
  for (const side of ['callee', 'caller'] as const) {
    for (const [what, values] of samples[side]) {
      const s = summarize(values);
      steps.push({ side, what, p50: s.p50, p90: s.p90, calls: values.length });
    }
  }
  return steps.sort((a, b) => a.p50 - b.p50);
}

export function formatTrace(steps: readonly TraceStep[]): string[] {
  const lines = ['Where the time after Accept goes (Parley on loopback; ms after the click, p50 / p90)'];
  for (const step of steps) {
    lines.push(`  ${step.side.padEnd(6)}  ${step.p50.toFixed(0).padStart(5)} / ${step.p90.toFixed(0).padStart(5)} ms  ${step.what}${step.calls < 2 ? ' (seen once)' : ''}`);
  }
  return lines;
}
