/**
 * Certificate pinning (issue 13): the decision table, the pins settings give, the
 * Electron glue with a fake session, and "Test this server" against a real TLS
 * server on loopback.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type HostNotice, type ServerChoice } from '../../preload/contract';
import {
  VERIFY,
  decideCertificate,
  installCertificatePinning,
  pinsFor,
  type PinTable,
  type VerifyingSession,
} from '../../main/security/certificatePinning';
import { mainText } from '../../main/i18n';
import { probeServer } from '../../main/server/serverProbe';
import { makeCertificate, type TestCertificate } from './certificates';
import { silentLogger } from './fakes';

const FP_A = Array(32).fill('AA').join(':');
const FP_B = Array(32).fill('BB').join(':');
const pins = (entries: Array<[string, string[]]>): PinTable => new Map(entries.map(([host, fps]) => [host, new Set(fps)]));

describe('the pinning decision', () => {
  const table = pins([['192.168.1.20', [FP_A]]]);
  it.each([
    ['the pinned fingerprint, self-signed', '192.168.1.20', FP_A, 'net::ERR_CERT_AUTHORITY_INVALID', 'accept'],
    ['the pinned fingerprint in lower case (normalised)', '192.168.1.20', FP_A.toLowerCase(), 'net::ERR_CERT_AUTHORITY_INVALID', 'accept'],
    ['another fingerprint on a pinned host', '192.168.1.20', FP_B, 'net::ERR_CERT_AUTHORITY_INVALID', 'refuse'],
    ['a CA-valid certificate on a pinned host that is not the pinned one', '192.168.1.20', FP_B, 'net::OK', 'refuse'],
    ['an unpinned self-signed server', '192.168.1.99', FP_A, 'net::ERR_CERT_AUTHORITY_INVALID', 'refuse'],
    ['a CA-valid certificate for another host (name mismatch), unpinned', 'parley.example', FP_B, 'net::ERR_CERT_COMMON_NAME_INVALID', 'refuse'],
    ['a CA-valid certificate for this host, unpinned', 'parley.example', FP_B, 'net::OK', 'chromium'],
  ])('%s → %s', (_name, hostname, fingerprint, chromiumResult, verdict) => {
    expect(decideCertificate({ hostname, fingerprint, chromiumResult }, table).verdict).toBe(verdict);
  });

  it('says why, with both fingerprints, in words a person can act on', () => {
    const mismatch = decideCertificate({ hostname: '192.168.1.20', fingerprint: FP_B, chromiumResult: 'net::OK' }, table);
    expect(mismatch).toMatchObject({ verdict: 'refuse', reason: 'fingerprint_mismatch' });
    if (mismatch.verdict !== 'refuse') throw new Error('unreachable');
    expect(mismatch.message).toContain(FP_B);
    expect(mismatch.message).toContain(FP_A);
    expect(mismatch.message).toContain('Ask the server’s owner');
    const untrusted = decideCertificate({ hostname: '10.0.0.9', fingerprint: FP_B, chromiumResult: 'net::ERR_CERT_AUTHORITY_INVALID' }, table);
    expect(untrusted).toMatchObject({ verdict: 'refuse', reason: 'untrusted' });
    if (untrusted.verdict !== 'refuse') throw new Error('unreachable');
    expect(untrusted.message).toContain('you have no fingerprint for it');
  });

  it('words a refusal in the UI’s language: Russian with main’s locale (issue 16.1)', () => {
    const ru = mainText('ru');
    const mismatch = decideCertificate({ hostname: '192.168.1.20', fingerprint: FP_B, chromiumResult: 'net::OK' }, table, ru);
    if (mismatch.verdict !== 'refuse') throw new Error('unreachable');
    expect(mismatch.message).toBe(
      `Parley не подключился к 192.168.1.20: сервер предъявил сертификат с отпечатком ${FP_B}, а не ${FP_A}, который вам дали. Возможно, это другой сервер или кто-то между вами. Попросите владельца сервера ещё раз назвать отпечаток («Настройки → Сервер»).`,
    );
    const two = decideCertificate({ hostname: 'h', fingerprint: 'garbage', chromiumResult: 'net::OK' }, pins([['h', [FP_A, FP_B]]]), ru);
    if (two.verdict !== 'refuse') throw new Error('unreachable');
    expect(two.message).toContain(`отпечатком неизвестен, а не ${FP_A} или ${FP_B}`);
    const untrusted = decideCertificate({ hostname: '10.0.0.9', fingerprint: FP_B, chromiumResult: 'net::ERR_CERT_AUTHORITY_INVALID' }, table, ru);
    if (untrusted.verdict !== 'refuse') throw new Error('unreachable');
    expect(untrusted.message).toMatch(/^Parley не подключился к 10\.0\.0\.9: его сертификату нет доверия \(net::ERR_CERT_AUTHORITY_INVALID\)/);
  });

  it('keys IPv6 hosts without brackets and names case-insensitively', () => {
    const v6 = pins([['fd00::5', [FP_A]], ['desk.local', [FP_A]]]);
    expect(decideCertificate({ hostname: '[FD00::5]', fingerprint: FP_A, chromiumResult: 'x' }, v6).verdict).toBe('accept');
    expect(decideCertificate({ hostname: 'Desk.Local', fingerprint: FP_A, chromiumResult: 'x' }, v6).verdict).toBe('accept');
  });
});

describe('the pins settings give', () => {
  const join = (url: string, fingerprint: string | null) => ({ url, fingerprint, password: '', allowPlaintext: false });
  it('joining: each server that carries a fingerprint; none for those that do not', () => {
    const choice: ServerChoice = {
      mode: 'off',
      join: [join('https://192.168.1.20:7300', FP_A), join('https://parley.example', null), join('https://[fd00::5]:7300', FP_B)],
      host: DEFAULT_SETTINGS.server.host,
    };
    const table = pinsFor(choice, null);
    expect([...table.keys()].sort()).toEqual(['192.168.1.20', 'fd00::5']);
    expect([...(table.get('fd00::5') ?? [])]).toEqual([FP_B]);
  });

  it('hosting with TLS: our own certificate for loopback and our addresses; the join list is not used', () => {
    const choice: ServerChoice = { mode: 'lan', join: [join('https://192.168.1.20:7300', FP_A)], host: DEFAULT_SETTINGS.server.host };
    const table = pinsFor(choice, { fingerprint: FP_B, ownHosts: ['127.0.0.1', 'localhost', '::1', '10.0.0.2'] });
    expect([...table.keys()].sort()).toEqual(['10.0.0.2', '127.0.0.1', '::1', 'localhost']);
    expect(table.get('192.168.1.20')).toBeUndefined();
  });
});

describe('the Electron glue', () => {
  let cert: TestCertificate;
  beforeAll(async () => {
    cert = await makeCertificate();
  });

  function fakeSession() {
    const state = {
      proc: null as Parameters<VerifyingSession['setCertificateVerifyProc']>[0] | null,
      installs: 0,
      closed: 0,
    };
    const session: VerifyingSession = {
      setCertificateVerifyProc: (proc) => {
        state.proc = proc;
        state.installs++;
      },
      closeAllConnections: async () => void state.closed++,
    };
    const verify = (hostname: string, data: string, verificationResult = 'net::ERR_CERT_AUTHORITY_INVALID'): number => {
      let result = NaN;
      state.proc?.({ hostname, certificate: { data }, verificationResult, errorCode: -202 }, (r) => (result = r));
      return result;
    };
    return { session, state, verify };
  }

  it('accepts exactly the pinned certificate, refuses others with one notice per host and certificate, and re-arms when the pins change', () => {
    const { session, state, verify } = fakeSession();
    const notices: HostNotice[] = [];
    let table: PinTable = pins([['192.168.1.20', [cert.fingerprint]]]);
    const pinning = installCertificatePinning(session, { pins: () => table, notify: (level, message) => notices.push({ level, message }), logger: silentLogger });
    expect(verify('192.168.1.20', cert.cert)).toBe(VERIFY.accept);
    expect(verify('192.168.1.99', cert.cert)).toBe(VERIFY.refuse);
    expect(verify('192.168.1.99', cert.cert)).toBe(VERIFY.refuse);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'error' });
    expect(notices[0]?.message).toContain('192.168.1.99');
    expect(verify('parley.example', cert.cert, 'net::OK')).toBe(VERIFY.chromium);
    expect(verify('192.168.1.20', 'not a certificate')).toBe(VERIFY.refuse);

    table = pins([['192.168.1.20', [FP_A]]]);
    pinning.pinsChanged();
    expect(state.installs).toBe(2);
    expect(state.closed).toBe(1);
    expect(verify('192.168.1.20', cert.cert)).toBe(VERIFY.refuse);
    expect(notices.at(-1)?.message).toContain(FP_A);
  });
});

describe('the refusal notice follows the UI language (issue 16.1)', () => {
  it('tells the person in Russian once main speaks Russian', async () => {
    const cert = await makeCertificate();
    let proc: Parameters<VerifyingSession['setCertificateVerifyProc']>[0] | null = null;
    const session: VerifyingSession = { setCertificateVerifyProc: (p) => void (proc = p) };
    const notices: HostNotice[] = [];
    let language: 'en' | 'ru' = 'en';
    installCertificatePinning(session, {
      pins: () => pins([]),
      notify: (level, message) => notices.push({ level, message }),
      logger: silentLogger,
      text: (key, vars) => mainText(language)(key, vars),
    });
    const verify = (hostname: string): void =>
      proc?.({ hostname, certificate: { data: cert.cert }, verificationResult: 'net::ERR_CERT_AUTHORITY_INVALID', errorCode: -202 }, () => undefined);
    verify('10.0.0.1');
    language = 'ru';
    verify('10.0.0.2');
    expect(notices.map((n) => n.message.slice(0, 32))).toEqual(['Parley did not connect to 10.0.0', 'Parley не подключился к 10.0.0.2']);
  });
});

describe('probing a server the person typed (real TLS on loopback)', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('right fingerprint: trusted; wrong one: refused naming both; none: untrusted, with the one it presented', async () => {
    const cert = await makeCertificate();
    const port = await listen(createHttpsServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end('ok')));
    const url = `https://127.0.0.1:${port}`;
    expect(await probeServer({ url, fingerprint: cert.fingerprint })).toEqual({ ok: true, fingerprint: cert.fingerprint });
    const wrong = await probeServer({ url, fingerprint: FP_A });
    expect(wrong).toMatchObject({ ok: false, reason: 'fingerprint_mismatch', fingerprint: cert.fingerprint });
    if (wrong.ok) throw new Error('unreachable');
    expect(wrong.message).toContain(FP_A);
    expect(await probeServer({ url, fingerprint: null })).toMatchObject({ ok: false, reason: 'untrusted', fingerprint: cert.fingerprint });
  });

  it('plain http: reachable, no fingerprint; nothing listening: unreachable with what to check', async () => {
    const port = await listen(createHttpServer((_req, res) => res.end('ok')) as unknown as Server);
    expect(await probeServer({ url: `http://127.0.0.1:${port}`, fingerprint: null })).toEqual({ ok: true, fingerprint: null });
    const closed = await listen(createHttpServer() as unknown as Server);
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const none = await probeServer({ url: `https://127.0.0.1:${closed}`, fingerprint: null });
    expect(none).toMatchObject({ ok: false, reason: 'unreachable', fingerprint: null });
    if (none.ok) throw new Error('unreachable');
    expect(none.message).toContain('Check the address and port');
    const inRussian = await probeServer({ url: `https://127.0.0.1:${closed}`, fingerprint: null }, undefined, mainText('ru'));
    expect(inRussian).toMatchObject({ ok: false, reason: 'unreachable', message: expect.stringMatching(/^Parley не смог связаться с 127\.0\.0\.1:\d+ \(.*\)\. Проверьте адрес и порт/) });
  });
});
