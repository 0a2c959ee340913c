/**
 * The Settings sections that store one choice through the host
 * (renderer/ui/settings/SavedSetting.tsx, used by Privacy, Ringing and Appearance),
 * in real Chromium, rendered alone: the choice shows at once and the checkbox waits
 * while the host stores it; a refusal puts the stored value back and says why in an
 * alert; the checkbox is named by its label, described by the hint, and toggled by
 * the keyboard.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useComponentPage } from './componentPage';

const component = useComponentPage(`
    import { createRoot } from 'react-dom/client';
    import { createElement } from 'react';
    import { setLogSink } from './renderer/log';
    import { ToggleSetting } from './renderer/ui/settings/SavedSetting';
    const record = window.__record = { saves: [], logs: [] };
    setLogSink((entry) => record.logs.push(entry.level + ' ' + entry.scope + ': ' + entry.message));
    let pending = null;
    window.__settle = (ok) => { const p = pending; pending = null; ok ? p.resolve() : p.reject(new Error('disk full')); };
    const save = (on) => { record.saves.push(on); return new Promise((resolve, reject) => { pending = { resolve, reject }; }); };
    createRoot(document.getElementById('root')).render(createElement(ToggleSetting, {
      title: 'Privacy', label: 'Relay every call', hint: 'Hides your address.', value: false, save,
      failed: (e) => 'Not saved: ' + e.message, what: 'the relay-only choice',
    }));
  `);

interface Recorded {
  saves: boolean[];
  logs: string[];
}
const recorded = (page: Page): Promise<Recorded> => page.evaluate(() => (window as unknown as { __record: Recorded }).__record);
const settle = (page: Page, ok: boolean): Promise<void> => page.evaluate((o) => (window as unknown as { __settle(o: boolean): void }).__settle(o), ok);

describe('a setting saved through the host', () => {
  it('shows the choice at once and waits for the host; a refusal puts the stored value back and says why', async () => {
    const page = await component.open();
    const section = page.getByRole('region', { name: 'Privacy' });
    const box = section.getByRole('checkbox', { name: 'Relay every call' });
    expect(await box.getAttribute('aria-describedby')).toBe(await section.getByText('Hides your address.').getAttribute('id'));
    expect(await box.isChecked()).toBe(false);

    await box.click();
    expect(await box.isChecked()).toBe(true);
    expect(await box.isDisabled()).toBe(true);
    await settle(page, false);
    await section.getByRole('alert').filter({ hasText: 'Not saved: disk full' }).waitFor();
    expect(await box.isChecked()).toBe(false); // the stored value, back
    expect(await box.isDisabled()).toBe(false);
    expect((await recorded(page)).logs).toEqual(['error ui.settings: the relay-only choice was not saved']);

    // The keyboard: Space toggles; a stored choice clears the alert.
    await box.focus();
    await page.keyboard.press('Space');
    expect(await box.isChecked()).toBe(true);
    expect(await section.getByRole('alert').count()).toBe(0);
    await settle(page, true);
    await page.waitForFunction(() => !(document.querySelector('input[type=checkbox]') as HTMLInputElement).disabled);
    expect((await recorded(page)).saves).toEqual([true, true]);
    await page.close();
  });
});
