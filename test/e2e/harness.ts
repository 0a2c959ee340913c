/**
 * End-to-end harness: real Chromium (playwright-core, /usr/bin/chromium), a real
 * signaling server on 127.0.0.1 port 0 serving the built renderer, and one
 * browser context per person, so each has its own storage and so its own identity.
 *
 * - `useChromium()` (at the top of a test file) launches one browser for the file
 *   and closes it after; every test gets its own server and people from `stage()`,
 *   closed after the test, so scenarios are independent.
 * - Every wait polls a condition with a generous timeout: the CI machine has two
 *   cores, and a busy core must make a test slower, never red.
 * - Peer connections are observed through a recorder injected before the page's
 *   own scripts (see PEER_CONNECTION_RECORDER): the product keeps no test hook.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { pino, type Logger } from 'pino';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling-server/index';
import { userIdSchema } from '../../signaling-server/protocol';
import en from '../../renderer/i18n/locales/en.json';
import ru from '../../renderer/i18n/locales/ru.json';
import { chromiumArgs, launchChromium } from '../support/chromium';
import { installSignalingGate, type SignalingGate } from './signalingGate';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLIENT_DIR = join(ROOT, 'dist', 'renderer');

/** How long any one condition may take to come true on a loaded 2-core machine. */
export const WAIT_MS = 20_000;
/** For a test's `timeout`: a few conditions in a row, each allowed WAIT_MS. */
export const SCENARIO_MS = 120_000;

/**
 * fps=15 halves the encode work of the fake camera's default 20 fps at 640x480 on
 * two cores. Exported for the benchmarks, which start from the same flags.
 */
export const CHROMIUM_ARGS = chromiumArgs('fps=15');

// ─── the built client ───────────────────────────────────────────────────────

/** The newest modification time under `path` (a file, or a folder walked recursively). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** What the renderer bundle is built from. */
const CLIENT_SOURCES = ['renderer', 'preload/contract.ts', 'signaling-server/protocol.ts', 'vite.config.ts', 'package.json'];

/**
 * The e2e tests drive the built renderer (dist/renderer), as a browser gets it from
 * the server. `npm test` builds first; a direct `vitest run test/e2e` rebuilds here
 * when the bundle is missing or older than its sources (vite takes ~2 s).
 */
export function ensureClientBuilt(): string {
  const index = join(CLIENT_DIR, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(...CLIENT_SOURCES.map((p) => newestMtime(join(ROOT, p))));
  if (built >= sources) return CLIENT_DIR;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'pipe',
      // vitest sets NODE_ENV=test, and Vite would then bundle React's development
      // build: build what ships.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } catch (error) {
    const output = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new Error(`The e2e tests need the built renderer, and "npx vite build" failed. Fix the build, then run again.\n${output}`, {
      cause: error,
    });
  }
  if (!existsSync(index)) throw new Error(`"npx vite build" finished but ${index} is missing: check vite.config.ts (outDir).`);
  return CLIENT_DIR;
}

// ─── peer connections, seen from the page ───────────────────────────────────

declare global {
  interface Window {
    /** Installed by the harness before the app's scripts: the page's open peer connections. */
    __parleyE2E?: { peerConnections(): RTCPeerConnection[] };
  }
}

/**
 * Runs in every page before the app: a subclass of RTCPeerConnection that records
 * each instance, so tests can read getStats of the connections the call engine
 * opens. Behaviour is unchanged (the subclass adds nothing else); closed
 * connections are left out.
 */
export function PEER_CONNECTION_RECORDER(): void {
  const Native = window.RTCPeerConnection;
  const created: RTCPeerConnection[] = [];
  class Recorded extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      created.push(this);
    }
  }
  window.RTCPeerConnection = Recorded;
  window.__parleyE2E = { peerConnections: () => created.filter((pc) => pc.connectionState !== 'closed') };
}

// ─── waiting ────────────────────────────────────────────────────────────────

/** Polls `probe` until `done` holds; the error names the condition and the last value seen. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    // A probe may throw while the page navigates or re-renders: that is "not yet".
    const seen = await probe().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    if (seen.ok && done(seen.value)) return seen.value;
    if (Date.now() > deadline) {
      const last = seen.ok ? `last value: ${JSON.stringify(seen.value)}` : `the probe failed: ${String(seen.error)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}; ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

export async function visible(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.waitFor({ state: 'visible', timeout });
}

export async function gone(locator: Locator, timeout = WAIT_MS): Promise<void> {
  await locator.waitFor({ state: 'hidden', timeout });
}

// ─── people ─────────────────────────────────────────────────────────────────

export interface Person {
  name: string;
  userId: string;
  context: BrowserContext;
  page: Page;
  /** The call stage. The aria-live announcer repeats call texts outside it, so search in here. */
  main: Locator;
  /** Page errors and console errors, printed when a test fails. */
  log: string[];
  /** Present when opened with `{ signalingGate: true }`. */
  signaling: SignalingGate | null;
}

export interface PersonOptions {
  /** Route the signaling WebSocket through a gate the test can hold (signalingGate.ts). */
  signalingGate?: boolean;
  /**
   * Befriend everyone already on the stage (who was opened with contacts too)
   * through the real UI: their invite code pasted here, accepted by their app.
   * True unless false: presence and pre-connect happen between contacts only.
   */
  contacts?: boolean;
  /** Open the app here instead of at the server (a relay in front of it, e.g. tamperingRelay.ts). */
  url?: string;
  /**
   * The browser's locale (navigator.languages, Accept-Language), which Parley's language
   * follows. English unless said, so tests can find elements by their English names.
   */
  locale?: 'en-US' | 'ru-RU';
}

/** The app's words in the language a page runs in (renderer/i18n/locales), for finding elements. */
/** A dialog's Close button in either language (the person's locale is not at hand everywhere). */
const CLOSE_EITHER = new RegExp(`^(${en.common.close}|${ru.common.close})$`);

/** Text that reads as `english` or `russian` in full ({{placeholders}} match anything). */
function either(english: string, russian: string): RegExp {
  const pattern = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\\\{\w+\\\}\\\}/g, '.+');
  return new RegExp(`^(${pattern(english)}|${pattern(russian)})$`);
}

export function wordsFor(locale: PersonOptions['locale'] = 'en-US'): typeof en {
  return locale === 'ru-RU' ? ru : en;
}

export interface Stage {
  server: SignalingServer;
  /** A new person: a fresh browser context, first run completed, online, and (unless `contacts: false`) everyone's contact. */
  openPerson(name: string, options?: PersonOptions): Promise<Person>;
}

interface Running {
  server: SignalingServer | null;
  /** The server's log lines (info and above, the SFU desk's debug too), the latest SERVER_LOG_KEPT. */
  serverLog: string[];
  contexts: BrowserContext[];
  logs: { name: string; log: string[]; context: BrowserContext }[];
}

const NOTHING_RUNNING = (): Running => ({ server: null, serverLog: [], contexts: [], logs: [] });
const SERVER_LOG_KEPT = 400;

/**
 * A logger that keeps the server's lines in memory, printed only when the test
 * fails: what the server did (a refused request, a media server that did not
 * answer) tells a server bug from a page bug. The SFU part logs at debug.
 */
function keptLogger(lines: string[]): Logger {
  const keep = (line: string): void => {
    // pino writes one JSON object per line; level 30 is info.
    const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
    if (level < 30 && !line.includes('"part":"sfu"')) return;
    lines.push(line.trimEnd());
    if (lines.length > SERVER_LOG_KEPT) lines.splice(0, lines.length - SERVER_LOG_KEPT);
  };
  return pino({ level: 'debug', base: null }, { write: keep });
}

/**
 * One Chromium for this test file (launched in beforeAll) and, per test, a server
 * and people that are closed after the test. Call at the top of a test file.
 */
export function useChromium(): { stage(options?: Partial<SignalingServerOptions>): Promise<Stage> } {
  let browser: Browser | null = null;
  let clientDir = '';
  let running = NOTHING_RUNNING();

  beforeAll(async () => {
    clientDir = ensureClientBuilt();
    browser = await launchChromium(CHROMIUM_ARGS);
  });

  afterEach(async (context) => {
    const { server, serverLog, contexts, logs } = running;
    running = NOTHING_RUNNING();
    const failed = context.task.result?.state === 'fail';
    // PARLEY_TEST_SERVER_LOG=1 prints it for passing tests too (to study a flaky one).
    if ((failed || process.env.PARLEY_TEST_SERVER_LOG === '1') && serverLog.length > 0) {
      console.error(`[server] log (last ${serverLog.length} lines):\n  ${serverLog.join('\n  ')}`);
    }
    if (failed) {
      // What each person saw and what their page complained about, to tell a product bug from a test bug.
      for (const { name, log, context: personContext } of logs) {
        const screen = await personContext.pages()[0]?.locator('body').innerText({ timeout: 2_000 }).catch(() => '(unreadable)');
        console.error(`[${name}] screen: ${(screen ?? '(no page)').replace(/\s+/g, ' ').slice(0, 600)}`);
        if (log.length > 0) console.error(`[${name}] browser log:\n  ${log.join('\n  ')}`);
      }
    }
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    await server?.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  return {
    async stage(options = {}) {
      if (!browser) throw new Error('useChromium(): the browser is not running (did beforeAll fail?)');
      const launched = browser;
      const server = await createSignalingServer({ host: '127.0.0.1', port: 0, clientDir, logger: keptLogger(running.serverLog), ...options });
      running.server = server;
      const befriendable: Person[] = [];
      return {
        server,
        openPerson: async (name, personOptions = {}) => {
          // Tracked before anything can fail, so afterEach closes it and prints its log.
          const context = await launched.newContext({
            viewport: { width: 1280, height: 800 },
            colorScheme: 'light',
            locale: personOptions.locale ?? 'en-US',
          });
          const log: string[] = [];
          running.contexts.push(context);
          running.logs.push({ name, log, context });
          const person = await setUpPerson({ context, log, url: personOptions.url ?? server.url, name, options: personOptions });
          if (personOptions.contacts !== false) {
            for (const other of befriendable) await befriend(person, other);
            befriendable.push(person);
          }
          return person;
        },
      };
    },
  };
}

/** First run in a fresh context: the name, then wait until the header says Online. */
async function setUpPerson(input: {
  context: BrowserContext;
  log: string[];
  url: string;
  name: string;
  options: PersonOptions;
}): Promise<Person> {
  const { context, log, url, name, options } = input;
  await context.grantPermissions(['camera', 'microphone'], { origin: url });
  await context.addInitScript(PEER_CONNECTION_RECORDER);
  const signaling = options.signalingGate ? await installSignalingGate(context) : null;
  const page = await context.newPage();
  page.on('pageerror', (error) => log.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') log.push(`console.${message.type()}: ${message.text()}`);
  });
  await page.goto(url);
  const words = wordsFor(options.locale);
  await page.getByLabel(words.firstRun.nameLabel).fill(name);
  await page.getByRole('button', { name: words.firstRun.continue }).click();
  await visible(page.getByRole('status', { name: words.header.connection.replace('{{label}}', words.connection.online) }));
  // The userId as the person sees it: Settings → Your devices → Your ID (it comes from this tab's key).
  await page.getByRole('button', { name: words.settings.title }).click();
  const settings = page.getByRole('dialog', { name: words.settings.title });
  const userId = userIdSchema.parse(await settings.getByLabel(/^(Your ID|Ваш ID)$/).inputValue());
  await settings.getByRole('button', { name: words.common.close }).click();
  await settings.waitFor({ state: 'detached' });
  return { name, userId, context, page, main: page.getByRole('main'), log, signaling };
}

// ─── contacts ───────────────────────────────────────────────────────────────

/** `person`'s invite code, read from their "Add a contact" dialog (which is closed again). */
export async function inviteCodeOf(person: Person): Promise<string> {
  const dialog = await openAddContact(person);
  const code = dialog.getByLabel(either(en.addContact.inviteCode, ru.addContact.inviteCode));
  await waitUntil(`${person.name}'s invite code is made`, () => code.inputValue(), (value) => value.includes('.'));
  const value = await code.inputValue();
  await dialog.getByRole('button', { name: CLOSE_EITHER }).first().click();
  await dialog.waitFor({ state: 'detached' });
  return value;
}

export async function openAddContact(person: Person): Promise<Locator> {
  // The Contacts tab in whichever language the page runs (its name may carry a count).
  await person.page.getByRole('tab', { name: new RegExp(`^(${en.sidebar.contacts}|${ru.sidebar.contacts})`) }).click();
  await person.page.getByRole('button', { name: new RegExp(`^(${en.contactList.add}|${ru.contactList.add})$`) }).click();
  const dialog = person.page.getByRole('dialog', { name: either(en.addContact.title, ru.addContact.title) });
  await visible(dialog);
  return dialog;
}

/** `person` pastes `text` (a code or link) into "Use someone's invite" and confirms "Add …?". */
export async function useInvite(person: Person, text: string): Promise<void> {
  const dialog = await openAddContact(person);
  await dialog.getByLabel(either(en.addContact.pasteLabel, ru.addContact.pasteLabel)).fill(text);
  await dialog.getByRole('button', { name: either(en.addContact.add, ru.addContact.add) }).click();
  const confirm = person.page.getByRole('dialog', { name: either(en.addContact.confirmTitle, ru.addContact.confirmTitle) });
  await confirm.getByRole('button', { name: either(en.addContact.send, ru.addContact.send) }).click();
  const back = person.page.getByRole('dialog', { name: either(en.addContact.title, ru.addContact.title) });
  await visible(back.getByRole('status').filter({ hasText: new RegExp([en.addContact.sent, en.addContact.saved, ru.addContact.sent, ru.addContact.saved].map((w) => w.split(/[.:]/)[0]).join('|')) }));
  await back.getByRole('button', { name: CLOSE_EITHER }).first().click();
  await back.waitFor({ state: 'detached' });
}

/** The row of `other` in `viewer`'s contact list. */
export function contactRow(viewer: Person, other: Person): Locator {
  return viewer.page.locator(`li.contact[data-user-id="${other.userId}"]`);
}

/** Whether `viewer`'s list shows `other` online (a row that is not greyed as offline). */
export async function showsOnline(viewer: Person, other: Person): Promise<boolean> {
  const row = contactRow(viewer, other);
  if ((await row.count()) === 0) return false;
  return !(await row.getAttribute('class'))?.includes('contact--offline');
}

/**
 * Makes `a` and `b` contacts through the real UI: `a` pastes `b`'s invite code,
 * `b`'s app accepts it by itself; returns once each shows the other online.
 */
export async function befriend(a: Person, b: Person): Promise<void> {
  await useInvite(a, await inviteCodeOf(b));
  await waitUntil(`${a.name} and ${b.name} show each other online`, async () => [await showsOnline(a, b), await showsOnline(b, a)], (both) => both.every(Boolean));
}
