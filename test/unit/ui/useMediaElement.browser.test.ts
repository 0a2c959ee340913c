/**
 * useMediaElement in real Chromium (issue 15: remote video sooner): the stream is on
 * the <video> in the very commit that renders it, before the browser can paint, not
 * one passive effect (a frame or more) later; `muted` likewise; and the element then
 * plays and reports its picture as before.
 *
 * The page (mediaElementPage/) is built by Vite with React's production build, as the
 * app is, and served to the browser from the build folder through Playwright's router.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../support/chromium';
import type { ProbeResult } from './mediaElementPage/mediaElementPage';

const ORIGIN = 'http://localhost:7733';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

let outDir = '';
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'parley-media-element-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    mode: 'production',
    root: fileURLToPath(new URL('./mediaElementPage', import.meta.url)),
    base: './',
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
  });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = normalize(decodeURIComponent(new URL(route.request().url()).pathname)).replace(/^\/+/, '') || 'index.html';
    if (path.startsWith('..')) return route.fulfill({ status: 400 });
    try {
      const body = await readFile(join(outDir, path));
      return await route.fulfill({ status: 200, body, contentType: TYPES[extname(path)] ?? 'application/octet-stream' });
    } catch (error) {
      console.error(`media element page: ${path} not served`, error);
      return route.fulfill({ status: 404 });
    }
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${ORIGIN}/index.html`);
  await page.waitForFunction(() => typeof window.runProbe === 'function');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
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
