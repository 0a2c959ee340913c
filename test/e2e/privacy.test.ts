/**
 * The privacy rule of the calling issue: nothing of a person's camera or
 * microphone leaves their machine before the call is accepted. Parley connects
 * the peers while it rings (so answering is instant) with empty senders; this
 * test reads the RTP counters of both sides' peer connections during the ringing.
 * Nor does a camera the person declined to send: an audio-only answer sends no frame.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, answer, dial, tileOf } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';
import { expectAudioArriving, expectVideoFrom, liveCameras, previewFrames, rtpTotals, type RtpTotals } from './media';

const chromium = useChromium();

/** Waits while both cameras deliver `frames` more frames: a stretch of ringing with live devices. */
async function whileCamerasRun(people: Person[], frames: number): Promise<void> {
  await Promise.all(
    people.map(async (person) => {
      const start = await previewFrames(person.page);
      await waitUntil(`${person.name}'s camera runs on (${frames} frames from ${start})`, () => previewFrames(person.page), (n) => n >= start + frames);
    }),
  );
}

describe('no media before accept', { timeout: SCENARIO_MS }, () => {
  it('sends no RTP from either side while Bob’s phone rings, and media flows once he accepts', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    // Both cameras are on (the self-preview behind the calling and ringing screens)
    // and stay on for a while: if any sender carried a track, RTP would leave now.
    await whileCamerasRun([alice, bob], 30);
    const connected = (t: RtpTotals): boolean => t.states.every((s) => s === 'connected');
    await waitUntil(
      'the peer connections opened while it rings (if any) are connected',
      () => Promise.all([rtpTotals(alice.page), rtpTotals(bob.page)]),
      (sides) => sides.every(connected),
    );
    await whileCamerasRun([alice, bob], 30);

    for (const person of [alice, bob]) {
      const ringing = await rtpTotals(person.page);
      expect(ringing, `${person.name} while it rings`).toMatchObject({ outboundRtpBytes: 0, outboundRtpPackets: 0 });
      // The check is not vacuous: a connection that exists is up and carries ICE/DTLS, just no media.
      if (ringing.states.length > 0) expect(ringing.transportBytesSent, `${person.name}'s transport`).toBeGreaterThan(0);
    }
    expect(await acceptButton(bob).isVisible()).toBe(true);

    await answer(bob);
    await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice), expectAudioArriving(alice), expectAudioArriving(bob)]);
    for (const person of [alice, bob]) {
      expect((await rtpTotals(person.page)).outboundRtpBytes, `${person.name} after accept`).toBeGreaterThan(0);
    }
  });

  it('sends none of Bob’s camera when he answers a video call with “Accept audio only”, not one frame', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    // Bob's camera runs for the preview while it rings: it is there to be sent by mistake.
    await whileCamerasRun([alice, bob], 15);

    await bob.main.getByRole('button', { name: 'Accept audio only' }).click();
    await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
    // The camera went off at the answer, before the call screen showed: no track of it
    // runs on in the page, not even in the ringing preview while that stays a moment,
    // hidden (CallStage.tsx, PREVIEW_TEARDOWN_DELAY_MS).
    expect(await liveCameras(bob.page), 'Bob’s live camera tracks once the call shows').toBe(0);
    await Promise.all([expectVideoFrom(bob, alice), expectAudioArriving(alice), expectAudioArriving(bob)]);
    // Alice's video arriving at Bob is the clock: a stretch of the call during which a frame of Bob's would have left.
    const { inboundVideoFrames: start } = await rtpTotals(bob.page);
    await waitUntil(`Bob decodes 30 more of Alice's frames (from ${start})`, () => rtpTotals(bob.page), (t) => t.inboundVideoFrames >= start + 30);

    const sent = await rtpTotals(bob.page);
    expect(sent, 'Bob sends his microphone').toMatchObject({ outboundVideoBytes: 0, outboundVideoFramesEncoded: 0 });
    expect(sent.outboundRtpBytes, 'Bob’s audio is sent (the check is not vacuous)').toBeGreaterThan(0);
    expect((await rtpTotals(alice.page)).inboundVideoFrames, 'Alice decodes no video from Bob').toBe(0);
  });
});
