/**
 * People in two engines on one stage: Chromium people come from the e2e harness
 * (Playwright, its own first-run steps), Firefox people from one Firefox ESR per test
 * file (puppeteer-core over WebDriver BiDi, one user context each). Both are wrapped
 * as an engine-neutral `XPerson`, and the UI steps below are written once over it:
 * they find an element by role and accessible name inside the page (the same rules
 * in both engines), mark it, and let the engine's driver click or type into it, so
 * every click is a real input event.
 */
import type { Page as PlaywrightPage } from 'playwright-core';
import type { Browser as PuppeteerBrowser, BrowserContext as PuppeteerContext, Page as PuppeteerPage } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { userIdSchema } from '../../signaling-server/protocol';
import { ensureClientBuilt, PEER_CONNECTION_RECORDER, useChromium, waitUntil, WAIT_MS, type Person } from '../e2e/harness';
import { launchFirefox, startXvfb, type VirtualDisplay } from '../support/firefox';

export type Engine = 'chromium' | 'firefox';

/** What a step needs of a page, whichever engine runs it. */
export interface EnginePage {
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  click(selector: string): Promise<void>;
  fill(selector: string, text: string): Promise<void>;
  press(selector: string, key: 'Enter'): Promise<void>;
  /**
   * The page for the e2e probes of test/e2e/media.ts and test/features/pages.ts: they
   * only call `evaluate(fn, arg)`, which puppeteer's Page has with the same meaning.
   */
  probe: PlaywrightPage;
}

export interface XPerson {
  name: string;
  engine: Engine;
  userId: string;
  page: EnginePage;
  /** Page errors and console errors and warnings. */
  log: string[];
  /** "Alice (firefox)", for messages. */
  label: string;
}

function fromPlaywright(page: PlaywrightPage): EnginePage {
  return {
    // Arguments here are plain JSON values, which Playwright passes unchanged (Unboxed<A> is A).
    evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg),
    click: (selector) => page.click(selector),
    fill: (selector, text) => page.fill(selector, text),
    press: (selector, key) => page.press(selector, key),
    probe: page,
  };
}

function fromPuppeteer(page: PuppeteerPage): EnginePage {
  return {
    evaluate: <A, R>(fn: (arg: A) => R | Promise<R>, arg: A) => page.evaluate(fn as (arg: unknown) => R, arg) as Promise<R>,
    click: (selector) => page.click(selector),
    fill: (selector, text) => page.locator(selector).fill(text),
    press: async (selector, key) => {
      await page.focus(selector);
      await page.keyboard.press(key);
    },
    probe: page as unknown as PlaywrightPage,
  };
}

// ─── finding elements by role and name, inside the page ─────────────────────

export type Role = 'button' | 'textbox' | 'tab' | 'dialog' | 'heading' | 'status' | 'region' | 'link' | 'img' | 'toolbar' | 'complementary' | 'listitem' | 'main' | 'group';

export interface Target {
  role: Role;
  /** The accessible name: exact text, or a pattern. Omitted: any. */
  name?: string | RegExp;
  /** Search inside the first match of this target only. */
  within?: Target;
}

interface WireTarget {
  role: Role;
  name: { exact: string } | { source: string; flags: string } | null;
  within: WireTarget | null;
}

function wire(target: Target): WireTarget {
  const { name } = target;
  return {
    role: target.role,
    name: name === undefined ? null : typeof name === 'string' ? { exact: name } : { source: name.source, flags: name.flags },
    within: target.within ? wire(target.within) : null,
  };
}

/**
 * Runs in the page: the visible elements that match `target`, marked with
 * data-xe="<n>" so the driver can address them. The accessible name follows the
 * common cases of accname: aria-labelledby, aria-label, a <label>, then the text.
 */
function MARK_MATCHES(target: WireTarget): string[] {
  const SELECTORS: Record<string, string> = {
    button: 'button, [role="button"], input[type="button"], input[type="submit"]',
    textbox: 'input:not([type]), input[type="text"], input[type="search"], input[type="email"], textarea, [role="textbox"]',
    tab: '[role="tab"]',
    dialog: 'dialog, [role="dialog"], [role="alertdialog"]',
    heading: 'h1, h2, h3, h4, h5, h6, [role="heading"]',
    status: '[role="status"], output',
    region: 'section[aria-label], section[aria-labelledby], [role="region"]',
    link: 'a[href], [role="link"]',
    img: 'img, svg[role="img"], [role="img"]',
    toolbar: '[role="toolbar"]',
    complementary: 'aside, [role="complementary"]',
    listitem: 'li, [role="listitem"]',
    main: 'main, [role="main"]',
    group: 'fieldset, details, [role="group"]',
  };
  const text = (el: Element | null): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const nameOf = (el: Element): string => {
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) return labelledBy.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
    const label = el.getAttribute('aria-label');
    if (label !== null) return label.trim();
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) {
      return [...(el.labels ?? [])].map((l) => text(l)).join(' ').trim();
    }
    return text(el);
  };
  const shown = (el: Element): boolean => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const matches = (root: ParentNode, t: WireTarget): Element[] =>
    [...root.querySelectorAll(SELECTORS[t.role] ?? t.role)].filter((el) => {
      const role = el.getAttribute('role');
      if (role !== null && role !== t.role && !(t.role === 'dialog' && role === 'alertdialog')) return false;
      if (!shown(el)) return false;
      if (t.name === null) return true;
      const name = nameOf(el);
      return 'exact' in t.name ? name === t.name.exact : new RegExp(t.name.source, t.name.flags).test(name);
    });
  const find = (t: WireTarget): Element[] => {
    if (!t.within) return matches(document, t);
    const scope = find(t.within)[0];
    return scope ? matches(scope, t) : [];
  };
  const w = window as Window & { __xeNext?: number };
  return find(target).map((el) => {
    let mark = el.getAttribute('data-xe');
    if (!mark) {
      w.__xeNext = (w.__xeNext ?? 0) + 1;
      mark = String(w.__xeNext);
      el.setAttribute('data-xe', mark);
    }
    return `[data-xe="${mark}"]`;
  });
}

function describeTarget(target: Target): string {
  const here = `${target.role}${target.name === undefined ? '' : ` "${String(target.name)}"`}`;
  return target.within ? `${here} in ${describeTarget(target.within)}` : here;
}

/** How many visible elements match `target` now. */
export async function count(person: XPerson, target: Target): Promise<number> {
  return (await person.page.evaluate(MARK_MATCHES, wire(target))).length;
}

/** Waits until `target` is visible; its selector (the first match). */
export async function visible(person: XPerson, target: Target, timeoutMs = WAIT_MS): Promise<string> {
  const found = await waitUntil(
    `${person.label} shows ${describeTarget(target)}`,
    () => person.page.evaluate(MARK_MATCHES, wire(target)),
    (selectors) => selectors.length > 0,
    timeoutMs,
  );
  return found[0] as string;
}

export async function gone(person: XPerson, target: Target, timeoutMs = WAIT_MS): Promise<void> {
  await waitUntil(`${person.label} no longer shows ${describeTarget(target)}`, () => count(person, target), (n) => n === 0, timeoutMs);
}

export async function click(person: XPerson, target: Target): Promise<void> {
  const selector = await visible(person, target);
  // A click lands where the element is drawn: wait until nothing (a toast) covers it, as a person would.
  await waitUntil(
    `${person.label} sees ${describeTarget(target)} uncovered`,
    () =>
      person.page.evaluate((s) => {
        const el = document.querySelector(s);
        if (!el) return 'gone';
        el.scrollIntoView({ block: 'center', inline: 'center' });
        const box = el.getBoundingClientRect();
        const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
        if (hit && (hit === el || el.contains(hit))) return null;
        return `covered by ${hit ? `${hit.tagName.toLowerCase()}.${hit.className} "${(hit.textContent ?? '').slice(0, 60)}"` : 'nothing'}`;
      }, selector),
    (cover) => cover === null,
  );
  await person.page.click(selector);
}

export async function fill(person: XPerson, target: Target, text: string): Promise<void> {
  await person.page.fill(await visible(person, target), text);
}

export async function press(person: XPerson, target: Target, key: 'Enter'): Promise<void> {
  await person.page.press(await visible(person, target), key);
}

export async function inputValue(person: XPerson, target: Target): Promise<string> {
  const selector = await visible(person, target);
  return person.page.evaluate((s) => {
    const el = document.querySelector(s);
    return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? el.value : '';
  }, selector);
}

/** The call stage (the aria-live announcer repeats call texts outside it). */
export const MAIN: Target = { role: 'main' };
export const inMain = (role: Role, name?: string | RegExp): Target => ({ role, name, within: MAIN });

// ─── first run and contacts, as a person does them ──────────────────────────

/** First run: the display name, Online, and the userId from Settings → Your ID. */
async function firstRun(person: Omit<XPerson, 'userId'>): Promise<string> {
  await fill(person as XPerson, { role: 'textbox', name: 'Your display name' }, person.name);
  await click(person as XPerson, { role: 'button', name: 'Continue' });
  const p = person as XPerson;
  await visible(p, { role: 'status', name: 'Connection: Online' });
  await click(p, { role: 'button', name: 'Settings' });
  const settings: Target = { role: 'dialog', name: 'Settings' };
  const id = userIdSchema.parse(await inputValue(p, { role: 'textbox', name: 'Your ID', within: settings }));
  await click(p, { role: 'button', name: 'Close', within: settings });
  await gone(p, settings);
  return id;
}

async function openAddContact(person: XPerson): Promise<Target> {
  await click(person, { role: 'tab', name: /^Contacts/ });
  await click(person, { role: 'button', name: 'Add a contact' });
  const dialog: Target = { role: 'dialog', name: 'Add a contact' };
  await visible(person, dialog);
  return dialog;
}

async function inviteCodeOf(person: XPerson): Promise<string> {
  const dialog = await openAddContact(person);
  const code: Target = { role: 'textbox', name: 'Invite code', within: dialog };
  const value = await waitUntil(`${person.label}'s invite code is made`, () => inputValue(person, code), (v) => v.includes('.'));
  await click(person, { role: 'button', name: 'Close', within: dialog });
  await gone(person, dialog);
  return value;
}

async function showsOnline(viewer: XPerson, other: XPerson): Promise<boolean> {
  return viewer.page.evaluate((id) => {
    const row = document.querySelector(`li.contact[data-user-id="${id}"]`);
    return row !== null && !row.classList.contains('contact--offline');
  }, other.userId);
}

/** `a` pastes `b`'s invite code; `b`'s app accepts by itself; both show the other online. */
export async function befriend(a: XPerson, b: XPerson): Promise<void> {
  const code = await inviteCodeOf(b);
  const dialog = await openAddContact(a);
  await fill(a, { role: 'textbox', name: 'Invite code or link', within: dialog }, code);
  await click(a, { role: 'button', name: 'Add', within: dialog });
  await click(a, { role: 'button', name: 'Send contact request', within: { role: 'dialog', name: /^Add .+…\?$/ } });
  await visible(a, { role: 'status', name: /Request (sent|saved)/, within: dialog });
  await click(a, { role: 'button', name: 'Close', within: dialog });
  await gone(a, dialog);
  await waitUntil(`${a.label} and ${b.label} show each other online`, async () => [await showsOnline(a, b), await showsOnline(b, a)], (both) => both.every(Boolean));
}

// ─── the stage: one Chromium and one Firefox per file ───────────────────────

/**
 * Runs before the app in every Firefox page: CSP violations as the page sees them
 * (Firefox also prints each as a console error, which the log catches).
 */
function CSP_RECORDER(): void {
  const w = window as Window & { __cspViolations?: string[] };
  w.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => {
    w.__cspViolations?.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sample}`);
  });
}

/** The CSP violations a Firefox page reported since it loaded. */
export function cspViolations(person: XPerson): Promise<string[]> {
  return person.page.evaluate(() => (window as Window & { __cspViolations?: string[] }).__cspViolations ?? ['(no recorder)'], undefined);
}

export interface CrossStage {
  /** A new person in `engine`, first run done, a contact of everyone opened before. */
  open(name: string, engine: Engine): Promise<XPerson>;
}

/**
 * At the top of a cross-engine test file: one Chromium (the e2e harness's) and one
 * Firefox for the file; per test a server and people, closed after it.
 */
export function useBothEngines(options: { headedFirefox?: boolean } = {}): { stage(): Promise<CrossStage> } {
  const chromium = useChromium();
  let firefox: PuppeteerBrowser | null = null;
  let xvfb: VirtualDisplay | null = null;
  let contexts: PuppeteerContext[] = [];
  let people: XPerson[] = [];

  beforeAll(async () => {
    ensureClientBuilt();
    // Headed under Xvfb when the file needs getDisplayMedia, which headless Firefox lacks.
    if (options.headedFirefox) xvfb = await startXvfb();
    firefox = await launchFirefox(xvfb ? { display: xvfb.display } : {});
  });

  // Registered after useChromium's: vitest runs after-hooks last-registered first, so
  // the Firefox people leave before the harness closes the server.
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') {
      for (const person of people) {
        const screen = await person.page.evaluate(() => document.body.innerText, undefined).catch((error: unknown) => `(unreadable: ${String(error)})`);
        console.error(`[${person.label}] screen: ${screen.replace(/\s+/g, ' ').slice(0, 600)}`);
        if (person.log.length > 0) console.error(`[${person.label}] browser log:\n  ${person.log.join('\n  ')}`);
      }
    }
    const closing = contexts;
    contexts = [];
    people = [];
    await Promise.all(closing.map((c) => c.close().catch((error: unknown) => console.warn(`closing a Firefox context: ${String(error)}`))));
  });

  afterAll(async () => {
    await firefox?.close();
    await xvfb?.stop();
  });

  return {
    async stage() {
      const chromiumStage = await chromium.stage();
      const url = chromiumStage.server.url;
      return {
        async open(name, engine) {
          let person: XPerson;
          if (engine === 'chromium') {
            const opened: Person = await chromiumStage.openPerson(name, { contacts: false });
            person = { name, engine, userId: opened.userId, page: fromPlaywright(opened.page), log: opened.log, label: `${name} (chromium)` };
          } else {
            if (!firefox) throw new Error('useBothEngines(): Firefox is not running (did beforeAll fail?)');
            const context = await firefox.createBrowserContext();
            contexts.push(context);
            const page = await context.newPage();
            const log: string[] = [];
            page.on('pageerror', (error) => log.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`));
            page.on('console', (message) => {
              if (message.type() === 'error' || message.type() === 'warn') log.push(`console.${message.type()}: ${message.text()}`);
            });
            await page.evaluateOnNewDocument(PEER_CONNECTION_RECORDER);
            await page.evaluateOnNewDocument(CSP_RECORDER);
            await page.goto(url);
            const partial = { name, engine, page: fromPuppeteer(page), log, label: `${name} (firefox)` };
            person = { ...partial, userId: '' };
            people.push(person);
            person.userId = await firstRun(partial);
          }
          if (engine === 'chromium') people.push(person);
          for (const other of people) if (other !== person) await befriend(person, other);
          return person;
        },
      };
    },
  };
}
