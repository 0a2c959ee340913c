/**
 * Issue 15, fast call setup, in Chromium against the real server:
 * - the callee's Accept also travels over the pre-connected peer path (the 'call'
 *   data channel, renderer/call/acceptChannel.ts): with everything the server says
 *   to the caller held back, media still flows both ways after Accept;
 * - the ring-time self-view (default on) shows the callee's camera on the ringing
 *   card while nothing is sent; with it turned off in Settings no camera runs
 *   before Accept, and Accept starts it.
 * The answer race between two devices of one user is covered at engine level
 * (test/unit/call/fastAccept.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, answer, callSection, dial, endedHeadline, tileOf } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';
import { expectAudioArriving, expectVideoFrom, liveCameras, previewFrames, rtpTotals } from './media';
import { dataChannels } from '../features/pages';

const chromium = useChromium();

/** Waits until every peer connection of both pages (there is at least one) is connected: the pre-connect is up. */
async function preConnected(people: Person[]): Promise<void> {
  await waitUntil(
    'the connections opened while it rings are connected',
    () => Promise.all(people.map((p) => rtpTotals(p.page))),
    (sides) => sides.every((t) => t.states.length > 0 && t.states.every((s) => s === 'connected')),
  );
}

/** Waits while `person`'s camera delivers `frames` more frames to their self-view. */
async function previewRuns(person: Person, frames: number): Promise<void> {
  const start = await previewFrames(person.page);
  await waitUntil(`${person.name}'s self-view runs on (${frames} frames from ${start})`, () => previewFrames(person.page), (n) => n >= start + frames);
}

/**
 * The in-call screen standing by (renderer/ui/call/standby.ts): present, inert,
 * hidden, with the pre-connected remote stream on its <video>, which is remembered
 * in the page for `sameVideoShown`.
 */
function standby(person: Person): Promise<Record<string, boolean>> {
  return person.page.evaluate(() => {
    const slot = document.querySelector<HTMLElement>('[data-testid="call-slot"]');
    const video = slot?.querySelector<HTMLVideoElement>('video[data-testid="remote-video"]') ?? null;
    (window as { __standbyVideo?: HTMLVideoElement | null }).__standbyVideo = video;
    return {
      slot: slot !== null,
      inert: slot?.inert === true,
      hidden: slot !== null && !slot.checkVisibility({ visibilityProperty: true }),
      remoteVideo: video !== null,
      stream: video?.srcObject instanceof MediaStream && video.srcObject.getVideoTracks().length > 0,
    };
  });
}

/** The remote <video> shown now is the one `standby` saw while it rang. */
function sameVideoShown(person: Person): Promise<boolean> {
  return person.page.evaluate(() => {
    const shown = document.querySelector('[data-testid="call-slot"] video[data-testid="remote-video"]');
    const slot = document.querySelector<HTMLElement>('[data-testid="call-slot"]');
    return shown !== null && shown === (window as { __standbyVideo?: Element | null }).__standbyVideo && slot?.inert === false;
  });
}

/**
 * Remembers my ringing self-view <video> and, on the first animation frame where the
 * call screen shows (the slot no longer inert), whether that element was still in the
 * page, and hidden: answering hides it, its teardown comes later (CallStage).
 */
function watchPreviewAtAnswer(person: Person): Promise<void> {
  return person.page.evaluate(() => {
    const preview = document.querySelector<HTMLVideoElement>('video[data-testid="self-preview"]');
    const w = window as { __previewAtAnswer?: { connected: boolean; hidden: boolean } | null; __preview?: HTMLVideoElement | null };
    w.__preview = preview;
    w.__previewAtAnswer = null;
    const check = (): void => {
      const slot = document.querySelector<HTMLElement>('[data-testid="call-slot"]');
      if (slot && !slot.inert) {
        w.__previewAtAnswer = { connected: preview?.isConnected === true, hidden: preview !== null && !preview.checkVisibility({ visibilityProperty: true }) };
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

function previewAtAnswer(person: Person): Promise<{ connected: boolean; hidden: boolean } | null> {
  return person.page.evaluate(() => (window as { __previewAtAnswer?: { connected: boolean; hidden: boolean } | null }).__previewAtAnswer ?? null);
}

function previewGone(person: Person): Promise<boolean> {
  return person.page.evaluate(() => (window as { __preview?: HTMLVideoElement | null }).__preview?.isConnected === false);
}

/** Alice (her server events behind a gate she can hold) video-calls Bob; returns once it rings, pre-connected. */
async function ringingWithGate(): Promise<{ alice: Person; bob: Person; gate: NonNullable<Person['signaling']> }> {
  const { openPerson } = await chromium.stage();
  const alice = await openPerson('Alice', { signalingGate: true });
  const bob = await openPerson('Bob');
  const gate = alice.signaling;
  if (!gate) throw new Error('Alice was opened without her signaling gate');
  await dial(alice, bob, 'video');
  await visible(acceptButton(bob));
  await preConnected([alice, bob]);
  return { alice, bob, gate };
}

describe('fast call setup', { timeout: SCENARIO_MS }, () => {
  it('media flows both ways after Accept while the server’s word to the caller is held: the accept came over the peer path', async () => {
    const { alice, bob, gate } = await ringingWithGate();
    // The ring-time self-view is on by default: Bob sees his camera, nothing leaves either page.
    await previewRuns(bob, 15);
    for (const person of [alice, bob]) {
      expect((await rtpTotals(person.page)).outboundRtpBytes, `${person.name} while it rings`).toBe(0);
    }

    // From now on Alice hears nothing from the server: not Bob's accept, not the updated call.
    gate.hold();
    await answer(bob);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice), expectAudioArriving(alice), expectAudioArriving(bob)]);
    expect((await rtpTotals(alice.page)).outboundRtpBytes, 'Alice sends on the peer path’s word alone').toBeGreaterThan(0);

    // The server's word arrives late and changes nothing: the call goes on.
    gate.release();
    await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
    await expectVideoFrom(alice, bob);
  });

  it('Hang up while the server’s word of the answer is still held ends the call as a call on both sides, not as a cancelled ring', async () => {
    const { alice, bob, gate } = await ringingWithGate();
    // Alice learns of the answer only over the peer path (lost packets or a slow server would do the same).
    gate.hold();
    await answer(bob);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    await callSection(alice).getByRole('button', { name: 'Hang up' }).click();
    await Promise.all([visible(endedHeadline(alice, /^Call ended/)), visible(endedHeadline(bob, /^Call ended/))]);
    // The server's late word changes nothing: Alice's call stays ended, and nothing says it was cancelled.
    gate.release();
    await visible(endedHeadline(alice, /^Call ended/));
    for (const person of [alice, bob]) expect(await person.main.getByText(/cancel/i).count(), `${person.name} reads no "cancelled"`).toBe(0);
  });

  it('the call screen is built while it rings, hidden and out of reach; Accept reveals it with the same <video> element, on both sides', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await preConnected([alice, bob]);
    for (const person of [alice, bob]) {
      const standing = await standby(person);
      expect(standing, `${person.name} while it rings`).toEqual({ slot: true, inert: true, hidden: true, remoteVideo: true, stream: true });
      expect(await callSection(person).isVisible(), `${person.name}: the call screen is not visible while it rings`).toBe(false);
    }
    // The hidden screen takes no keys and no focus: Accept keeps the focus, and the
    // in-call mute shortcut does nothing while it rings.
    expect(await bob.page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Accept');
    await bob.page.keyboard.press('Control+Shift+M');
    for (const person of [alice, bob]) await watchPreviewAtAnswer(person);

    await answer(bob);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
    for (const person of [alice, bob]) {
      expect(await sameVideoShown(person), `${person.name} shows the element built while it rang`).toBe(true);
      await visible(callSection(person));
      // The ringing self-view was only hidden when the call screen showed, and goes a moment later.
      expect(await previewAtAnswer(person), `${person.name}'s self-view when the call screen showed`).toEqual({ connected: true, hidden: true });
      await waitUntil(`${person.name}'s ringing self-view is gone`, () => previewGone(person), (gone) => gone);
    }
    expect(await tileOf(alice, bob).getByTestId('mute-mark').count(), 'Bob was not muted by a key pressed while it rang').toBe(0);
    await expectAudioArriving(alice);
  });

  it('with the ring-time self-view turned off, no camera runs before Accept, and Accept starts it', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await bob.page.getByRole('button', { name: 'Settings' }).click();
    const settings = bob.page.getByRole('dialog', { name: 'Settings' });
    const toggle = settings.getByRole('checkbox', { name: 'Show my camera while a call rings' });
    expect(await toggle.isChecked()).toBe(true);
    await toggle.uncheck();
    await expect.poll(() => toggle.isChecked()).toBe(false);
    await visible(settings.getByRole('checkbox', { name: 'Show my camera while a call rings', disabled: false }));
    await settings.getByRole('button', { name: 'Close' }).click();
    await settings.waitFor({ state: 'detached' });

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await preConnected([alice, bob]);
    // A stretch of ringing, timed by Alice's camera: Bob's stays off.
    await previewRuns(alice, 30);
    expect(await previewFrames(bob.page)).toBe(0);
    expect(await liveCameras(bob.page)).toBe(0);
    expect((await rtpTotals(bob.page)).outboundRtpBytes).toBe(0);

    await answer(bob);
    await Promise.all([visible(tileOf(alice, bob)), visible(tileOf(bob, alice))]);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice)]);
  });

  it('the first call after start carries its first offer in the invite: the ringing side answers it, no offer follows the ring, the call connects', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { signalingGate: true });
    const bob = await openPerson('Bob');

    // This server has no TURN: Alice's welcome brought its ICE servers, so her first call needs no call before it.
    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await preConnected([alice, bob]);
    const invite = gate(alice).sent('call:invite').at(-1)?.[1] as { offer?: { sdp: string } } | undefined;
    expect(invite?.offer?.sdp, 'the invite carries the offer').toMatch(/^a=fingerprint:/m);
    expect(gate(alice).sent('ice:servers'), 'Alice had the ICE servers without asking').toEqual([]);
    const offersAfterRing = gate(alice)
      .sent('signal')
      .filter((args) => (args[1] as { data?: { description?: { type?: string } } }).data?.description?.type === 'offer');
    expect(offersAfterRing, 'no offer of Alice’s crossed the server after the ring').toEqual([]);
    // The offer carried one data channel ('call'); chat and files joined it with no offer of their own.
    for (const person of [alice, bob]) {
      await waitUntil(
        `${person.name}'s chat, files and call channels are open while it rings`,
        () => dataChannels(person.page),
        (d) => d.channels.length === 3 && d.channels.every((c) => c.state === 'open'),
      );
    }

    await answer(bob);
    await Promise.all([expectVideoFrom(alice, bob), expectVideoFrom(bob, alice), expectAudioArriving(alice), expectAudioArriving(bob)]);
  });
});

function gate(person: Person): NonNullable<Person['signaling']> {
  if (!person.signaling) throw new Error(`${person.name} was opened without a signaling gate`);
  return person.signaling;
}
