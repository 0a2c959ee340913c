/**
 * A page for previewBackdrop.browser.test.ts: the app's PreviewBackdrop on Chromium's
 * fake camera (30 frames a second), React as the app bundles it. Each step renders
 * the backdrop as CallStage does and reports what its <video> shows: whose track, at
 * what rate, and which tracks are still live — the camera's own, the copy on the
 * element, and every copy seen so far (a copy left running keeps the camera on).
 */
import { createElement } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { PreviewBackdrop } from '../../../../renderer/ui/call/PreviewBackdrop';

export interface PreviewStep {
  step: string;
  /** The element's video track is not the camera's own (a copy). */
  copy: boolean | null;
  /** The frame rate the copy was asked for and the camera's own (getSettings). */
  copyRate: number | null;
  cameraRate: number | null;
  /** Frames the element presented over one second of this step. */
  framesInASecond: number;
  cameraLive: boolean;
  /** Every copy ever on the element that is still live. */
  liveCopies: number;
}

declare global {
  interface Window {
    runPreviewProbe: () => Promise<PreviewStep[]>;
  }
}

const second = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000));

window.runPreviewProbe = async () => {
  const root = createRoot(document.getElementById('root') as HTMLElement);
  const seen = new Set<MediaStreamTrack>();
  const steps: PreviewStep[] = [];
  const render = (stream: MediaStream | null, leaving = false): void =>
    flushSync(() => {
      root.render(
        stream === null ? null : createElement(PreviewBackdrop, { local: { stream, muted: true, cameraOn: true, error: null }, leaving }),
      );
    });
  const video = (): HTMLVideoElement | null => document.querySelector('video[data-testid="self-preview"]');
  const record = async (step: string, camera: MediaStreamTrack): Promise<void> => {
    const element = video();
    const track = element?.srcObject instanceof MediaStream ? (element.srcObject.getVideoTracks()[0] ?? null) : null;
    if (track) seen.add(track);
    const before = element?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
    await second();
    const after = element?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
    steps.push({
      step,
      copy: track === null ? null : track !== camera,
      copyRate: track?.getSettings().frameRate ?? null,
      cameraRate: camera.getSettings().frameRate ?? null,
      framesInASecond: after - before,
      cameraLive: camera.readyState === 'live',
      liveCopies: [...seen].filter((t) => t !== camera && t.readyState === 'live').length,
    });
  };
  const camera = (): Promise<MediaStream> => navigator.mediaDevices.getUserMedia({ video: { frameRate: 30 } });

  // It rings: the backdrop shows the camera.
  const first = await camera();
  const firstTrack = first.getVideoTracks()[0] as MediaStreamTrack;
  render(first);
  await second();
  await record('ringing', firstTrack);
  // Another camera (a device switch: LocalMedia makes a new stream).
  const second_ = await camera();
  const secondTrack = second_.getVideoTracks()[0] as MediaStreamTrack;
  render(second_);
  await second();
  await record('another camera', secondTrack);
  firstTrack.stop();
  // Answered audio only: the camera's own track is stopped, the backdrop stays, hidden.
  secondTrack.stop();
  render(second_, true);
  await record('the camera stopped, the backdrop leaving', secondTrack);
  // Answered with video: the backdrop goes while the camera runs on (it is sent).
  const third = await camera();
  const thirdTrack = third.getVideoTracks()[0] as MediaStreamTrack;
  render(third);
  await second();
  await record('ringing again', thirdTrack);
  render(null);
  await record('gone', thirdTrack);
  thirdTrack.stop();

  // An engine that slows the camera itself for a copy's constraint (as if the source
  // had one rate for all its tracks): the camera's own settings drop once a copy of it
  // is slowed. Simulated on this camera's track and its copies.
  const fourth = await camera();
  const fourthTrack = fourth.getVideoTracks()[0] as MediaStreamTrack;
  const settings = fourthTrack.getSettings.bind(fourthTrack);
  let slowed = false;
  fourthTrack.getSettings = () => ({ ...settings(), ...(slowed ? { frameRate: 15 } : {}) });
  const clone = fourthTrack.clone.bind(fourthTrack);
  fourthTrack.clone = () => {
    const copy = clone();
    seen.add(copy);
    const apply = copy.applyConstraints.bind(copy);
    copy.applyConstraints = async (constraints) => {
      await apply(constraints);
      slowed = true;
    };
    return copy;
  };
  render(fourth);
  await second();
  await record('an engine that slows the camera itself', fourthTrack);
  render(null);
  fourthTrack.stop();
  return steps;
};
