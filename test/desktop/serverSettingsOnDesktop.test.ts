/**
 * Settings → Server on the desktop host (issue 13), in the real renderer in real
 * Chromium over main's real IPC registry and desktop host (set up as in
 * rendererOnDesktopHost.test.ts): "Parley servers on your network" lists what
 * discovery found; picking one asks "Join …? Its certificate fingerprint is …";
 * Join checks the certificate through main's probe first — a server presenting
 * another certificate is refused with main's message and nothing is saved — and a
 * matching one is saved first in the join list, its fingerprint pinned.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema, type CallStateReport, type DiscoveredServer, type ServerProbeResult, type Settings } from '../../preload/contract';
import type { EmbeddedServer } from '../../main/embeddedServer';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';
import { freePort } from '../support/freePort';
import { embeddedServerAndDownloads, hostingOn, openDesktopPage, type DesktopPage } from './desktopPage';
import { eventually } from './fakes';

let desktop: DesktopPage | null = null;
let work = '';
let page: Page | null = null;
let server: EmbeddedServer | null = null;
let port = 0;
const FP = Array.from({ length: 32 }, (_, i) => ((i * 29 + 3) % 256).toString(16).toUpperCase().padStart(2, '0')).join(':');
const OTHER = FP.split(':').reverse().join(':');
const FOUND: DiscoveredServer = {
  instance: 'Lab server (lab-a:7300)',
  name: 'Lab server',
  protocolVersion: PROTOCOL_VERSION,
  compatible: true,
  tls: true,
  fingerprint: FP,
  passwordRequired: false,
  port: 7300,
  addresses: ['10.77.0.1'],
  url: 'https://10.77.0.1:7300',
};
let discoveryStarted = 0;
let probeAnswer: ServerProbeResult = { ok: false, reason: 'unreachable', message: 'not set', fingerprint: null };
const probes: unknown[] = [];
const onDisk = (): Settings => settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));

let reports: CallStateReport[] = [];
let pageErrors: string[] = [];

beforeAll(async () => {
  port = await freePort();
  desktop = await openDesktopPage({
    name: 'parley-desktop-e2e-',
    settings: hostingOn(port),
    host: async (context) => {
      const local = await embeddedServerAndDownloads(context);
      server = local.server;
      return {
        ...local,
        probeServer: async (request) => {
          probes.push(request);
          return probeAnswer;
        },
        discovery: {
          start: () => {
            discoveryStarted += 1;
            return [FOUND];
          },
          stop: async () => undefined,
        },
      };
    },
  });
  ({ work, page, pageErrors, reports } = desktop);
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await server?.stop();
});

describe('Settings → Server on the desktop', () => {
  it('joins a server found on the network in two clicks, after its certificate checked out; a mismatch is refused and saves nothing', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    const name = p.getByLabel('Your display name');
    await name.waitFor({ timeout: 30_000 });
    await name.fill('Ada Desktop');
    await p.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => expect(reports.some((r) => r.phase === 'idle')).toBe(true), 30_000);

    await p.getByRole('button', { name: 'Settings' }).click();
    const settings = p.getByRole('dialog', { name: 'Settings' });
    // Hosting on this computer now: the radio says so, and the server's state is shown.
    expect(await settings.getByRole('radio', { name: 'Host on this computer only' }).isChecked()).toBe(true);
    await settings.getByText(`Hosting on port ${port}.`).waitFor({ timeout: 20_000 });
    await settings.getByRole('radio', { name: 'Off (join a server)' }).check();
    const joinLab = settings.getByRole('button', { name: 'Join Lab server' });
    await joinLab.waitFor({ timeout: 20_000 });
    expect(discoveryStarted).toBe(1);

    // Click 1: pick it. The question shows the fingerprint the announcement claims.
    probeAnswer = { ok: false, reason: 'fingerprint_mismatch', message: 'it presented a certificate with fingerprint AA:…, not the one you were given.', fingerprint: OTHER };
    await joinLab.click();
    const question = p.getByRole('dialog', { name: `Join Lab server (${FOUND.url})?` });
    await question.waitFor({ timeout: 10_000 });
    expect((await question.getByTestId('join-fingerprint').innerText()).replaceAll(' ', ':')).toBe(FP);
    // Click 2: Join. Main's probe says the certificate is another one: refused, in its words.
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    await question.getByRole('alert').filter({ hasText: `Not joined: ${FOUND.url}: it presented a certificate with fingerprint AA:…` }).waitFor({ timeout: 10_000 });
    expect(probes).toEqual([{ url: FOUND.url, fingerprint: FP }]);
    expect(onDisk().server.mode).toBe('local');

    // With a matching certificate the same two clicks join it.
    probeAnswer = { ok: true, fingerprint: FP };
    await question.getByRole('button', { name: 'Join', exact: true }).click();
    await question.waitFor({ state: 'detached', timeout: 10_000 });
    await eventually(() => {
      const server = onDisk().server;
      expect(server.mode).toBe('off');
      expect(server.join[0]).toEqual({ url: FOUND.url, fingerprint: FP, password: '', allowPlaintext: false });
    }, 10_000);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
