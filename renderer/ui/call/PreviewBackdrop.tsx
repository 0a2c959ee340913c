/**
 * My camera behind the calling and ringing screens (as FaceTime does), so I can
 * check how I look before the call connects. Mirrored, muted, dimmed.
 */
import type { LocalMediaView } from '../../call/types';
import { useMediaElement } from './useMediaElement';

export function hasLiveVideo(local: LocalMediaView | undefined): local is LocalMediaView & { stream: MediaStream } {
  return !!local?.cameraOn && !!local.stream && local.stream.getVideoTracks().some((t) => t.readyState === 'live');
}

/**
 * `leaving`: the call was answered and the screen shows; the preview stays a moment
 * longer, hidden (nothing to draw), so that tearing down a playing video (~20-25 ms of
 * the main thread in a CPU profile) does not hold up the first frames (issue 15).
 */
export function PreviewBackdrop({ local, leaving = false }: { local: LocalMediaView & { stream: MediaStream }; leaving?: boolean }) {
  const { ref } = useMediaElement(local.stream, { muted: true });
  return (
    <div className={leaving ? 'preview-backdrop preview-backdrop--leaving' : 'preview-backdrop'} aria-hidden="true">
      <video ref={ref} className="preview-backdrop__video" autoPlay playsInline muted data-testid="self-preview" />
    </div>
  );
}
