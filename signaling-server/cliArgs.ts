/**
 * parley-server's command line, parsed (node:util parseArgs, strict) into server
 * options. Pure: argv and env in, a decision out; a `UsageError` says in one line
 * what is wrong.
 */
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from './logger';
import { DEFAULT_ADDRESS_LIMITS, DEFAULT_PORT, type AddressLimitOptions, type SignalingServerOptions } from './options';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type CliDecision = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: SignalingServerOptions };

export const USAGE = `Usage: parley-server [options]

Runs the Parley signaling server: presence, calls and WebRTC signaling over socket.io.

Options:
  --host HOST              interface to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)
  --port N                 port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --password TEXT          require this password from clients
                           (or set PARLEY_SERVER_PASSWORD, which other users cannot see in ps)
  --max-participants N     largest call, 2–16 (default 4)
  --ring-timeout SECONDS   how long a call rings before "no answer" (default 30)
  --log-level LEVEL        ${LOG_LEVELS.join(', ')} (default info; logs go to stderr)
  --client DIR             serve the built browser client from DIR
                           (default: dist/renderer next to this server, when it exists)
  --allowed-origin ORIGIN  accept browser pages only from ORIGIN (repeatable; default: any)
  --directory on|off       let users find each other by name on this server (default off:
                           people add each other with an invite link or code)
  --turn-url URL           TURN server handed to clients (repeatable), e.g. turn:turn.example:3478
  --turn-secret SECRET     the TURN server's static-auth-secret (REST API credentials;
                           or set PARLEY_TURN_SECRET)
  --stun-url URL           STUN server handed to clients (repeatable)
  --janus-url URL          Janus WebSocket API (repeatable), e.g. ws://127.0.0.1:8188: calls of
                           more than 4, and meetings, go through its VideoRoom (default: none,
                           every call peer to peer). Keep Janus's API on loopback or a private network.
                           In a cluster every node takes the same list; the coordinator drives Janus.
  --janus-secret SECRET    Janus's api_secret, if it has one (or set PARLEY_JANUS_SECRET)
  --janus-admin-key KEY    VideoRoom's admin_key, if room creation needs one
                           (or set PARLEY_JANUS_ADMIN_KEY)
  --max-sfu-participants N largest call on Janus, 2–64 (default 16)
  --redis-url URL          share presence, calls and relay with every node using this
                           Redis, e.g. redis://127.0.0.1:6379 (or set PARLEY_REDIS_URL)
  --max-connections-per-address N
                           connections open at once from one network address
                           (default ${DEFAULT_ADDRESS_LIMITS.maxConnections}; IPv6 counts per /64)
  --connections-per-minute N
                           new connections from one address per minute, in bursts of
                           half that (default ${DEFAULT_ADDRESS_LIMITS.connectionsPerMinute}, bursts of ${DEFAULT_ADDRESS_LIMITS.connectionBurst})
  --failed-handshakes-per-minute N
                           failed sign-ins (wrong password or identity) from one address
                           before it is refused for the rest of the minute (default ${DEFAULT_ADDRESS_LIMITS.failedHandshakesPerMinute})
  --trusted-proxy ADDR     believe X-Forwarded-For from this proxy's IP address
                           (repeatable; replaces the default, the loopback addresses)
  --limit-loopback         apply the address limits to clients on this computer too
                           (off by default: the desktop app and local tools live there)
  --allowed-host HOST      answer only requests for HOST or HOST:PORT, against DNS
                           rebinding (repeatable; default: any host)
  --data-dir DIR           where the server keeps membership.key, the secret that lets
                           call members rejoin after a restart (default
                           $XDG_STATE_HOME/parley-server or ~/.local/state/parley-server);
                           PARLEY_MEMBERSHIP_SECRET (32+ characters) replaces the file,
                           and every node of a cluster needs the same one
  --tls self-signed        https + wss with a certificate generated once into the data dir;
                           its SHA-256 fingerprint is printed at start and in /healthz
  --tls-cert FILE          https + wss with this PEM certificate (or chain) ...
  --tls-key FILE           ... and this PEM private key (give both); after renewing
                           them, send SIGHUP (kill -HUP) to serve the new ones
  --http-redirect PORT     with TLS: also answer plain http on PORT, redirecting to https
  --mdns                   announce the server on the local network (mDNS, _parley._tcp)
  --mdns-name NAME         the name people see for it (default "Parley on <host name>")
  -h, --help               show this help
  -v, --version            show the version`;

const spec = {
  host: { type: 'string' },
  port: { type: 'string' },
  password: { type: 'string' },
  'max-participants': { type: 'string' },
  'ring-timeout': { type: 'string' },
  'log-level': { type: 'string' },
  client: { type: 'string' },
  'allowed-origin': { type: 'string', multiple: true },
  directory: { type: 'string' },
  'turn-url': { type: 'string', multiple: true },
  'turn-secret': { type: 'string' },
  'stun-url': { type: 'string', multiple: true },
  'janus-url': { type: 'string', multiple: true },
  'janus-secret': { type: 'string' },
  'janus-admin-key': { type: 'string' },
  'max-sfu-participants': { type: 'string' },
  'redis-url': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'connections-per-minute': { type: 'string' },
  'failed-handshakes-per-minute': { type: 'string' },
  'trusted-proxy': { type: 'string', multiple: true },
  'limit-loopback': { type: 'boolean' },
  'allowed-host': { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  tls: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'http-redirect': { type: 'string' },
  mdns: { type: 'boolean' },
  'mdns-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

export function parseCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, defaultClientDir: string | null): CliDecision {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const options: SignalingServerOptions = {
    host: values.host ?? '127.0.0.1',
    port: values.port === undefined ? DEFAULT_PORT : integer('--port', values.port, 0, 65535),
    password: values.password ?? env.PARLEY_SERVER_PASSWORD ?? '',
    clientDir: values.client ?? defaultClientDir,
  };
  if (options.host === '') throw new UsageError('--host needs a host name or address');
  if (values['max-participants'] !== undefined) {
    options.maxParticipants = integer('--max-participants', values['max-participants'], 2, 16);
  }
  if (values['ring-timeout'] !== undefined) {
    const seconds = Number(values['ring-timeout']);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
      throw new UsageError(`--ring-timeout must be a number of seconds from 1 to 600, not "${values['ring-timeout']}"`);
    }
    options.ringTimeoutMs = Math.round(seconds * 1000);
  }
  if (values['log-level'] !== undefined) {
    const level = values['log-level'];
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${level}"`);
    }
    options.logLevel = level as LogLevel;
  }
  if (values['allowed-origin'] !== undefined) options.allowedOrigins = values['allowed-origin'];
  if (values.directory !== undefined) {
    if (values.directory !== 'on' && values.directory !== 'off') throw new UsageError(`--directory must be on or off, not "${values.directory}"`);
    options.directory = values.directory === 'on';
  }
  if (values['stun-url'] !== undefined) options.stunUrls = values['stun-url'];
  if (values['janus-url'] !== undefined) options.janusUrls = values['janus-url'];
  const janusSecret = values['janus-secret'] ?? env.PARLEY_JANUS_SECRET;
  if (janusSecret !== undefined) options.janusSecret = janusSecret;
  const janusAdminKey = values['janus-admin-key'] ?? env.PARLEY_JANUS_ADMIN_KEY;
  if (janusAdminKey !== undefined) options.janusAdminKey = janusAdminKey;
  if (values['max-sfu-participants'] !== undefined) {
    options.maxSfuParticipants = integer('--max-sfu-participants', values['max-sfu-participants'], 2, 64);
  }
  const redisUrl = values['redis-url'] ?? (env.PARLEY_REDIS_URL || undefined);
  if (redisUrl !== undefined) options.redisUrl = redisUrl;
  const turnUrls = values['turn-url'];
  const turnSecret = values['turn-secret'] ?? (env.PARLEY_TURN_SECRET || undefined);
  if ((turnUrls === undefined) !== (turnSecret === undefined)) {
    throw new UsageError('--turn-url and --turn-secret go together: give both, or neither');
  }
  if (turnUrls !== undefined && turnSecret !== undefined) options.turn = { urls: turnUrls, secret: turnSecret };
  Object.assign(options, addressOptions(values));
  const secret = env.PARLEY_MEMBERSHIP_SECRET || undefined;
  if (secret !== undefined) {
    if (secret.length < 32) throw new UsageError(`PARLEY_MEMBERSHIP_SECRET must be at least 32 characters, not ${secret.length}`);
    options.membershipSecret = secret;
  }
  if (values['data-dir'] === '') throw new UsageError('--data-dir needs a directory');
  options.dataDir = values['data-dir'] ?? defaultDataDir(env);
  Object.assign(options, tlsAndMdnsOptions(values, options.port ?? DEFAULT_PORT));
  return { kind: 'run', options };
}

/** $XDG_STATE_HOME/parley-server, else ~/.local/state/parley-server (the XDG default). */
export function defaultDataDir(env: Readonly<Record<string, string | undefined>>): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'parley-server');
}

/** The per-address flags; only what was given, so the option defaults stay in options.ts. */
function addressOptions(values: {
  'max-connections-per-address'?: string;
  'connections-per-minute'?: string;
  'failed-handshakes-per-minute'?: string;
  'trusted-proxy'?: string[];
  'limit-loopback'?: boolean;
  'allowed-host'?: string[];
}): Partial<SignalingServerOptions> {
  const out: Partial<SignalingServerOptions> = {};
  const limits: Partial<AddressLimitOptions> = {};
  if (values['max-connections-per-address'] !== undefined) {
    limits.maxConnections = integer('--max-connections-per-address', values['max-connections-per-address'], 1, 1_000_000);
  }
  if (values['connections-per-minute'] !== undefined) {
    limits.connectionsPerMinute = integer('--connections-per-minute', values['connections-per-minute'], 1, 1_000_000);
    limits.connectionBurst = Math.max(1, Math.ceil(limits.connectionsPerMinute / 2));
  }
  if (values['failed-handshakes-per-minute'] !== undefined) {
    limits.failedHandshakesPerMinute = integer('--failed-handshakes-per-minute', values['failed-handshakes-per-minute'], 1, 1_000_000);
  }
  if (Object.keys(limits).length > 0) out.addressLimits = { ...DEFAULT_ADDRESS_LIMITS, ...limits };
  if (values['trusted-proxy'] !== undefined) {
    for (const proxy of values['trusted-proxy']) {
      if (isIP(proxy) === 0) throw new UsageError(`--trusted-proxy needs an IP address (no names, no ranges), not "${proxy}"`);
    }
    out.trustedProxies = values['trusted-proxy'];
  }
  if (values['limit-loopback']) out.limitLoopback = true;
  if (values['allowed-host'] !== undefined) {
    for (const host of values['allowed-host']) {
      if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
        throw new UsageError(`--allowed-host needs a host name or host:port, e.g. parley.example or 192.168.1.5:3000, not "${host}"`);
      }
    }
    out.allowedHosts = values['allowed-host'];
  }
  return out;
}

/** --tls, --tls-cert/--tls-key, --http-redirect, --mdns, --mdns-name. */
function tlsAndMdnsOptions(
  values: { tls?: string; 'tls-cert'?: string; 'tls-key'?: string; 'http-redirect'?: string; mdns?: boolean; 'mdns-name'?: string },
  port: number,
): Partial<SignalingServerOptions> {
  const out: Partial<SignalingServerOptions> = {};
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if (values.tls !== undefined) {
    if (values.tls !== 'self-signed') {
      throw new UsageError(`--tls takes only "self-signed" (for your own certificate use --tls-cert FILE --tls-key FILE), not "${values.tls}"`);
    }
    if (cert !== undefined || key !== undefined) throw new UsageError('--tls self-signed and --tls-cert/--tls-key exclude each other: choose one');
    out.tls = { selfSigned: true };
  } else if (cert !== undefined || key !== undefined) {
    if (cert === undefined || key === undefined) throw new UsageError('--tls-cert and --tls-key go together: give both, or neither');
    if (cert === '' || key === '') throw new UsageError('--tls-cert and --tls-key need file names');
    out.tls = { certFile: cert, keyFile: key };
  }
  if (values['http-redirect'] !== undefined) {
    if (out.tls === undefined) throw new UsageError('--http-redirect redirects to https: it needs --tls self-signed or --tls-cert/--tls-key');
    out.httpRedirectPort = integer('--http-redirect', values['http-redirect'], 1, 65535);
    if (out.httpRedirectPort === port) throw new UsageError(`--http-redirect needs a port other than the server's own (${port})`);
  }
  if (values.mdns) out.mdns = true;
  if (values['mdns-name'] !== undefined) {
    if (!values.mdns) throw new UsageError('--mdns-name names the mDNS announcement: it needs --mdns');
    const name = values['mdns-name'];
    if (name.trim() === '' || Buffer.byteLength(name, 'utf8') > 63 || /[\p{Cc}.]/u.test(name)) {
      throw new UsageError(`--mdns-name needs a name of 1 to 63 bytes on one line, without dots, not "${name.slice(0, 80)}"`);
    }
    out.serverName = name;
  }
  return out;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  }
  return n;
}

/** parseArgs' messages are long and end in advice for a different audience. */
function describeParseError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted || message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('does not take an argument')) return `${quoted.split(', ').pop() ?? quoted} takes no value`;
      return `${quoted.replace(/ <value>$/, '') || 'an option'} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted || message}`;
    default:
      return message.split('\n')[0] ?? 'invalid arguments';
  }
}
