/**
 * The one way the tests start Firefox: Debian's stock Firefox ESR (/usr/bin/firefox-esr,
 * installed by scripts/install-test-deps.sh; never a downloaded build), driven by
 * puppeteer-core over WebDriver BiDi (Playwright cannot drive a stock Firefox).
 *
 * Headless, with the prefs that make WebRTC work without a person in front of it:
 * fake camera and microphone, no permission prompt, ICE over loopback with plain
 * (not mDNS-obfuscated) host addresses, media that may autoplay. Headless Firefox has
 * no getDisplayMedia: screen share needs a headed Firefox under xvfb-run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

export const FIREFOX_PATH = '/usr/bin/firefox-esr';

export const FIREFOX_PREFS: Readonly<Record<string, boolean | number | string>> = {
  // A fake camera (a moving pattern) and microphone (a tone), granted without a prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.navigator.permission.fake': true,
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  // Every person is on 127.0.0.1: gather loopback candidates, and name them by address
  // (an mDNS .local name would not resolve for the Chromium side).
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // The remote <audio>/<video> play without a click (0 = allowed).
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Nothing phones home while a test runs.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
};

/** Whether the system Firefox ESR is installed (scripts/install-test-deps.sh installs it). */
export function firefoxInstalled(): boolean {
  return existsSync(FIREFOX_PATH);
}

export const XVFB_PATH = '/usr/bin/Xvfb';

/** A virtual X display (Xvfb) for a headed Firefox: headless Firefox has no getDisplayMedia. */
export interface VirtualDisplay {
  /** For DISPLAY, e.g. ":142". */
  display: string;
  stop(): Promise<void>;
}

/**
 * Starts Xvfb on a free display number (one without a lock file); resolves once its
 * socket exists. Xvfb is installed by scripts/install-test-deps.sh.
 */
export async function startXvfb(): Promise<VirtualDisplay> {
  if (!existsSync(XVFB_PATH)) throw new Error(`${XVFB_PATH} is missing: run scripts/install-test-deps.sh (it installs xvfb)`);
  let number = 100 + (process.pid % 400);
  while (existsSync(`/tmp/.X${number}-lock`)) number += 1;
  const display = `:${number}`;
  const child = spawn(XVFB_PATH, [display, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 15_000;
  while (!existsSync(`/tmp/.X11-unix/X${number}`)) {
    if (child.exitCode !== null) throw new Error(`Xvfb ${display} exited with ${child.exitCode}: ${stderr.slice(0, 500)}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`Xvfb ${display} did not open its socket in 15 s: ${stderr.slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    display,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * Launches Firefox ESR with FIREFOX_PREFS: headless, or headed on `display` (an Xvfb
 * of startXvfb) where a test needs getDisplayMedia ("Primary Monitor"). Each launch gets its own fresh,
 * temporary profile; each person inside it gets a browser context of their own
 * (a Firefox user context: separate cookies, storage, IndexedDB and Web Locks).
 */
export async function launchFirefox(options: { display?: string } = {}): Promise<Browser> {
  if (!firefoxInstalled()) {
    throw new Error(`${FIREFOX_PATH} is missing: run scripts/install-test-deps.sh (it installs Debian's firefox-esr)`);
  }
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: options.display === undefined,
    ...(options.display === undefined ? {} : { env: { ...process.env, DISPLAY: options.display } }),
    extraPrefsFirefox: { ...FIREFOX_PREFS },
    // The Chromium harness's window size: at puppeteer's 800x600 the call's controls sit under other UI.
    defaultViewport: { width: 1280, height: 800 },
    // BiDi's default 180 s would outlast a test's timeout; a stuck launch should fail the file.
    protocolTimeout: 60_000,
  });
}
