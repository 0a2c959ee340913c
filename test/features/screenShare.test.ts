/**
 * Screen sharing in real Chromium through the real server.
 *
 * Headless Chromium captures a synthetic screen: with the harness's
 * --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream,
 * getDisplayMedia resolves at once with a moving test pattern labelled
 * "screen:-3:0" (displaySurface "monitor"), no picker and no
 * --auto-select-desktop-capture-source needed. The browser's own "Stop sharing"
 * bar does not exist headless; the end of capture is the track's 'ended' event,
 * which the test raises on the live capture track.
 */
import { describe, expect, it } from 'vitest';
import { connectCall, tileOf } from '../e2e/calls';
import { gone, SCENARIO_MS, useChromium, visible, waitUntil } from '../e2e/harness';
import { expectVideoFrom } from '../e2e/media';
import { controls, screenFrames, screenSender } from './pages';

const chromium = useChromium();

describe('screen sharing', { timeout: SCENARIO_MS * 2 }, () => {
  it('shows Alice’s screen to Bob as a tile of its own beside her camera, and takes it away when she stops or the capture ends', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'video');
    await expectVideoFrom(bob, alice);

    await controls(alice).getByRole('button', { name: 'Share screen' }).click();
    const screenTile = bob.main.getByRole('group', { name: 'Alice’s screen' });
    await visible(screenTile);
    const first = await waitUntil('Bob decodes Alice’s screen', () => screenFrames(bob.page, alice.userId), (s) => s.frames > 0 && s.width > 0);
    await waitUntil(
      `Alice’s screen advancing at Bob (from frame ${first.frames})`,
      () => screenFrames(bob.page, alice.userId),
      (s) => s.frames >= first.frames + 10,
    );
    // Her camera keeps going on its own tile meanwhile.
    await expectVideoFrom(bob, alice);
    await visible(tileOf(bob, alice));

    // Sent as screen content, capped, keeping its resolution.
    expect(await screenSender(alice.page)).toMatchObject({
      count: 1,
      contentHint: 'detail',
      maxBitrate: 2_500_000,
      degradationPreference: 'maintain-resolution',
    });
    await visible(controls(alice).getByRole('button', { name: 'Stop sharing' }));

    await controls(alice).getByRole('button', { name: 'Stop sharing' }).click();
    await gone(screenTile);
    await visible(controls(alice).getByRole('button', { name: 'Share screen' }));
    expect((await screenSender(alice.page)).count).toBe(0);
    await expectVideoFrom(bob, alice);

    // Again, and this time the capture ends by itself (the browser's or the system's "Stop sharing").
    await controls(alice).getByRole('button', { name: 'Share screen' }).click();
    await visible(screenTile);
    await waitUntil('Bob decodes the second share', () => screenFrames(bob.page, alice.userId), (s) => s.frames > 0);
    await alice.page.evaluate(() => {
      for (const pc of window.__parleyE2E?.peerConnections() ?? []) {
        for (const sender of pc.getSenders()) {
          const track = sender.track;
          if (track && (track.getSettings() as { displaySurface?: string }).displaySurface) {
            track.stop();
            // stop() from the page fires no 'ended' (mediacapture-main §4.3.1); the browser's own end does.
            track.dispatchEvent(new Event('ended'));
          }
        }
      }
    });
    await gone(screenTile);
    await visible(controls(alice).getByRole('button', { name: 'Share screen' }));
  });
});
