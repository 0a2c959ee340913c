/**
 * Every way a call can go other than "answered": each person is told why, in the
 * words the call screens use, and missed calls land in the callee's history.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, answer, callSection, connectCall, dial, endedHeadline, historyRows } from './calls';
import { gone, SCENARIO_MS, useChromium, visible, waitUntil } from './harness';
import { expectAudioArriving, remoteVideos, rtpTotals } from './media';

const chromium = useChromium();

describe('call outcomes', { timeout: SCENARIO_MS }, () => {
  it('tells the caller the callee declined, and the callee that they declined the caller', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await bob.main.getByRole('button', { name: 'Decline', exact: true }).click();

    await visible(endedHeadline(alice, 'Bob declined'));
    await visible(alice.main.getByRole('button', { name: 'Call again' }));
    await gone(acceptButton(bob));
    // Bob refused, not Alice: his card says so and offers to return the call, as his history does.
    await visible(endedHeadline(bob, 'You declined the call from Alice'));
    await visible(bob.main.getByRole('button', { name: 'Call back' }));
    expect(await bob.main.getByRole('heading', { name: 'Alice declined' }).count()).toBe(0);
    expect(await bob.main.getByRole('button', { name: 'Call again' }).count()).toBe(0);
  });

  it('takes the ringing screen away when the caller cancels, and the callee’s history shows a missed call', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await alice.main.getByRole('button', { name: 'Cancel' }).click();

    await visible(endedHeadline(alice, 'Call cancelled'));
    await gone(acceptButton(bob));
    await visible(endedHeadline(bob, 'Missed call from Alice'));
    await visible((await historyRows(bob, 'Alice')).filter({ hasText: 'Missed video call' }));
  });

  it('stops ringing after the server’s ring timeout: "No answer" for the caller, a missed call for the callee', async () => {
    const { openPerson } = await chromium.stage({ ringTimeoutMs: 3_000 });
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));

    await visible(endedHeadline(alice, 'No answer'));
    await visible(endedHeadline(bob, 'Missed call from Alice'));
    await visible((await historyRows(alice, 'Bob')).filter({ hasText: 'No answer' }));
    await visible((await historyRows(bob, 'Alice')).filter({ hasText: 'Missed video call' }));
  });

  it('tells a third caller the callee is busy while he is in a call, without ringing him', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    const carol = await openPerson('Carol');
    await connectCall(alice, bob, 'audio');

    await dial(carol, bob, 'video');

    await visible(endedHeadline(carol, 'Bob is busy'));
    expect(await acceptButton(bob).count()).toBe(0);
    await visible(callSection(bob));
  });

  it('refuses a call to someone on Do not disturb at once, with that reason, and never rings them', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await bob.page.getByLabel('Your status').selectOption('dnd');
    const bobRow = alice.page.getByRole('listitem').filter({ hasText: 'Bob' });
    await visible(bobRow.getByText('Do not disturb', { exact: true }));

    await dial(alice, bob, 'video');

    await visible(endedHeadline(alice, "Bob doesn't want to be disturbed"));
    expect(await acceptButton(bob).count()).toBe(0);
    expect(await bob.main.getByText('Incoming video call').count()).toBe(0);
  });

  it('carries audio only in an audio call: packets rise both ways and no remote video plays', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'audio');
    // An audio call has one way to answer.
    expect(await bob.main.getByRole('button', { name: 'Accept audio only' }).count()).toBe(0);
    await answer(bob);

    await Promise.all([expectAudioArriving(alice), expectAudioArriving(bob)]);
    for (const person of [alice, bob]) {
      const videos = await waitUntil(`${person.name} has a remote media element`, () => remoteVideos(person.page), (v) => v.length === 1);
      expect(videos).toEqual([{ present: true, frames: 0, width: 0, hasVideoTrack: false }]);
      expect((await rtpTotals(person.page)).inboundVideoFrames).toBe(0);
    }
  });
});
