/**
 * A small page of app code, built by Vite with React's production build (as the app
 * is) and served to real Chromium from the build folder through Playwright's router:
 * for the browser tests of UI hooks that need a real <video> and real tracks
 * (useMediaElement.browser.test.ts).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { launchChromium } from '../../support/chromium';

const ORIGIN = 'http://localhost:7733';
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

export interface BuiltPage {
  page: Page;
  /** Uncaught errors in the page so far. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Builds the page in `root` (an index.html and its module), opens it, and waits until `ready` is a function on window. */
export async function openBuiltPage(root: string, ready: string): Promise<BuiltPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'parley-built-page-'));
  let browser: Browser | null = null;
  try {
    await build({
      configFile: false,
      logLevel: 'warn',
      mode: 'production',
      root,
      base: './',
      build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: false },
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const path = normalize(decodeURIComponent(new URL(route.request().url()).pathname)).replace(/^\/+/, '') || 'index.html';
      if (path.startsWith('..')) return route.fulfill({ status: 400 });
      try {
        const body = await readFile(join(outDir, path));
        return await route.fulfill({ status: 200, body, contentType: TYPES[extname(path)] ?? 'application/octet-stream' });
      } catch (error) {
        console.error(`built page: ${path} not served`, error);
        return route.fulfill({ status: 404 });
      }
    });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await page.goto(`${ORIGIN}/index.html`);
    await page.waitForFunction((name) => typeof (window as unknown as Record<string, unknown>)[name] === 'function', ready);
    const opened = browser;
    return {
      page,
      pageErrors,
      close: async () => {
        await opened.close();
        await rm(outDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await rm(outDir, { recursive: true, force: true });
    throw error;
  }
}
