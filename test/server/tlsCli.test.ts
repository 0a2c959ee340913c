/**
 * parley-server's TLS and mDNS flags (cliArgs.ts, cli.ts): every flag validated
 * with a one-line error; the fingerprint printed at start; the warning for plain
 * http on the network. And the mDNS TXT record check (mdns.ts parseService): what
 * the network announces is refused unless it is a well-formed Parley record.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCli, UsageError } from '../../signaling-server/cliArgs';
import { parseService } from '../../signaling-server/mdns';
import { PROTOCOL_VERSION } from '../../signaling-server/protocol';

const root = join(import.meta.dirname, '..', '..');
const env = { HOME: '/home/tess' };
const run = (args: string[]) => parseCli(args, env, null);
const options = (args: string[]) => {
  const decision = run(args);
  if (decision.kind !== 'run') throw new Error(`expected run, got ${decision.kind}`);
  return decision.options;
};
const usage = (args: string[]) => {
  try {
    run(args);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${args.join(' ')} was accepted`);
};

describe('the TLS and mDNS flags', () => {
  it('turn into server options', () => {
    expect(options(['--tls', 'self-signed']).tls).toEqual({ selfSigned: true });
    expect(options(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(options(['--tls', 'self-signed', '--http-redirect', '8080'])).toMatchObject({ httpRedirectPort: 8080 });
    expect(options(['--mdns', '--mdns-name', 'Team room'])).toMatchObject({ mdns: true, serverName: 'Team room' });
    const plain = options([]);
    expect(plain.tls).toBeUndefined();
    expect(plain.mdns).toBeUndefined();
  });

  it('are refused with one clear line when wrong', () => {
    expect(usage(['--tls', 'yes'])).toBe('--tls takes only "self-signed" (for your own certificate use --tls-cert FILE --tls-key FILE), not "yes"');
    expect(usage(['--tls-cert', 'c.pem'])).toBe('--tls-cert and --tls-key go together: give both, or neither');
    expect(usage(['--tls-key', 'k.pem'])).toBe('--tls-cert and --tls-key go together: give both, or neither');
    expect(usage(['--tls', 'self-signed', '--tls-cert', 'c', '--tls-key', 'k'])).toBe('--tls self-signed and --tls-cert/--tls-key exclude each other: choose one');
    expect(usage(['--tls-cert', '', '--tls-key', 'k'])).toBe('--tls-cert and --tls-key need file names');
    expect(usage(['--http-redirect', '80'])).toBe('--http-redirect redirects to https: it needs --tls self-signed or --tls-cert/--tls-key');
    expect(usage(['--tls', 'self-signed', '--http-redirect', 'eighty'])).toBe('--http-redirect must be a whole number from 1 to 65535, not "eighty"');
    expect(usage(['--tls', 'self-signed', '--port', '8443', '--http-redirect', '8443'])).toBe("--http-redirect needs a port other than the server's own (8443)");
    expect(usage(['--mdns-name', 'x'])).toBe('--mdns-name names the mDNS announcement: it needs --mdns');
    expect(usage(['--mdns', '--mdns-name', 'a.b'])).toBe('--mdns-name needs a name of 1 to 63 bytes on one line, without dots, not "a.b"');
    expect(usage(['--mdns', '--mdns-name', 'x'.repeat(64)])).toMatch(/^--mdns-name needs a name of 1 to 63 bytes/);
    expect(usage(['--mdns=yes'])).toBe('--mdns takes no value');
  });
});

describe('parley-server with TLS', () => {
  const stateHome = mkdtempSync(join(tmpdir(), 'parley-tls-cli-'));
  afterAll(() => rmSync(stateHome, { recursive: true, force: true }));

  /** Runs the CLI until it printed `lines` stdout lines, then SIGTERM; its stdout and stderr. */
  function runUntil(args: string[], lines: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'signaling-server', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, PARLEY_SERVER_PASSWORD: '', PARLEY_MEMBERSHIP_SECRET: '', XDG_STATE_HOME: stateHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.split('\n').length > lines) child.kill('SIGTERM');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code });
      }),
    );
  }

  it('prints the https URL and the certificate fingerprint at start', async () => {
    const out = await runUntil(['--port', '0', '--tls', 'self-signed', '--log-level', 'error'], 2);
    expect(out.stdout).toMatch(/^Parley server listening on https:\/\/127\.0\.0\.1:\d+\/\nTLS certificate SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}\n/);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
  });

  it('refuses --mdns on a loopback host with one line and exit code 2', async () => {
    const out = await runUntil(['--port', '0', '--mdns'], 99);
    expect(out.stderr).toBe(
      'parley-server: --mdns: announcing the server to the network needs a host other computers can reach (e.g. 0.0.0.0), not 127.0.0.1 (see --help)\n',
    );
    expect(out.code).toBe(2);
  });

  it('serves a renewed certificate after SIGHUP, and keeps the old one when the new files are bad', async () => {
    const dir = mkdtempSync(join(stateHome, 'files-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    const writePair = async () => {
      const made = await generate([{ name: 'commonName', value: 'parley.test' }], { keyType: 'ec', algorithm: 'sha256' });
      writeFileSync(certFile, made.cert);
      writeFileSync(keyFile, made.private);
      return new X509Certificate(made.cert).fingerprint256;
    };
    const first = await writePair();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'signaling-server', 'cli.ts'), '--port', '0', '--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'error'], {
      cwd: root,
      env: { ...process.env, PARLEY_SERVER_PASSWORD: '', PARLEY_MEMBERSHIP_SECRET: '', XDG_STATE_HOME: stateHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const until = async (probe: () => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      while (!probe()) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what}: stdout ${stdout} stderr ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await until(() => stdout.includes(`fingerprint: ${first}`), 'the first fingerprint');
      const second = await writePair();
      child.kill('SIGHUP');
      await until(() => stdout.includes(`TLS certificate reloaded; SHA-256 fingerprint: ${second}\n`), 'the reload');
      writeFileSync(keyFile, 'half-written');
      child.kill('SIGHUP');
      await until(() => stderr.includes('parley-server: the TLS certificate was not reloaded, the old one stays in use: the private key'), 'the refusal');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('warns on stderr that other computers get no camera when it listens on the network without TLS', async () => {
    const out = await runUntil(['--host', '0.0.0.0', '--port', '0', '--log-level', 'error'], 1);
    expect(out.stdout).toMatch(/^Parley server listening on http:\/\/0\.0\.0\.0:\d+\/\n/);
    expect(out.stderr).toContain('parley-server: warning: listening on 0.0.0.0 without TLS: browsers on other computers will get no camera');
  });
});

describe('an mDNS record from the network', () => {
  const fp = Array.from({ length: 32 }, () => '0F').join(':');
  const good = {
    name: 'Parley on a (a:7300)',
    port: 7300,
    addresses: ['fe80::1', '10.77.0.1'],
    referer: { address: '10.77.0.1', family: 'IPv4' as const, port: 5353, size: 300 },
    txt: { txtvers: '1', name: 'Parley on a', proto: String(PROTOCOL_VERSION), tls: 'yes', fp, pw: 'no' },
  };

  it('becomes a server to show, with its https URL', () => {
    expect(parseService(good)).toEqual({
      instance: 'Parley on a (a:7300)',
      name: 'Parley on a',
      protocolVersion: PROTOCOL_VERSION,
      compatible: true,
      tls: true,
      fingerprint: fp,
      passwordRequired: false,
      port: 7300,
      addresses: ['10.77.0.1', 'fe80::1'],
      url: 'https://10.77.0.1:7300',
    });
    expect(parseService({ ...good, txt: { ...good.txt, proto: '99', pw: 'yes' } })).toMatchObject({ compatible: false, passwordRequired: true });
  });

  it('is refused, with the reason, when it is not a well-formed Parley record', () => {
    const bad = (change: object, txt: object = {}) => parseService({ ...good, ...change, txt: { ...good.txt, ...txt } });
    expect(bad({}, { fp: 'AB:CD' })).toEqual({ invalid: 'TXT fp: not a SHA-256 fingerprint (32 upper-case hex pairs joined by ":")' });
    expect(bad({}, { tls: 'no' })).toEqual({ invalid: 'TXT record: fp must be present exactly when tls=yes' });
    expect(bad({}, { txtvers: '2' })).toMatchObject({ invalid: expect.stringMatching(/^TXT txtvers:/) });
    expect(bad({}, { name: 'two\nlines' })).toEqual({ invalid: 'TXT name: not one line' });
    expect(bad({}, { pw: 'maybe' })).toMatchObject({ invalid: expect.stringMatching(/^TXT pw:/) });
    expect(bad({ port: 0 })).toEqual({ invalid: 'port 0 is not a TCP port' });
    expect(bad({ addresses: ['not-an-ip'], referer: undefined })).toEqual({ invalid: 'no address' });
    expect(parseService({ ...good, txt: undefined })).toMatchObject({ invalid: expect.stringMatching(/^TXT txtvers:/) });
  });
});
