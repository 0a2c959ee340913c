/**
 * Contacts you chose (issue 12), in real Chromium against the real server:
 * an invite link makes two people contacts, presence then flows between them and
 * they can call; presence stops when one side removes the other; and a call from
 * someone not in your contacts follows the callee's setting (ask first: a quiet
 * card that connects on Accept; refuse: the caller is told).
 */
import { describe, expect, it } from 'vitest';
import { axeAudit } from './axe';
import { answer, dial, endedHeadline, tileOf } from './calls';
import {
  contactRow,
  gone,
  inviteCodeOf,
  openAddContact,
  SCENARIO_MS,
  showsOnline,
  useChromium,
  useInvite,
  visible,
  waitUntil,
  type Person,
} from './harness';

const chromium = useChromium();

async function webInviteLink(person: Person): Promise<string> {
  const dialog = await openAddContact(person);
  const field = dialog.getByLabel('Invite link', { exact: true });
  await waitUntil(`${person.name}'s invite link is made`, () => field.inputValue(), (value) => value.includes('#add/'));
  const link = await field.inputValue();
  // The QR code is inline SVG: nothing the CSP has to allow (checked in the log at the end of the test).
  await visible(dialog.getByRole('img', { name: 'QR code of your invite link' }));
  await dialog.getByRole('button', { name: 'Close' }).first().click();
  await dialog.waitFor({ state: 'detached' });
  return link;
}

async function hangUp(person: Person): Promise<void> {
  await person.main.getByRole('button', { name: /^(Hang up|Leave)/ }).first().click();
}

describe('contacts you chose', { timeout: SCENARIO_MS }, () => {
  it('an invite link makes two strangers contacts: presence, the same safety number on both sides, then a call', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { contacts: false });
    const bob = await openPerson('Bob', { contacts: false });
    // Strangers see nothing of each other.
    expect(await contactRow(alice, bob).count()).toBe(0);
    expect(await contactRow(bob, alice).count()).toBe(0);

    const link = await webInviteLink(alice);
    expect(link).toMatch(new RegExp(`/#add/${alice.userId}/[A-Za-z0-9_-]{22}$`));
    await bob.page.goto(link);
    const question = bob.page.getByRole('dialog', { name: /^Add .+…\?$/ });
    await visible(question);
    await visible(question.getByText(alice.userId));
    await axeAudit(bob.page, 'the "Add …?" question of an invite link');
    await question.getByRole('button', { name: 'Send contact request' }).click();
    await gone(question);
    await visible(bob.page.getByText('Request sent. They appear in your contacts as soon as their Parley accepts.'));
    // The page drops the secret from its address once it has read it.
    expect(bob.page.url()).not.toContain('#add/');

    await visible(alice.page.getByText('Bob added you with your invite.'));
    await visible(bob.page.getByText('Alice accepted: they are now in your contacts.'));
    await waitUntil('Alice and Bob show each other online', async () => [await showsOnline(alice, bob), await showsOnline(bob, alice)], (both) => both.every(Boolean));

    // Both see the same safety number; Alice marks Bob verified.
    const numbers = await Promise.all(
      [
        [alice, bob],
        [bob, alice],
      ].map(async ([viewer, other]) => {
        const [v, o] = [viewer as Person, other as Person];
        await contactRow(v, o).getByRole('button', { name: `Verify ${o.name}` }).click();
        const group = v.page.getByRole('dialog', { name: `Verify ${o.name}` }).getByRole('group', { name: `Safety number with ${o.name}` });
        await visible(group);
        return (await group.innerText()).replace(/\s+/g, ' ').trim();
      }),
    );
    expect(numbers[0]).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(numbers[1]).toBe(numbers[0]);
    await alice.page.getByRole('dialog', { name: 'Verify Bob' }).getByRole('button', { name: 'Mark as verified' }).click();
    await visible(alice.page.getByRole('dialog', { name: 'Verify Bob' }).getByText('You marked Bob as verified.'));
    await axeAudit(alice.page, 'the safety number dialog');
    for (const [viewer, other] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await viewer.page.getByRole('dialog', { name: `Verify ${other.name}` }).getByRole('button', { name: 'Close' }).first().click();
    }
    await visible(contactRow(alice, bob).getByText('Verified', { exact: false }));

    await dial(bob, alice, 'audio');
    await answer(alice);
    await Promise.all([visible(tileOf(bob, alice)), visible(tileOf(alice, bob))]);
    for (const person of [alice, bob]) {
      expect(person.log.filter((line) => /Content Security Policy|Refused to/i.test(line)), `${person.name}'s CSP reports`).toEqual([]);
    }
  });

  it('presence stops when one side removes the other, and a stranger’s call asks first or is refused, as the callee chose', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const carol = await openPerson('Carol');

    // A call while they are contacts, so Carol's History can call back later.
    await dial(carol, alice, 'audio');
    await alice.main.getByRole('button', { name: 'Decline', exact: true }).click();
    await visible(endedHeadline(carol, /Alice/));

    // Alice removes Carol: Carol still lists Alice, but one side is not enough for presence.
    await contactRow(alice, carol).getByRole('button', { name: 'Verify Carol' }).click();
    const verify = alice.page.getByRole('dialog', { name: 'Verify Carol' });
    await visible(verify.getByRole('group', { name: 'Safety number with Carol' }));
    await verify.getByRole('button', { name: 'Remove from contacts' }).click();
    await gone(verify);
    await waitUntil('Carol shows Alice offline', () => showsOnline(carol, alice), (online) => !online);
    await gone(contactRow(alice, carol));
    expect(await contactRow(carol, alice).count()).toBe(1);

    // Ask first (the default): a quiet card that says so; it connects once Alice accepts.
    await carol.page.getByRole('tab', { name: 'History' }).click();
    await carol.page.getByRole('button', { name: 'Call back Alice' }).first().click();
    await visible(alice.main.getByText('Carol is not in your contacts', { exact: false }));
    await answer(alice);
    await Promise.all([visible(tileOf(carol, alice)), visible(tileOf(alice, carol))]);
    await hangUp(carol);
    await gone(tileOf(alice, carol));

    // Refuse: Carol is told, Alice sees nothing.
    await alice.page.getByRole('button', { name: 'Settings' }).click();
    const settings = alice.page.getByRole('dialog', { name: 'Settings' });
    await settings.getByRole('radio', { name: /^Refuse/ }).check();
    await waitUntil('the setting is saved', () => settings.getByRole('radio', { name: /^Refuse/ }).isChecked(), Boolean);
    await settings.getByRole('button', { name: 'Close' }).first().click();
    await carol.page.getByRole('button', { name: 'Call back Alice' }).first().click();
    await visible(endedHeadline(carol, 'Alice is not taking your calls'));
    expect(await alice.main.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(0);
  });

  it('a used invite asks instead: the request is marked when the name matches a contact’s, and a decline is said plainly', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { contacts: false });
    const bob = await openPerson('Bob', { contacts: false });
    const code = await inviteCodeOf(alice);
    await useInvite(bob, code);
    await waitUntil('Alice and Bob show each other online', async () => [await showsOnline(alice, bob), await showsOnline(bob, alice)], (both) => both.every(Boolean));

    // Someone else called Bob (a reinstall comes back with a new id) uses the same, spent code.
    const newBob = await openPerson('Bob', { contacts: false });
    await useInvite(newBob, code);
    const requests = alice.page.getByRole('region', { name: 'Contact requests' });
    await visible(requests.getByText('wants to add you'));
    await visible(requests.getByText('Is this the same Bob?', { exact: false }));
    await requests.getByRole('button', { name: 'Compare safety numbers' }).click();
    const verify = alice.page.getByRole('dialog', { name: 'Verify Bob' });
    await visible(verify.getByRole('group', { name: 'Safety number with Bob' }));
    // Not a contact yet: nothing to mark or remove.
    expect(await verify.getByRole('button', { name: 'Mark as verified' }).count()).toBe(0);
    await verify.getByRole('button', { name: 'Close' }).first().click();

    await requests.getByRole('button', { name: 'Decline Bob' }).click();
    await visible(newBob.page.getByText('Alice declined your contact request.'));
    await gone(requests);
    expect(await contactRow(alice, newBob).count()).toBe(0);
    expect(await contactRow(newBob, alice).count()).toBe(0);
    expect(await showsOnline(alice, bob)).toBe(true);
  });

  it('with a directory on the server, the Add dialog finds people by name; a request without an invite asks, and Accept makes contacts', async () => {
    const { openPerson } = await chromium.stage({ directory: true });
    const alice = await openPerson('Alice', { contacts: false });
    const bob = await openPerson('Bob', { contacts: false });
    const dialog = await openAddContact(bob);
    await dialog.getByLabel('Search the directory').fill('ali');
    await dialog.getByRole('button', { name: 'Search', exact: true }).click();
    await dialog.getByRole('button', { name: 'Ask Alice to be your contact' }).click();
    const question = bob.page.getByRole('dialog', { name: 'Add Alice…?' });
    await question.getByRole('button', { name: 'Send contact request' }).click();
    const back = bob.page.getByRole('dialog', { name: 'Add a contact' });
    await visible(back.getByRole('status').filter({ hasText: 'Request sent' }));
    await back.getByRole('button', { name: 'Close' }).first().click();

    const requests = alice.page.getByRole('region', { name: 'Contact requests' });
    await requests.getByRole('button', { name: 'Accept Bob' }).click();
    await waitUntil('Alice and Bob show each other online', async () => [await showsOnline(alice, bob), await showsOnline(bob, alice)], (both) => both.every(Boolean));
  });

  it('without a directory (the default) the Add dialog offers no search', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice', { contacts: false });
    const dialog = await openAddContact(alice);
    await visible(dialog.getByText('This server keeps no list of its users: people add each other with an invite.'));
    expect(await dialog.getByLabel('Search the directory').count()).toBe(0);
  });
});
