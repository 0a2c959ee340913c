/**
 * What is really flowing: decoded frames on a remote <video>, and the RTP counters
 * of the page's peer connections (getStats, W3C webrtc-stats). Every assertion
 * here waits for a counter to move; none trusts a timer.
 */
import type { Page } from 'playwright-core';
import { waitUntil, type Person } from './harness';

/** A page's peer connections, their getStats summed over all of them. */
export interface RtpTotals {
  /** connectionState of each open peer connection. */
  states: RTCPeerConnectionState[];
  inboundAudioPackets: number;
  inboundVideoFrames: number;
  /** RTP payload sent, audio and video: zero means no media left this page. */
  outboundRtpBytes: number;
  outboundRtpPackets: number;
  /** The video part of the above, and the frames its encoders produced: zero means no camera left this page. */
  outboundVideoBytes: number;
  outboundVideoFramesEncoded: number;
  /** Bytes on the transports (ICE checks, DTLS): above zero once a connection is up. */
  transportBytesSent: number;
}

export function rtpTotals(page: Page): Promise<RtpTotals> {
  return page.evaluate(async () => {
    const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
    const totals = {
      states: [] as RTCPeerConnectionState[],
      inboundAudioPackets: 0,
      inboundVideoFrames: 0,
      outboundRtpBytes: 0,
      outboundRtpPackets: 0,
      outboundVideoBytes: 0,
      outboundVideoFramesEncoded: 0,
      transportBytesSent: 0,
    };
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      totals.states.push(pc.connectionState);
      const report = await pc.getStats();
      report.forEach((entry: unknown) => {
        const stat = entry as Record<string, unknown>;
        if (stat.type === 'inbound-rtp' && stat.kind === 'audio') totals.inboundAudioPackets += count(stat.packetsReceived);
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') totals.inboundVideoFrames += count(stat.framesDecoded);
        if (stat.type === 'outbound-rtp') {
          totals.outboundRtpBytes += count(stat.bytesSent);
          totals.outboundRtpPackets += count(stat.packetsSent);
          if (stat.kind === 'video') {
            totals.outboundVideoBytes += count(stat.bytesSent);
            totals.outboundVideoFramesEncoded += count(stat.framesEncoded);
          }
        }
        if (stat.type === 'transport') totals.transportBytesSent += count(stat.bytesSent);
      });
    }
    return totals;
  });
}

export interface VideoProbe {
  /** The remote <video> for that person exists. */
  present: boolean;
  /** HTMLVideoElement.getVideoPlaybackQuality().totalVideoFrames */
  frames: number;
  width: number;
  /** A video track is attached to the element. */
  hasVideoTrack: boolean;
}

/** The remote video element that shows `userId` on this page. */
export function remoteVideo(page: Page, userId: string): Promise<VideoProbe> {
  return page.evaluate((id) => {
    const video = document.querySelector(`video[data-testid="remote-video"][data-user-id="${id}"]`);
    if (!(video instanceof HTMLVideoElement)) return { present: false, frames: 0, width: 0, hasVideoTrack: false };
    const stream = video.srcObject instanceof MediaStream ? video.srcObject : null;
    return {
      present: true,
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
      width: video.videoWidth,
      hasVideoTrack: (stream?.getVideoTracks().length ?? 0) > 0,
    };
  }, userId);
}

/** Every remote video element of the page, probed. */
export function remoteVideos(page: Page): Promise<VideoProbe[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('video[data-testid="remote-video"]')].flatMap((video) => {
      if (!(video instanceof HTMLVideoElement)) return [];
      const stream = video.srcObject instanceof MediaStream ? video.srcObject : null;
      return [
        {
          present: true,
          frames: video.getVideoPlaybackQuality().totalVideoFrames,
          width: video.videoWidth,
          hasVideoTrack: (stream?.getVideoTracks().length ?? 0) > 0,
        },
      ];
    }),
  );
}

/**
 * Live camera tracks anywhere in the page (the self-view's stream, or any other),
 * not counting remote videos: the call screen standing by while it rings holds the
 * pre-connected remote stream, whose track is live and carries nothing yet.
 */
export function liveCameras(page: Page): Promise<number> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLVideoElement>('video:not([data-testid="remote-video"])')].reduce((sum, video) => {
      const stream = video.srcObject instanceof MediaStream ? video.srcObject : null;
      return sum + (stream?.getVideoTracks().filter((t) => t.readyState === 'live').length ?? 0);
    }, 0),
  );
}

/** Frames decoded by the self-preview (my camera while it rings): a clock the camera drives. */
export function previewFrames(page: Page): Promise<number> {
  return page.evaluate(() => {
    const video = document.querySelector('video[data-testid="self-preview"]');
    return video instanceof HTMLVideoElement ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
  });
}

/**
 * `viewer` shows `sender`'s camera, and its frame count keeps climbing. `timeoutMs`:
 * how long each step may take; calls of five or six Chromiums on two cores (the SFU
 * tests, every frame sealed and opened in a worker) are slowed far below the
 * camera's rate by the encoders' CPU adaptation, so they wait longer.
 */
export async function expectVideoFrom(viewer: Person, sender: Person, timeoutMs?: number): Promise<void> {
  const what = `${viewer.name} sees ${sender.name}'s video`;
  const first = await waitUntil(what, () => remoteVideo(viewer.page, sender.userId), (v) => v.width > 0 && v.frames > 0, timeoutMs);
  await waitUntil(`${what} advancing (from frame ${first.frames})`, () => remoteVideo(viewer.page, sender.userId), (v) => v.frames >= first.frames + 10, timeoutMs);
}

/** Audio RTP arrives at `viewer`, and keeps arriving (Opus sends ~50 packets a second). */
export async function expectAudioArriving(viewer: Person): Promise<void> {
  const what = `${viewer.name} receives audio packets`;
  const first = await waitUntil(what, () => rtpTotals(viewer.page), (t) => t.inboundAudioPackets > 0);
  await waitUntil(
    `${what} rising (from ${first.inboundAudioPackets})`,
    () => rtpTotals(viewer.page),
    (t) => t.inboundAudioPackets >= first.inboundAudioPackets + 25,
  );
}
