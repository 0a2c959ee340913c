/**
 * "Test this server" for Settings → Server: reaches the server the person typed and
 * reports whether the app would trust it, with the same decision the window's
 * connections get (security/certificatePinning.ts), and the fingerprint it presented
 * (to compare with what its owner says). Only a TLS handshake (or, for http, a TCP
 * connection) is made: nothing is sent, no password.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import type { ServerProbeRequest, ServerProbeResult } from '../../preload/contract';
import { ENGLISH, type MainText } from '../i18n';
import { decideCertificate, pinHost } from '../security/certificatePinning';

export const PROBE_TIMEOUT_MS = 8_000;

/**
 * `text` words the result's message in the UI's language of the moment (MainLocale.text;
 * English when absent). The reason is the stable code; a system error's own words
 * (ECONNREFUSED …) are kept inside the sentence as the detail.
 */
export function probeServer(request: ServerProbeRequest, timeoutMs = PROBE_TIMEOUT_MS, text: MainText = ENGLISH): Promise<ServerProbeResult> {
  const url = new URL(request.url);
  const host = pinHost(url.hostname);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const where = url.host;
  const unreachable = (detail: string): ServerProbeResult => ({
    ok: false,
    reason: 'unreachable',
    message: text('serverTrust.unreachable', { server: where, detail }),
    fingerprint: null,
  });
  const noAnswer = text('serverTrust.noAnswer', { seconds: Math.round(timeoutMs / 1000) });
  return new Promise((resolve) => {
    if (url.protocol === 'http:') {
      const socket = netConnect({ host, port });
      const timer = setTimeout(() => socket.destroy(new Error(noAnswer)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.end();
        resolve({ ok: true, fingerprint: null });
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        resolve(unreachable(error.message));
      });
      return;
    }
    // The certificate is judged below by the pinning decision, before anything is sent.
    const socket = tlsConnect({ host, port, servername: isIP(host) === 0 ? host : undefined, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(new Error(noAnswer)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(false) as PeerCertificate | Record<string, never>;
      const authorized = socket.authorized;
      const authError = socket.authorizationError;
      socket.end();
      if (!('fingerprint256' in peer) || !peer.fingerprint256) {
        resolve(unreachable(text('serverTrust.noCertificate')));
        return;
      }
      const fingerprint = peer.fingerprint256;
      const pins = new Map(request.fingerprint === null ? [] : [[host, new Set([request.fingerprint])]]);
      const chromiumResult = authorized ? 'net::OK' : `certificate error: ${String(authError ?? 'not trusted')}`;
      const decision = decideCertificate({ hostname: host, fingerprint, chromiumResult }, pins, text);
      if (decision.verdict !== 'refuse') resolve({ ok: true, fingerprint });
      else resolve({ ok: false, reason: decision.reason, message: decision.message, fingerprint });
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(unreachable(error.message));
    });
  });
}
