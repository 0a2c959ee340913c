/**
 * Benchmark 3, client weight:
 * - the JavaScript a browser must fetch before Parley can start: the entry script
 *   and the modulepreloads that the built index.html names (lazy chunks are
 *   fetched later and not counted), gzipped at level 9;
 * - navigation to interactive in Chromium: from the start of the navigation
 *   (performance.timeOrigin) to the moment the contact list offers an enabled
 *   call button (a returning user, with one contact online), and, for a first
 *   visit, until the first-run form can be submitted. Taken inside the page by a
 *   probe that checks on every DOM change, so no polling delay counts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { befriend, firstRun, openPage, pageScript, waitUntil } from './browser';
import { summarize, type Summary } from './stats';

export interface ScriptSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface ClientWeightResults {
  initialScripts: ScriptSize[];
  initialGzipBytes: number;
  initialBytes: number;
  /** Other .js files in the build (lazy chunks), for the record. */
  lazyScripts: ScriptSize[];
  contactListMs: Summary;
  firstRunMs: Summary;
  loads: number;
}

/** The scripts index.html loads up front: module entry scripts and modulepreload links. */
export function initialScriptPaths(indexHtml: string): string[] {
  const paths = new Set<string>();
  for (const tag of indexHtml.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attr = (name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1];
    const isEntry = /^<script/i.test(tag) && attr('type') === 'module' && attr('src') !== undefined;
    const isPreload = /^<link/i.test(tag) && attr('rel') === 'modulepreload' && attr('href') !== undefined;
    const path = isEntry ? attr('src') : isPreload ? attr('href') : undefined;
    if (path !== undefined) paths.add(path.replace(/^\.?\//, ''));
  }
  return [...paths];
}

function sizeOf(clientDir: string, file: string): ScriptSize {
  const content = readFileSync(join(clientDir, file));
  return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

declare global {
  interface Window {
    __benchInteractive?: { contactList: number | null; firstRun: number | null };
  }
}

/** Runs before the app: notes (ms since navigation start) when each screen first becomes usable. */
function INTERACTIVE_PROBE(): void {
  const seen: { contactList: number | null; firstRun: number | null } = { contactList: null, firstRun: null };
  window.__benchInteractive = seen;
  const usable = (el: Element | null): boolean =>
    el instanceof HTMLElement && !el.hasAttribute('disabled') && el.checkVisibility();
  const check = (): void => {
    if (seen.contactList === null && usable(document.querySelector('button[aria-label^="Video call "]:not([disabled])'))) {
      seen.contactList = performance.now();
    }
    if (seen.firstRun === null) {
      const submit = [...document.querySelectorAll('form button[type="submit"]')].find((b) => b.textContent?.trim() === 'Continue');
      const name = document.querySelector('form input');
      if (usable(submit ?? null) && usable(name)) seen.firstRun = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
}

async function timeLoad(page: Page, url: string, what: 'contactList' | 'firstRun'): Promise<number> {
  await page.goto(url);
  const seen = await waitUntil(
    `the ${what === 'contactList' ? 'contact list' : 'first-run form'} is usable`,
    () => page.evaluate(() => window.__benchInteractive ?? null),
    (s) => s !== null && s[what] !== null,
  );
  return seen?.[what] as number;
}

export async function runClientWeightBench(options: {
  browser: Browser;
  clientDir: string;
  parleyUrl: string;
  loads: number;
  log(line: string): void;
}): Promise<ClientWeightResults> {
  const { browser, clientDir, parleyUrl, loads, log } = options;
  const html = readFileSync(join(clientDir, 'index.html'), 'utf8');
  const initial = initialScriptPaths(html);
  if (initial.length === 0) throw new Error(`${clientDir}/index.html names no module script: is this a Vite build?`);
  const initialScripts = initial.map((file) => sizeOf(clientDir, file));
  const allScripts = readdirSync(join(clientDir, 'assets')).filter((f) => f.endsWith('.js'));
  const lazyScripts = allScripts.map((f) => `assets/${f}`).filter((f) => !initial.includes(f)).map((file) => sizeOf(clientDir, file));
  const initialGzipBytes = initialScripts.reduce((sum, s) => sum + s.gzipBytes, 0);
  log(`initial JavaScript: ${initialScripts.map((s) => `${s.file} ${(s.gzipBytes / 1000).toFixed(1)} kB gzipped`).join(', ')}`);

  // A contact who is online, so that the list has a call button to enable.
  const contact = await openPage(browser, parleyUrl);
  const reader = await openPage(browser, parleyUrl);
  const firstRunTimes: number[] = [];
  const contactListTimes: number[] = [];
  try {
    await firstRun(contact.page, parleyUrl, 'Contact');
    await reader.context.addInitScript({ content: pageScript(INTERACTIVE_PROBE) });
    await firstRun(reader.page, parleyUrl, 'Reader');
    // Presence flows between contacts only: the reader adds the contact (not timed).
    await befriend({ page: reader.page, name: 'Reader' }, { page: contact.page, name: 'Contact' });
    await timeLoad(reader.page, parleyUrl, 'contactList'); // warm-up: the server's first requests
    for (let i = 0; i < loads; i++) contactListTimes.push(await timeLoad(reader.page, parleyUrl, 'contactList'));
    for (let i = 0; i < loads; i++) {
      const visitor = await openPage(browser, parleyUrl);
      try {
        await visitor.context.addInitScript({ content: pageScript(INTERACTIVE_PROBE) });
        firstRunTimes.push(await timeLoad(visitor.page, parleyUrl, 'firstRun'));
      } finally {
        await visitor.context.close();
      }
    }
  } finally {
    await reader.context.close();
    await contact.context.close();
  }
  return {
    initialScripts,
    initialGzipBytes,
    initialBytes: initialScripts.reduce((sum, s) => sum + s.bytes, 0),
    lazyScripts,
    contactListMs: summarize(contactListTimes),
    firstRunMs: summarize(firstRunTimes),
    loads,
  };
}
