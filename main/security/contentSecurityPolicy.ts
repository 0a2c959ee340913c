/**
 * The Content-Security-Policy sent with every app:// response (Electron security
 * checklist §7). Scripts and styles come only from the app bundle: no inline script,
 * no eval, no plugins, no frames, no <base> rewriting, no form posts.
 *
 * connect-src: the renderer opens socket.io connections to the signaling server
 * the person configured (settings.server), which may be a plain-http server on
 * their LAN and may change at run time without a reload, so http/ws are allowed
 * there. This does not widen what the page can exfiltrate: an RTCDataChannel
 * reaches any peer regardless of connect-src, and script injection is what this
 * policy is really guarding against.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self' https: wss: http: ws:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Headers on every app:// response, the page and its assets alike. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};
