/**
 * Files and chat in a meeting on Janus (issue 17.5), in real Chromium with a real
 * Janus behind a real Parley server: three people, no peer connection between them
 * (only publishers and subscribers to Janus), so a file goes through the server's
 * relay sealed per pair (renderer/call/sfu/sfuFileChannel.ts) and chat through the
 * relay too.
 *
 * Alice sends a file of random bytes through the chat panel; it is offered to both
 * others. Bob accepts: the bytes he can save hash the same as Alice's. Carol declines:
 * she gets nothing (no copy, no save link), and Alice's rows say delivered to Bob and
 * declined by Carol. A chat message reaches both.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { startJanus, type JanusInstance } from '../support/janus';
import { callSection } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from '../e2e/harness';
import en from '../../renderer/i18n/locales/en.json';
import { acceptRinging, addToCall, expectEncryptedSfu, LONG_WAIT_MS, lowResolution, meetingButton, recordAllLogs, seesEveryone } from './meetingPages';

const chromium = useChromium();
/** A few hundred KB: many relay messages, paced under the server's rate limit. */
const FILE_BYTES = 300 * 1024;

let janus: JanusInstance | null = null;
afterEach(async () => {
  await janus?.stop();
  janus = null;
});

const chatButton = (me: Person) => callSection(me).getByRole('button', { name: /^Chat/ });
const chatPanel = (me: Person) => me.main.getByRole('complementary', { name: en.chat.title });

/** Opens the chat panel unless it is open (an incoming file offer opens it by itself). */
async function openChat(me: Person): Promise<void> {
  if ((await chatPanel(me).count()) === 0) await chatButton(me).click();
  await visible(chatPanel(me), LONG_WAIT_MS);
}

/** The transfer rows in `me`'s chat panel, with their direction and status. */
function transferRows(me: Person): Promise<{ direction: string | null; status: string | null; label: string | null }[]> {
  return me.main.getByTestId('transfer').evaluateAll((rows) =>
    rows.map((r) => ({ direction: r.getAttribute('data-direction'), status: r.getAttribute('data-status'), label: r.getAttribute('aria-label') })),
  );
}

/** SHA-256 (hex) of the file `me` saves with the Save link of `name` (a real download of the page's copy). */
async function savedHash(me: Person, name: string): Promise<string> {
  const [download] = await Promise.all([
    me.page.waitForEvent('download', { timeout: LONG_WAIT_MS }),
    me.main.getByRole('link', { name: en.transfers.save.replace('{{name}}', name) }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(name);
  return createHash('sha256').update(await readFile(await download.path())).digest('hex');
}

describe('files and chat in a meeting on Janus', { timeout: SCENARIO_MS * 6 }, () => {
  it('a file reaches the one who accepts byte for byte, nothing reaches the one who declines, and chat reaches both', async ({ onTestFailed }) => {
    janus = await startJanus();
    const { openPerson } = await chromium.stage({ janusUrls: [janus.url] });
    const logs = new Map<string, string[]>();
    onTestFailed(() => {
      for (const [name, lines] of logs) console.error(`[${name}] page console (all levels, last ${lines.length}):\n  ${lines.join('\n  ')}`);
    });
    const people: Person[] = [];
    for (const name of ['Alice', 'Bob', 'Carol']) {
      const person = await openPerson(name);
      logs.set(name, recordAllLogs(person));
      person.page.setDefaultTimeout(LONG_WAIT_MS);
      await lowResolution(person);
      people.push(person);
    }
    const [alice, bob, carol] = people as [Person, Person, Person];

    await meetingButton(alice, bob).click();
    await acceptRinging(bob);
    await addToCall(alice, carol);
    for (const me of people) await seesEveryone(me, people);
    // Every link is through Janus (a publisher and a subscriber each, no peer connection to another person).
    for (const me of people) await expectEncryptedSfu(me);

    // Alice sends the file once the relay's sealed file channels are up (the paperclip is enabled).
    const bytes = randomBytes(FILE_BYTES);
    const expected = createHash('sha256').update(bytes).digest('hex');
    const name = `meeting-${Date.now()}.bin`;
    await openChat(alice);
    const paperclip = chatPanel(alice).getByRole('button', { name: en.chat.sendFile });
    await waitUntil('Alice can send files', () => paperclip.isEnabled(), (enabled) => enabled, LONG_WAIT_MS);
    await alice.page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: bytes });

    // Both are asked; Bob accepts, Carol declines.
    const acceptName = en.transfers.accept.replace('{{name}}', name);
    const declineName = en.transfers.decline.replace('{{name}}', name);
    await visible(bob.main.getByRole('button', { name: acceptName }), LONG_WAIT_MS);
    await visible(carol.main.getByRole('button', { name: declineName }), LONG_WAIT_MS);
    await carol.main.getByRole('button', { name: declineName }).click();
    await bob.main.getByRole('button', { name: acceptName }).click();

    // Bob's copy is Alice's, byte for byte.
    await visible(bob.main.getByRole('link', { name: en.transfers.save.replace('{{name}}', name) }), LONG_WAIT_MS);
    expect(await savedHash(bob, name)).toBe(expected);

    // Alice's rows: delivered to Bob, declined by Carol.
    const aliceRows = await waitUntil('Alice sees both outcomes', () => transferRows(alice), (rows) =>
      rows.some((r) => r.status === 'done') && rows.some((r) => r.status === 'rejected'), LONG_WAIT_MS);
    expect(aliceRows.filter((r) => r.direction === 'out')).toHaveLength(2);
    expect(aliceRows.find((r) => r.status === 'done')?.label).toContain('Bob');
    expect(aliceRows.find((r) => r.status === 'rejected')?.label).toContain('Carol');

    // Carol has nothing: no save link, and her only row is the offer she declined.
    expect(await carol.main.getByRole('link', { name: en.transfers.save.replace('{{name}}', name) }).count()).toBe(0);
    expect((await transferRows(carol)).map((r) => `${r.direction}:${r.status}`)).toEqual(['in:rejected']);

    // Chat goes round through the relay.
    const text = `hello in the meeting ${Date.now()}`;
    const box = chatPanel(alice).getByRole('textbox', { name: en.chat.message });
    await box.fill(text);
    await box.press('Enter');
    for (const me of [bob, carol]) {
      await openChat(me);
      await visible(chatPanel(me).getByText(text), LONG_WAIT_MS);
    }
  });
});
