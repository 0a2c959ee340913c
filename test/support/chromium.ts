/**
 * The one way the tests start Chromium: the system build (/usr/bin/chromium, never a
 * downloaded one) with the flags every WebRTC test needs. Shared by the e2e harness,
 * the desktop-host renderer test and the benchmarks, so a flag fixed here is fixed
 * for all of them.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Chromium's flags for a test. `fakeDevice` is the option string of Chromium's
 * built-in fake camera (a moving test pattern) and microphone (a beep), e.g. 'fps=15'
 * (the options parsed by media/capture/video/fake_video_capture_device_factory.cc
 * are fps, device-count, ownership, display-media-type); without it, the defaults.
 */
export function chromiumArgs(fakeDevice?: string): string[] {
  return [
    fakeDevice === undefined ? '--use-fake-device-for-media-stream' : `--use-fake-device-for-media-stream=${fakeDevice}`,
    '--use-fake-ui-for-media-stream',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // Every person is on 127.0.0.1: without this, Chromium drops loopback ICE candidates.
    '--allow-loopback-in-peer-connection',
  ];
}

/** Launches the system Chromium with `args` (by default, `chromiumArgs()`). */
export function launchChromium(args: readonly string[] = chromiumArgs()): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...args] });
}
