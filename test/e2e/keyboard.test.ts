/**
 * Keyboard use (issue 16.2) in real Chromium through the real server: a call answered,
 * muted, its camera turned off and hung up by keys alone; focus goes to Accept when it
 * rings (but not out of a field someone is typing in), to the call bar when the call
 * starts, to the ended card's primary action when it ends, and back to the opener when
 * a dialog closes; the shortcuts sheet shows exactly the shortcut table, and the
 * buttons name the same keys.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ariaKeys, displayKeys, shortcut, SHORTCUTS, type ShortcutId } from '../../renderer/ui/shortcuts/shortcuts';
import { acceptButton, callSection, dial, endedHeadline, tileOf } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, WAIT_MS } from './harness';

/** A key's effect on a loaded 2-core machine: generous, it only makes a slow run slower. */
const KEY_EFFECT_MS = WAIT_MS * 3;

const chromium = useChromium();

/** Presses a shortcut of the table as Playwright spells keys ("Control+Shift+M"); Linux, so Ctrl. */
async function press(page: Page, id: ShortcutId): Promise<void> {
  await page.keyboard.press(ariaKeys(shortcut(id), false));
}

/** What has focus: its accessible name as the app gives it (aria-label or text). */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '(body)';
    return el.getAttribute('aria-label') ?? (el as HTMLElement).innerText.trim();
  });
}

async function expectFocus(page: Page, who: string, name: string): Promise<void> {
  await waitUntil(`${who}'s focus is on "${name}"`, () => focused(page), (seen) => seen === name);
}

describe('keyboard', { timeout: SCENARIO_MS * 2 }, () => {
  it('answers, mutes, turns the camera off and hangs up by keys, moving focus as the call goes', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    // Ringing moves focus to Accept (nothing was being typed), and the buttons name their keys.
    await expectFocus(bob.page, 'Bob', 'Accept');
    expect(await acceptButton(bob).getAttribute('aria-keyshortcuts')).toBe(ariaKeys(shortcut('answerVideo'), false));
    await press(bob.page, 'answerVideo');
    await visible(tileOf(alice, bob));
    await visible(tileOf(bob, alice));
    // The answer button is gone: focus is on the call bar, not lost to the page.
    await expectFocus(bob.page, 'Bob', 'Mute microphone');

    const bar = callSection(alice).getByRole('toolbar', { name: 'Call controls' });
    expect(await bar.getByRole('button', { name: 'Mute microphone' }).getAttribute('aria-keyshortcuts')).toBe('Control+Shift+M');
    expect(await bar.getByRole('button', { name: 'Mute microphone' }).getAttribute('title')).toBe('Mute microphone (Ctrl+Shift+M)');
    await press(alice.page, 'toggleMute');
    await visible(bar.getByRole('button', { name: 'Unmute microphone' }), KEY_EFFECT_MS);
    await press(alice.page, 'toggleCamera');
    await visible(bar.getByRole('button', { name: 'Turn camera on' }), KEY_EFFECT_MS);

    // In the chat box: typing is never taken ('?' and the chat key stay text there), while mute still works.
    await press(alice.page, 'toggleChat');
    const message = alice.main.getByRole('textbox', { name: 'Message' });
    await visible(message);
    await message.focus();
    await alice.page.keyboard.type('Why?');
    await press(alice.page, 'toggleChat');
    expect(await message.inputValue()).toBe('Why?');
    await visible(message);
    expect(await alice.page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0);
    await press(alice.page, 'toggleMute');
    await visible(bar.getByRole('button', { name: 'Mute microphone' }), KEY_EFFECT_MS);

    await press(alice.page, 'hangUp');
    await Promise.all([visible(endedHeadline(alice, /^Call ended/)), visible(endedHeadline(bob, /^Call ended/))]);
    // The ended card's primary action has focus: calling again (Bob is online) or, failing that, Close.
    await waitUntil("Alice's focus is on the ended card's primary action", () => focused(alice.page), (seen) => seen === 'Call again' || seen === 'Close');
  });

  it('does not take focus from someone typing when it rings, and answers audio only or declines by keys from there', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    const search = bob.page.getByRole('searchbox').or(bob.page.getByLabel('Search contacts')).first();
    await search.click();
    await bob.page.keyboard.type('Al');
    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await bob.page.keyboard.type('i');
    expect(await search.inputValue()).toBe('Ali');
    expect(await focused(bob.page)).not.toBe('Accept');

    await press(bob.page, 'decline');
    await visible(endedHeadline(alice, /^Bob declined$/));
    await alice.main.getByRole('button', { name: 'Close' }).click();

    await dial(alice, bob, 'video');
    await visible(acceptButton(bob));
    await search.focus();
    await press(bob.page, 'answerAudio');
    await visible(tileOf(alice, bob));
    await visible(callSection(bob).getByRole('button', { name: 'Turn camera on' }));
  });

  it('opens the shortcuts sheet with ? and from the keyboard button, lists the whole table, and gives focus back on close', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { contacts: false });
    const sheet = alice.page.getByRole('dialog', { name: 'Keyboard shortcuts' });

    await alice.page.keyboard.press('?');
    await visible(sheet);
    const rows = await sheet.locator('tr[data-shortcut-id]').evaluateAll((trs) =>
      trs.map((tr) => ({ id: tr.getAttribute('data-shortcut-id'), keys: tr.querySelector('kbd')?.textContent })),
    );
    expect(rows).toEqual(SHORTCUTS.map((s) => ({ id: s.id, keys: displayKeys(s, false) })));
    await alice.page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });

    const button = alice.page.getByRole('button', { name: 'Keyboard shortcuts' });
    expect(await button.getAttribute('aria-keyshortcuts')).toBe('?');
    await button.focus();
    await alice.page.keyboard.press('Enter');
    await visible(sheet);
    // Inside the modal, focus starts in it and Tab keeps it there.
    for (let i = 0; i < 3; i += 1) await alice.page.keyboard.press('Tab');
    expect(await sheet.evaluate((dialog) => dialog.contains(document.activeElement))).toBe(true);
    await alice.page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    await expectFocus(alice.page, 'Alice', 'Keyboard shortcuts');
  });
});
