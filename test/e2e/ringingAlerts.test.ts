/**
 * Issue 16: the ringtone stops on every way a call stops ringing, and a call that
 * rings while a modal dialog (Settings) is open can still be answered by click and
 * is announced from inside the top layer.
 *
 * The ringtone is Web Audio (renderer/media/ringtone.ts): while it rings, its
 * scheduler starts a new batch of chime oscillators (A5 880 Hz, F5 698 Hz) every
 * 3.2 s of audio time. The page's OscillatorNode.start is wrapped to count them, so
 * "still ringing" is observed as new ring notes being scheduled.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { acceptButton, answer, dial, tileOf } from './calls';
import { gone, SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';

const chromium = useChromium();

/** Longer than one ring cycle (3.2 s) plus the 1 s look-ahead: a ringing tone schedules notes within it. */
const RING_WINDOW_MS = 5_000;

async function countRingNotes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __ringNotes?: number };
    if (w.__ringNotes !== undefined) return;
    w.__ringNotes = 0;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: [number?]) {
      const hz = Math.round(this.frequency.value);
      if (hz === 880 || hz === 698) w.__ringNotes = (w.__ringNotes ?? 0) + 1;
      return start.apply(this, args);
    };
  });
}

const ringNotes = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __ringNotes?: number }).__ringNotes ?? 0);

/** True when new ring notes are scheduled within RING_WINDOW_MS. */
async function ringsWithin(page: Page): Promise<boolean> {
  const before = await ringNotes(page);
  const deadline = Date.now() + RING_WINDOW_MS;
  while (Date.now() < deadline) {
    if ((await ringNotes(page)) > before) return true;
    await page.waitForTimeout(250);
  }
  return false;
}

/** Bob's page has had a gesture (audio unlocked) and counts ring notes; Alice calls and it rings. */
async function ringBob(alice: Person, bob: Person): Promise<void> {
  await countRingNotes(bob.page);
  await bob.page.locator('body').click({ position: { x: 2, y: 2 } }); // a gesture: the autoplay policy lets audio start
  await dial(alice, bob, 'video');
  await visible(acceptButton(bob));
  await waitUntil('the ringtone starts', () => ringNotes(bob.page), (n) => n > 0);
  expect(await ringsWithin(bob.page)).toBe(true);
}

describe('ringtone and ringing over dialogs', { timeout: SCENARIO_MS * 2 }, () => {
  it('the ringtone stops when the call is answered', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await ringBob(alice, bob);
    await answer(bob);
    await visible(tileOf(bob, alice));
    expect(await ringsWithin(bob.page)).toBe(false);
  });

  it('the ringtone stops when the call is declined', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await ringBob(alice, bob);
    await bob.main.getByRole('button', { name: 'Decline', exact: true }).click();
    await gone(acceptButton(bob));
    expect(await ringsWithin(bob.page)).toBe(false);
  });

  it('the ringtone stops when the caller cancels', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await ringBob(alice, bob);
    await alice.main.getByRole('button', { name: 'Cancel' }).click();
    await gone(acceptButton(bob));
    expect(await ringsWithin(bob.page)).toBe(false);
  });

  it('a call that rings while Settings is open is announced, focused and answered by click over the dialog', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await bob.page.getByRole('button', { name: 'Settings' }).click();
    const settings = bob.page.getByRole('dialog', { name: 'Settings' });
    await visible(settings);
    const opener = await bob.page.evaluate(() => document.activeElement?.outerHTML ?? '');

    await dial(alice, bob, 'video');
    const ringing = bob.page.getByRole('dialog', { name: /Alice/ });
    await visible(ringing);
    // In the top layer above Settings: the announcement is an alert inside it, and Accept has focus.
    await visible(ringing.getByRole('alert').filter({ hasText: 'Incoming video call from Alice' }));
    await waitUntil(
      'Accept, inside the ringing dialog, has focus',
      () =>
        bob.page.evaluate(() => {
          const active = document.activeElement;
          return active?.closest('dialog')?.getAttribute('aria-labelledby') === 'incoming-title' && active.textContent === 'Accept';
        }),
      (focused) => focused,
    );

    await acceptButton(bob).click(); // a real click: it fails if the card is inert behind Settings
    await visible(tileOf(alice, bob));
    await visible(tileOf(bob, alice));
    await gone(ringing);
    // Settings is still open as it was, and focus is back where it was before the ringing.
    await visible(settings);
    await waitUntil(
      'focus is back in Settings where it was',
      () => bob.page.evaluate(() => document.activeElement?.outerHTML ?? ''),
      (html) => html === opener,
    );
  });
});
