/**
 * A page for useMediaElement.browser.test.ts: the app's useMediaElement on a real
 * <video> in Chromium, React as the app bundles it (production build by Vite).
 *
 * A parent component's layout effect runs after its children's, in the same commit
 * and before the browser paints; there it reads what the child's <video> holds. So
 * each record says whether the element had the stream the commit rendered with
 * before that commit could be painted. The updates are made from a timer (not a
 * discrete input), as a remote track arriving from the call engine is: for those,
 * React runs passive effects after paint.
 */
import { createElement, useLayoutEffect, useRef } from 'react';
import { createRoot } from 'react-dom/client';
import { useMediaElement } from '../../../../renderer/ui/call/useMediaElement';

export interface CommitRecord {
  /** The stream this commit rendered with ('none', 'a', 'b'). */
  rendered: string;
  /** What the element's srcObject was when the commit's layout effects had run. */
  attached: string;
  /** The element's `muted` property then, and the prop it was rendered with. */
  muted: boolean;
  mutedProp: boolean;
}

export interface ProbeResult {
  commits: CommitRecord[];
  /** After the last step with a stream: whether useMediaElement reported a picture showing. */
  showingAtEnd: boolean;
  videoWidthAtEnd: number;
}

declare global {
  interface Window {
    runProbe: () => Promise<ProbeResult>;
  }
}

/** A canvas that keeps drawing, captured: a live video track with frames, no camera needed. */
function paintedStream(colour: string): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.width = 160;
  canvas.height = 120;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d context');
  let n = 0;
  const draw = (): void => {
    context.fillStyle = colour;
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.fillStyle = 'white';
    context.fillRect(n++ % canvas.width, 50, 10, 10);
  };
  draw();
  setInterval(draw, 33);
  return canvas.captureStream(30);
}

const nextTask = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

window.runProbe = async () => {
  const streams: Record<string, MediaStream> = { a: paintedStream('#2a6'), b: paintedStream('#26a') };
  const name = (stream: MediaProvider | null): string => {
    if (stream === null) return 'none';
    return Object.entries(streams).find(([, s]) => s === stream)?.[0] ?? 'other';
  };
  const commits: CommitRecord[] = [];
  let showing = false;

  function Video({ stream, muted }: { stream: MediaStream | null; muted: boolean }) {
    const media = useMediaElement(stream, { muted });
    showing = media.showing;
    return createElement('video', { ref: media.ref, autoPlay: true, playsInline: true, 'data-testid': 'probe-video' });
  }

  function Probe({ stream, muted }: { stream: MediaStream | null; muted: boolean }) {
    const box = useRef<HTMLDivElement>(null);
    useLayoutEffect(() => {
      const video = box.current?.querySelector('video');
      if (!video) throw new Error('the probe rendered no <video>');
      commits.push({ rendered: name(stream), attached: name(video.srcObject), muted: video.muted, mutedProp: muted });
    });
    return createElement('div', { ref: box }, createElement(Video, { stream, muted }));
  }

  const container = document.getElementById('root');
  if (!container) throw new Error('no #root');
  const root = createRoot(container);
  const steps: [string, boolean][] = [
    ['none', false],
    ['a', false],
    ['a', true],
    ['b', true],
    ['none', false],
    // Muted last: the page has had no user gesture, and the picture should not depend on autoplay policy.
    ['a', true],
  ];
  for (const [which, muted] of steps) {
    // From a timer: a default-priority update, like the call engine's.
    await nextTask();
    root.render(createElement(Probe, { stream: which === 'none' ? null : (streams[which] ?? null), muted }));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }
  // The last step has a stream: wait (without asserting a time) for its first frames.
  const video = container.querySelector('video');
  for (let i = 0; i < 200 && !(showing && (video?.videoWidth ?? 0) > 0); i++) await nextTask(50);
  const result = { commits, showingAtEnd: showing, videoWidthAtEnd: video?.videoWidth ?? 0 };
  root.unmount();
  return result;
};
