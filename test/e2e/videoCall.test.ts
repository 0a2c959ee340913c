/**
 * A one-to-one video call in real Chromium, through the real server: media flows
 * both ways, hanging up ends it on both sides, and both histories keep it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callSection, connectCall, endedHeadline, historyRows, tileOf } from './calls';
import { ROOT, SCENARIO_MS, useChromium, visible, waitUntil } from './harness';
import { expectAudioArriving, expectVideoFrom, remoteVideo } from './media';

const chromium = useChromium();

/**
 * The README shows this picture of a call. It is taken when missing, or when
 * PARLEY_UPDATE_SCREENSHOT=1 asks for a new one, so a test run leaves the tree clean.
 */
const SCREENSHOT = join(ROOT, 'docs', 'screenshot-call.png');
const takeScreenshot = !existsSync(SCREENSHOT) || process.env.PARLEY_UPDATE_SCREENSHOT === '1';

describe('a video call between two people', { timeout: SCENARIO_MS }, () => {
  it('plays each side’s camera and microphone on the other, ends for both on hang-up, and lands in both histories', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await connectCall(alice, bob, 'video');

    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);

    // Verified connected with media both ways: this is the call the README shows.
    // The tile swaps its avatar for the video once frames are decoded; wait for that too.
    await waitUntil(
      "Alice's tile for Bob shows his video",
      () => tileOf(alice, bob).evaluate((tile) => !tile.classList.contains('tile--no-video')),
      (showing) => showing,
    );
    if (takeScreenshot) {
      mkdirSync(join(ROOT, 'docs'), { recursive: true });
      await alice.page.screenshot({ path: SCREENSHOT, type: 'png' });
    }

    await callSection(alice).getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([visible(endedHeadline(alice, /^Call ended/)), visible(endedHeadline(bob, /^Call ended/))]);
    expect(await remoteVideo(alice.page, bob.userId)).toMatchObject({ present: false });

    const aliceRows = await historyRows(alice, 'Bob');
    const bobRows = await historyRows(bob, 'Alice');
    await visible(aliceRows.filter({ hasText: 'Outgoing video call' }));
    await visible(bobRows.filter({ hasText: 'Incoming video call' }));
  });
});
