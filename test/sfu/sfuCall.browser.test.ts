/**
 * Group calls through the SFU (issue 17), in real Chromium with a real Janus
 * (Debian's, test/support/janus.ts) behind a real Parley server (`janusUrls`).
 *
 * One scenario, because six pages on two cores are heavy: a four-person mesh call,
 * the fifth joins and the call moves to the SFU with nobody redialling (the four
 * stay connected, their mesh connections close once the SFU carries the others),
 * a sixth joins, and then every participant decodes every other's video; chat
 * reaches everyone with no mesh connection left.
 *
 * Low resolution: each page's camera is asked for 320x240 at 10 fps (getUserMedia
 * wrapped in the page; the product asks for more), so six encoders fit the machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startJanus, type JanusInstance } from '../support/janus';
import { callSection, connectCall } from '../e2e/calls';
import { SCENARIO_MS, useChromium, visible, waitUntil, type Person } from '../e2e/harness';
import { expectVideoFrom } from '../e2e/media';
import en from '../../renderer/i18n/locales/en.json';
import { addToCall, connections, decodesVideos, LONG_WAIT_MS, openPeople, seesEveryone } from './meetingPages';

const chromium = useChromium();

let janus: JanusInstance | null = null;
afterEach(async () => {
  await janus?.stop();
  janus = null;
});

describe('a group call through the SFU', { timeout: SCENARIO_MS * 8 }, () => {
  it('moves a four-person mesh to the SFU when the fifth joins, with no call dropped; six then decode each other; chat goes round; every SFU sender and receiver is end-to-end encrypted', async ({ onTestFailed }) => {
    janus = await startJanus();
    const { openPerson } = await chromium.stage({ janusUrls: [janus.url] });
    const names = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank'];
    const people: Person[] = [];
    const logs = new Map<string, string[]>();
    onTestFailed(() => {
      for (const [name, lines] of logs) console.error(`[${name}] page console (all levels, last ${lines.length}):\n  ${lines.join('\n  ')}`);
    });
    people.push(...(await openPeople(openPerson, names, logs)));
    const [alice, bob, carol, dave, erin, frank] = people as [Person, Person, Person, Person, Person, Person];

    // A four-person mesh: three peer connections each.
    await connectCall(alice, bob, 'video');
    // One at a time: each joins once the call before them is whole (fewer negotiations at once on two cores).
    await addToCall(alice, carol);
    for (const me of [alice, bob, carol]) await seesEveryone(me, [alice, bob, carol]);
    await addToCall(alice, dave);
    const mesh = [alice, bob, carol, dave];
    for (const me of mesh) await seesEveryone(me, mesh);
    for (const me of mesh) {
      await waitUntil(`${me.name} has a mesh of three connected peer connections`, () => connections(me), (pcs) =>
        pcs.filter((pc) => pc.state === 'connected').length === 3, LONG_WAIT_MS);
    }

    // The fifth: the call moves to the SFU; the four stay in it throughout.
    await addToCall(alice, erin);
    const five = [...mesh, erin];
    for (const me of five) await seesEveryone(me, five);
    // Once the SFU carries the others, each of the four keeps only its publisher and subscriber.
    for (const me of mesh) {
      await waitUntil(`${me.name}'s mesh connections closed (a publisher and a subscriber left)`, () => connections(me), (pcs) =>
        pcs.length === 2 && pcs.every((pc) => pc.state === 'connected'), LONG_WAIT_MS);
      await visible(callSection(me));
    }

    // The sixth.
    await addToCall(alice, frank);
    for (const me of people) await seesEveryone(me, people);
    for (const me of people) {
      const others = people.filter((p) => p !== me);
      await Promise.all(others.map((other) => expectVideoFrom(me, other, LONG_WAIT_MS)));
      // Every other's video plays on the subscriber: five inbound video streams decoding delta frames.
      const pcs = await decodesVideos(me, 5);
      expect(pcs.reduce((n, pc) => n + pc.videoInbound, 0)).toBeGreaterThanOrEqual(5);
    }

    // End-to-end encrypted through the SFU: each page's lock says so with the SFU's reason (every member's key
    // arrived, every sender protected), and every sender and live receiver of its two connections runs frame encryption.
    for (const me of people) {
      const badge = callSection(me).locator('[data-e2ee="encrypted"]');
      await visible(badge, LONG_WAIT_MS);
      expect(await badge.getAttribute('aria-label')).toContain(en.e2ee.sfuTip);
      const pcs = await connections(me);
      expect(pcs).toHaveLength(2);
      // The publisher sends audio and video; the subscriber receives the others' (at least their five videos).
      expect(pcs.reduce((n, pc) => n + pc.senders, 0)).toBeGreaterThanOrEqual(2);
      expect(pcs.reduce((n, pc) => n + pc.receivers, 0)).toBeGreaterThanOrEqual(5);
      for (const pc of pcs) {
        expect(pc.protectedSenders, `${me.name}: every sender encrypts`).toBe(pc.senders);
        expect(pc.protectedReceivers, `${me.name}: every receiver decrypts`).toBe(pc.receivers);
      }
    }

    // Chat with no mesh connection left: through the signaling server.
    await callSection(alice).getByRole('button', { name: /chat/i }).first().click();
    const text = `hello through the SFU ${Date.now()}`;
    await alice.page.getByRole('textbox', { name: /message/i }).fill(text);
    await alice.page.getByRole('textbox', { name: /message/i }).press('Enter');
    for (const me of [bob, carol, dave, erin, frank]) {
      await callSection(me).getByRole('button', { name: /chat/i }).first().click();
      await visible(me.page.getByText(text), LONG_WAIT_MS);
    }
  });
});
