/**
 * Issue 16.5 in real Chromium: the microphone track in use mid-call ends from
 * outside the engine (stopped and 'ended' as a browser fires it when a device goes
 * away). The media layer opens the device again (Chromium's fake device is still
 * there), puts it on the sender without renegotiating, and tells the person.
 */
import { describe, expect, it } from 'vitest';
import { connectCall } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil } from './harness';

const chromium = useChromium();

describe('a device that goes away mid-call', { timeout: SCENARIO_MS }, () => {
  it('an ended microphone track is replaced on the sender and the person is told', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await connectCall(alice, bob, 'audio');

    const before = await alice.page.evaluate(() => {
      const sender = window.__parleyE2E
        ?.peerConnections()
        .flatMap((pc) => pc.getSenders())
        .find((s) => s.track?.kind === 'audio');
      const track = sender?.track ?? null;
      if (track === null) return null;
      (window as unknown as { __endedTrack?: MediaStreamTrack }).__endedTrack = track;
      // What a browser does when the device goes away: the track stops and fires 'ended'.
      track.stop();
      track.dispatchEvent(new Event('ended'));
      return track.id;
    });
    expect(before).not.toBeNull();

    await visible(alice.page.getByText(/Microphone “.*” (is back; Parley uses it again|went away; Parley uses)/));
    const now = await waitUntil(
      'a live microphone track on the sender again',
      () =>
        alice.page.evaluate(() => {
          const track = window.__parleyE2E
            ?.peerConnections()
            .flatMap((pc) => pc.getSenders())
            .find((s) => s.track?.kind === 'audio')?.track;
          return track ? { id: track.id, state: track.readyState } : null;
        }),
      (seen) => seen !== null && seen.state === 'live',
    );
    expect(now?.id).not.toBe(before);
    // The call goes on: no error line about the microphone on Alice's screen.
    expect(await alice.page.getByText('The microphone stopped').count()).toBe(0);
  });
});
