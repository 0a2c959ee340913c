/**
 * My camera behind the calling and ringing screens (as FaceTime does), so I can
 * check how I look before the call connects. Mirrored, muted, dimmed.
 */
import { useLayoutEffect, useState } from 'react';
import type { LocalMediaView } from '../../call/types';
import { log } from '../../log';
import { useMediaElement } from './useMediaElement';

export function hasLiveVideo(local: LocalMediaView | undefined): local is LocalMediaView & { stream: MediaStream } {
  return !!local?.cameraOn && !!local.stream && local.stream.getVideoTracks().some((t) => t.readyState === 'live');
}

/**
 * The backdrop's frame rate. It fills the stage, so with software compositing (no
 * GPU, a VM, a remote desktop) every camera frame is a whole stage to draw again: at
 * 30 frames a second the two previews of a call ringing on one machine cost the
 * compositor about a quarter of a core (issue 15, `npm run bench -- --only
 * compositor`). Dimmed behind the card, 15 look the same to a person.
 */
export const PREVIEW_FRAME_RATE = 15;

const previewLog = log.child('ui.preview');

/**
 * A copy of the camera's track for the backdrop, slowed to PREVIEW_FRAME_RATE; the
 * camera itself, which Accept puts on the senders, keeps its rate. The copy keeps
 * the camera on as long as it runs, so it stops with the backdrop, when the stream
 * changes, and as soon as the camera's own track has ended (an audio-only answer
 * stops the camera while the backdrop stays a moment, hidden). An engine that slows
 * the camera itself for a copy's constraint (rather than dropping frames for the
 * copy alone) gets no copy: the backdrop shows the camera as it is.
 */
function usePreviewCopy(stream: MediaStream): MediaStream | null {
  const camera = stream.getVideoTracks()[0] ?? null;
  const cameraLive = camera?.readyState === 'live';
  const [copy, setCopy] = useState<MediaStream | null>(null);
  // A layout effect: the copy is on the element before the first paint.
  useLayoutEffect(() => {
    if (!camera || !cameraLive) {
      setCopy(null);
      return;
    }
    let current = true;
    const track = camera.clone();
    const rate = (): number | undefined => camera.getSettings().frameRate;
    const before = rate();
    track.applyConstraints({ frameRate: { max: PREVIEW_FRAME_RATE } }).then(
      () => {
        const after = rate();
        if (!current || before === undefined || after === undefined || after >= before) return;
        previewLog.info(`slowing the preview's copy slowed the camera itself (${before} → ${after} frames a second): the preview shows the camera as it is`);
        track.stop();
        setCopy(new MediaStream([camera]));
      },
      (error: unknown) => {
        previewLog.info(`the ringing preview keeps the camera's frame rate (${PREVIEW_FRAME_RATE} per second refused)`, error);
      },
    );
    setCopy(new MediaStream([track]));
    return () => {
      current = false;
      track.stop();
    };
  }, [camera, cameraLive]);
  return copy;
}

/**
 * `leaving`: the call was answered and the screen shows; the preview stays a moment
 * longer, hidden (nothing to draw), so that tearing down a playing video (~20-25 ms of
 * the main thread in a CPU profile) does not hold up the first frames (issue 15).
 */
export function PreviewBackdrop({ local, leaving = false }: { local: LocalMediaView & { stream: MediaStream }; leaving?: boolean }) {
  const { ref } = useMediaElement(usePreviewCopy(local.stream), { muted: true });
  return (
    <div className={leaving ? 'preview-backdrop preview-backdrop--leaving' : 'preview-backdrop'} aria-hidden="true">
      <video ref={ref} className="preview-backdrop__video" autoPlay playsInline muted data-testid="self-preview" />
    </div>
  );
}
