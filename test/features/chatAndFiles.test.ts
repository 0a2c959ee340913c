/**
 * Chat and files over the call's data channels, in real Chromium through the real
 * server: messages both ways with an unread badge, and a 5 MB file made in the
 * page, dropped on the call, and checked by SHA-256 on both sides.
 */
import { describe, expect, it } from 'vitest';
import { acceptButton, answer, dial, tileOf } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, WAIT_MS } from '../e2e/harness';
import { controls, dataChannels, dropGeneratedFile, saveDownload } from './pages';

const chromium = useChromium();

const FIVE_MB = 5 * 1024 * 1024;

describe('chat and files in a call', { timeout: SCENARIO_MS }, () => {
  it('carries messages both ways with the sender’s name and an unread badge, then a 5 MB file whose hash matches on arrival', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');
    const bob = await openPerson('Bob');
    await dial(alice, bob, 'audio');
    await visible(acceptButton(bob));
    // While it rings the session is up, and its three negotiated channels with it (they
    // were in the first offer: chat, files, and `call`, which carries the accept
    // itself) — but nothing goes over them before the answer.
    for (const person of [alice, bob]) {
      const ringing = await waitUntil(
        `${person.name}'s chat, files and call channels are open while it rings`,
        () => dataChannels(person.page),
        (d) => d.channels.length === 3 && d.channels.every((c) => c.state === 'open'),
      );
      expect(ringing.sdpHasApplication).toEqual([true]);
      expect(ringing.channels.map((c) => [c.label, c.messagesSent, c.messagesReceived]).sort()).toEqual([
        ['call', 0, 0],
        ['chat', 0, 0],
        ['files', 0, 0],
      ]);
    }
    await answer(bob);
    await visible(tileOf(alice, bob));

    await controls(alice).getByRole('button', { name: 'Chat' }).click();
    const aliceChat = alice.main.getByRole('complementary', { name: 'Chat' });
    const aliceBox = aliceChat.getByRole('textbox', { name: 'Message' });
    await waitUntil('Alice can write (the channels are open)', () => aliceBox.getAttribute('placeholder'), (p) => p === 'Write a message');
    await aliceBox.fill('Hello Bob, here is the plan');
    await aliceBox.press('Enter');

    // Bob's chat is closed: the badge counts the message.
    await visible(controls(bob).getByRole('button', { name: 'Chat, 1 unread' }));
    await controls(bob).getByRole('button', { name: 'Chat, 1 unread' }).click();
    const bobChat = bob.main.getByRole('complementary', { name: 'Chat' });
    const fromAlice = bobChat.getByTestId('chat-message').filter({ hasText: 'Hello Bob, here is the plan' });
    await visible(fromAlice);
    await visible(fromAlice.getByText('Alice', { exact: true }));
    expect(await bobChat.getByTestId('chat-message').count()).toBe(1);
    await visible(controls(bob).getByRole('button', { name: 'Chat', exact: true }));

    await bobChat.getByRole('textbox', { name: 'Message' }).fill('Thanks, Alice!');
    await bobChat.getByRole('button', { name: 'Send message' }).click();
    await visible(aliceChat.getByTestId('chat-message').filter({ hasText: 'Thanks, Alice!' }).getByText('Bob', { exact: true }));

    // A 5 MB file, made in Alice's page and dropped on the call.
    // Bob's page notes the moment the transfer turns 'done' (polling would blur the figure).
    await bob.page.evaluate(() => {
      const w = window as Window & { __fileDoneAt?: number };
      new MutationObserver(() => {
        if (!w.__fileDoneAt && document.querySelector('[data-testid="transfer"][data-status="done"]')) w.__fileDoneAt = Date.now();
      }).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    const sentHash = await dropGeneratedFile(alice.page, 'measurements.bin', FIVE_MB);
    const incoming = bobChat.getByTestId('transfer').filter({ hasText: 'measurements.bin' });
    const outgoing = aliceChat.getByTestId('transfer').filter({ hasText: 'measurements.bin' });
    // Bob is asked first (name, size, sender); Alice waits and nothing is sent yet.
    await visible(incoming.getByText('Alice wants to send you this file (5 MB)'));
    expect(await incoming.getAttribute('data-status')).toBe('offered');
    await visible(outgoing.getByText('Waiting for Bob…'));
    expect(await outgoing.getAttribute('data-status')).toBe('waiting');
    const started = Date.now();
    await incoming.getByRole('button', { name: 'Accept measurements.bin' }).click();
    await waitUntil(
      'Bob has the file, checked',
      () => incoming.getAttribute('data-status'),
      (status) => status === 'done' || status === 'failed',
      WAIT_MS * 2,
    );
    const elapsed = (await bob.page.evaluate(() => (window as Window & { __fileDoneAt?: number }).__fileDoneAt ?? Date.now())) - started;
    expect(await incoming.getAttribute('data-status')).toBe('done');
    await visible(incoming.getByText('Received, checksum verified'));
    await waitUntil('Alice sees it delivered', () => outgoing.getAttribute('data-status'), (status) => status === 'done');
    await visible(outgoing.getByText('Delivered to Bob, checksum verified'));

    const saveLink = incoming.getByRole('link', { name: 'Save measurements.bin' });
    const saved = await saveDownload(bob, saveLink);
    expect(saved).toEqual({ name: 'measurements.bin', size: FIVE_MB, hash: sentHash });
    console.info(`5 MB file over loopback, Accept to verified at the receiver: ${elapsed} ms`);

    // Removing the file from the list revokes its blob: URL, so the page no longer holds it.
    // (The page's CSP keeps a test from fetching blob: URLs, so the revocation itself is watched.)
    const blobUrl = (await saveLink.getAttribute('href')) ?? '';
    expect(blobUrl.startsWith('blob:')).toBe(true);
    await bob.page.evaluate(() => {
      const w = window as Window & { __revoked?: string[] };
      const revoke = URL.revokeObjectURL.bind(URL);
      w.__revoked = [];
      URL.revokeObjectURL = (url: string) => {
        w.__revoked?.push(url);
        revoke(url);
      };
    });
    await incoming.getByRole('button', { name: 'Remove measurements.bin from the list' }).click();
    await waitUntil('the row is gone', () => incoming.count(), (n) => n === 0);
    expect(await bob.page.evaluate(() => (window as Window & { __revoked?: string[] }).__revoked)).toEqual([blobUrl]);

    // A declined offer: Alice is told, and no byte of it went over.
    await dropGeneratedFile(alice.page, 'unwanted.bin', 64 * 1024);
    const unwanted = bobChat.getByTestId('transfer').filter({ hasText: 'unwanted.bin' });
    await unwanted.getByRole('button', { name: 'Decline unwanted.bin' }).click();
    await visible(unwanted.getByText('You declined it'));
    await visible(aliceChat.getByTestId('transfer').filter({ hasText: 'unwanted.bin' }).getByText('Bob declined'));
  });
});
