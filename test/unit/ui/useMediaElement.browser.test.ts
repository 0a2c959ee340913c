/**
 * useMediaElement in real Chromium (issue 15: remote video sooner): the stream is on
 * the <video> in the very commit that renders it, before the browser can paint, not
 * one passive effect (a frame or more) later; `muted` likewise; and the element then
 * plays and reports its picture as before.
 *
 * The page (mediaElementPage/) is built by Vite with React's production build, as the
 * app is, and served to the browser from the build folder through Playwright's router.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBuiltPage, type BuiltPage } from './builtPage';
import type { ProbeResult } from './mediaElementPage/mediaElementPage';

let built: BuiltPage;
let page: Page;
let pageErrors: string[];

beforeAll(async () => {
  built = await openBuiltPage(fileURLToPath(new URL('./mediaElementPage', import.meta.url)), 'runProbe');
  ({ page, pageErrors } = built);
}, 180_000);

afterAll(async () => {
  await built?.close();
});

describe('useMediaElement in Chromium', () => {
  let result: ProbeResult;

  beforeAll(async () => {
    result = await page.evaluate(() => window.runProbe());
    console.log(`useMediaElement probe: ${JSON.stringify(result)}`);
  }, 120_000);

  it('puts the stream on the element in the commit that renders it, before paint', () => {
    expect(pageErrors).toEqual([]);
    // Every step commits at least once; later commits of the same step (a state
    // change inside the hook) are held to the same rule.
    expect(result.commits.map((c) => c.rendered)).toEqual(expect.arrayContaining(['none', 'a', 'b']));
    for (const [i, commit] of result.commits.entries()) {
      expect(commit.attached, `commit ${i} rendered stream "${commit.rendered}"`).toBe(commit.rendered);
    }
  });

  it('sets muted in the same commit', () => {
    for (const [i, commit] of result.commits.entries()) {
      expect(commit.muted, `commit ${i} (stream "${commit.rendered}")`).toBe(commit.mutedProp);
    }
  });

  it('still plays the stream and reports its picture', () => {
    expect(result.videoWidthAtEnd).toBeGreaterThan(0);
    expect(result.showingAtEnd).toBe(true);
  });
});
