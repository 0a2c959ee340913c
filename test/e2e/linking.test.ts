/**
 * Linking a second device through the real UI, in Chromium, against the real
 * server: the first device shows a one-time code, the new device pastes it, the
 * first device is asked and links it, and the new device signs in as the same user
 * (Settings → Your devices → Your ID), also after a reload.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, useChromium, visible } from './harness';

const chromium = useChromium();

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await visible(settings);
  return settings;
}

describe('linking a device', { timeout: SCENARIO_MS }, () => {
  it('a code from the first device, pasted on the new one and accepted there, makes the new device sign in as the same user', async () => {
    const { openPerson } = await chromium.stage();
    const ada = await openPerson('Ada', { contacts: false });
    const phone = await openPerson('Ada phone', { contacts: false });
    expect(phone.userId).not.toBe(ada.userId);

    const adaSettings = await openSettings(ada.page);
    await adaSettings.getByRole('button', { name: 'Link a new device' }).click();
    const code = await adaSettings.getByLabel('Link code', { exact: true }).inputValue();
    expect(code).toMatch(new RegExp(`^parley-link:${ada.userId}:[A-Za-z0-9_-]{22}$`));

    const phoneSettings = await openSettings(phone.page);
    await phoneSettings.getByRole('button', { name: 'Use this device with an existing account' }).click();
    const field = phoneSettings.getByLabel('Link code from your other device');
    // A damaged code is refused in plain words, and nothing is sent.
    await field.fill('parley-link:nonsense:AAAAAAAAAAAAAAAAAAAAAA');
    await phoneSettings.getByRole('button', { name: 'Link this device' }).click();
    await visible(phoneSettings.getByRole('alert').filter({ hasText: 'account part of that link code is damaged' }));

    await field.fill(code);
    await phoneSettings.getByRole('button', { name: 'Link this device' }).click();
    const question = adaSettings.getByRole('alertdialog', { name: 'Link a device' });
    await visible(question.getByText('Link the device “Ada phone” to your account?'));
    await question.getByRole('button', { name: 'Link' }).click();
    await visible(adaSettings.getByText('Linked “Ada phone”. It now signs in as you.'));

    await visible(phoneSettings.getByText('This device now uses your account.'));
    await expect.poll(() => phoneSettings.getByLabel('Your ID', { exact: true }).inputValue()).toBe(ada.userId);
    await visible(phone.page.getByRole('status', { name: 'Connection: Online' }));

    // The linked identity is kept: after a reload the tab is still Ada's device.
    await phone.page.reload();
    await visible(phone.page.getByRole('status', { name: 'Connection: Online' }));
    const reloaded = await openSettings(phone.page);
    expect(await reloaded.getByLabel('Your ID', { exact: true }).inputValue()).toBe(ada.userId);
    await visible(reloaded.getByText('New devices are linked from the device where you first set up Parley.'));
  });
});
