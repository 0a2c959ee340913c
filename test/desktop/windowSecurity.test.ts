import { EventEmitter } from 'node:events';
import type { WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { isAppOrigin, isAppUrl } from '../../main/appUrl';
import { hardenWebContents } from '../../main/security/hardenWebContents';
import { decideNavigation, safeExternalUrl } from '../../main/security/navigationPolicy';
import { secureWebPreferences } from '../../main/security/webPreferences';
import { webRtcIpPolicyFor } from '../../main/security/webRtcPolicy';
import { windowOptions } from '../../main/window/mainWindow';
import { CONTENT_SECURITY_POLICY } from '../../main/security/contentSecurityPolicy';
import { silentLogger } from './fakes';

/** URLs a page might try to navigate to or open, and what the system browser should get. */
const CORPUS: Array<[string, string | null]> = [
  ['javascript:alert(1)', null],
  ['JaVaScRiPt:alert(1)', null],
  ['file:///etc/passwd', null],
  ['file://C:/Windows/System32/calc.exe', null],
  ['data:text/html,<script>alert(1)</script>', null],
  ['http://example.com/', null],
  ['ftp://example.com/', null],
  ['smb://attacker/share', null],
  ['ms-msdt:/id PCWDiagnostic', null],
  ['app://parley/index.html', null],
  ['app://parley.evil/index.html', null],
  ['app://PARLEY/index.html', null],
  ['parley://call/abcdefgh', null],
  ['https://parley@evil.com/', null],
  ['https://user:pass@example.com/', null],
  ['https://', null],
  // The WHATWG parser reads extra slashes as the host's start; the shell gets the normalised form.
  ['https:///example.com', 'https://example.com/'],
  ['not a url', null],
  ['', null],
  [`https://example.com/${'a'.repeat(3000)}`, null],
  ['https://example.com/help?x=1#y', 'https://example.com/help?x=1#y'],
  ['HTTPS://EXAMPLE.COM/Path', 'https://example.com/Path'],
  // IDN homoglyph (Cyrillic а): the browser gets punycode, never the look-alike.
  ['https://pаypal.com/', 'https://xn--pypal-4ve.com/'],
  ['https://раrley.app/', 'https://xn--rley-43d9g.app/'],
];

describe('navigation and window-open policy', () => {
  it.each(CORPUS)('%s → denied, opened externally as %s', (url, external) => {
    const decision = decideNavigation(url);
    expect(decision.allow).toBe(false);
    expect(decision.openExternally).toBe(external);
  });

  it('only https URLs ever reach the shell', () => {
    for (const [url] of CORPUS) {
      const safe = safeExternalUrl(url);
      if (safe !== null) expect(new URL(safe).protocol).toBe('https:');
    }
  });
});

describe('app origin', () => {
  it.each([
    ['app://parley/index.html', true],
    ['app://parley/', true],
    ['app://PARLEY/index.html', true], // Chromium canonicalises the host of a standard scheme
    ['app://parley.evil/', false],
    ['app://evil.parley/', false],
    ['app://parley@evil/', false],
    ['app://evil@parley/', false],
    ['app://parley:1/', false],
    ['app://раrley/', false],
    ['https://parley/', false],
    ['file:///parley/index.html', false],
    ['garbage', false],
  ])('isAppUrl(%s) = %s', (url, expected) => {
    expect(isAppUrl(url)).toBe(expected);
  });

  it('an origin has no path', () => {
    expect(isAppOrigin('app://parley')).toBe(true);
    expect(isAppOrigin('app://parley/index.html')).toBe(false);
    expect(isAppOrigin('')).toBe(false);
    expect(isAppOrigin(undefined)).toBe(false);
  });
});

class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

function cancellable(extra: Record<string, unknown> = {}) {
  let prevented = false;
  return {
    event: { ...extra, preventDefault: () => (prevented = true) },
    prevented: () => prevented,
  };
}

describe('hardenWebContents', () => {
  const setup = () => {
    const contents = new FakeWebContents();
    const opened: string[] = [];
    hardenWebContents(contents as unknown as WebContents, {
      openExternal: async (url) => {
        opened.push(url);
      },
      logger: silentLogger,
    });
    return { contents, opened };
  };

  it.each(CORPUS)('will-navigate to %s is prevented', (url, external) => {
    const { contents, opened } = setup();
    const nav = cancellable({ url, isMainFrame: true });
    contents.emit('will-navigate', nav.event, url);
    expect(nav.prevented()).toBe(true);
    expect(opened).toEqual(external === null ? [] : [external]);
  });

  it.each(CORPUS)('window.open(%s) is denied', (url, external) => {
    const { contents, opened } = setup();
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(external === null ? [] : [external]);
  });

  it('redirects are prevented and never opened', () => {
    const { contents, opened } = setup();
    const redirect = cancellable({ url: 'https://example.com/' });
    contents.emit('will-redirect', redirect.event);
    expect(redirect.prevented()).toBe(true);
    expect(opened).toEqual([]);
  });

  it('subframe navigations are prevented; main-frame same-document ones are left to will-navigate', () => {
    const { contents } = setup();
    const sub = cancellable({ url: 'https://evil.example/', isMainFrame: false });
    contents.emit('will-frame-navigate', sub.event);
    expect(sub.prevented()).toBe(true);
    const main = cancellable({ url: 'app://parley/index.html#x', isMainFrame: true });
    contents.emit('will-frame-navigate', main.event);
    expect(main.prevented()).toBe(false);
  });

  it('a <webview> is never attached', () => {
    const { contents } = setup();
    const attach = cancellable();
    contents.emit('will-attach-webview', attach.event, {}, { src: 'https://evil.example/' });
    expect(attach.prevented()).toBe(true);
  });
});

describe('window options', () => {
  it('isolates, sandboxes and keeps Node out of the page', () => {
    const prefs = windowOptions('/app/dist/preload/index.cjs', '/app/build/icon.png', false).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });

  it('the CSP allows scripts only from the app and no inline script, eval, objects or frames', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval/);
  });

  it('WebRTC address policy follows relay-only', () => {
    expect(webRtcIpPolicyFor({ relayOnly: true })).toBe('disable_non_proxied_udp');
    expect(webRtcIpPolicyFor({ relayOnly: false })).toBe('default_public_and_private_interfaces');
  });
});
