/**
 * What the feature tests read from a page: the screen-share sender's settings, the
 * signaling state of every connection, the hash of a received file. Each probe
 * runs inside the page against the peer connections the harness records.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import type { Person } from '../e2e/harness';

/** The call controls toolbar: its buttons are the ones a person clicks. */
export function controls(person: Person) {
  return person.main.getByRole('toolbar', { name: 'Call controls' });
}

export interface ScreenSenderInfo {
  /** Connections with a live screen sender. */
  count: number;
  contentHint: string | null;
  maxBitrate: number | null;
  degradationPreference: string | null;
  width: number | null;
  frameRate: number | null;
}

/** The screen track's sender (the one whose track is a display capture) on this page's connections. */
export function screenSender(page: Page): Promise<ScreenSenderInfo> {
  return page.evaluate(() => {
    const info: ScreenSenderInfo = { count: 0, contentHint: null, maxBitrate: null, degradationPreference: null, width: null, frameRate: null };
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      for (const sender of pc.getSenders()) {
        const track = sender.track;
        if (!track || track.kind !== 'video' || track.readyState !== 'live') continue;
        const settings = track.getSettings() as MediaTrackSettings & { displaySurface?: string };
        if (!settings.displaySurface) continue;
        const parameters = sender.getParameters();
        info.count += 1;
        info.contentHint = track.contentHint;
        info.maxBitrate = parameters.encodings[0]?.maxBitrate ?? null;
        info.degradationPreference = parameters.degradationPreference ?? null;
        info.width = settings.width ?? null;
        info.frameRate = settings.frameRate ?? null;
      }
    }
    return info;
  });
}

/** Frames decoded by the screen tile showing `userId`'s screen (0 when there is none). */
export function screenFrames(page: Page, userId: string): Promise<{ present: boolean; frames: number; width: number }> {
  return page.evaluate((id) => {
    const video = document.querySelector(`video[data-testid="screen-video"][data-user-id="${id}"]`);
    if (!(video instanceof HTMLVideoElement)) return { present: false, frames: 0, width: 0 };
    return { present: true, frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth };
  }, userId);
}

/**
 * Starts counting signaling-state changes on every connection of the page; the
 * returned probe reads the count and the states now. Perfect negotiation leaves
 * 'stable' for every offer, so zero changes means no renegotiation happened.
 */
export async function watchNegotiation(page: Page): Promise<() => Promise<{ changes: number; states: RTCSignalingState[] }>> {
  await page.evaluate(() => {
    const w = window as Window & { __negotiations?: number };
    w.__negotiations = 0;
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      pc.addEventListener('signalingstatechange', () => {
        w.__negotiations = (w.__negotiations ?? 0) + 1;
      });
    }
  });
  return () =>
    page.evaluate(() => ({
      changes: (window as Window & { __negotiations?: number }).__negotiations ?? -1,
      states: (window.__parleyE2E?.peerConnections() ?? []).map((pc) => pc.signalingState),
    }));
}

/** The device id of the track the page sends for `kind` (audio or video), per connection. */
export function sentDeviceIds(page: Page, kind: 'audio' | 'video'): Promise<string[]> {
  return page.evaluate((k) => {
    const ids: string[] = [];
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      for (const sender of pc.getSenders()) {
        const track = sender.track;
        if (track?.kind === k && !(track.getSettings() as { displaySurface?: string }).displaySurface) {
          ids.push(`${track.id}|${track.getSettings().deviceId ?? ''}`);
        }
      }
    }
    return ids;
  }, kind);
}

/** Saves a received file through its download link, as a person would; its name, size and SHA-256 (hex). */
export async function saveDownload(person: Person, link: Locator): Promise<{ name: string; size: number; hash: string }> {
  const [download] = await Promise.all([person.page.waitForEvent('download'), link.click()]);
  const path = await download.path();
  const bytes = await readFile(path);
  return { name: download.suggestedFilename(), size: bytes.byteLength, hash: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Makes a file of `size` pseudo-random bytes in the page and drops it on the call,
 * as a person dragging it from their desktop would; resolves with its hash.
 */
export function dropGeneratedFile(page: Page, name: string, size: number): Promise<string> {
  return page.evaluate(
    async ({ fileName, bytesWanted }) => {
      const bytes = new Uint8Array(bytesWanted);
      // getRandomValues fills at most 64 KiB per call.
      for (let offset = 0; offset < bytes.length; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536));
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], fileName, { type: 'application/octet-stream' }));
      const target = document.querySelector('section[aria-label="Call"]');
      if (!target) throw new Error('no call on the page');
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    },
    { fileName: name, bytesWanted: size },
  );
}

export interface ChannelStats {
  label: string;
  state: string;
  messagesSent: number;
  messagesReceived: number;
}

/** The data channels of every connection on the page, from getStats ('data-channel' entries). */
export function dataChannels(page: Page): Promise<{ channels: ChannelStats[]; sdpHasApplication: boolean[] }> {
  return page.evaluate(async () => {
    const channels: ChannelStats[] = [];
    const sdpHasApplication: boolean[] = [];
    for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
      sdpHasApplication.push((pc.localDescription?.sdp ?? '').includes('m=application'));
      (await pc.getStats()).forEach((entry: unknown) => {
        const stat = entry as Record<string, unknown>;
        if (stat.type !== 'data-channel') return;
        channels.push({
          label: String(stat.label),
          state: String(stat.state),
          messagesSent: Number(stat.messagesSent ?? 0),
          messagesReceived: Number(stat.messagesReceived ?? 0),
        });
      });
    }
    return { channels, sdpHasApplication };
  });
}
