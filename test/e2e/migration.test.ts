/**
 * The first start with keys in a browser that an older Parley used (issue 12, item
 * 6): favourites and blocked people kept by made-up ids are set aside and listed
 * under Settings → Your devices → Earlier contacts, history stays and says the
 * person must be added again, and a notice says so once. Real Chromium, the built
 * client, the real server; the old values are written as the old Parley wrote them.
 */
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, useChromium, visible } from './harness';

const chromium = useChromium();

const OLD_HISTORY = [
  {
    id: 'entry-old-000001',
    callId: 'call-old-0000001',
    direction: 'incoming',
    outcome: 'missed',
    media: 'audio',
    peers: [{ userId: 'user-bob-old-0001', displayName: 'Old Bob' }],
    startedAt: Date.UTC(2026, 0, 5),
    durationMs: 0,
  },
];

describe('the move to keys in a browser used before', { timeout: SCENARIO_MS }, () => {
  it('sets favourites and blocked people aside with their names, keeps history, and says so once', async () => {
    const { openPerson } = await chromium.stage();
    const ada = await openPerson('Ada', { contacts: false });
    // As an older Parley left this browser: its made-up userId, a favourite, a block, a call.
    await ada.page.evaluate((history) => {
      const settings = JSON.parse(localStorage.getItem('parley.settings') ?? '{}') as Record<string, unknown>;
      localStorage.setItem('parley.settings', JSON.stringify({ ...settings, blockedUserIds: ['user-mallory-old1'] }));
      localStorage.setItem('parley.user', JSON.stringify('user-ada-old-00001'));
      localStorage.setItem('parley.favourites', JSON.stringify([{ userId: 'user-bob-old-0001', displayName: 'Old Bob' }]));
      localStorage.setItem('parley.history', JSON.stringify(history));
    }, OLD_HISTORY);
    await ada.page.reload();

    const notice = ada.page.getByRole('status').filter({ hasText: 'Parley now proves who everyone is with keys' });
    await visible(notice);
    expect(await notice.innerText()).toMatch(/1 favourite and 1 blocked person are kept under Settings → Your devices → Earlier contacts/);
    await visible(ada.page.getByRole('status', { name: 'Connection: Online' }));

    await ada.page.getByRole('tab', { name: /History/ }).click();
    await visible(ada.page.getByText('Before Parley used keys: Old Bob must be added again as a contact'));
    expect(await ada.page.getByRole('button', { name: 'Call back Old Bob' }).isDisabled()).toBe(true);

    await ada.page.getByRole('button', { name: 'Settings' }).click();
    const settings = ada.page.getByRole('dialog', { name: 'Settings' });
    const earlier = settings.getByRole('group', { name: 'Earlier contacts' });
    await visible(earlier.getByRole('list', { name: 'Earlier favourites' }).getByText('Old Bob'));
    await visible(earlier.getByRole('list', { name: 'Earlier blocked people' }).getByText('user-mallory-old1'));
    await settings.getByRole('button', { name: 'Close' }).click();

    // Once: the next load moves nothing and says nothing.
    await ada.page.reload();
    // Host notices are delivered as the app starts, before the session opens: by Online, one would show.
    await visible(ada.page.getByRole('status', { name: 'Connection: Online' }));
    expect(await ada.page.getByText('Parley now proves who everyone is with keys').count()).toBe(0);
    expect(await ada.page.evaluate(() => localStorage.getItem('parley.user'))).toBeNull();
  });
});
