/**
 * parley-server: runs the signaling server until SIGINT/SIGTERM.
 *
 * stdout gets one human line ("Parley server listening on …"); logs go to stderr.
 * Exit codes: 0 after a clean shutdown, 1 when the server cannot start (e.g. the
 * port is taken), 2 for a bad command line.
 */
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE, UsageError, type CliDecision } from './cliArgs';
import { OptionError } from './options';
import { createSignalingServer, type SignalingServer } from './server';
import { plaintextLanWarning } from './tls';
import { SERVER_VERSION } from './version';

const NAME = 'parley-server';

/**
 * The bundle lives in dist/server/cli.js and the built browser client in
 * dist/renderer: serve it by default when both are where the build puts them.
 * (Run from source, ../renderer is the renderer's source folder: never serve that.)
 */
function defaultClientDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  if (basename(here) !== 'server' || basename(dirname(here)) !== 'dist') return null;
  const dir = join(here, '..', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

function fail(message: string, exitCode: 1 | 2): never {
  process.stderr.write(`${NAME}: ${message}${exitCode === 2 ? ' (see --help)' : ''}\n`);
  process.exit(exitCode);
}

async function main(): Promise<void> {
  let decision: CliDecision;
  try {
    decision = parseCli(process.argv.slice(2), process.env, defaultClientDir());
  } catch (err) {
    if (err instanceof UsageError) fail(err.message, 2);
    throw err;
  }
  if (decision.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (decision.kind === 'version') {
    process.stdout.write(`${SERVER_VERSION}\n`);
    return;
  }

  const { options } = decision;
  let server: SignalingServer;
  try {
    server = await createSignalingServer(options);
  } catch (err) {
    if (err instanceof OptionError) fail(optionMessage(err), 2);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      fail(`port ${options.port} on ${options.host} is already in use — choose another with --port`, 1);
    }
    fail(err instanceof Error ? err.message : String(err), 1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl+C: the person wants out now.
      process.stderr.write(`${NAME}: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => fail(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (options.tls) {
    // A renewed certificate (e.g. by certbot): `kill -HUP` serves it without a restart.
    process.on('SIGHUP', () => {
      server.reloadTls().then(
        (fingerprint) => process.stdout.write(`TLS certificate reloaded; SHA-256 fingerprint: ${fingerprint}\n`),
        (err: unknown) => process.stderr.write(`${NAME}: the TLS certificate was not reloaded, the old one stays in use: ${err instanceof Error ? err.message : String(err)}\n`),
      );
    });
  }

  // Only now say so: whoever reads this line (a supervisor, a test) may send
  // SIGTERM at once, and before the handlers exist that would kill the process
  // without the goodbye to its clients.
  const served = options.clientDir ? ' — open it in a browser' : '';
  const warning = plaintextLanWarning(options.host ?? '127.0.0.1', options.tls ?? null);
  if (warning !== null) process.stderr.write(`${NAME}: warning: ${warning}\n`);
  process.stdout.write(`Parley server listening on ${server.url}/${served}\n`);
  const lan = lanUrls(server);
  if (lan.length > 0) process.stdout.write(`Other computers on your network can use: ${lan.join(' ')}\n`);
  if (server.tlsFingerprint !== null) process.stdout.write(`TLS certificate SHA-256 fingerprint: ${server.tlsFingerprint}\n`);
  if (server.redirectPort !== null) process.stdout.write(`Plain http on port ${server.redirectPort} redirects to https\n`);
  if (options.mdns) process.stdout.write('Announced on the local network by mDNS (_parley._tcp)\n');
}

/**
 * Listening on every interface (0.0.0.0 or ::), the URL's host says nothing
 * useful to the person who must tell others where to go: this computer's own
 * non-loopback IPv4 addresses, as URLs.
 */
function lanUrls(server: SignalingServer): string[] {
  if (server.address.host !== '0.0.0.0' && server.address.host !== '::') return [];
  const scheme = server.tlsFingerprint === null ? 'http' : 'https';
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => `${scheme}://${a.address}:${server.address.port}/`);
}

/** Server option names → the flags a person typed. */
function optionMessage(err: OptionError): string {
  const flags: Record<string, string> = {
    host: '--host',
    port: '--port',
    password: '--password',
    maxParticipants: '--max-participants',
    ringTimeoutMs: '--ring-timeout',
    clientDir: '--client',
    logLevel: '--log-level',
    'turn.urls': '--turn-url',
    'turn.secret': '--turn-secret',
    stunUrls: '--stun-url',
    janusUrls: '--janus-url',
    janusSecret: '--janus-secret',
    janusAdminKey: '--janus-admin-key',
    maxSfuParticipants: '--max-sfu-participants',
    allowedOrigins: '--allowed-origin',
    redisUrl: '--redis-url',
    'addressLimits.maxConnections': '--max-connections-per-address',
    'addressLimits.connectionsPerMinute': '--connections-per-minute',
    'addressLimits.connectionBurst': '--connections-per-minute',
    'addressLimits.failedHandshakesPerMinute': '--failed-handshakes-per-minute',
    trustedProxies: '--trusted-proxy',
    allowedHosts: '--allowed-host',
    dataDir: '--data-dir',
    tls: '--tls',
    httpRedirectPort: '--http-redirect',
    serverName: '--mdns-name',
    mdns: '--mdns',
    membershipSecret: 'PARLEY_MEMBERSHIP_SECRET',
  };
  const flag = Object.entries(flags).find(([option]) => err.option === option || err.option.startsWith(`${option}.`))?.[1];
  const detail = err.message.replace(/^Invalid signaling server option "[^"]*": /, '').replace(/\.$/, '');
  return flag ? `${flag}: ${detail}` : detail;
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 1));
