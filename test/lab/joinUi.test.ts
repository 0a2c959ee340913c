/**
 * Issue 13 item 6 through Parley's own UI, on the lab network: parley-server hosts
 * for the LAN in namespace "a" (`--host 0.0.0.0 --tls self-signed --mdns
 * --password …`, serving the built client).
 * (a) From "b", mDNS finds it (a Node probe: a page cannot browse mDNS) with the
 *     fingerprint the server printed; the "Share how to join" browser link made from
 *     that record opens Parley in a Chromium in "b", which asks "Join …? Its
 *     certificate fingerprint is …" with that same fingerprint, and joins (the link's
 *     password signs it in).
 * (b) A Parley page in "c" opens the https URL (a secure context with a fake
 *     camera), becomes a contact of a Parley page in "a" through the real "Add a
 *     contact" UI, and calls it: video and audio arrive both ways.
 * (c) A join link carrying another fingerprint is refused by the page, with a
 *     message naming both (the server's /healthz is compared; the TLS-level refusal
 *     of a wrong certificate is in server.test.ts).
 * The browsers trust the self-signed certificate by its public key's SHA-256
 * (--ignore-certificate-errors-spki-list), standing in for the person who compared
 * the fingerprint at the browser's warning. (d) is a unit test
 * (test/unit/settings/serverLinks.test.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { browserJoinLink, type JoinRef } from '../../preload/contract';
import type { DiscoveredServer } from '../../signaling-server/mdns';
import { userIdSchema } from '../../signaling-server/protocol';
import { SELF_SIGNED_FILE } from '../../signaling-server/tls';
import { groupedFingerprint } from '../../renderer/ui/settings/serverLinks';
import { CHROMIUM_PATH, chromiumArgs } from '../support/chromium';
import { connectCall } from '../e2e/calls';
import { befriend, ensureClientBuilt, PEER_CONNECTION_RECORDER, visible, type Person } from '../e2e/harness';
import { expectAudioArriving, expectVideoFrom } from '../e2e/media';
import { ADDRESSES, createLab, waitForLine, type Host, type Lab } from './lab';

vi.setConfig({ testTimeout: 180_000 });

const PORT = 7310;
const PASSWORD = 'lab-ui-password';
const SERVER = `https://${ADDRESSES.a}:${PORT}`;
const dataDir = mkdtempSync(join(tmpdir(), 'parley-lab-ui-'));
let lab: Lab;
let fingerprint = '';
let spkiPin = '';
const browsers: Browser[] = [];

function startupFingerprint(child: ChildProcess): Promise<string> {
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-8000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server in "a" did not start within 60 s.\nstdout: ${stdout}\nstderr: ${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`the server in "a" exited (${code}).\nstdout: ${stdout}\nstderr: ${stderr}`)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const found = /fingerprint: (\S+)/.exec(stdout)?.[1];
      if (found && /Announced/.test(stdout)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
}

beforeAll(async () => {
  const clientDir = ensureClientBuilt();
  lab = await createLab();
  const server = lab.spawn('a', process.execPath, [
    '--import',
    'tsx',
    'signaling-server/cli.ts',
    '--host',
    '0.0.0.0',
    '--port',
    String(PORT),
    '--tls',
    'self-signed',
    '--mdns',
    '--mdns-name',
    'Lab UI server',
    '--password',
    PASSWORD,
    '--client',
    clientDir,
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ]);
  fingerprint = await startupFingerprint(server);
  const pem = readFileSync(join(dataDir, SELF_SIGNED_FILE), 'utf8');
  spkiPin = createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}, 180_000);

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close().catch((error: unknown) => console.error('closing a lab browser failed', error))));
  await lab?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Chromium inside `host`'s namespace (see server.test.ts), with a fake camera and microphone. */
async function chromiumIn(host: Host): Promise<Browser> {
  const wrapper = join(dataDir, `chromium-ui-in-${host}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${lab.namespaces[host]} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(wrapper, 0o700);
  const browser = await chromium.launch({
    executablePath: wrapper,
    args: [...chromiumArgs('fps=15'), `--ignore-certificate-errors-spki-list=${spkiPin}`],
    timeout: 60_000,
  });
  browsers.push(browser);
  return browser;
}

/**
 * A Parley page in `host` opened at `url` (a #join link): first run, then the join
 * question, whose fingerprint is returned; Join signs in with the link's password.
 */
async function joinAs(host: Host, name: string, url: string): Promise<{ person: Person; shown: string; secure: boolean }> {
  const { page, context, log, question } = await openJoinLink(host, name, url);
  try {
    const shown = (await question.getByTestId('join-fingerprint').innerText()).trim();
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    await visible(page.getByRole('status', { name: 'Connection: Online' }), 60_000);
    // The link (and its password) is gone from the address bar.
    expect(page.url()).toBe(`${SERVER}/`);
    await page.getByRole('button', { name: 'Settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Settings' });
    const userId = userIdSchema.parse(await settings.getByLabel('Your ID', { exact: true }).inputValue());
    await settings.getByRole('button', { name: 'Close' }).first().click();
    await settings.waitFor({ state: 'detached' });
    const secure = await page.evaluate(() => isSecureContext);
    return { person: { name, userId, context, page, main: page.getByRole('main'), log, signaling: null }, shown, secure };
  } catch (error) {
    const screen = await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
    throw new Error(`${name} in "${host}" could not join: ${String(error)}\nscreen: ${screen.slice(0, 800)}\nlog: ${log.join('\n')}`, { cause: error });
  }
}

/** A Parley page in `host` at `url` (a #join link), through first run to the join question. */
async function openJoinLink(host: Host, name: string, url: string) {
  const browser = await chromiumIn(host);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['camera', 'microphone'], { origin: SERVER });
  await context.addInitScript(PEER_CONNECTION_RECORDER);
  const log: string[] = [];
  const page = await context.newPage();
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') log.push(`console.error: ${m.text()}`);
  });
  try {
    await page.goto(url);
    await page.getByLabel('Your display name').fill(name);
    await page.getByRole('button', { name: 'Continue' }).click();
    const question = page.getByRole('dialog', { name: `Join ${SERVER}?` });
    await visible(question, 60_000);
    return { page, context, log, question };
  } catch (error) {
    const screen = await page.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
    throw new Error(`${name} in "${host}" saw no join question: ${String(error)}\nscreen: ${screen.slice(0, 800)}\nlog: ${log.join('\n')}`, { cause: error });
  }
}

describe('Parley on the lab network, through its UI', () => {
  let fromB: Person;

  it('(a) is found by mDNS from "b" with the fingerprint it printed; its join link asks with that fingerprint, and joins', async () => {
    const found = await waitForLine<{ servers: DiscoveredServer[] }>(
      lab.spawn('b', process.execPath, ['--import', 'tsx', 'test/lab/probe.ts', 'mdns-find', '15000', 'Lab UI server']),
      (line) => Array.isArray(line.servers),
      40_000,
      'mdns-find in b',
    );
    const record = found.servers.find((s) => s.name === 'Lab UI server');
    expect(record, JSON.stringify(found.servers)).toMatchObject({ fingerprint, url: SERVER, passwordRequired: true, tls: true });
    // What "Share how to join" gives for that server, password included.
    const ref: JoinRef = { server: record?.url ?? '', fingerprint: record?.fingerprint ?? null, password: PASSWORD };
    const joined = await joinAs('b', 'Bea', browserJoinLink(ref, true));
    expect(joined.shown).toBe(groupedFingerprint(fingerprint));
    expect(joined.secure).toBe(true);
    fromB = joined.person;
  });

  it('(c) a join link with a wrong fingerprint is refused with a message naming both, and nothing is joined', async () => {
    const wrong = fingerprint.split(':').reverse().join(':');
    const { page, question } = await openJoinLink('b', 'Wes', browserJoinLink({ server: SERVER, fingerprint: wrong, password: PASSWORD }, true));
    expect((await question.getByTestId('join-fingerprint').innerText()).trim()).toBe(groupedFingerprint(wrong));
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    const refusal = question.getByRole('alert');
    await visible(refusal);
    expect(await refusal.innerText()).toBe(
      `Not joined: ${SERVER}: its certificate has fingerprint ${fingerprint}, not the ${wrong} you were given. ` +
        'Not joining: it may be another server, or someone between you and it. Ask the person hosting for the fingerprint again.',
    );
    // The password in the link was not saved: the server still refuses this page.
    expect(await page.getByRole('status', { name: 'Connection: Online' }).count()).toBe(0);
  });

  it('(b) a browser in "c" calls a Parley page in "a" over the https URL: video and audio both ways', async () => {
    const ref: JoinRef = { server: SERVER, fingerprint, password: PASSWORD };
    const inA = (await joinAs('a', 'Ada', browserJoinLink(ref, true))).person;
    const inC = await joinAs('c', 'Cyd', browserJoinLink(ref, true));
    expect(inC.secure).toBe(true);
    await befriend(inC.person, inA);
    await connectCall(inC.person, inA, 'video');
    await Promise.all([expectVideoFrom(inC.person, inA), expectVideoFrom(inA, inC.person)]);
    await Promise.all([expectAudioArriving(inC.person), expectAudioArriving(inA)]);
    const stats = await lab.bridgeStats();
    console.log(`lab UI call: bridge forwarded ${JSON.stringify(stats)}`);
    expect(fromB.userId).not.toBe(inA.userId);
  });
});
