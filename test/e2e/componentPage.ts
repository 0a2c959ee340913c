/**
 * One piece of the renderer in real Chromium, alone: an entry written in the test
 * (TSX that imports from renderer/ and puts hooks on window) bundled with esbuild
 * as it ships (React's production build, CSS left out), then run in a blank page
 * with a #root. For tests of a component or hook without the whole app
 * (hostEvents, screenPicker).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../support/chromium';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Bundles `entry` (imports resolve from the repository root) into one script for a page. */
export async function bundleForPage(entry: string): Promise<string> {
  const bundle = await esbuild({
    stdin: { contents: entry, resolveDir: root, loader: 'tsx' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    loader: { '.css': 'empty', '.json': 'json' },
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = bundle.outputFiles[0]?.text;
  if (script === undefined) throw new Error('esbuild wrote no bundle for the page');
  return script;
}

/** A new blank page (`<div id="root">`) in `browser` with `script` run in it. */
export async function pageWith(browser: Browser, script: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setContent('<!doctype html><html><body><div id="root"></div></body></html>');
  await page.addScriptTag({ content: script });
  return page;
}

/**
 * For a test file: bundles `entry` and launches Chromium before its tests, closes
 * it after them; `open()` gives a new page with the bundle run in it.
 */
export function useComponentPage(entry: string): { open(): Promise<Page> } {
  let browser: Browser | null = null;
  let script = '';
  beforeAll(async () => {
    script = await bundleForPage(entry);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  return {
    open: () => {
      if (browser === null) throw new Error('the page is opened before the bundle and browser are ready (call open() in a test)');
      return pageWith(browser, script);
    },
  };
}
