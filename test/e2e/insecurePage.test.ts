/**
 * On an insecure page (plain http to a name that is not localhost) a browser offers
 * no WebCrypto keys: Parley says so in words the person can act on, instead of
 * failing somewhere later. Real Chromium, the built client, the real server, the
 * page reached as http://parley.test (mapped to 127.0.0.1, so not a secure context).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/index';
import { launchChromium } from '../support/chromium';
import { CHROMIUM_ARGS, SCENARIO_MS, ensureClientBuilt, visible } from './harness';

let browser: Browser | null = null;
let server: SignalingServer | null = null;

beforeAll(async () => {
  const clientDir = ensureClientBuilt();
  server = await createSignalingServer({ host: '127.0.0.1', port: 0, clientDir, logLevel: 'silent', allowedHosts: ['parley.test'] });
  browser = await launchChromium([...CHROMIUM_ARGS, '--host-resolver-rules=MAP parley.test 127.0.0.1']);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('an insecure page', { timeout: SCENARIO_MS }, () => {
  it('says Parley needs a secure page (https or localhost), and makes no keys', async () => {
    if (!browser || !server) throw new Error('beforeAll failed');
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://parley.test:${new URL(server.url).port}/`);
      expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
      const alert = page.getByRole('alert');
      await visible(alert.getByText('Parley needs a secure page (https or localhost)', { exact: false }));
      await visible(alert.getByRole('button', { name: 'Try again' }));
      const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
      expect(databases).not.toContain('parley-keys');
    } finally {
      await context.close();
    }
  });
});
