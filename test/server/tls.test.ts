/**
 * TLS (tls.ts): https + wss with a self-signed certificate kept in the data dir,
 * or the operator's files; the fingerprint in /healthz; real https and socket.io
 * clients on 127.0.0.1 that pin the certificate by its fingerprint, and refuse a
 * server whose certificate is not the pinned one.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { OptionError } from '../../signaling-server/options';
import type { SignalingServer } from '../../signaling-server/server';
import {
  fetchPinnedCertificate,
  FingerprintMismatchError,
  isLoopbackHost,
  loadTls,
  normalizeFingerprint,
  pinnedTlsOptions,
  plaintextLanWarning,
  SELF_SIGNED_FILE,
  TlsFileError,
} from '../../signaling-server/tls';
import { freePort } from '../support/freePort';
import { authenticate, makeIdentity } from '../support/testIdentity';
import { cleanup, startServer } from './harness';

const dirs: string[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect();
  await cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  dirs.push(dir);
  return dir;
}

const silent = pino({ level: 'silent' });
const WRONG = Array.from({ length: 32 }, () => 'AB').join(':');

/** GET over https with these TLS options: status, headers and body. */
function httpsGet(url: string, tls: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...tls, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pinned(server: SignalingServer, fingerprint = server.tlsFingerprint ?? '') {
  const certificate = await fetchPinnedCertificate('127.0.0.1', server.address.port, fingerprint);
  return pinnedTlsOptions(certificate, fingerprint);
}

/**
 * A socket.io client over wss with `tls` options and a real identity: resolves
 * 'welcome', or the refusal the server sent (which the client can only read once
 * TLS and the WebSocket upgrade succeeded), or rejects with a transport error.
 */
async function connectOverTls(url: string, tls: object): Promise<{ welcomed: true } | { refused: string }> {
  const identity = await makeIdentity();
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, autoConnect: false, ...tls });
  sockets.push(socket);
  authenticate(socket, url, identity, { displayName: 'Tess' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither welcomed nor refused within 10 s')), 10_000);
    socket.once('session:welcome', () => {
      clearTimeout(timer);
      resolve({ welcomed: true });
    });
    socket.once('connect_error', (err: Error & { data?: { code: string } }) => {
      clearTimeout(timer);
      if (err.data) resolve({ refused: err.data.code });
      else reject(err);
    });
    socket.connect();
  });
}

describe('a self-signed certificate', () => {
  it('is generated once into the data dir (0600), served over https, and its fingerprint is in /healthz', async () => {
    const dataDir = freshDir();
    const server = await startServer({ tls: { selfSigned: true }, dataDir });
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.tlsFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const file = join(dataDir, SELF_SIGNED_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const onDisk = new X509Certificate(readFileSync(file, 'utf8'));
    expect(onDisk.fingerprint256).toBe(server.tlsFingerprint);
    expect(onDisk.subjectAltName).toContain('IP Address:127.0.0.1');

    const health = await httpsGet(`${server.url}/healthz`, await pinned(server));
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', tlsFingerprint: server.tlsFingerprint });

    // A restart keeps the certificate, so what people pinned still holds.
    const first = server.tlsFingerprint;
    await server.close();
    const again = await startServer({ tls: { selfSigned: true }, dataDir });
    expect(again.tlsFingerprint).toBe(first);
  });

  it('stops the start with one clear error when the file is damaged, and leaves the file alone', async () => {
    const dataDir = freshDir();
    const file = join(dataDir, SELF_SIGNED_FILE);
    writeFileSync(file, 'not a certificate\n', { mode: 0o600 });
    await expect(startServer({ tls: { selfSigned: true }, dataDir })).rejects.toThrow(
      new TlsFileError(
        `the self-signed certificate ${file} is damaged: it must hold a PEM private key and certificate. ` +
          'Restore it from a backup, or delete it to generate a new one (everyone who joined with the old fingerprint then needs the new one).',
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('not a certificate\n');
  });

  it('stops the start when the key in the file is not the certificate’s', async () => {
    const dataDir = freshDir();
    const one = await generate([{ name: 'commonName', value: 'one' }], { keyType: 'ec', algorithm: 'sha256' });
    const two = await generate([{ name: 'commonName', value: 'two' }], { keyType: 'ec', algorithm: 'sha256' });
    writeFileSync(join(dataDir, SELF_SIGNED_FILE), `${two.private}\n${one.cert}\n`, { mode: 0o600 });
    await expect(loadTls({ selfSigned: true }, dataDir, silent)).rejects.toThrow(/the private key in .* does not belong to the self-signed certificate/);
  });

  it('needs a data dir (a fingerprint that changed at every start could not be pinned)', async () => {
    await expect(startServer({ tls: { selfSigned: true } })).rejects.toThrow(OptionError);
    await expect(startServer({ tls: { selfSigned: true } })).rejects.toThrow(/give a dataDir/);
  });
});

describe('the operator’s certificate files', () => {
  async function writePair(dir: string, options: { mismatched?: boolean } = {}) {
    const made = await generate([{ name: 'commonName', value: 'parley.test' }], { keyType: 'ec', algorithm: 'sha256' });
    const other = await generate([{ name: 'commonName', value: 'other' }], { keyType: 'ec', algorithm: 'sha256' });
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    writeFileSync(certFile, made.cert);
    writeFileSync(keyFile, options.mismatched ? other.private : made.private);
    return { certFile, keyFile, fingerprint: new X509Certificate(made.cert).fingerprint256 };
  }

  it('serves https and wss with them; the fingerprint is the certificate’s', async () => {
    const files = await writePair(freshDir());
    const server = await startServer({ tls: { certFile: files.certFile, keyFile: files.keyFile } });
    expect(server.tlsFingerprint).toBe(files.fingerprint);
    const health = await httpsGet(`${server.url}/healthz`, await pinned(server));
    expect(JSON.parse(health.body)).toMatchObject({ tlsFingerprint: files.fingerprint });
  });

  it('are read again on reloadTls(): new connections get the renewed certificate, a bad renewal keeps the old one', async () => {
    const dir = freshDir();
    const first = await writePair(dir);
    const server = await startServer({ tls: { certFile: first.certFile, keyFile: first.keyFile } });
    const renewed = await writePair(dir);
    expect(renewed.fingerprint).not.toBe(first.fingerprint);
    expect(await server.reloadTls()).toBe(renewed.fingerprint);
    expect(server.tlsFingerprint).toBe(renewed.fingerprint);
    const health = await httpsGet(`${server.url}/healthz`, await pinned(server, renewed.fingerprint));
    expect(JSON.parse(health.body)).toMatchObject({ tlsFingerprint: renewed.fingerprint });

    writeFileSync(renewed.keyFile, 'half-written');
    await expect(server.reloadTls()).rejects.toThrow(`the private key ${renewed.keyFile} is not an unencrypted PEM private key`);
    expect(server.tlsFingerprint).toBe(renewed.fingerprint);
    await expect(fetchPinnedCertificate('127.0.0.1', server.address.port, renewed.fingerprint)).resolves.toContain('BEGIN CERTIFICATE');
  });

  it('refuses a key that does not belong to the certificate, a missing file, and a file that is not PEM', async () => {
    const dir = freshDir();
    const files = await writePair(dir, { mismatched: true });
    await expect(startServer({ tls: { certFile: files.certFile, keyFile: files.keyFile } })).rejects.toThrow(
      `the private key ${files.keyFile} does not belong to the certificate ${files.certFile}. Check --tls-cert and --tls-key.`,
    );
    await expect(startServer({ tls: { certFile: join(dir, 'nope.pem'), keyFile: files.keyFile } })).rejects.toThrow(
      /^cannot read the TLS certificate .*nope\.pem: ENOENT/,
    );
    writeFileSync(join(dir, 'junk.pem'), 'hello');
    await expect(startServer({ tls: { certFile: join(dir, 'junk.pem'), keyFile: files.keyFile } })).rejects.toThrow(/junk\.pem is not a PEM certificate/);
  });
});

describe('clients that pin the fingerprint', () => {
  it('connect over wss and reach the signaling handshake with a real identity', async () => {
    const server = await startServer({ tls: { selfSigned: true }, dataDir: freshDir() });
    const outcome = await connectOverTls(server.url, await pinned(server));
    // TLS and the WebSocket upgrade succeeded; the identity handshake decides the rest.
    expect(outcome).toEqual({ welcomed: true });
  });

  it('refuse a server whose certificate is not the pinned one, saying so, before anything is sent', async () => {
    const server = await startServer({ tls: { selfSigned: true }, dataDir: freshDir() });
    const refusal = fetchPinnedCertificate('127.0.0.1', server.address.port, WRONG);
    await expect(refusal).rejects.toBeInstanceOf(FingerprintMismatchError);
    await expect(refusal).rejects.toThrow(
      `The server at 127.0.0.1:${server.address.port} presented a certificate with fingerprint ${server.tlsFingerprint}, not the ${WRONG} you were given. ` +
        'Not connecting: it may be another server, or someone between you and it. Ask the server’s owner for its fingerprint again.',
    );
  });

  it('refuse, on every connection, a certificate that changed since it was fetched', async () => {
    const first = await startServer({ tls: { selfSigned: true }, dataDir: freshDir() });
    const options = await pinned(first);
    const port = first.address.port;
    await first.close();
    // Another server (another certificate) on the same address.
    const second = await startServer({ tls: { selfSigned: true }, dataDir: freshDir(), port });
    expect(second.tlsFingerprint).not.toBe(first.tlsFingerprint);
    await expect(connectOverTls(second.url, options)).rejects.toThrow(/websocket error/);
    await expect(httpsGet(`${second.url}/healthz`, options)).rejects.toThrow(/self-signed certificate/);
  });

  it('a server without TLS has nothing to reload', async () => {
    const server = await startServer();
    await expect(server.reloadTls()).rejects.toThrow('this server has no TLS to reload');
  });

  it('without a pin, a Node client refuses the self-signed certificate (it is not "ignore errors")', async () => {
    const server = await startServer({ tls: { selfSigned: true }, dataDir: freshDir() });
    await expect(httpsGet(`${server.url}/healthz`, {})).rejects.toThrow(/self-signed certificate/);
  });

  it('check the fingerprint as given: any case, with or without colons; a non-fingerprint is refused', async () => {
    const fp = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');
    expect(normalizeFingerprint(fp.toLowerCase())).toBe(fp);
    expect(normalizeFingerprint(fp.replace(/:/g, ''))).toBe(fp);
    expect(normalizeFingerprint(`SHA256: ${fp}`)).toBe(fp);
    expect(normalizeFingerprint('AB:CD')).toBeNull();
    expect(() => pinnedTlsOptions('', 'nope')).toThrow('"nope" is not a SHA-256 certificate fingerprint (64 hex digits)');
    await expect(fetchPinnedCertificate('127.0.0.1', 1, 'nope')).rejects.toThrow('is not a SHA-256 certificate fingerprint');
  });
});

describe('--http-redirect', () => {
  it('answers plain http with a 308 to the same path over https', async () => {
    const dataDir = freshDir();
    const probe = await startServer({ port: 0 });
    const redirectPort = probe.address.port;
    await probe.close();
    const server = await startServer({ tls: { selfSigned: true }, dataDir, httpRedirectPort: redirectPort });
    expect(server.redirectPort).toBe(redirectPort);
    const res = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: redirectPort, path: '/healthz?x=1', headers: { Host: `localhost:${redirectPort}` } }, (r) => {
        r.resume();
        resolve({ status: r.statusCode ?? 0, location: r.headers.location });
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toEqual({ status: 308, location: `https://localhost:${server.address.port}/healthz?x=1` });
    await server.close();
    await expect(
      new Promise((resolve, reject) => httpRequest({ host: '127.0.0.1', port: redirectPort }).on('response', resolve).on('error', reject).end()),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('names itself when its port is taken, and leaves nothing listening', async () => {
    const taken = await startServer({ port: 0 });
    const port = await freePort();
    await expect(startServer({ tls: { selfSigned: true }, dataDir: freshDir(), port, httpRedirectPort: taken.address.port })).rejects.toThrow(
      `the http redirect cannot start: port ${taken.address.port} on 127.0.0.1 is already in use (choose another --http-redirect port)`,
    );
    // The https side was closed again: its port is free.
    const again = await startServer({ port });
    expect(again.address.port).toBe(port);
  });

  it('is refused without TLS, or on the https port itself', async () => {
    await expect(startServer({ httpRedirectPort: 8080 })).rejects.toThrow('Invalid signaling server option "httpRedirectPort": redirects to https need TLS (the tls option).');
    await expect(startServer({ tls: { selfSigned: true }, dataDir: freshDir(), port: 7399, httpRedirectPort: 7399 })).rejects.toThrow(
      'must differ from the https port',
    );
  });
});

describe('plain http on the network', () => {
  it('warns for a non-loopback host without TLS, and only then', () => {
    expect(plaintextLanWarning('0.0.0.0', null)).toMatch(/^listening on 0\.0\.0\.0 without TLS: browsers on other computers will get no camera/);
    expect(plaintextLanWarning('192.168.1.5', null)).not.toBeNull();
    expect(plaintextLanWarning('0.0.0.0', { selfSigned: true })).toBeNull();
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(plaintextLanWarning(host, null)).toBeNull();
    }
    expect(isLoopbackHost('::')).toBe(false);
  });

  it('refuses to announce by mDNS a server only this computer can reach', async () => {
    await expect(startServer({ mdns: true })).rejects.toThrow(
      'Invalid signaling server option "mdns": announcing the server to the network needs a host other computers can reach (e.g. 0.0.0.0), not 127.0.0.1.',
    );
  });

  it('rejects a tls option of the wrong shape with the option named', async () => {
    await expect(startServer({ tls: { certFile: 'a.pem' } as never })).rejects.toThrow(
      'Invalid signaling server option "tls": must be { certFile, keyFile } or { selfSigned: true }.',
    );
  });
});
