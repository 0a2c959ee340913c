/**
 * Certificate pinning for the renderer's connections (issue 13): the app connects to
 * a self-signed server only when the certificate it presents has the SHA-256
 * fingerprint the person was given (an invite link, an mDNS record they confirmed,
 * or typed in Settings → Server). Never "ignore certificate errors".
 *
 * The decision is pure (`decideCertificate`, over a `PinTable`); `installCertificatePinning`
 * is the thin Electron glue (session.setCertificateVerifyProc).
 *
 * Electron hands the verify proc the host name but not the port, so pins are kept per
 * host: a host with pins accepts exactly those fingerprints (on any port), even when
 * the certificate is also CA-valid; a host without pins gets Chromium's own verdict,
 * so a CA-valid certificate for that name works and anything else is refused.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { normalizeFingerprint, type ServerChoice } from '../../preload/contract';
import { ENGLISH, type MainText } from '../i18n';
import type { Notify } from '../window/rendererEvents';

/** Host (lower case, IPv6 without brackets) → the fingerprints accepted for it. */
export type PinTable = ReadonlyMap<string, ReadonlySet<string>>;

/** A URL's hostname or a verify request's host name, as PinTable keys it. */
export function pinHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[|\]$/g, '');
}

/**
 * The pins for `choice`: every server to join that carries a fingerprint, and, while
 * this app hosts with TLS, its own certificate for the addresses its window and the
 * machine use (`ownHosts`: loopback and this machine's LAN addresses).
 */
export function pinsFor(choice: ServerChoice, hosted: { fingerprint: string | null; ownHosts: readonly string[] } | null): PinTable {
  const pins = new Map<string, Set<string>>();
  const add = (host: string, fingerprint: string): void => {
    const key = pinHost(host);
    const set = pins.get(key) ?? new Set<string>();
    set.add(fingerprint);
    pins.set(key, set);
  };
  if (choice.mode === 'off') {
    for (const server of choice.join) {
      if (server.fingerprint === null || !URL.canParse(server.url)) continue;
      add(new URL(server.url).hostname, server.fingerprint);
    }
  }
  if (hosted?.fingerprint) {
    for (const host of hosted.ownHosts) add(host, hosted.fingerprint);
  }
  return pins;
}

export interface CertificateCheck {
  /** The host the connection is for (Electron: request.hostname). */
  hostname: string;
  /** The SHA-256 fingerprint of the certificate the server presented (AB:CD:…). */
  fingerprint: string;
  /** Chromium's own verdict: 'net::OK', or the error ('net::ERR_CERT_AUTHORITY_INVALID', …). */
  chromiumResult: string;
}

export type CertificateDecision =
  /** Pinned, and this is the pinned certificate. */
  | { verdict: 'accept' }
  /** Not pinned, and Chromium trusts it (a CA-valid certificate for this name): Chromium's verdict stands. */
  | { verdict: 'chromium' }
  | { verdict: 'refuse'; reason: 'fingerprint_mismatch' | 'untrusted'; message: string };

/** What the person is told when a pinned server presents another certificate, in `text`'s language. */
export function mismatchMessage(host: string, presented: string | null, pinned: readonly string[], text: MainText = ENGLISH): string {
  const pins = pinned.reduce((first, second) => text('serverTrust.or', { first, second }));
  return text('serverTrust.mismatch', { host, presented: presented ?? text('serverTrust.unknownFingerprint'), pinned: pins });
}

/** What the person is told when an unpinned server's certificate is not trusted, in `text`'s language. */
export function untrustedMessage(host: string, presented: string | null, chromiumResult: string, text: MainText = ENGLISH): string {
  return text('serverTrust.untrusted', { host, presented: presented ?? text('serverTrust.unknownFingerprint'), why: chromiumResult });
}

/** The decision; a refusal's message is worded by `text` (the UI's language; English in logs and tests by default). */
export function decideCertificate(check: CertificateCheck, pins: PinTable, text: MainText = ENGLISH): CertificateDecision {
  const host = pinHost(check.hostname);
  const pinned = pins.get(host);
  const presented = normalizeFingerprint(check.fingerprint);
  if (pinned !== undefined && pinned.size > 0) {
    if (presented !== null && pinned.has(presented)) return { verdict: 'accept' };
    return { verdict: 'refuse', reason: 'fingerprint_mismatch', message: mismatchMessage(host, presented, [...pinned], text) };
  }
  if (check.chromiumResult === 'net::OK') return { verdict: 'chromium' };
  return { verdict: 'refuse', reason: 'untrusted', message: untrustedMessage(host, presented, check.chromiumResult, text) };
}

/** The SHA-256 fingerprint of a PEM certificate (Electron's Certificate.data), or null when it is not one. */
export function fingerprintOfPem(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    // Not a certificate: the caller refuses it and logs that.
    return null;
  }
}

/** The part of Electron's Session this uses. */
export interface VerifyingSession {
  setCertificateVerifyProc(
    proc: (
      request: { hostname: string; certificate: { data: string }; verificationResult: string; errorCode: number },
      callback: (verificationResult: number) => void,
    ) => void,
  ): void;
  closeAllConnections?(): Promise<void>;
}

/** Electron's verify-proc answers: 0 accept, -2 refuse, -3 use Chromium's verdict. */
export const VERIFY = { accept: 0, refuse: -2, chromium: -3 } as const;

export interface PinningOptions {
  pins: () => PinTable;
  notify: Notify;
  logger: Logger;
  /** Words the notice in the UI's language of the moment (MainLocale.text); English when absent. */
  text?: MainText;
}

/**
 * Installs the pinning decision on `session`. Returns `pinsChanged()`: call it after
 * the pins change, so connections and verdicts made under the old pins are dropped.
 */
export function installCertificatePinning(session: VerifyingSession, options: PinningOptions): { pinsChanged(): void } {
  const told = new Set<string>();
  const log = options.logger.child({ component: 'certificate-pinning' });
  const install = (): void =>
    session.setCertificateVerifyProc((request, callback) => {
      const fingerprint = fingerprintOfPem(request.certificate.data);
      if (fingerprint === null) {
        log.warn({ host: request.hostname }, 'refused a certificate that could not be read');
        callback(VERIFY.refuse);
        return;
      }
      const decision = decideCertificate(
        { hostname: request.hostname, fingerprint, chromiumResult: request.verificationResult },
        options.pins(),
        options.text ?? ENGLISH,
      );
      if (decision.verdict !== 'refuse') {
        callback(decision.verdict === 'accept' ? VERIFY.accept : VERIFY.chromium);
        return;
      }
      callback(VERIFY.refuse);
      log.warn({ host: request.hostname, fingerprint, reason: decision.reason, chromium: request.verificationResult }, 'refused a server certificate');
      // Once per host and certificate: reconnect attempts must not flood the person with the same notice.
      const key = `${pinHost(request.hostname)} ${fingerprint}`;
      if (!told.has(key)) {
        told.add(key);
        options.notify('error', decision.message);
      }
    });
  install();
  return {
    pinsChanged: () => {
      told.clear();
      // The network service caches verdicts; setting the proc again clears that cache (Electron), and
      // connections opened under the old pins are closed so they are verified again.
      install();
      session.closeAllConnections?.().catch((error: unknown) => log.warn({ err: error }, 'could not close connections after the pins changed'));
    },
  };
}
