/**
 * The in-call features in a three-person call (a full mesh): a shared screen, a
 * chat message and a file each reach both others, once.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, callSection, connectCall, tileOf } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from '../e2e/harness';
import { controls, dropGeneratedFile, saveDownload, screenFrames } from './pages';

const chromium = useChromium();

async function openChat(person: Person) {
  const button = controls(person).getByRole('button', { name: /^Chat/ });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  return person.main.getByRole('complementary', { name: 'Chat' });
}

describe('features in a group call', { timeout: SCENARIO_MS * 2 }, () => {
  it('Alice’s screen, Bob’s message and Carol’s file each reach both others exactly once', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    const carol = await openPerson('Carol');
    await connectCall(alice, bob, 'audio');
    await callSection(alice).getByRole('button', { name: 'Add participant' }).click();
    await alice.page.getByRole('dialog', { name: 'Add participant' }).getByRole('button', { name: 'Invite Carol' }).click();
    await acceptButton(carol).click();
    for (const [me, other] of [[bob, carol], [carol, bob], [carol, alice]] as const) await visible(tileOf(me, other));

    // The screen goes to both, as a tile of its own.
    await controls(alice).getByRole('button', { name: 'Share screen' }).click();
    for (const viewer of [bob, carol]) {
      await visible(viewer.main.getByRole('group', { name: 'Alice’s screen' }));
      await waitUntil(`${viewer.name} decodes Alice’s screen`, () => screenFrames(viewer.page, alice.userId), (s) => s.frames > 5);
    }

    // One message, sent once to each member; each shows it once.
    const bobChat = await openChat(bob);
    const bobBox = bobChat.getByRole('textbox', { name: 'Message' });
    await waitUntil('Bob reaches both others', () => bobBox.getAttribute('placeholder'), (p) => p === 'Write a message');
    await bobBox.fill('Can everyone see the slides?');
    await bobBox.press('Enter');
    for (const reader of [alice, carol]) {
      const chat = await openChat(reader);
      await visible(chat.getByTestId('chat-message').filter({ hasText: 'Can everyone see the slides?' }).getByText('Bob', { exact: true }));
      expect(await chat.getByTestId('chat-message').count()).toBe(1);
    }

    // A file to every member: one offer per peer, and each receiver decides for itself.
    const sentHash = await dropGeneratedFile(carol.page, 'slides.pdf', 300 * 1024);
    const carolChat = await openChat(carol);
    const aliceRow = (await openChat(alice)).getByTestId('transfer').filter({ hasText: 'slides.pdf' });
    const bobRow = (await openChat(bob)).getByTestId('transfer').filter({ hasText: 'slides.pdf' });
    await aliceRow.getByRole('button', { name: 'Accept slides.pdf' }).click();
    await bobRow.getByRole('button', { name: 'Decline slides.pdf' }).click();
    await waitUntil('Alice has the file', () => aliceRow.getAttribute('data-status'), (s) => s === 'done');
    expect(await saveDownload(alice, aliceRow.getByRole('link', { name: 'Save slides.pdf' }))).toEqual({
      name: 'slides.pdf',
      size: 300 * 1024,
      hash: sentHash,
    });
    await waitUntil(
      'Carol sees one copy delivered',
      () => carolChat.locator('[data-testid="transfer"][data-status="done"]').count(),
      (n) => n === 1,
    );
    await visible(carolChat.getByTestId('transfer').filter({ hasText: 'To Bob' }).getByText('Bob declined'));
    expect(await bobRow.getAttribute('data-status')).toBe('rejected');
  });
});
