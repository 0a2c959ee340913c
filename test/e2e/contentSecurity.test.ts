/**
 * The page's CSP (script-src 'self', no 'unsafe-eval') holds without a single
 * violation report. zod compiles its object parsers with `new Function` unless told
 * not to, and probes for that once; the probe is caught, but the browser still
 * reports it ("blocked eval" errors on every page load in Firefox, violation events
 * in Chromium). renderer/zodSetup.ts turns that off before any schema exists.
 */
import { describe, expect, it } from 'vitest';
import { SCENARIO_MS, useChromium, visible } from './harness';

const chromium = useChromium();

interface Violation {
  directive: string;
  blockedURI: string;
  sample: string;
}

declare global {
  interface Window {
    cspViolations?: Violation[];
  }
}

describe('content security policy', { timeout: SCENARIO_MS }, () => {
  it('a page load of the built client, signed in and online, causes no CSP violation and no blocked eval', async () => {
    const { openPerson } = await chromium.stage();
    const alice = await openPerson('Alice');

    // Record violations from the first script on: the same page loaded again, now watched.
    await alice.context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        window.cspViolations?.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI, sample: event.sample });
      });
    });
    await alice.page.reload();
    await visible(alice.page.getByRole('status', { name: 'Connection: Online' }));

    expect(await alice.page.evaluate(() => window.cspViolations)).toEqual([]);
  });
});
