/**
 * What the window may navigate to or open: nothing. Parley is one page at
 * app://parley; every navigation (a link without target, a redirect, a script
 * setting location) is denied, and window.open is denied. An https link is handed to
 * the system browser instead, after parsing — never the raw string (Electron
 * security checklist §13, §14, §15).
 */
import { tryParseUrl } from '../appUrl';

const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * The normalised form of `raw` if it is safe to hand to the system browser, else null.
 *
 * Safe: https only (no http, file, javascript, data, custom schemes that could
 * launch other apps), a host present, no `user:pass@` part (https://parley@evil.com
 * reads as Parley but goes to evil.com). The returned href is the parser's output, so
 * an IDN look-alike host reaches the shell in punycode (xn--…), not as a homoglyph.
 */
export function safeExternalUrl(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EXTERNAL_URL_LENGTH) return null;
  const url = tryParseUrl(raw);
  if (url === null) return null;
  if (url.protocol !== 'https:') return null;
  if (url.hostname === '' || url.username !== '' || url.password !== '') return null;
  return url.href;
}

export interface NavigationDecision {
  /** Always false: the app never leaves its own page. */
  allow: false;
  /** The URL to open in the system browser instead, or null. */
  openExternally: string | null;
}

/** For will-navigate, will-redirect and window.open / target=_blank. */
export function decideNavigation(raw: string): NavigationDecision {
  return { allow: false, openExternally: safeExternalUrl(raw) };
}
