/**
 * Issue 16.6: call-back from History, and the favourite star, in real Chromium.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, dial, historyRows } from './calls';
import { SCENARIO_MS, useChromium, visible } from './harness';

const chromium = useChromium();

describe('history and favourites', { timeout: SCENARIO_MS }, () => {
  it('History’s call-back button rings the same person again', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await dial(alice, bob, 'audio');
    await visible(acceptButton(bob));
    await bob.main.getByRole('button', { name: 'Decline', exact: true }).click();
    const rows = await historyRows(alice, 'Bob');
    await visible(rows.first());
    await rows.first().getByRole('button', { name: 'Call back Bob' }).click();
    await visible(acceptButton(bob));
  });

  it('the star pins a contact under Favourites, keeps it after a reload, and unpins it', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    expect(bob.name).toBe('Bob');
    const page = alice.page;
    await page.getByRole('tab', { name: /^Contacts/ }).click();
    await page.getByRole('button', { name: 'Add Bob to favourites' }).click();
    const favourites = page.getByRole('region', { name: 'Favourites' });
    await visible(favourites.getByRole('button', { name: 'Remove Bob from favourites' }));
    await page.reload();
    await page.getByRole('tab', { name: /^Contacts/ }).click();
    await visible(page.getByRole('region', { name: 'Favourites' }).getByRole('button', { name: 'Remove Bob from favourites' }));
    await page.getByRole('button', { name: 'Remove Bob from favourites' }).click();
    await visible(page.getByRole('button', { name: 'Add Bob to favourites' }));
    expect(await page.getByRole('region', { name: 'Favourites' }).count()).toBe(0);
  });
});
