/**
 * Chromium for the benchmarks: the e2e harness's flags (fake camera and
 * microphone, loopback ICE), one context per person, and a probe injected before
 * any page script that records, on the machine clock (performance.timeOrigin +
 * performance.now(), which every page of the machine shares):
 * - when a button labelled exactly "Accept" is clicked (capture phase, before the
 *   page's own handler runs);
 * - each video frame presented by a remote video while it is visible
 *   (requestVideoFrameCallback on every `video[data-testid="remote-video"]`,
 *   Parley's and the reference page's);
 * - whether a peer connection was already connected at that click.
 * The product keeps no hook for this: the probe watches the DOM and wraps
 * RTCPeerConnection like the e2e harness's recorder.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, visible, waitUntil } from '../e2e/harness';

export interface ProbeRecord {
  acceptAt: number | null;
  /** Peer connections in 'connected' state at the moment Accept was clicked. */
  connectedAtAccept: number;
  /** Machine-clock times of the first frames presented by any remote video. */
  frames: number[];
  /**
   * What each peer connection went through since the last reset, in order, on the
   * machine clock: `pc<i> created`, signaling states (`have-local-offer`, …),
   * `ice:checking`/`ice:connected` and `dtls:connected` (connectionState).
   */
  steps: { pc: number; step: string; at: number }[];
}

declare global {
  interface Window {
    __benchProbe?: { record: ProbeRecord; reset(): void };
  }
}

/** Runs in every page before the page's scripts (addInitScript); must be self-contained. */
function FRAME_PROBE(): void {
  const clock = (): number => performance.timeOrigin + performance.now();
  const record: ProbeRecord = { acceptAt: null, connectedAtAccept: 0, frames: [], steps: [] };
  const connections: RTCPeerConnection[] = [];
  const Native = window.RTCPeerConnection;
  class Recorded extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      const pc = connections.length;
      connections.push(this);
      const step = (what: string): void => {
        if (record.steps.length < 200) record.steps.push({ pc, step: what, at: clock() });
      };
      this.step = step;
      step('created');
      this.addEventListener('signalingstatechange', () => step(this.signalingState));
      this.addEventListener('iceconnectionstatechange', () => step(`ice:${this.iceConnectionState}`));
      this.addEventListener('connectionstatechange', () => step(`dtls:${this.connectionState}`));
    }
    private step: (what: string) => void = () => undefined;
    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      this.step(`srd(${description.type})`);
      return super.setRemoteDescription(description);
    }
  }
  // Descriptions on the signaling socket (socket.io text packets: 42[<ack id>]["signal", …]),
  // to split a description's way into sender, network and server, and receiver.
  const NativeSocket = window.WebSocket;
  const noteSignal = (direction: string, data: unknown): void => {
    if (typeof data !== 'string' || !data.startsWith('42') || !data.includes('["signal"')) return;
    const kind = /"type":"(offer|answer)"/.exec(data)?.[1];
    if (kind && record.steps.length < 200) record.steps.push({ pc: -1, step: `${direction} ${kind}`, at: clock() });
  };
  class RecordedSocket extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event) => noteSignal('ws-in', event.data));
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      noteSignal('ws-out', data);
      super.send(data);
    }
  }
  window.WebSocket = RecordedSocket;
  // PARLEY_BENCH_STEPS: gaps in a 10 ms timer over 25 ms, i.e. the main thread busy (tasks under 50 ms too).
  if ((window as unknown as { __benchLag?: boolean }).__benchLag) {
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last > 25 && record.steps.length < 200) record.steps.push({ pc: -1, step: `lag(${(now - last - 10).toFixed(0)})`, at: performance.timeOrigin + last });
      last = now;
    }, 10);
  }
  // Main-thread tasks over 50 ms: what a socket message or a description waited behind.
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (record.steps.length < 200) record.steps.push({ pc: -1, step: `long(${entry.duration.toFixed(0)})`, at: performance.timeOrigin + entry.startTime });
      }
    }).observe({ type: 'longtask', buffered: false });
  } catch {
    // No long task timing in this browser: the steps just lack them.
  }
  window.RTCPeerConnection = Recorded;

  document.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('button') : null;
      if (button?.textContent?.trim() !== 'Accept') return;
      record.acceptAt = clock();
      record.connectedAtAccept = connections.filter((pc) => pc.connectionState === 'connected').length;
    },
    { capture: true },
  );

  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement): void => {
    if (watched.has(video)) return;
    watched.add(video);
    let seen = 0;
    const onFrame = (): void => {
      // A frame counts when a person could see it: Parley builds its call screen
      // hidden while it rings (renderer/ui/call/standby.ts), and a frame presented
      // to a hidden element is not yet on the screen.
      if (video.checkVisibility({ visibilityProperty: true, opacityProperty: true })) {
        record.frames.push(clock());
        seen += 1;
      }
      if (seen < 5 && video.isConnected) video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  const scan = (): void => document.querySelectorAll<HTMLVideoElement>('video[data-testid="remote-video"]').forEach(watch);
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });

  window.__benchProbe = {
    record,
    reset: () => {
      record.acceptAt = null;
      record.connectedAtAccept = 0;
      record.frames = [];
      record.steps = [];
    },
  };
}

/**
 * A function's source, to run in a page. tsx compiles with esbuild's keepNames,
 * which wraps functions and classes in calls to a `__name` helper that exists only
 * in this process; the page gets a stand-in (names only help stack traces).
 */
export function pageScript(fn: () => void): string {
  return `(() => { const __name = (target) => target; (${fn.toString()})(); })();`;
}

/**
 * The e2e harness's flags, except the fake camera runs at 30 fps as a real webcam
 * does (the tests slow it to 15 to save CPU): time to the first frame includes
 * waiting for the camera's next frame, which a slowed camera would inflate for
 * Parley and the reference alike.
 */
export const BENCH_CHROMIUM_ARGS = CHROMIUM_ARGS.map((arg) =>
  arg.startsWith('--use-fake-device-for-media-stream') ? '--use-fake-device-for-media-stream=fps=30' : arg,
);

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: BENCH_CHROMIUM_ARGS });
}

/** A fresh context (own storage, own identity) with camera and microphone allowed and the probe installed. */
export async function openPage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['camera', 'microphone'], { origin });
  if (process.env.PARLEY_BENCH_STEPS === '1') await context.addInitScript({ content: 'window.__benchLag = true;' });
  await context.addInitScript({ content: pageScript(FRAME_PROBE) });
  const page = await context.newPage();
  return { context, page };
}

export function resetProbe(page: Page): Promise<void> {
  return page.evaluate(() => window.__benchProbe?.reset());
}

export function readProbe(page: Page): Promise<ProbeRecord> {
  return page.evaluate(() => {
    const probe = window.__benchProbe;
    if (!probe) throw new Error('the benchmark probe is not installed in this page');
    return { ...probe.record, frames: [...probe.record.frames], steps: [...probe.record.steps] };
  });
}

/** Parley's first run in a fresh page: name, Continue, online. */
export async function firstRun(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Your display name').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await visible(page.getByRole('status', { name: 'Connection: Online' }));
}

/**
 * Makes two Parley pages contacts through the app, as people do: `a` pastes `b`'s
 * invite code (Contacts → Add a contact), `b`'s app accepts it by itself (it issued
 * the code). Presence flows between contacts only, so a list offers a call button
 * only after this. Returns once each page offers a video call to the other.
 */
export async function befriend(a: { page: Page; name: string }, b: { page: Page; name: string }): Promise<void> {
  const openAddContact = async (page: Page) => {
    await page.getByRole('tab', { name: /^Contacts/ }).click();
    await page.getByRole('button', { name: 'Add a contact' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a contact' });
    await visible(dialog);
    return dialog;
  };
  const closeDialog = async (dialog: ReturnType<Page['getByRole']>) => {
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });
  };
  const own = await openAddContact(b.page);
  const codeField = own.getByLabel('Invite code', { exact: true });
  const code = await waitUntil(`${b.name}'s invite code is made`, () => codeField.inputValue(), (value) => value.includes('.'));
  await closeDialog(own);

  const paste = await openAddContact(a.page);
  await paste.getByLabel('Invite code or link').fill(code);
  await paste.getByRole('button', { name: 'Add', exact: true }).click();
  await a.page.getByRole('dialog', { name: /^Add .+…\?$/ }).getByRole('button', { name: 'Send contact request' }).click();
  const back = a.page.getByRole('dialog', { name: 'Add a contact' });
  await visible(back.getByRole('status').filter({ hasText: /Request (sent|saved)/ }));
  await closeDialog(back);
  await visible(a.page.getByRole('button', { name: `Video call ${b.name}`, exact: true }));
  await visible(b.page.getByRole('button', { name: `Video call ${a.name}`, exact: true }));
}

export { visible, waitUntil };
