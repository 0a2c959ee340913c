/**
 * What people do in Parley's window, in its own words: the buttons and texts a
 * person sees (roles and accessible names), not the component structure.
 */
import type { Locator } from 'playwright-core';
import type { CallMedia } from '../../signaling-server/protocol';
import { visible, type Person } from './harness';

/** The contact-list button that calls `callee`. */
export function callButton(caller: Person, callee: Person, media: CallMedia): Locator {
  return caller.page.getByRole('button', { name: `${media === 'video' ? 'Video' : 'Audio'} call ${callee.name}`, exact: true });
}

export async function dial(caller: Person, callee: Person, media: CallMedia): Promise<void> {
  await callButton(caller, callee, media).click();
}

/** The ringing screen's full accept (there is also "Accept audio only"). */
export function acceptButton(callee: Person): Locator {
  return callee.main.getByRole('button', { name: 'Accept', exact: true });
}

export async function answer(callee: Person): Promise<void> {
  await acceptButton(callee).click();
}

/** The running call's section. */
export function callSection(person: Person): Locator {
  return person.main.getByRole('region', { name: 'Call', exact: true });
}

/** The tile that shows `other` in `viewer`'s call grid. */
export function tileOf(viewer: Person, other: Person): Locator {
  return viewer.main.locator(`[data-testid="tile"][data-user-id="${other.userId}"]`);
}

export function tiles(viewer: Person): Locator {
  return viewer.main.getByTestId('tile');
}

/** The call-ended card's headline (a heading inside the stage). */
export function endedHeadline(person: Person, text: string | RegExp): Locator {
  return person.main.getByRole('heading', { name: text });
}

/** `caller` calls `callee`, who accepts; returns once each sees the other's tile. */
export async function connectCall(caller: Person, callee: Person, media: CallMedia): Promise<void> {
  await dial(caller, callee, media);
  await answer(callee);
  await visible(tileOf(caller, callee));
  await visible(tileOf(callee, caller));
}

/** The History tab's row for a call with `peerName`, newest first. */
export async function historyRows(person: Person, peerName: string): Promise<Locator> {
  await person.page.getByRole('tab', { name: 'History' }).click();
  return person.page
    .getByRole('tabpanel')
    .getByRole('listitem')
    .filter({ has: person.page.getByText(peerName, { exact: true }) });
}
