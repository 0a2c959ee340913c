/**
 * The app's own origin. The renderer is served from `app://parley/` (see
 * protocol/appProtocol.ts), never from file:// — a custom standard scheme gives the
 * page a real origin that IPC, permission and CSP checks can compare against.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Parses `raw` as a URL, or null: callers must never see a throw from untrusted input. */
export function tryParseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * True only for URLs at exactly app://parley: no credentials, no port, and the host
 * compared as a whole (so `app://parley.evil` and `app://parley@evil` fail).
 *
 * Chromium lower-cases the host of a registered standard scheme before we see it;
 * Node's URL parser does not for unknown schemes, so the host is compared
 * case-insensitively here to give the same answer in both places.
 */
export function isAppUrl(raw: string): boolean {
  const url = tryParseUrl(raw);
  if (url === null) return false;
  return (
    url.protocol === `${APP_SCHEME}:` &&
    url.hostname.toLowerCase() === APP_HOST &&
    url.username === '' &&
    url.password === '' &&
    url.port === ''
  );
}

/** An origin string as Chromium reports it (`app://parley`, no path). */
export function isAppOrigin(origin: string | undefined | null): boolean {
  if (origin === undefined || origin === null || origin === '') return false;
  const url = tryParseUrl(origin);
  if (url === null || !isAppUrl(origin)) return false;
  // An origin has no path beyond "/", no query and no fragment.
  return (url.pathname === '' || url.pathname === '/') && url.search === '' && url.hash === '';
}
