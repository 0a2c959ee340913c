/**
 * Abuse, seen by the person using Parley (issue 10): blocking a caller from the
 * contact list or the ringing card, unblocking from Settings, and names that look
 * like another person's marked wherever they show. Real Chromium, real server.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, dial, endedHeadline } from './calls';
import { SCENARIO_MS, useChromium, visible, type Person } from './harness';

const chromium = useChromium();

const contactRow = (viewer: Person, userId: string) => viewer.page.locator(`li.contact[data-user-id="${userId}"]`);

/**
 * Socket.io keeps one socket's events in order, so once a status change that
 * `person` sent after its block list reaches `watcher`, the server has the list.
 */
async function serverHasBlockList(person: Person, watcher: Person): Promise<void> {
  const row = contactRow(watcher, person.userId);
  await person.page.getByLabel('Your status').selectOption('away');
  await visible(row.getByText('Away', { exact: true }));
  await person.page.getByLabel('Your status').selectOption('available');
  await visible(row.getByText('Available', { exact: true }));
}

describe('blocking a caller', { timeout: SCENARIO_MS }, () => {
  it('refuses a blocked caller’s call at once with the server’s words, never rings, and rings again once unblocked in Settings', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await bob.page.getByRole('button', { name: 'Block Alice', exact: true }).click();
    await visible(contactRow(bob, alice.userId).getByText(/Blocked/));
    await serverHasBlockList(bob, alice);
    await dial(alice, bob, 'video');

    await visible(endedHeadline(alice, 'Bob is not taking your calls'));
    expect(await acceptButton(bob).count()).toBe(0);

    await bob.page.getByRole('button', { name: 'Settings' }).click();
    const blocked = bob.page.getByRole('list', { name: 'Blocked people' });
    await visible(blocked.getByText('Alice'));
    await blocked.getByRole('button', { name: 'Unblock Alice' }).click();
    await visible(bob.page.getByText('Nobody. Block someone'));
    await bob.page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Close' }).click();
    await serverHasBlockList(bob, alice);
    await dial(alice, bob, 'audio');

    await visible(acceptButton(bob));
  });

  it('"Decline and block" on the ringing card declines and puts the caller on the block list', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');

    await dial(alice, bob, 'audio');
    await bob.main.getByRole('button', { name: 'Decline and block' }).click();

    await visible(endedHeadline(alice, 'Bob declined'));
    await visible(contactRow(bob, alice.userId).getByRole('button', { name: 'Unblock Alice', exact: true }));
  });
});

describe('look-alike names', { timeout: SCENARIO_MS }, () => {
  it('gives two people who read as "Alice" an id suffix each, badges the mixed-script one, on the contact list and the ringing card', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const fake = await openPerson('\u0410lice'); // Cyrillic А
    const carol = await openPerson('Carol');

    const realRow = contactRow(carol, alice.userId);
    const fakeRow = contactRow(carol, fake.userId);
    await visible(realRow.getByText(`· ${alice.userId.slice(0, 4)}`));
    await visible(fakeRow.getByText(`· ${fake.userId.slice(0, 4)}`));
    await visible(fakeRow.getByRole('img', { name: /Mixed scripts: .* mixes Cyrillic and Latin letters/ }));
    expect(await realRow.getByRole('img', { name: /Mixed scripts/ }).count()).toBe(0);

    await dial(fake, carol, 'audio');
    const card = carol.main.getByRole('region', { name: /\u0410lice/ });
    await visible(card.getByText(`· ${fake.userId.slice(0, 4)}`));
    await visible(card.getByRole('img', { name: /Mixed scripts/ }));
  });
});
