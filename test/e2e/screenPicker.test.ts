/**
 * Issue 16.6: the desktop window picker (renderer/ui/ScreenPicker.tsx) in real
 * Chromium, rendered alone (bundled with esbuild into a blank page): sources with
 * thumbnails in Screens and Windows tabs, pick one and share, cancel, and the
 * keyboard (arrow keys move between cards, Escape cancels).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { ScreenSourceRequest } from '../../preload/contract';
import { useComponentPage } from './componentPage';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const REQUEST: ScreenSourceRequest = {
  requestId: 'req-1',
  sources: [
    { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: PNG, appIcon: null },
    { id: 'screen:1:0', name: 'Second screen', kind: 'screen', thumbnail: PNG, appIcon: null },
    { id: 'window:11:0', name: 'Editor', kind: 'window', thumbnail: PNG, appIcon: PNG },
    { id: 'window:12:0', name: 'Browser', kind: 'window', thumbnail: 'https://evil.example/x.png', appIcon: null },
  ],
};

const component = useComponentPage(`
        import { createRoot } from 'react-dom/client';
        import { createElement } from 'react';
        import { ScreenPicker } from './renderer/ui/ScreenPicker';
        window.__choices = [];
        window.__open = (request) => {
          const root = createRoot(document.getElementById('root'));
          const onChoose = (id) => { window.__choices.push(id); root.render(null); };
          root.render(createElement(ScreenPicker, { request, onChoose }));
        };`);

async function openPicker(): Promise<Page> {
  const page = await component.open();
  await page.evaluate((request) => (window as unknown as { __open(r: unknown): void }).__open(request), REQUEST);
  await page.getByRole('dialog', { name: 'Share your screen' }).waitFor();
  return page;
}
const choices = (page: Page): Promise<Array<string | null>> => page.evaluate(() => (window as unknown as { __choices: Array<string | null> }).__choices);

describe('the window picker', () => {
  it('shows screens with thumbnails first, windows in their tab, and only inline images', async () => {
    const page = await openPicker();
    const screens = page.getByRole('radiogroup', { name: 'Screens' }).getByRole('radio');
    expect(await screens.allInnerTexts()).toEqual(['Entire screen', 'Second screen']);
    expect(await page.locator('.source-card__thumb img').count()).toBe(2);
    await page.getByRole('tab', { name: /Windows/ }).click();
    const windows = page.getByRole('radiogroup', { name: 'Windows' }).getByRole('radio');
    expect(await windows.allInnerTexts()).toEqual(['Editor', 'Browser']);
    // The https thumbnail is not loaded: an icon stands in for it.
    const srcs = await page.locator('.source-card img').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src));
    expect(srcs.every((src) => src.startsWith('data:image/png;base64,'))).toBe(true);
    await page.close();
  });

  it('Share is off until a source is picked, then answers with exactly that source', async () => {
    const page = await openPicker();
    const share = page.getByRole('button', { name: 'Share', exact: true });
    expect(await share.isDisabled()).toBe(true);
    await page.getByRole('radio', { name: 'Second screen' }).click();
    await share.click();
    expect(await choices(page)).toEqual(['screen:1:0']);
    await page.close();
  });

  it('Cancel and Escape answer null; double-click shares at once', async () => {
    const page = await openPicker();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await choices(page)).toEqual([null]);
    await page.evaluate((request) => (window as unknown as { __open(r: unknown): void }).__open(request), REQUEST);
    await page.getByRole('radio', { name: 'Entire screen' }).focus();
    await page.keyboard.press('Escape');
    expect(await choices(page)).toEqual([null, null]);
    await page.evaluate((request) => (window as unknown as { __open(r: unknown): void }).__open(request), REQUEST);
    await page.getByRole('radio', { name: 'Entire screen' }).dblclick();
    expect((await choices(page)).at(-1)).toBe('screen:0:0');
    await page.close();
  });

  it('arrow keys move the choice between cards, and Enter on Share shares it', async () => {
    const page = await openPicker();
    await page.getByRole('radio', { name: 'Entire screen' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: 'Second screen' }).getAttribute('aria-checked')).toBe('true');
    await page.keyboard.press('ArrowRight'); // wraps around
    expect(await page.getByRole('radio', { name: 'Entire screen' }).getAttribute('aria-checked')).toBe('true');
    await page.getByRole('button', { name: 'Share', exact: true }).focus();
    await page.keyboard.press('Enter');
    expect(await choices(page)).toEqual(['screen:0:0']);
    await page.close();
  });
});
