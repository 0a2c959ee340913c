/**
 * The real renderer, built by Vite and running in real Chromium, talking to the
 * desktop host exactly as it would in Electron: `window.parley` is the preload's
 * createPreloadBridge, its ipc goes to main's validating IpcRegistry and desktop
 * host (real storage in a temp folder, the real embedded signaling server on
 * loopback), and main's events come back through the RendererEventQueue.
 * Only Electron's IPC transport is stood in for, by Playwright bindings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_CHANNELS, settingsSchema, type CallStateReport } from '../../preload/contract';
import type { EmbeddedServer } from '../../main/embeddedServer';
import { RendererEventQueue } from '../../main/window/rendererEvents';
import { SignalingClient } from '../../renderer/signaling/client';
import { userIdSchema, type IncomingCall } from '../../signaling-server/protocol';
import { newDeviceIdentity } from '../support/rendererIdentity';
import { freePort } from '../support/freePort';
import { embeddedServerAndDownloads, hostingOn, openDesktopPage, type DesktopPage } from './desktopPage';
import { eventually, silentLogger } from './fakes';

let desktop: DesktopPage | null = null;
let work = '';
let page: Page | null = null;
let server: EmbeddedServer | null = null;
let events = new RendererEventQueue({ logger: silentLogger });
let port = 0;
/** Ada's userId as the page shows it (Settings → Your devices). */
let adaUserId = '';
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
      return local;
    },
  });
  ({ work, page, events, pageErrors, reports } = desktop);
}, 120_000);

afterAll(async () => {
  await desktop?.close();
  await server?.stop();
});

describe('the renderer on the desktop host', () => {
  it('boots from the bridge, saves the first-run name to the settings file, and comes online on the embedded server', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    const name = p.getByLabel('Your display name');
    await name.waitFor({ timeout: 30_000 });
    await name.fill('Ada Desktop');
    await p.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => {
      const onDisk = settingsSchema.parse(JSON.parse(readFileSync(join(work, 'userData', 'settings.json'), 'utf8')));
      expect(onDisk.displayName).toBe('Ada Desktop');
    }, 20_000);
    // The renderer reached the server main started for it and reports an idle phone.
    await eventually(() => expect(reports.some((r) => r.phase === 'idle')).toBe(true), 30_000);
    expect(server?.address()?.port).toBe(port);
    // The identity is the renderer's keys (IndexedDB of the page's origin), shown in Settings; main keeps no identity file.
    await p.getByRole('button', { name: 'Settings' }).click();
    const settings = p.getByRole('dialog', { name: 'Settings' });
    adaUserId = userIdSchema.parse(await settings.getByLabel('Your ID', { exact: true }).inputValue());
    await settings.getByRole('button', { name: 'Close' }).click();
    expect(existsSync(join(work, 'userData', 'identity.json'))).toBe(false);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('a notice from main reaches the page through the event queue and the bridge', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    events.notify('warning', 'The shortcut Alt+M is taken by another app; choose another in Settings.');
    await p.getByText('The shortcut Alt+M is taken by another app').waitFor({ timeout: 10_000 });
  }, 30_000);
});

describe('a parley:// link on the desktop', () => {
  it('asks before it dials: name, id, audio first even when the link says video; Cancel dials nothing', async () => {
    const p = page;
    if (p === null) throw new Error('no page');
    // Bob is online on the same embedded server (a Node client sends no Origin; the password guards it).
    const bobIdentity = (await newDeviceIdentity()).identity;
    const bob = new SignalingClient({
      urls: [`http://127.0.0.1:${port}`],
      identity: bobIdentity,
      displayName: 'Bob',
      password: 'e2e',
      contacts: () => [adaUserId],
      strangerCalls: () => 'ring',
    });
    const rang: IncomingCall[] = [];
    bob.events.on('call:incoming', (incoming) => rang.push(incoming));
    bob.start();
    try {
      // Presence flows between mutual contacts only: Bob (who lists Ada) asks, Ada accepts in the app.
      await eventually(() => expect(bob.getState().phase).toBe('online'), 20_000);
      await bob.request('contact:request', { to: adaUserId, secret: null });
      await p.getByRole('button', { name: 'Accept Bob', exact: true }).click({ timeout: 20_000 });
      await p.getByRole('button', { name: 'Audio call Bob', exact: true }).waitFor({ timeout: 20_000 });
      const ask = p.getByRole('dialog', { name: 'Call Bob?' });

      // As main's DeepLinkRouter sends it for parley://call/<Bob's userId>?media=video.
      events.send(EVENT_CHANNELS.callRequested, { userId: bobIdentity.userId, media: 'video', via: 'link' });
      await ask.waitFor({ timeout: 10_000 });
      await ask.getByText(bobIdentity.userId).first().waitFor();
      expect(rang).toEqual([]);
      // Enter on the open question starts an audio call, never the camera.
      await ask.locator('button:focus', { hasText: 'Audio call' }).waitFor({ timeout: 10_000 });
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await ask.waitFor({ state: 'detached' });

      const unknown = p.getByRole('dialog', { name: 'Call Unknown person?' });
      events.send(EVENT_CHANNELS.callRequested, { userId: 'user-nobody-known-1', media: 'audio', via: 'link' });
      await unknown.getByText('user-nobody-known-1').first().waitFor({ timeout: 10_000 });
      await unknown.getByRole('button', { name: 'Cancel' }).click();
      await unknown.waitFor({ state: 'detached' });
      expect(rang).toEqual([]);

      events.send(EVENT_CHANNELS.callRequested, { userId: bobIdentity.userId, media: 'video', via: 'link' });
      await ask.getByRole('button', { name: 'Audio call' }).click();
      await eventually(() => expect(rang.map((r) => [r.from.displayName, r.media])).toEqual([['Ada Desktop', 'audio']]), 20_000);
      await bob.request('call:decline', { callId: rang[0]?.callId ?? '' });
      expect(pageErrors).toEqual([]);
    } finally {
      bob.close();
    }
  }, 90_000);
});
