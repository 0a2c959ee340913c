/**
 * My camera behind the calling and ringing screens (as FaceTime does), so I can
 * check how I look before the call connects. Mirrored, muted, dimmed.
 */
import type { LocalMediaView } from '../../call/types';
import { useMediaElement } from './useMediaElement';

export function hasLiveVideo(local: LocalMediaView | undefined): local is LocalMediaView & { stream: MediaStream } {
  return !!local?.cameraOn && !!local.stream && local.stream.getVideoTracks().some((t) => t.readyState === 'live');
}

export function PreviewBackdrop({ local }: { local: LocalMediaView & { stream: MediaStream } }) {
  const { ref } = useMediaElement(local.stream, { muted: true });
  return (
    <div className="preview-backdrop" aria-hidden="true">
      <video ref={ref} className="preview-backdrop__video" autoPlay playsInline muted data-testid="self-preview" />
    </div>
  );
}
