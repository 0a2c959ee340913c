/**
 * A three-person call: a one-to-one call grows with "Add participant", and then
 * everyone sees and hears both others (a full mesh of peer connections).
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, callSection, connectCall, tileOf, tiles } from './calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from './harness';
import { expectVideoFrom } from './media';

const chromium = useChromium();

describe('a three-person call', { timeout: SCENARIO_MS }, () => {
  it('adds Carol to Alice and Bob’s call; each of the three sees the two others’ video', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    const carol = await openPerson('Carol');
    await connectCall(alice, bob, 'video');

    await callSection(alice).getByRole('button', { name: 'Add participant' }).click();
    await alice.page.getByRole('dialog', { name: 'Add participant' }).getByRole('button', { name: 'Invite Carol' }).click();
    // Carol rings as an invitee tile in the call, then answers.
    const invitee = alice.main.locator(`[data-testid="invitee-tile"][data-user-id="${carol.userId}"]`);
    await visible(invitee);
    // One sentence of the UI's language around the name (tile.ringingInvitee).
    expect(await invitee.textContent()).toContain(`Ringing ${carol.name}…`);
    await acceptButton(carol).click();

    const people = [alice, bob, carol];
    const others = (me: Person): Person[] => people.filter((p) => p !== me);
    for (const me of people) {
      for (const other of others(me)) await visible(tileOf(me, other));
      await waitUntil(`${me.name} sees exactly two tiles`, () => tiles(me).count(), (n) => n === 2);
    }
    await Promise.all(people.flatMap((me) => others(me).map((other) => expectVideoFrom(me, other))));
  });
});
