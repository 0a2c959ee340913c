/**
 * Chat and files over the data channels between Chromium and Firefox ESR (SCTP across
 * two stacks): messages both ways, and a file each way whose SHA-256 the receiving app
 * verifies ("Received, checksum verified").
 */
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, waitUntil, WAIT_MS } from '../e2e/harness';
import { dropGeneratedFile } from '../features/pages';
import { click, fill, inMain, press, visible, type Target, type XPerson } from './people';
import { useBothEngines } from './people';
import { connectCall } from './steps';

const engines = useBothEngines();

const ONE_MB = 1024 * 1024;

const chat: Target = inMain('complementary', 'Chat');

async function openChat(person: XPerson): Promise<void> {
  await click(person, { role: 'button', name: /^Chat/, within: { role: 'toolbar', name: 'Call controls' } });
  await visible(person, chat);
}

function transferStatus(person: XPerson, fileName: string): Promise<string | null> {
  return person.page.evaluate((name) => {
    const row = [...document.querySelectorAll('[data-testid="transfer"]')].find((el) => el.textContent?.includes(name));
    return row?.getAttribute('data-status') ?? null;
  }, fileName);
}

function transferText(person: XPerson, fileName: string): Promise<string> {
  return person.page.evaluate((name) => {
    const row = [...document.querySelectorAll('[data-testid="transfer"]')].find((el) => el.textContent?.includes(name));
    return row?.textContent ?? '';
  }, fileName);
}

/** The chat messages `person` shows, as text. */
function messages(person: XPerson): Promise<string[]> {
  return person.page.evaluate(() => [...document.querySelectorAll('[data-testid="chat-message"]')].map((el) => el.textContent ?? ''), undefined);
}

async function sendFile(from: XPerson, to: XPerson, fileName: string): Promise<void> {
  await dropGeneratedFile(from.page.probe, fileName, ONE_MB);
  await click(to, { role: 'button', name: `Accept ${fileName}`, within: chat });
  await waitUntil(`${to.label} has ${fileName}, checked`, () => transferStatus(to, fileName), (s) => s === 'done' || s === 'failed', WAIT_MS * 2);
  expect(await transferStatus(to, fileName)).toBe('done');
  expect(await transferText(to, fileName)).toContain('Received, checksum verified');
  await waitUntil(`${from.label} sees ${fileName} delivered`, () => transferStatus(from, fileName), (s) => s === 'done');
}

describe('chat and files between engines', { timeout: SCENARIO_MS }, () => {
  it('carries messages both ways and a 1 MB file each way, checksum verified on arrival', async () => {
    const stage = await engines.stage();
    const alice = await stage.open('Alice', 'chromium');
    const bob = await stage.open('Bob', 'firefox');
    await connectCall(alice, bob, 'audio');
    await openChat(alice);
    await openChat(bob);

    const box: Target = { role: 'textbox', name: 'Message', within: chat };
    await fill(alice, box, 'Hello from Chromium');
    await press(alice, box, 'Enter');
    await waitUntil('Bob (firefox) has the message', () => messages(bob), (m) => m.some((text) => text.includes('Hello from Chromium')));
    await fill(bob, box, 'Hello from Firefox');
    await press(bob, box, 'Enter');
    await waitUntil('Alice (chromium) has the message', () => messages(alice), (m) => m.some((text) => text.includes('Hello from Firefox')));

    await sendFile(alice, bob, 'from-chromium.bin');
    await sendFile(bob, alice, 'from-firefox.bin');
  });
});
