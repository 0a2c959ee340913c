/**
 * A three-person call across engines: Alice in Chromium calls Bob in Firefox ESR and
 * adds Carol in Firefox; the mesh then has two Chromium↔Firefox links and one
 * Firefox↔Firefox link, and each of the three sees both others' video.
 */
import { describe, it } from 'vitest';
import { SCENARIO_MS, waitUntil } from '../e2e/harness';
import { click, inMain, useBothEngines, type XPerson } from './people';
import { acceptTarget, connectCall, expectVideoFrom, tileShown } from './steps';

const engines = useBothEngines();

function tileCount(person: XPerson): Promise<number> {
  return person.page.evaluate(() => document.querySelectorAll('main [data-testid="tile"]').length, undefined);
}

describe('a group call with both engines', { timeout: SCENARIO_MS }, () => {
  it('adds Carol (firefox) to Alice (chromium) and Bob (firefox): each sees the two others’ video', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', 'chromium');
    const bob = await stage.open('Bob', 'firefox');
    const carol = await stage.open('Carol', 'firefox');
    await connectCall(alice, bob, 'video');

    await click(alice, { role: 'button', name: 'Add participant', within: inMain('region', 'Call') });
    await click(alice, { role: 'button', name: 'Invite Carol', within: { role: 'dialog', name: 'Add participant' } });
    await click(carol, acceptTarget);

    const people = [alice, bob, carol];
    const others = (me: XPerson): XPerson[] => people.filter((p) => p !== me);
    for (const me of people) {
      for (const other of others(me)) await tileShown(me, other);
      await waitUntil(`${me.label} shows exactly two tiles`, () => tileCount(me), (n) => n === 2);
    }
    await Promise.all(people.flatMap((me) => others(me).map((other) => expectVideoFrom(me, other))));
  });
});
