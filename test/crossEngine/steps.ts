/**
 * Call steps and media checks for people of either engine (people.ts): the same
 * buttons as test/e2e/calls.ts, and the RTP counters and decoded frames of
 * test/e2e/media.ts, read through each engine's driver.
 */
import type { CallMedia } from '../../signaling-server/protocol';
import { waitUntil } from '../e2e/harness';
import { rtpTotals } from '../e2e/media';
import { click, inMain, visible, type Target, type XPerson } from './people';

export const acceptTarget: Target = inMain('button', 'Accept');

export async function dial(caller: XPerson, callee: XPerson, media: CallMedia): Promise<void> {
  await click(caller, { role: 'button', name: `${media === 'video' ? 'Video' : 'Audio'} call ${callee.name}` });
}

/** The tile that shows `other` in `viewer`'s call grid. */
export async function tileShown(viewer: XPerson, other: XPerson): Promise<void> {
  await waitUntil(
    `${viewer.label} shows a tile for ${other.label}`,
    () => viewer.page.evaluate((id) => document.querySelector(`main [data-testid="tile"][data-user-id="${id}"]`) !== null, other.userId),
    Boolean,
  );
}

export async function connectCall(caller: XPerson, callee: XPerson, media: CallMedia): Promise<void> {
  await dial(caller, callee, media);
  await click(callee, acceptTarget);
  await tileShown(caller, callee);
  await tileShown(callee, caller);
}

/**
 * What `viewer` decodes of `userId`'s camera: the remote <video> for them, and the
 * framesDecoded of the receiver that carries its track (getStats). Headless Firefox
 * paints nothing, so the element's totalVideoFrames stays 0 there: the receiver's
 * counter is the one both engines keep.
 */
export function decodedFrom(
  viewer: XPerson,
  userId: string,
  testId: 'remote-video' | 'screen-video' = 'remote-video',
): Promise<{ width: number; framesDecoded: number }> {
  return viewer.page.evaluate(async ({ id, element }) => {
    const video = document.querySelector(`video[data-testid="${element}"][data-user-id="${id}"]`);
    if (!(video instanceof HTMLVideoElement) || !(video.srcObject instanceof MediaStream)) return { width: 0, framesDecoded: 0 };
    const trackIds = new Set(video.srcObject.getVideoTracks().map((t) => t.id));
    let framesDecoded = 0;
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      for (const receiver of pc.getReceivers()) {
        if (!trackIds.has(receiver.track.id)) continue;
        (await receiver.getStats()).forEach((entry: unknown) => {
          const stat = entry as Record<string, unknown>;
          if (stat.type === 'inbound-rtp' && typeof stat.framesDecoded === 'number') framesDecoded += stat.framesDecoded;
        });
      }
    }
    return { width: video.videoWidth, framesDecoded };
  }, { id: userId, element: testId });
}

/** `viewer` shows `sender`'s camera, and the frames decoded from it keep climbing. */
export async function expectVideoFrom(viewer: XPerson, sender: XPerson): Promise<void> {
  const what = `${viewer.label} sees ${sender.label}'s video`;
  const first = await waitUntil(what, () => decodedFrom(viewer, sender.userId), (v) => v.width > 0 && v.framesDecoded > 0);
  await waitUntil(`${what} advancing (from frame ${first.framesDecoded})`, () => decodedFrom(viewer, sender.userId), (v) => v.framesDecoded >= first.framesDecoded + 10);
}

/** Audio RTP arrives at `viewer` and keeps arriving (Opus: ~50 packets a second). */
export async function expectAudioArriving(viewer: XPerson): Promise<void> {
  const what = `${viewer.label} receives audio packets`;
  const first = await waitUntil(what, () => rtpTotals(viewer.page.probe), (t) => t.inboundAudioPackets > 0);
  await waitUntil(`${what} rising (from ${first.inboundAudioPackets})`, () => rtpTotals(viewer.page.probe), (t) => t.inboundAudioPackets >= first.inboundAudioPackets + 25);
}

/** Inbound video frames decoded over all of `viewer`'s connections keep rising. */
export async function expectInboundVideoRising(viewer: XPerson): Promise<void> {
  const what = `${viewer.label} decodes inbound video`;
  const first = await waitUntil(what, () => rtpTotals(viewer.page.probe), (t) => t.inboundVideoFrames > 0);
  await waitUntil(`${what} rising (from ${first.inboundVideoFrames})`, () => rtpTotals(viewer.page.probe), (t) => t.inboundVideoFrames >= first.inboundVideoFrames + 15);
}

export async function headline(person: XPerson, name: string | RegExp): Promise<void> {
  await visible(person, inMain('heading', name));
}
