/**
 * TLS for the signaling server (https + wss), so browsers on other computers get
 * a secure context (camera, microphone, WebCrypto) and a password never crosses
 * the LAN in the clear. Two sources:
 * - `{ certFile, keyFile }`: PEM files the operator has (a chain file is fine:
 *   the first certificate is the server's); read once at start, checked to match;
 * - `{ selfSigned: true }`: a certificate generated once (selfsigned, EC P-256,
 *   SHA-256) into `<dataDir>/tls-self-signed.pem` (key + certificate, mode 0600,
 *   written to a temporary file and linked into place, like membership.key), and
 *   used again at every start, so its fingerprint stays what people were given.
 *   A file that exists but is not a matching key and certificate is a startup
 *   error: replacing it would change the fingerprint everyone pinned.
 *
 * Clients trust a self-signed server by its SHA-256 fingerprint (pinning, never
 * "ignore certificate errors"): `fetchPinnedCertificate` + `pinnedTlsOptions`.
 */
import { createPrivateKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import type { Logger } from 'pino';
import { generate } from 'selfsigned';

export const SELF_SIGNED_FILE = 'tls-self-signed.pem';
/** 825 days: the longest validity macOS and iOS accept for a TLS server certificate. */
export const SELF_SIGNED_DAYS = 825;
const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 3600_000;

export type TlsSource = { certFile: string; keyFile: string } | { selfSigned: true };

export interface TlsMaterial {
  /** PEM: the private key. */
  key: string;
  /** PEM: the certificate (and its chain, for operator files). */
  cert: string;
  /** SHA-256 of the server's certificate (DER), upper-case hex pairs joined by ':' (as browsers and openssl show it). */
  fingerprint: string;
  validTo: Date;
}

export class TlsFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsFileError';
  }
}

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

/**
 * A fingerprint as a person may type or paste it (any case, with or without ':'
 * or spaces, optionally prefixed "SHA256:" / "sha-256 ") → canonical form; null
 * when it is not 32 bytes of hex.
 */
export function normalizeFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha-?256[:\s]\s*/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}

/** True for names and addresses that only this computer can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1') return true;
  return /^::ffff:127\./.test(h);
}

/** The warning for a server other computers can reach over plain http, or null. */
export function plaintextLanWarning(host: string, tls: TlsSource | null): string | null {
  if (tls !== null || isLoopbackHost(host)) return null;
  return (
    `listening on ${host} without TLS: browsers on other computers will get no camera, no microphone and no ` +
    'encryption keys (they need https), and passwords cross the network readable. ' +
    'Add --tls self-signed, or --tls-cert FILE --tls-key FILE.'
  );
}

export async function loadTls(source: TlsSource, dataDir: string | undefined, log: Logger): Promise<TlsMaterial> {
  const material = 'selfSigned' in source ? await selfSigned(dataDir, log) : fromFiles(source.certFile, source.keyFile);
  const daysLeft = (material.validTo.getTime() - Date.now()) / DAY_MS;
  if (daysLeft < EXPIRY_WARNING_DAYS) {
    log.warn({ validTo: material.validTo.toISOString(), fingerprint: material.fingerprint }, 'the TLS certificate expires within 30 days');
  }
  return material;
}

function fromFiles(certFile: string, keyFile: string): TlsMaterial {
  const cert = readPem(certFile, 'certificate');
  const key = readPem(keyFile, 'private key');
  return check(cert, key, {
    cert: `the certificate ${certFile}`,
    key: `the private key ${keyFile}`,
    fix: 'Check --tls-cert and --tls-key.',
  });
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new TlsFileError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** Parses and checks a key and certificate (PEM); a clear TlsFileError otherwise. */
function check(cert: string, key: string, names: { cert: string; key: string; fix: string }): TlsMaterial {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new TlsFileError(`${names.cert} is not a PEM certificate (${(err as Error).message}). ${names.fix}`, { cause: err });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsFileError(`${names.key} is not an unencrypted PEM private key (${(err as Error).message}). ${names.fix}`, { cause: err });
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new TlsFileError(`${names.key} does not belong to ${names.cert}. ${names.fix}`);
  }
  const validTo = new Date(x509.validTo);
  if (Number.isNaN(validTo.getTime()) || validTo.getTime() <= Date.now()) {
    throw new TlsFileError(`${names.cert} expired on ${x509.validTo}. ${names.fix}`);
  }
  return { key, cert, fingerprint: x509.fingerprint256, validTo };
}

async function selfSigned(dataDir: string | undefined, log: Logger): Promise<TlsMaterial> {
  if (dataDir === undefined) {
    throw new TlsFileError('a self-signed certificate is kept in the data dir, so its fingerprint survives a restart: give a data dir (--data-dir).');
  }
  const file = join(dataDir, SELF_SIGNED_FILE);
  const existing = readSelfSigned(file);
  if (existing) return existing;
  const made = await generateSelfSigned();
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const temporary = join(dataDir, `.${SELF_SIGNED_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${made.key.trim()}\n${made.cert.trim()}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, file);
      log.info({ file, fingerprint: made.fingerprint }, 'generated a self-signed TLS certificate (keep this file: people pin its fingerprint)');
    } catch (err) {
      // Another server created it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(temporary);
    }
  } catch (err) {
    throw new TlsFileError(`cannot create the self-signed certificate ${file}: ${(err as Error).message}. Give a writable --data-dir.`, { cause: err });
  }
  const created = readSelfSigned(file);
  if (!created) throw new TlsFileError(`the self-signed certificate ${file} vanished while the server was creating it; start the server again.`);
  return created;
}

/** The certificate in `file`; null when there is no such file. */
function readSelfSigned(file: string): TlsMaterial | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TlsFileError(`cannot read the self-signed certificate ${file}: ${(err as Error).message}. Check its permissions.`, { cause: err });
  }
  const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(text)?.[0];
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  const fix =
    'Restore it from a backup, or delete it to generate a new one (everyone who joined with the old fingerprint then needs the new one).';
  if (key === undefined || cert === undefined) {
    throw new TlsFileError(`the self-signed certificate ${file} is damaged: it must hold a PEM private key and certificate. ${fix}`);
  }
  return check(`${cert}\n`, `${key}\n`, { cert: `the self-signed certificate in ${file}`, key: `the private key in ${file}`, fix });
}

async function generateSelfSigned(): Promise<{ key: string; cert: string; fingerprint: string }> {
  const name = hostname().toLowerCase();
  const dnsNames = ['localhost', ...(/^[a-z0-9-]{1,63}$/.test(name) ? [name, `${name}.local`] : [])];
  const now = Date.now();
  const made = await generate([{ name: 'commonName', value: `Parley server ${name}`.slice(0, 64) }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // A minute back: a client whose clock is slightly behind still accepts it.
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + SELF_SIGNED_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...dnsNames.map((value) => ({ type: 2 as const, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }],
      },
    ],
  });
  return { key: made.private, cert: made.cert, fingerprint: new X509Certificate(made.cert).fingerprint256 };
}

// ---------------------------------------------------------------- client side

export class FingerprintMismatchError extends Error {
  readonly code = 'ERR_PARLEY_FINGERPRINT';
  constructor(
    readonly server: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The server at ${server} presented a certificate with fingerprint ${actual}, not the ${expected} you were given. ` +
        'Not connecting: it may be another server, or someone between you and it. Ask the server’s owner for its fingerprint again.',
    );
    this.name = 'FingerprintMismatchError';
  }
}

/**
 * Opens a TLS connection to host:port, takes the certificate the server presents,
 * and closes: the certificate (PEM) when its SHA-256 fingerprint is `fingerprint`,
 * else a FingerprintMismatchError. Nothing but the TLS handshake is sent.
 */
export function fetchPinnedCertificate(host: string, port: number, fingerprint: string, timeoutMs = 10_000): Promise<string> {
  const expected = normalizeFingerprint(fingerprint);
  if (expected === null) return Promise.reject(new Error(`"${fingerprint}" is not a SHA-256 certificate fingerprint (64 hex digits)`));
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return new Promise((resolve, reject) => {
    // The certificate is unknown until we see it: it is checked below, against the pin, before anything is sent.
    const socket = tlsConnect({ host, port, servername: isIP(host) === 0 ? host : undefined, rejectUnauthorized: false });
    const timer = setTimeout(() => socket.destroy(new Error(`no TLS handshake from ${where} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const peer = socket.getPeerCertificate(false) as PeerCertificate | Record<string, never>;
      socket.end();
      if (!('raw' in peer) || !peer.raw) return reject(new Error(`the server at ${where} presented no certificate`));
      if (peer.fingerprint256 !== expected) return reject(new FingerprintMismatchError(where, expected, peer.fingerprint256));
      resolve(new X509Certificate(peer.raw).toString());
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot reach ${where} over TLS: ${err.message}`, { cause: err }));
    });
  });
}

/**
 * TLS options for Node clients (https, ws, socket.io-client) that trust exactly
 * the pinned certificate: `certificate` as the only CA, and the fingerprint checked
 * again on every connection instead of the host name (a LAN address is not in a
 * self-signed certificate, and the pin already says which server this is).
 */
export function pinnedTlsOptions(certificate: string, fingerprint: string) {
  const expected = normalizeFingerprint(fingerprint);
  if (expected === null) throw new Error(`"${fingerprint}" is not a SHA-256 certificate fingerprint (64 hex digits)`);
  return {
    ca: certificate,
    rejectUnauthorized: true,
    checkServerIdentity: (host: string, cert: PeerCertificate): Error | undefined =>
      cert.fingerprint256 === expected ? undefined : new FingerprintMismatchError(host, expected, cert.fingerprint256),
  };
}
