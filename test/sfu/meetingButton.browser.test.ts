/**
 * "Start a meeting" from the UI (issue 17), in real Chromium with a real Janus
 * (test/support/janus.ts) behind a real Parley server.
 *
 * - With Janus: Alice reaches "Start a meeting with Bob" by keyboard from her video
 *   call button and presses Enter; Bob answers; the call is on the SFU from the start
 *   (the lock gives the SFU's reason; each page has a publisher and a subscriber, no
 *   mesh link) and both decode each other's video. Carol joins through Add
 *   participant (which no longer offers "As a meeting": the call is one), and all
 *   three decode each other.
 * - A mesh call becomes a meeting when someone is added "As a meeting".
 * - Without Janus the button is not there; with a Janus that cannot be reached, the
 *   meeting is refused (nothing rings) and the caller reads why.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJanus, type JanusInstance } from '../support/janus';
import { freePort } from '../support/freePort';
import { callButton, callSection, connectCall } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from '../e2e/harness';
import { expectVideoFrom } from '../e2e/media';
import en from '../../renderer/i18n/locales/en.json';
import {
  acceptRinging,
  addToCall,
  connections,
  decodesVideos,
  expectEncryptedSfu,
  LONG_WAIT_MS,
  meetingButton,
  openPeople,
  seesEveryone,
} from './meetingPages';

const chromium = useChromium();

let janus: JanusInstance | null = null;
afterEach(async () => {
  await janus?.stop();
  janus = null;
});

function printLogs(logs: Map<string, string[]>): void {
  for (const [name, lines] of logs) console.error(`[${name}] page console (all levels, last ${lines.length}):\n  ${lines.join('\n  ')}`);
}

describe('starting a meeting from the UI', { timeout: SCENARIO_MS * 6 }, () => {
  it('Start a meeting (by keyboard) puts a call of two on the SFU from the start; a third joins; all decode each other, encrypted', async ({ onTestFailed }) => {
    janus = await startJanus();
    const { openPerson } = await chromium.stage({ janusUrls: [janus.url] });
    const logs = new Map<string, string[]>();
    onTestFailed(() => printLogs(logs));
    const [alice, bob, carol] = (await openPeople(openPerson, ['Alice', 'Bob', 'Carol'], logs)) as [Person, Person, Person];

    // Keyboard: from the video call button, Tab reaches the meeting button, and Enter starts it.
    await visible(meetingButton(alice, bob));
    await callButton(alice, bob, 'video').focus();
    await alice.page.keyboard.press('Tab');
    await waitUntil('the meeting button has the focus', () => meetingButton(alice, bob).evaluate((el) => el === document.activeElement), (f) => f);
    await alice.page.keyboard.press('Enter');
    await acceptRinging(bob);
    await seesEveryone(alice, [alice, bob]);
    await seesEveryone(bob, [alice, bob]);

    // On the SFU from the start: no mesh link, the SFU's lock, and video both ways.
    for (const me of [alice, bob]) await expectEncryptedSfu(me);
    await Promise.all([expectVideoFrom(alice, bob, LONG_WAIT_MS), expectVideoFrom(bob, alice, LONG_WAIT_MS)]);
    for (const me of [alice, bob]) await decodesVideos(me, 1);

    // Carol joins: Add participant has no "As a meeting" any more (the call is one).
    await callSection(alice).getByRole('button', { name: en.call.add }).click();
    const dialog = alice.page.getByRole('dialog', { name: en.call.add });
    await visible(dialog.getByRole('button', { name: en.addParticipant.invite.replace('{{name}}', 'Carol') }));
    expect(await dialog.getByRole('checkbox', { name: en.addParticipant.asMeeting }).count()).toBe(0);
    await dialog.getByRole('button', { name: en.common.close }).first().click();
    await addToCall(alice, carol);
    const three = [alice, bob, carol];
    for (const me of three) await seesEveryone(me, three);
    for (const me of three) {
      await expectEncryptedSfu(me);
      await Promise.all(three.filter((p) => p !== me).map((other) => expectVideoFrom(me, other, LONG_WAIT_MS)));
      const pcs = await decodesVideos(me, 2);
      console.log(`${me.name}: ${JSON.stringify(pcs)}`);
    }
  });

  it('a peer-to-peer call becomes a meeting when someone is added "As a meeting"', async ({ onTestFailed }) => {
    janus = await startJanus();
    const { openPerson } = await chromium.stage({ janusUrls: [janus.url] });
    const logs = new Map<string, string[]>();
    onTestFailed(() => printLogs(logs));
    const [alice, bob, carol] = (await openPeople(openPerson, ['Alice', 'Bob', 'Carol'], logs)) as [Person, Person, Person];
    await connectCall(alice, bob, 'video');
    // A mesh: one peer connection each, and the mesh's lock.
    for (const me of [alice, bob]) {
      await waitUntil(`${me.name} has one connected peer connection`, () => connections(me), (pcs) => pcs.length === 1 && pcs[0]?.state === 'connected', LONG_WAIT_MS);
      expect(await callSection(me).locator('[data-e2ee]').getAttribute('aria-label')).toContain(en.e2ee.meshTip);
    }
    await addToCall(alice, carol, { asMeeting: true });
    const three = [alice, bob, carol];
    for (const me of three) await seesEveryone(me, three);
    for (const me of three) {
      await expectEncryptedSfu(me);
      await decodesVideos(me, 2);
    }
  });

  it('without a media server there is no meeting button', async () => {
    const plain = await chromium.stage();
    const alice = await plain.openPerson('Alice');
    const bob = await plain.openPerson('Bob');
    await visible(callButton(alice, bob, 'video'));
    expect(await meetingButton(alice, bob).count()).toBe(0);
  });

  it('a meeting the server cannot put on a media server is refused, nothing rings, and the caller reads why', async () => {
    // A media server is configured but nothing answers there: the welcome offers meetings, the invite is refused.
    const { openPerson } = await chromium.stage({ janusUrls: [`ws://127.0.0.1:${await freePort()}`] });
    const carol = await openPerson('Carol');
    const dave = await openPerson('Dave');
    await meetingButton(carol, dave).click();
    await visible(carol.main.getByText(en.engineErrors.noMeeting), LONG_WAIT_MS);
    expect(await dave.main.getByRole('button', { name: 'Accept', exact: true }).count()).toBe(0);
    // A normal call still goes through.
    await carol.main.getByRole('button', { name: en.common.close }).first().click();
    await connectCall(carol, dave, 'video');
  });
});
