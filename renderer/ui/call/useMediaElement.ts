/**
 * Attaches a MediaStream to a <video>, starts it, and tells whether a picture is
 * actually showing.
 *
 * - Autoplay with sound can be refused when the page has had no user gesture
 *   (Chrome autoplay policy, https://developer.chrome.com/blog/autoplay); then
 *   `blocked` is true and the tile offers a button whose click starts playback.
 * - A remote video track exists from negotiation on but shows black until frames
 *   arrive, and goes `muted` when they stop (W3C mediacapture-main, "track muted");
 *   `showing` is true only while there is a live, unmuted video track and decoded
 *   frames, so the tile shows the avatar instead of a black box.
 */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { log } from '../../log';

function liveVideo(stream: MediaStream | null): boolean {
  return !!stream && stream.getVideoTracks().some((t) => t.readyState === 'live' && !t.muted);
}

export function useMediaElement(stream: MediaStream | null, options: { muted: boolean; sinkId?: string | null }) {
  const ref = useRef<HTMLVideoElement>(null);
  const [blocked, setBlocked] = useState(false);
  const [tracksLive, setTracksLive] = useState(() => liveVideo(stream));
  const [frames, setFrames] = useState(false);
  const { muted, sinkId } = options;

  // A layout effect, not a passive one: the stream is on the element in the same
  // commit that renders it, before the browser paints. A passive effect runs after
  // paint when the update did not come from a discrete input (a remote track
  // arriving, a state change from the call engine), which left the element empty
  // for a frame or more and delayed the first remote frame after Accept.
  useLayoutEffect(() => {
    const video = ref.current;
    if (!video) return;
    // React does not keep the `muted` property in step with the prop after mount
    // (facebook/react#10389), so it is set here directly.
    video.muted = muted;
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      setFrames(false);
    }
    if (!stream) return;
    let cancelled = false;
    video.play().then(
      () => !cancelled && setBlocked(false),
      (error: unknown) => {
        if (!cancelled && error instanceof DOMException && error.name === 'NotAllowedError') setBlocked(true);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [stream, muted]);

  // Frames: the element reports a size once the first frame is decoded.
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    const update = (): void => setFrames(video.videoWidth > 0 && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA);
    const events = ['loadeddata', 'resize', 'playing', 'emptied'] as const;
    events.forEach((e) => video.addEventListener(e, update));
    update();
    return () => events.forEach((e) => video.removeEventListener(e, update));
  }, [stream]);

  // Tracks: added, removed, muted (no frames arriving) or ended.
  useEffect(() => {
    setTracksLive(liveVideo(stream));
    if (!stream) return;
    const update = (): void => setTracksLive(liveVideo(stream));
    let tracks: MediaStreamTrack[] = [];
    const watch = (): void => {
      tracks.forEach((t) => ['mute', 'unmute', 'ended'].forEach((e) => t.removeEventListener(e, update)));
      tracks = stream.getVideoTracks();
      tracks.forEach((t) => ['mute', 'unmute', 'ended'].forEach((e) => t.addEventListener(e, update)));
      update();
    };
    watch();
    stream.addEventListener('addtrack', watch);
    stream.addEventListener('removetrack', watch);
    return () => {
      stream.removeEventListener('addtrack', watch);
      stream.removeEventListener('removetrack', watch);
      tracks.forEach((t) => ['mute', 'unmute', 'ended'].forEach((e) => t.removeEventListener(e, update)));
    };
  }, [stream]);

  useEffect(() => {
    const video = ref.current as (HTMLVideoElement & { setSinkId?: (id: string) => Promise<void> }) | null;
    if (!video || !sinkId || typeof video.setSinkId !== 'function') return;
    // A speaker that was unplugged falls back to the default output.
    video
      .setSinkId(sinkId)
      .catch((error: unknown) => log.child('media').info(`speaker ${sinkId} is not available; playing through the default output`, error));
  }, [sinkId, stream]);

  useEffect(() => {
    const video = ref.current;
    return () => {
      // Released in a task of its own: tearing down a playing element's player takes
      // ~10 ms, and the unmount that asks for it is often the one that shows the call
      // (the ringing card's self-view goes as the call screen appears).
      if (video) setTimeout(() => (video.srcObject = null));
    };
  }, []);

  const resume = useCallback(() => {
    void ref.current?.play().then(() => setBlocked(false), () => undefined);
  }, []);

  // `live`: a video track is there and receiving, so a frame may come at any moment;
  // `showing`: one has been decoded.
  return { ref, blocked, resume, live: tracksLive, showing: tracksLive && frames };
}
